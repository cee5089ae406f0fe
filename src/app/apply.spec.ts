import { describe, expect, it } from "vitest";
import { parseVectorArgument } from "./apply.js";

describe("parseVectorArgument", () => {
  it("takes the weight after the last colon, 1.0 without one", () => {
    expect(parseVectorArgument("org/math-tv")).toEqual({ ref: "org/math-tv", weight: 1 });
    expect(parseVectorArgument("org/math-tv:0.5")).toEqual({ ref: "org/math-tv", weight: 0.5 });
    expect(parseVectorArgument("org/toxic-tv@v2:-1")).toEqual({ ref: "org/toxic-tv@v2", weight: -1 });
    expect(parseVectorArgument("org/a:1e-1")).toEqual({ ref: "org/a", weight: 0.1 });
    expect(parseVectorArgument("org/a:+.25")).toEqual({ ref: "org/a", weight: 0.25 });
    expect(parseVectorArgument("org/a:-2.")).toEqual({ ref: "org/a", weight: -2 });
    expect(parseVectorArgument("./run:3:0.5")).toEqual({ ref: "./run:3", weight: 0.5 });
  });

  it("refuses a weight that is not a plain decimal number, naming the flag", () => {
    for (const text of [
      "org/a:",
      "org/a:half",
      "org/a:0x10",
      "org/a:1e999",
      "org/a:Infinity",
      "org/a: 1",
      "org/a:1_000",
    ]) {
      expect(() => parseVectorArgument(text, "--vector 2"), text).toThrow(
        /^--vector 2 ".*": the weight after the last colon must be a number/,
      );
    }
    expect(() => parseVectorArgument(":0.5")).toThrow("names no task vector before the colon");
  });
});
