import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../errors.js";
import type { CreateTfjsEvaluatorOptions } from "../../eval/create-tfjs-evaluator.js";
import type { Evaluator } from "../../eval/evaluator.js";
import { writeImageSet } from "../../eval/write-image-set.js";
import { loadRecipeSchema } from "../../plan/recipe-schema.js";
import type { EvaluatorSpec } from "../../plan/recipe.js";
import { createGreedyEvaluator } from "./create-greedy-evaluator.js";
import { joinPatterns } from "../../../test/helpers/join-patterns.js";

let root = "";

const recipeSchema = await loadRecipeSchema();

/** The evaluator section as a recipe writes it, defaults applied by the schema. */
function spec(evaluator: Record<string, unknown>): EvaluatorSpec {
  const recipe = recipeSchema.parse({
    version: 1,
    base: "org/base",
    output: { to: "./out" },
    greedy: { candidates: ["org/a"], evaluator },
  });
  return recipe.greedy?.evaluator as EvaluatorSpec;
}

/** A tfjs factory that records the sets it was given instead of loading TensorFlow.js. */
function recordingTfjs(): {
  create: (options: CreateTfjsEvaluatorOptions) => Evaluator;
  given: CreateTfjsEvaluatorOptions[];
} {
  const given: CreateTfjsEvaluatorOptions[] = [];
  return {
    given,
    create: (options) => {
      given.push(options);
      return { name: "tfjs:test", evaluate: async () => ({ score: 0 }) };
    },
  };
}

async function imageSet(path: string, count = 4): Promise<void> {
  await writeImageSet({
    path,
    pixels: new Uint8Array(count * 4),
    labels: Array.from({ length: count }, (_, i) => i % 2),
    shape: [count, 2, 2],
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tvhub-greedy-evaluator-"));
  await mkdir(join(root, "tasks"));
  for (const name of ["rotated-val", "inverted_validation", "rotated-test", "inverted-test"])
    await imageSet(join(root, "tasks", `${name}.safetensors`), 6);
  await mkdir(join(root, "by-folder", "validation"), { recursive: true });
  await imageSet(join(root, "by-folder", "validation", "a.safetensors"));
  await imageSet(join(root, "by-folder", "a-val.safetensors"));
  await mkdir(join(root, "only-test"));
  await imageSet(join(root, "only-test", "digits-test.safetensors"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("createGreedyEvaluator", () => {
  it(
    "gives the tfjs evaluator the validation sets of a folder, never its test sets, and cuts them to " + "max_examples",
    async () => {
      const tfjs = recordingTfjs();
      const built = await createGreedyEvaluator({
        spec: spec({ type: "tfjs", dataset: join(root, "tasks"), max_examples: 4 }),
        source: "x.yml",
        factories: { tfjs: tfjs.create },
      });
      expect(built.inMemory).toBe(true);
      const sets = tfjs.given[0]?.datasets ?? [];
      expect(sets.map((set) => (typeof set === "string" ? set : set.name))).toEqual([
        "inverted_validation",
        "rotated-val",
      ]);
      expect(sets.map((set) => (typeof set === "string" ? -1 : set.count))).toEqual([4, 4]);
      expect(built.metric).toBe("accuracy on inverted_validation, rotated-val (mean)");
      // The sets are in the cache scope: another folder of sets is another search.
      expect(built.scope).toContain(join(root, "tasks", "rotated-val.safetensors"));
    },
  );

  it("prefers a folder named after the split", async () => {
    const tfjs = recordingTfjs();
    await createGreedyEvaluator({
      spec: spec({ type: "tfjs", dataset: join(root, "by-folder") }),
      source: "x.yml",
      factories: { tfjs: tfjs.create },
    });
    expect(tfjs.given[0]?.datasets).toEqual([join(root, "by-folder", "validation", "a.safetensors")]);
  });

  it("names the files when a folder holds no set of the split, and refuses what it cannot score", async () => {
    const tfjs = recordingTfjs();
    const factories = { tfjs: tfjs.create };
    await expect(
      createGreedyEvaluator({
        spec: spec({ type: "tfjs", dataset: join(root, "only-test") }),
        source: "x.yml",
        factories,
      }),
    ).rejects.toThrow(
      joinPatterns(
        /^x\.yml: the folder .*only-test holds no validation set \(files: digits-test\.safetensors\); /,
        /name the files \*-validation\.safetensors/,
      ),
    );
    await expect(
      createGreedyEvaluator({
        spec: spec({ type: "tfjs", dataset: join(root, "missing") }),
        source: "x.yml",
        factories,
      }),
    ).rejects.toThrow(/the tfjs dataset .*missing does not exist/);
    await expect(
      createGreedyEvaluator({
        spec: spec({ type: "tfjs", dataset: join(root, "tasks"), metric: "loss" }),
        source: "x.yml",
        factories,
      }),
    ).rejects.toThrow(/measures accuracy; set metric: accuracy/);
    const without = createGreedyEvaluator({
      spec: spec({ type: "tfjs", dataset: join(root, "tasks") }),
      source: "x.yml",
    });
    await expect(without).rejects.toBeInstanceOf(UsageError);
    await expect(without).rejects.toThrow(
      /the tfjs evaluator needs TensorFlow\.js, which this build of tvhub leaves out/,
    );
    expect(tfjs.given).toEqual([]);
  });

  it(
    "resolves a relative dataset against the recipe's folder, not the current directory, and names no internal " +
      "module when it is missing",
    async () => {
      const tfjs = recordingTfjs();
      // As a recipe in <root>/recipes/ names <root>/tasks: the current directory (the repo, under vitest) has no such
      // folder.
      await createGreedyEvaluator({
        spec: spec({ type: "tfjs", dataset: "../tasks" }),
        dir: join(root, "recipes"),
        source: "x.yml",
        factories: { tfjs: tfjs.create },
      });
      expect(tfjs.given[0]?.datasets).toEqual([
        join(root, "tasks", "inverted_validation.safetensors"),
        join(root, "tasks", "rotated-val.safetensors"),
      ]);
      const missing = createGreedyEvaluator({
        spec: spec({ type: "tfjs", dataset: "../nothing" }),
        dir: join(root, "recipes"),
        source: "x.yml",
        factories: { tfjs: tfjs.create },
      });
      await expect(missing).rejects.toThrow(/relative to the recipe's folder/);
      await expect(missing).rejects.not.toThrow(/read-image-set/);
    },
  );

  it("scores folders with a command, and keys the cache by what changes a score, not by the timeout", async () => {
    const a = await createGreedyEvaluator({
      spec: spec({ type: "command", command: "python eval.py {model}", timeout_seconds: 10 }),
      source: "x.yml",
    });
    const b = await createGreedyEvaluator({
      spec: spec({ type: "command", command: "python eval.py {model}", timeout_seconds: 99 }),
      source: "x.yml",
    });
    const c = await createGreedyEvaluator({
      spec: spec({ type: "command", command: "python eval.py {model}", metric: "loss", direction: "minimize" }),
      source: "x.yml",
    });
    expect(a.inMemory).toBe(false);
    expect(a.scope).toBe(b.scope);
    expect(c.scope).not.toBe(a.scope);
    expect(c.metric).toBe("loss (minimized: the table shows minus the value)");
  });
});
