import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { expandTerms } from "../../plan/expand-terms.js";
import { parseRecipe } from "../../plan/parse-recipe.js";
import { buildDemoRecipe } from "./build-demo-recipe.js";

describe("buildDemoRecipe", () => {
  it("writes a task_arithmetic recipe that tvhub merge accepts, with the comment first", async () => {
    const text = await buildDemoRecipe({
      comment: ["Task addition.", "", "λ from validation."],
      base: "demo/base",
      to: "demo/merged",
      scale: 0.35,
      terms: [
        { vector: "demo/a-tv", weight: 1 },
        { vector: "demo/b-tv", weight: 1 },
      ],
    });
    expect(text.split("\n").slice(0, 3)).toEqual(["# Task addition.", "#", "# λ from validation."]);
    const recipe = await parseRecipe({ value: parse(text), source: "add.yml" });
    expect(recipe).toMatchObject({
      base: "demo/base",
      output: { to: "demo/merged" },
      method: "task_arithmetic",
      scale: 0.35,
    });
    expect(expandTerms({ recipe }).map((t) => [t.kind, t.ref, recipe.scale * t.weight])).toEqual([
      ["vector", "demo/a-tv", 0.35],
      ["vector", "demo/b-tv", 0.35],
    ]);
  });

  it("leaves out a scale of 1, keeps negative weights and writes analogies in the recipe's shorthand", async () => {
    const text = await buildDemoRecipe({
      comment: ["Analogy."],
      base: "demo/base",
      to: "demo/analogy",
      terms: [
        { vector: "demo/n-tv", weight: -0.4 },
        { analogy: { a: "demo/a-tv", b: "demo/b-tv", c: "demo/c-tv" }, weight: 0.5 },
      ],
    });
    expect(text).not.toContain("scale");
    const recipe = await parseRecipe({ value: parse(text), source: "analogy.yml" });
    // +τ_C, +τ_B, −τ_A: the order the demo's in-memory search adds them in.
    expect(expandTerms({ recipe }).map((t) => [t.ref, t.weight])).toEqual([
      ["demo/n-tv", -0.4],
      ["demo/c-tv", 0.5],
      ["demo/b-tv", 0.5],
      ["demo/a-tv", -0.5],
    ]);
  });
});
