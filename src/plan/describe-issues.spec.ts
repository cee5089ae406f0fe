import { describe, expect, it } from "vitest";
import { formatPath, show } from "./describe-issues.js";

describe("formatPath", () => {
  it("writes paths the way a recipe reads", () => {
    expect(formatPath(["vectors", 2, "weight"])).toBe("vectors[2].weight");
    expect(formatPath(["greedy", "evaluator", "type"])).toBe("greedy.evaluator.type");
    expect(formatPath(["overrides", 0, "odd key"])).toBe('overrides[0]["odd key"]');
    expect(formatPath([])).toBe("(recipe)");
  });
});

describe("show", () => {
  it("shows values briefly, as YAML wrote them", () => {
    expect(show("high")).toBe('"high"');
    expect(show("x".repeat(100))).toBe(`"${"x".repeat(57)}..."`);
    expect([show(3), show(true), show(null), show(undefined), show([1]), show({ a: 1 })]).toEqual([
      "3",
      "true",
      "null (an empty value)",
      "nothing",
      "a list",
      "a mapping",
    ]);
  });
});
