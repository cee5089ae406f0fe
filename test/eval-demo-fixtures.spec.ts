import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createTfjsEvaluator } from "../src/eval/create-tfjs-evaluator.js";
import type { Evaluator } from "../src/eval/evaluator.js";
import { readImageSet, type ImageSet } from "../src/eval/read-image-set.js";
import { loadVitModel, type VitModel } from "../src/eval/vit/load-vit-model.js";

/**
 * The committed demo models and evaluation sets (made by scripts/train-demo-models.mjs): they load, they score what
 * the script recorded, and task arithmetic on them goes the way the demo says, with a plain float32 merge here.
 */

const demo = resolve(import.meta.dirname, "../demo");
const modelNames = readdirSync(join(demo, "models")).sort();
const results = JSON.parse(readFileSync(join(demo, "results.json"), "utf8")) as {
  addition: Array<{ tasks: string[]; lambda: number; test: Record<string, number>; normalizedAccuracy: number }>;
  negation: Array<{
    task: string;
    lambda: number;
    target: number;
    control: number;
    baseTarget: number;
    baseControl: number;
  }>;
  analogy: { lambda: number; merged: number; base: number; termB: number; oracle: number };
  greedy: { kept: string[]; lambda: number };
};

const models = new Map<string, VitModel>();
const sets = new Map<string, ImageSet>();
const evaluators = new Map<string, Evaluator>();

beforeAll(async () => {
  for (const name of modelNames) models.set(name, await loadVitModel({ dir: join(demo, "models", name) }));
  for (const file of readdirSync(join(demo, "data"))) {
    const set = await readImageSet({ path: join(demo, "data", file) });
    sets.set(set.name, set);
    evaluators.set(set.name, createTfjsEvaluator({ datasets: [set], backend: "wasm" }));
  }
});

const model = (name: string): VitModel => models.get(`vit-tiny-digits${name === "base" ? "" : `-${name}`}`) as VitModel;

const configJson = JSON.parse(readFileSync(join(demo, "models", "vit-tiny-digits", "config.json"), "utf8")) as unknown;
// The committed models are scored on the same sets by several checks; each score is computed once.
const scores = new WeakMap<ReadonlyMap<string, Float32Array>, Map<string, Promise<number>>>();

function accuracy(tensors: ReadonlyMap<string, Float32Array>, set: string): Promise<number> {
  const evaluator = evaluators.get(set);
  if (!evaluator) throw new Error(`no evaluation set ${set}`);
  let known = scores.get(tensors);
  if (!known) scores.set(tensors, (known = new Map()));
  let score = known.get(set);
  if (!score)
    known.set(set, (score = evaluator.evaluate({ tensors, config: configJson }).then((result) => result.score)));
  return score;
}

