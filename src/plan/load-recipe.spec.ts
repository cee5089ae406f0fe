import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { loadRecipe } from "./load-recipe.js";
import { parseRecipe } from "./parse-recipe.js";

const minimal = `version: 1
base: org/base
output:
  to: org/merged
vectors:
  - finetuned: org/ft
    weight: 0.5
`;

/** The message of the UsageError that loading `text` throws. */
async function problem(text: string): Promise<string> {
  try {
    await loadRecipe({ text, source: "r.yml" });
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error("the recipe loaded, but a UsageError was expected");
}

/** The recipe text with `extra` appended (top-level keys). */
function withKeys(extra: string): string {
  return `${minimal}${extra}`;
}

describe("loadRecipe", () => {
  it("applies every default and keeps the text verbatim", async () => {
    const loaded = await loadRecipe({ text: `# a comment the card keeps\n${minimal}`, source: "recipes/x.yml" });
    expect(loaded.text).toBe(`# a comment the card keeps\n${minimal}`);
    expect(loaded.source).toBe("recipes/x.yml");
    expect(loaded.recipe).toEqual({
      version: 1,
      base: "org/base",
      output: { to: "org/merged", private: false, max_shard_size: 5_000_000_000 },
      method: "task_arithmetic",
      scale: 1,
      vectors: [{ finetuned: "org/ft", weight: 0.5 }],
      overrides: [],
      vocab: "refuse",
    });
  });

  it("parses dtype aliases and sizes in output", async () => {
    const { recipe } = await loadRecipe({
      text: minimal.replace(
        "  to: org/merged\n",
        "  to: ./out\n  dtype: bfloat16\n  max_shard_size: 2GiB\n  private: true\n",
      ),
      source: "r.yml",
    });
    expect(recipe.output).toEqual({ to: "./out", dtype: "BF16", max_shard_size: 2 * 2 ** 30, private: true });
  });

  it("fills greedy defaults: the paper's 21-point grid, start from the base, no minimum gain", async () => {
    const { recipe } = await loadRecipe({
      text: withKeys(
        'greedy:\n  candidates: [org/a, { vector: org/tv }]\n  evaluator: { type: command, command: "./eval.sh ' +
          '{model}" }\n',
      ),
      source: "r.yml",
    });
    expect(recipe.greedy).toEqual({
      start: "base",
      candidates: ["org/a", { vector: "org/tv" }],
      evaluator: { type: "command", command: "./eval.sh {model}", direction: "maximize", timeout_seconds: 3600 },
      grid: { start: 0, stop: 1, step: 0.05 },
      min_gain: 0,
    });
  });

  it("accepts a greedy run with no fixed vectors", async () => {
    const { recipe } = await loadRecipe({
      text:
        "version: 1\nbase: org/base\noutput: { to: org/out }\ngreedy:\n  candidates: { search: { tags: [glue] } " +
        "}\n  evaluator: { type: tfjs, dataset: digits }\n",
      source: "r.yml",
    });
    expect(recipe.vectors).toEqual([]);
    expect(recipe.greedy?.candidates).toEqual({ search: { tags: ["glue"], kind: "finetuned", limit: 50 } });
    expect(recipe.greedy?.evaluator).toEqual({
      type: "tfjs",
      dataset: "digits",
      split: "validation",
      metric: "accuracy",
      batch_size: 256,
    });
  });

  describe("YAML errors name the line and column", () => {
    it("a syntax error", async () => {
      expect(await problem("version: 1\nvectors: [1, 2\n")).toMatch(/^r\.yml:3:1: .*fix the YAML syntax there\.$/);
    });
    it("a duplicate key", async () => {
      expect(await problem("version: 1\nversion: 1\n")).toMatch(
        /^r\.yml:2:1: Map keys must be unique; fix the YAML syntax there\.$/,
      );
    });
    it("an alias to an anchor that does not exist", async () => {
      expect(await problem("version: 1\nbase: *nowhere\n")).toMatch(/^r\.yml is not valid YAML: Unresolved alias/);
    });
    it("a file that is not a mapping", async () => {
      expect(await problem("- a\n- b\n")).toBe(
        "r.yml holds a list, but a recipe is a mapping of keys such as version, base, output and vectors.",
      );
      expect(await problem("just text\n")).toMatch(/^r\.yml holds a single value/);
    });
    it("an empty file", async () => {
      expect(await problem("# nothing\n")).toMatch(/^r\.yml is empty; a recipe needs at least version: 1/);
    });
  });

  it("throws UsageError with the RECIPE codes", async () => {
    for (const [text, code] of [
      ["a: [", "RECIPE_YAML"],
      ["version: 2\n", "RECIPE_INVALID"],
    ] as const) {
      try {
        await loadRecipe({ text, source: "r.yml" });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        expect((error as UsageError).code).toBe(code);
        expect((error as UsageError).subject).toBe("r.yml");
      }
    }
  });
});

describe("schema errors name the field path", () => {
  it("a wrong type, exactly as documented", async () => {
    const text = minimal.replace(
      "    weight: 0.5\n",
      "    weight: 0.5\n  - vector: org/tv\n    weight: 1\n  - finetuned: org/ft2\n    weight: high\n",
    );
    expect(await problem(text)).toBe('r.yml is not a valid recipe: vectors[2].weight: expected a number, got "high".');
  });

  // Builders of the recipe texts below.
  const analogy = (parts: string) =>
    minimal.replace("  - finetuned: org/ft\n    weight: 0.5\n", `  - analogy: ${parts}\n    weight: 1\n`);
  const greedy = (body: string) => withKeys(`greedy:\n${body}`);
  const evaluator = "  evaluator: { type: tfjs, dataset: digits }\n";

  it("unknown keys are errors, and a key with no near name is named alone", async () => {
    expect(await problem(withKeys("colour: blue\n"))).toBe("r.yml is not a valid recipe: colour: unknown key.");
  });

  /** What is wrong: [the recipe text, a part of the problem it is refused with][]. */
  const problems: Record<string, [string, string][]> = {
    "a missing field": [
      [
        minimal.replace("output:\n  to: org/merged\n", "output:\n  private: true\n"),
        "output.to: missing; expected a string",
      ],
      [minimal.replace("    weight: 0.5\n", ""), "vectors[0].weight: missing; expected a number"],
    ],
    "the version": [
      [minimal.replace("version: 1", "version: 2"), "version: expected 1, got 2"],
      [minimal.replace("version: 1\n", ""), "version: missing; expected 1"],
    ],
    "unknown keys are errors, with a suggestion": [
      [minimal.replace("    weight: 0.5", "    wieght: 0.5"), "vectors[0].wieght: unknown key; did you mean weight?"],
      [withKeys("dtype: bf16\n"), "dtype: unknown key; did you mean output.dtype?"],
      [withKeys("merge_method: ties\n"), "merge_method: unknown key; did you mean method?"],
      [
        withKeys("parameters: { normalize: true }\n"),
        "parameters.normalize: unknown key; remove it: tvhub never normalizes weights",
      ],
      [withKeys("method: dare_linear\nparameters: { p: 0.5 }\n"), "parameters.p: unknown key; did you mean drop_rate?"],
    ],
    "a method that does not exist": [
      [
        withKeys("method: tie\n"),
        'method: expected one of "task_arithmetic", "magnitude_prune", "ties", "dare_linear", "dare_ties", ' +
          '"breadcrumbs", "breadcrumbs_ties", "della", "della_linear", "model_stock", "nuslerp", got "tie"',
      ],
    ],
    "an entry of vectors that is not a term": [
      [
        minimal.replace("  - finetuned: org/ft\n    weight: 0.5\n", "  - org/ft\n"),
        'vectors[0]: expected an entry with one of vector, finetuned or analogy, got "org/ft"',
      ],
      [
        minimal.replace("  - finetuned: org/ft\n", "  - model: org/ft\n"),
        "vectors[0]: expected an entry with one of vector, finetuned or analogy, got a mapping",
      ],
      [minimal.replace("  - finetuned: org/ft\n", "  - vector: 3\n"), "vectors[0].vector: expected a string, got 3"],
      [
        minimal.replace("  - finetuned: org/ft\n", "  - finetuned: ''\n"),
        "vectors[0].finetuned: expected a model reference such as org/name, org/name@revision or ./directory",
      ],
    ],
    "analogy parts": [
      [analogy("{ a: { vector: x/a }, b: { vector: x/b } }"), "vectors[0].analogy.c: missing"],
      [
        analogy("{ a: x/a, b: { vector: x/b }, c: { vector: x/c } }"),
        'vectors[0].analogy.a: expected { vector: <task-vector repo> } or { finetuned: <model> }, got "x/a"',
      ],
      [
        analogy("{ a: { vector: x/a, weight: 2 }, b: { vector: x/b }, c: { vector: x/c } }"),
        "vectors[0].analogy.a.weight: unknown key",
      ],
    ],
    "numbers out of range and non-finite numbers": [
      [withKeys("method: ties\nparameters: { density: 0 }\n"), "parameters.density: expected a number > 0, got 0"],
      [
        withKeys("method: dare_ties\nparameters: { drop_rate: 1 }\n"),
        "parameters.drop_rate: expected a number < 1, got 1",
      ],
      [withKeys("method: dare_ties\nparameters: { seed: 1.5 }\n"), "parameters.seed: expected an integer, got 1.5"],
      [withKeys("scale: .inf\n"), "scale: expected a number, got Infinity"],
    ],
    "parameters that the method does not take": [
      [
        withKeys("method: dare_linear\nparameters: { density: 0.1 }\n"),
        "parameters.density: not a parameter of dare_linear; dare_linear takes drop_rate, the probability of " +
          "dropping an entry (mergekit's density is 1 − drop_rate)",
      ],
      [
        withKeys("parameters: { density: 0.1 }\n"),
        "parameters.density: not a parameter of task_arithmetic; task_arithmetic takes no parameters",
      ],
      [
        withKeys("method: ties\noverrides:\n  - glob: '*'\n    parameters: { seed: 3 }\n"),
        "overrides[0].parameters.seed: not a parameter of ties; ties takes density",
      ],
    ],
    overrides: [
      [withKeys("overrides:\n  - keep: base\n"), "overrides[0]: give a tensor name pattern: glob or regex"],
      [withKeys("overrides:\n  - { glob: a, regex: b, keep: base }\n"), "overrides[0]: give glob or regex, not both"],
      [withKeys("overrides:\n  - { regex: 'a(', keep: base }\n"), "overrides[0].regex: not a valid regular expression"],
      [
        withKeys("overrides:\n  - { glob: '*' }\n"),
        "overrides[0]: say what to do with the matching tensors: keep: base, scale or parameters",
      ],
      [
        withKeys("overrides:\n  - { glob: '*', keep: base, scale: 2 }\n"),
        "overrides[0].keep: keep: base copies the tensor unchanged",
      ],
      [
        withKeys("overrides:\n  - { glob: '*', keep: finetuned }\n"),
        'overrides[0].keep: expected "base", got "finetuned"',
      ],
    ],
    output: [
      [
        minimal.replace("  to: org/merged\n", "  to: org/merged\n  dtype: int8\n"),
        'output.dtype: expected one of bf16, f16, f32 or f64, got "int8"',
      ],
      [
        minimal.replace("  to: org/merged\n", "  to: org/merged\n  max_shard_size: huge\n"),
        'output.max_shard_size: expected a size such as 5GB, 500MB or 2GiB, got "huge"',
      ],
      [
        minimal.replace("  to: org/merged\n", "  to: org/merged\n  private: yes\n"),
        'output.private: expected true or false, got "yes"',
      ],
    ],
    "vectors must not be empty without greedy": [
      [
        "version: 1\nbase: a/b\noutput: { to: a/c }\nvectors: []\n",
        "vectors: list at least one task vector (or add a greedy section)",
      ],
      ["version: 1\nbase: a/b\noutput: { to: a/c }\n", "vectors: list at least one task vector"],
    ],
    greedy: [
      [greedy(`  candidates: []\n${evaluator}`), "greedy.candidates: expected at least 1 entry"],
      [
        greedy(`  candidates: [a/b]\n  evaluator: { type: python, script: x.py }\n`),
        'greedy.evaluator.type: expected one of command, tfjs, endpoint, got "python"',
      ],
      [
        greedy(`  candidates: [a/b]\n  evaluator: { dataset: digits }\n`),
        "greedy.evaluator.type: missing; expected one of command, tfjs, endpoint",
      ],
      [
        greedy(`  candidates: [a/b]\n  evaluator: { type: endpoint, url: ftp://x, dataset: d.jsonl }\n`),
        'greedy.evaluator.url: expected an http(s) URL, got "ftp://x"',
      ],
      [
        greedy(`  candidates: [a/b]\n${evaluator}  grid: { start: 1, stop: 0 }\n`),
        "greedy.grid.stop: expected a number ≥ start (1), got 0",
      ],
      [
        greedy(`  candidates: [a/b]\n${evaluator}  grid: { step: 0.0001 }\n`),
        "greedy.grid.step: the grid has more than 1001 values",
      ],
      [
        greedy(`  candidates: [a/b]\n${evaluator}  grid: { step: 0 }\n`),
        "greedy.grid.step: expected a number > 0, got 0",
      ],
      [
        greedy(`  candidates: { search: { limit: 0 } }\n${evaluator}`),
        "greedy.candidates.search.limit: expected a number ≥ 1, got 0",
      ],
      [greedy(`  candidates: [{ vector: 1 }]\n${evaluator}`), "greedy.candidates[0].vector: expected a string, got 1"],
      [
        `version: 1\nbase: a/b\noutput: { to: a/c }\ngreedy:\n  start: recipe\n  candidates: [a/b]\n${evaluator}`,
        "greedy.start: start: recipe needs at least one entry in vectors",
      ],
    ],
  };

  const cases = Object.entries(problems).flatMap(([what, list]) =>
    list.map(([text, message]): [string, string, string] => [what, message, text]),
  );

  it.each(cases)("%s: %s", async (_, message, text) => {
    expect(await problem(text)).toContain(message);
  });

  it("lists five problems and counts the rest", async () => {
    const text = "version: 3\nbase: 1\noutput: 2\nmethod: x\nscale: y\nvocab: z\nvectors: 7\n";
    const message = await problem(text);
    expect(message.split("; ").length).toBe(6);
    expect(message).toMatch(/; and 2 more\.$/);
  });

  it("parseRecipe rejects a missing value and reports the source it is given", async () => {
    await expect(parseRecipe({ value: undefined, source: "--recipe" })).rejects.toThrow(/^--recipe is empty/);
    await expect(parseRecipe({ value: { version: 1 }, source: "built by apply" })).rejects.toThrow(
      /^built by apply is not a valid recipe: base: missing/,
    );
    await expect(parseRecipe({ value: 3, source: "x" })).rejects.toThrow(
      "x is not a valid recipe: (recipe): expected a mapping (key: value lines), got 3.",
    );
  });
});
