import { describe, expect, it } from "vitest";
import { type JsonNumber, JsonSyntaxError, parseStrictJson } from "./parse-strict-json.js";

function problem(text: string) {
  try {
    parseStrictJson({ text });
  } catch (error) {
    expect(error).toBeInstanceOf(JsonSyntaxError);
    return (error as JsonSyntaxError).problem;
  }
  throw new Error(`accepted ${text}`);
}

describe("parseStrictJson", () => {
  it("parses what JSON.parse parses, keeping objects in order and numbers as written", () => {
    const value = parseStrictJson({ text: ' {"b":[1,-2.5e3,0],"a":{"x":null,"y":true,"z":"\\u00e9\\n"}} ' });
    expect(value).toBeInstanceOf(Map);
    const root = value as Map<string, unknown>;
    expect([...root.keys()]).toEqual(["b", "a"]);
    const numbers = root.get("b") as JsonNumber[];
    expect(numbers.map((n) => n.raw)).toEqual(["1", "-2.5e3", "0"]);
    expect(numbers.map((n) => n.unsignedInteger)).toEqual([1, undefined, 0]);
    expect([...(root.get("a") as Map<string, unknown>).entries()]).toEqual([
      ["x", null],
      ["y", true],
      ["z", "é\n"],
    ]);
  });

  it("reports a duplicate key with the path to its object", () => {
    expect(problem('{"a":1,"a":2}')).toMatchObject({ duplicateKey: "a", path: [] });
    expect(problem('{"t":{"dtype":"F32","dtype":"F16"}}')).toMatchObject({ duplicateKey: "dtype", path: ["t"] });
    // Escapes are decoded before comparing: these two keys are the same string.
    expect(problem('{"\\u0061":1,"a":2}')).toMatchObject({ duplicateKey: "a" });
  });

  it.each([
    ['{"a":01}', /leading zero/],
    ['{"a":1.}', /digit after "."/],
    ['{"a":-}', /digit/],
    ['{"a":"\\ud800"}', /unpaired high surrogate/],
    ['{"a":"\\udc00"}', /unpaired low surrogate/],
    ['{"a":"\\x"}', /invalid escape/],
    ['{"a":"\u0001"}', /control character/],
    ['{"a":1,}', /quoted key/],
    ['{"a" 1}', /":"/],
    ["[1 2]", /"," or "\]"/],
    ['{"a":1} {}', /after the end/],
    ['"open', /not closed/],
    ["tru", /expected a value/],
    [`${"[".repeat(40)}${"]".repeat(40)}`, /nested deeper than 32/],
  ])("refuses %s", (text, reason) => {
    expect(problem(text).reason).toMatch(reason);
  });

  it("handles a header of thousands of entries quickly", () => {
    const entries = Array.from(
      { length: 20_000 },
      (_, i) => `"layers.${i}.w":{"dtype":"BF16","shape":[8,8],"data_offsets":[${i * 128},${i * 128 + 128}]}`,
    );
    const text = `{${entries.join(",")}}`;
    const started = performance.now();
    const value = parseStrictJson({ text }) as Map<string, unknown>;
    expect(value.size).toBe(20_000);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
