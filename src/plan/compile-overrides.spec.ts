import { describe, expect, it } from "vitest";
import { compileOverrides, globToRegExp } from "./compile-overrides.js";

describe("globToRegExp", () => {
  it("* crosses dots, ? is one character, the whole name must match, the rest is literal", () => {
    const embed = globToRegExp("*embed_tokens*");
    expect(embed.test("model.embed_tokens.weight")).toBe(true);
    expect(embed.test("lm_head.weight")).toBe(false);
    expect(globToRegExp("model.layers.?.mlp.*").test("model.layers.3.mlp.up_proj.weight")).toBe(true);
    expect(globToRegExp("model.layers.?.mlp.*").test("model.layers.13.mlp.up_proj.weight")).toBe(false);
    expect(globToRegExp("a.b").test("aXb")).toBe(false);
    expect(globToRegExp("w[0]+(x)").test("w[0]+(x)")).toBe(true);
    expect(globToRegExp("lm_head.weight").test("model.lm_head.weight")).toBe(false);
  });
});

describe("compileOverrides", () => {
  it("describes each override and matches regexes anywhere in the name", () => {
    const [first, second] = compileOverrides({
      overrides: [
        { glob: "*norm*", keep: "base" },
        { regex: "layers\\.(0|1)\\.", scale: 0.5, parameters: { density: 0.4 } },
      ],
    });
    expect([first?.origin, first?.pattern, first?.action]).toEqual(["overrides[0]", "glob *norm*", "keep base"]);
    expect([second?.pattern, second?.action]).toEqual(["regex layers\\.(0|1)\\.", "scale 0.5, parameters density=0.4"]);
    expect(second?.matches("model.layers.1.mlp.up_proj.weight")).toBe(true);
    expect(second?.matches("model.layers.11.mlp.up_proj.weight")).toBe(false);
  });

  it("rejects an override without a usable pattern (recipes built in code skip the schema)", () => {
    expect(() => compileOverrides({ overrides: [{ keep: "base" }] })).toThrow(
      "overrides[0] has no glob or regex; give one so it matches tensor names.",
    );
    expect(() => compileOverrides({ overrides: [{ regex: "(", keep: "base" }] })).toThrow(
      "overrides[0].regex is not a valid regular expression; fix the pattern.",
    );
  });
});
