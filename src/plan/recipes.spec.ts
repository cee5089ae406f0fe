import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { mergeMethods } from "../arithmetic/merge-methods.js";
import { buildRecipeJsonSchema } from "./build-recipe-json-schema.js";
import { expandTerms } from "./expand-terms.js";
import { loadRecipe, type LoadedRecipe } from "./load-recipe.js";

const recipesDir = resolve(import.meta.dirname, "../../recipes");
const files = readdirSync(recipesDir)
  .filter((name) => name.endsWith(".yml"))
  .sort();
const loaded = new Map(
  await Promise.all(
    files.map(
      async (name) =>
        [
          name,
          await loadRecipe({ text: readFileSync(join(recipesDir, name), "utf8"), source: `recipes/${name}` }),
        ] as const,
    ),
  ),
);
const load = (name: string) => loaded.get(name) as LoadedRecipe;
const jsonSchema = await buildRecipeJsonSchema();

describe("recipes/", () => {
  it.each(files)("%s is a valid recipe that points editors at the schema", (name) => {
    const { recipe, text } = load(name);
    expect(recipe.version).toBe(1);
    expect(text.startsWith("# yaml-language-server: $schema=./schema.json\n")).toBe(true);
  });

  it("says what each example is for", () => {
    const expectations: Record<string, (recipe: ReturnType<typeof load>["recipe"]) => void> = {
      "addition.yml": (r) => expect(expandTerms({ recipe: r }).every((t) => t.weight > 0)).toBe(true),
      "negation.yml": (r) => expect(expandTerms({ recipe: r }).map((t) => t.weight)).toEqual([-0.5]),
      "analogy.yml": (r) =>
        expect(expandTerms({ recipe: r }).map((t) => t.origin)).toEqual([
          "vectors[0].analogy.c",
          "vectors[0].analogy.b",
          "vectors[0].analogy.a",
        ]),
      "ties.yml": (r) => expect([r.method, r.overrides.length]).toEqual(["ties", 2]),
      "dare.yml": (r) => expect([r.method, r.parameters]).toEqual(["dare_linear", { drop_rate: 0.9, seed: 42 }]),
      "magnitude.yml": (r) => expect(r.method).toBe("magnitude_prune"),
      "breadcrumbs.yml": (r) => expect(r.method).toBe("breadcrumbs"),
      "breadcrumbs-ties.yml": (r) => expect([r.method, r.parameters?.lambda]).toEqual(["breadcrumbs_ties", 1.2]),
      "della.yml": (r) => expect([r.method, r.parameters?.seed]).toEqual(["della", 7]),
      "della-linear.yml": (r) => expect(r.method).toBe("della_linear"),
      "model-stock.yml": (r) => expect([r.method, r.vectors.length]).toEqual(["model_stock", 3]),
      "nuslerp.yml": (r) => expect([r.method, r.vectors.length, r.scale]).toEqual(["nuslerp", 2, 1]),
      "greedy.yml": (r) =>
        expect(r.greedy?.evaluator).toMatchObject({ type: "tfjs", dataset: "../demo/data", split: "validation" }),
    };
    for (const name of files) expectations[name]?.(load(name).recipe);
  });

  it("names only what npm run demo publishes: the models in demo/models and their task vectors (<model>-tv)", () => {
    const refs = new Set<string>();
    for (const name of files) {
      const { recipe } = load(name);
      refs.add(recipe.base);
      for (const term of expandTerms({ recipe })) refs.add(term.ref);
      const candidates = recipe.greedy?.candidates;
      if (Array.isArray(candidates))
        for (const c of candidates) refs.add(typeof c === "string" ? c : "vector" in c ? c.vector : c.finetuned);
    }
    const models = readdirSync(resolve(recipesDir, "../demo/models"));
    const published = new Set(models.flatMap((name) => [`demo/${name}`, `demo/${name}-tv`]));
    expect([...refs].filter((ref) => !published.has(ref))).toEqual([]);
    expect(refs.size).toBeGreaterThan(5);
  });

  it("schema.json is the schema recipe.ts defines (TVHUB_UPDATE_SCHEMA=1 rewrites it)", () => {
    const path = join(recipesDir, "schema.json");
    const expected = `${JSON.stringify(jsonSchema, null, 2)}\n`;
    if (process.env.TVHUB_UPDATE_SCHEMA === "1") writeFileSync(path, expected);
    expect(readFileSync(path, "utf8")).toBe(expected);
  });

  it("the schema documents every field", () => {
    const undocumented: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (typeof node !== "object" || node === null) return;
      const record = node as Record<string, unknown>;
      if (typeof record.properties === "object" && record.properties !== null) {
        for (const [key, child] of Object.entries(record.properties as Record<string, unknown>)) {
          const described = typeof (child as Record<string, unknown>).description === "string" || key === "type";
          if (!described) undocumented.push(`${path}.${key}`);
          visit(child, `${path}.${key}`);
        }
      }
      for (const key of ["items", "anyOf", "oneOf"]) {
        const value = record[key];
        if (Array.isArray(value)) value.forEach((v) => visit(v, path));
        else visit(value, path);
      }
    };
    visit(jsonSchema, "recipe");
    expect(undocumented).toEqual([]);
  });

  it("README.md lists every example and every method has one", () => {
    const readme = readFileSync(join(recipesDir, "README.md"), "utf8");
    for (const name of files) expect(readme).toContain(`[${name}](${name})`);
    const methods = new Set(files.map((name) => load(name).recipe.method));
    // dare_ties is dare.yml with one word changed, which its comments show.
    const inComments = ["dare_ties"];
    expect(mergeMethods.map((m) => m.name).filter((name) => !methods.has(name) && !inComments.includes(name))).toEqual(
      [],
    );
  });

  it("README.md mentions every top-level field", () => {
    const readme = readFileSync(join(recipesDir, "README.md"), "utf8");
    const properties = Object.keys(jsonSchema.properties as Record<string, unknown>);
    for (const key of properties) expect(readme).toContain(`\`${key}\``);
  });
});
