import { describe, expect, it } from "vitest";
import { validateCardYaml } from "./validate-yaml.js";

describe("validateCardYaml", () => {
  it("passes well-formed metadata, unknown keys included", async () => {
    const card = "---\nlicense: mit\ntags: [a, 2024]\nbase_model: [org/base, other]\nmy_own_key: {x: 1}\n---\n# Card\n";
    expect(await validateCardYaml(card)).toEqual({ errors: [], warnings: [] });
  });

  it("finds front matter after leading whitespace, as the Python client's own pattern does", async () => {
    expect(await validateCardYaml("\n---\nmodel-index: foo\n---\n")).toEqual({
      errors: [{ message: '"model-index" must be an array' }],
      warnings: [],
    });
  });

  it("warns (but passes) a card with no or empty metadata, as the Hub does", async () => {
    const warning = { errors: [], warnings: [{ message: "empty or missing yaml metadata in repo card" }] };
    expect(await validateCardYaml("# just text\n")).toEqual(warning);
    expect(await validateCardYaml("---\n\n---\n# empty\n")).toEqual(warning);
  });

  it("refuses YAML that does not parse, is not a mapping, or gives known keys the wrong type", async () => {
    const first = async (card: string): Promise<string | undefined> =>
      (await validateCardYaml(card)).errors[0]?.message;
    expect(await first("---\nlicense: [mit\n---\n")).toMatch(/^Error parsing YAML metadata: /);
    expect(await first("---\nlicense: mit\nlicense: apache-2.0\n---\n")).toMatch(/^Error parsing YAML metadata: /);
    expect(await first("---\n- a\n- b\n---\n")).toMatch(/must be a mapping/);
    expect(await first("---\nlicense: {name: mit}\n---\n")).toBe('"license" must be a string or an array of strings');
    expect(await first("---\npipeline_tag: [a, b]\n---\n")).toBe('"pipeline_tag" must be a string');
    expect(await first("---\nbase_model: /workspace/ckpt\n---\n")).toMatch(
      /^"base_model" with value "\/workspace\/ckpt" is not valid/,
    );
  });
});