/** base + Σ λ_i (θ_i − base), each step rounded to float32. */
function merge(terms: Array<{ task: string; lambda: number }>): Map<string, Float32Array> {
  const base = model("base").tensors;
  const out = new Map<string, Float32Array>();
  for (const [name, values] of base) {
    const acc = Float32Array.from(values);
    for (const { task, lambda } of terms) {
      const finetuned = model(task).tensors.get(name) as Float32Array;
      const l = Math.fround(lambda);
      for (let i = 0; i < acc.length; i++)
        acc[i] = (acc[i] as number) + Math.fround(l * Math.fround((finetuned[i] as number) - (values[i] as number)));
    }
    out.set(name, acc);
  }
  return out;
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

describe("demo fixtures", () => {
  it("stay small enough to commit", () => {
    const size = (dir: string): number =>
      readdirSync(dir).reduce((total, name) => {
        const path = join(dir, name);
        return total + (statSync(path).isDirectory() ? size(path) : statSync(path).size);
      }, 0);
    expect(size(demo)).toBeLessThan(10 * 1024 * 1024);
  });

  it("are Transformers ViTForImageClassification folders whose cards name the base", () => {
    expect(modelNames).toContain("vit-tiny-digits");
    expect(modelNames.length).toBeGreaterThanOrEqual(8);
    for (const name of modelNames) {
      const config = JSON.parse(readFileSync(join(demo, "models", name, "config.json"), "utf8")) as Record<
        string,
        unknown
      >;
      expect(config["architectures"]).toEqual(["ViTForImageClassification"]);
      expect(config["model_type"]).toBe("vit");
      const card = readFileSync(join(demo, "models", name, "README.md"), "utf8");
      if (name !== "vit-tiny-digits")
        expect(card).toMatch(/^---\n[\s\S]*\nbase_model: demo\/vit-tiny-digits\n[\s\S]*\n---\n/);
    }
  });

  it("score on the validation sets what the training script recorded in metrics.json", async () => {
    for (const name of modelNames) {
      const metrics = JSON.parse(readFileSync(join(demo, "models", name, "metrics.json"), "utf8")) as {
        validation: Record<string, number>;
      };
      expect(Object.keys(metrics.validation)).toHaveLength(6);
      // The base on every set; a fine-tune on the control and on its own task (one set per model keeps this fast).
      const task = name
        .replace(/^vit-tiny-digits-?/, "")
        .replace(/-(low|high)$/, "")
        .replace(/^shifted-labels$/, "upright")
        .replace(/^scrambled$/, "scrambled-high");
      const checked = Object.entries(metrics.validation).filter(
        ([set]) => task === "" || set === "upright-val" || set === `${task}-val`,
      );
      expect(checked.length).toBeGreaterThanOrEqual(1);
      for (const [set, recorded] of checked) {
        const count = (sets.get(set) as ImageSet).count;
        // Within one image: another backend (tfjs-node) may round a near-tie the other way.
        expect(
          Math.abs((await accuracy(models.get(name)?.tensors as Map<string, Float32Array>, set)) - recorded),
          `${name} on ${set}`,
        ).toBeLessThanOrEqual(1 / count + 1e-12);
      }
    }
  });

  it("addition: every pair keeps ≥ 90% of its fine-tunes' accuracy (normalized), all four tasks ≥ 80%", async () => {
    expect(results.addition).toHaveLength(7);
    for (const { tasks, lambda } of results.addition) {
      const normalized = mean(
        await Promise.all(
          tasks.map(
            async (task) =>
              (await accuracy(merge(tasks.map((t) => ({ task: t, lambda }))), `${task}-test`)) /
              (await accuracy(model(task).tensors, `${task}-test`)),
          ),
        ),
      );
      expect(normalized, `${tasks.join("+")} at λ ${lambda}`).toBeGreaterThanOrEqual(tasks.length === 2 ? 0.9 : 0.8);
    }
  });

  it("negation: a task the base knows falls to half its accuracy above chance, upright digits keep 95%", async () => {
    const baseControl = await accuracy(model("base").tensors, "upright-test");
    const chance = 0.1;
    expect(results.negation).toHaveLength(4);
    for (const { task, lambda } of results.negation) {
      const negated = merge([{ task, lambda: -lambda }]);
      const base = await accuracy(model("base").tensors, `${task}-test`);
      expect(lambda).toBeGreaterThan(0);
      expect(base, task).toBeGreaterThanOrEqual(0.4);
      expect(await accuracy(negated, `${task}-test`), task).toBeLessThanOrEqual(chance + (base - chance) / 2);
      expect(await accuracy(negated, "upright-test"), task).toBeGreaterThanOrEqual(0.95 * baseControl);
    }
  });

  it(
    "analogy: upright-high + (scrambled-low − upright-low) beats the base and scrambled-low alone on scrambled 5–9 " +
      "and reaches half the scrambled fine-tune",
    async () => {
      const { lambda } = results.analogy;
      const analogy = merge([
        { task: "upright-high", lambda },
        { task: "scrambled-low", lambda },
        { task: "upright-low", lambda: -lambda },
      ]);
      const score = await accuracy(analogy, "scrambled-high-test");
      expect(score).toBeGreaterThan(await accuracy(model("base").tensors, "scrambled-high-test"));
      expect(score).toBeGreaterThan(await accuracy(model("scrambled-low").tensors, "scrambled-high-test"));
      expect(score).toBeGreaterThanOrEqual(0.5 * (await accuracy(model("scrambled").tensors, "scrambled-high-test")));
    },
  );

  it("greedy addition: adding the distractor to the kept vectors lowers the validation score at every λ", async () => {
    const { kept, lambda } = results.greedy;
    const union = ["rotated", "inverted", "upside", "transposed"];
    const score = async (tensors: ReadonlyMap<string, Float32Array>) =>
      mean(await Promise.all(union.map((task) => accuracy(tensors, `${task}-val`))));
    const current = await score(merge(kept.map((task) => ({ task, lambda }))));
    expect(current).toBeGreaterThan(await score(model("base").tensors));
    for (const l of [0.25, 0.5, 0.75, 1]) {
      expect(
        await score(merge([...kept, "shifted-labels"].map((task) => ({ task, lambda: l })))),
        `λ ${l}`,
      ).toBeLessThan(current);
    }
  });
});
