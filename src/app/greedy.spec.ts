import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { addScaled } from "../arithmetic/add-scaled.js";
import { javascriptKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import { createTfjsEvaluator } from "../eval/create-tfjs-evaluator.js";
import { loadTf } from "../eval/load-tf.js";
import { computeVitLogits } from "../eval/vit/compute-vit-logits.js";
import { parseVitConfig } from "../eval/vit/config.js";
import { parseImageProcessor } from "../eval/vit/image-processor.js";
import { loadVitModel } from "../eval/vit/load-vit-model.js";
import { vitTensorShapes } from "../eval/vit/tensor-shapes.js";
import { writeVitModel } from "../eval/vit/write-vit-model.js";
import { writeImageSet } from "../eval/write-image-set.js";
import type { HubClient } from "../hub/index.js";
import { createModelWriter } from "../safetensors/create-model-writer.js";
import { openLocalModel } from "../safetensors/open-local-model.js";
import { planModelLayout } from "../safetensors/plan-model-layout.js";
import { decodeToF32 } from "../tensor/decode-to-f32.js";
import { drain } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { greedy, type GreedyRunResult } from "./greedy.js";

/**
 * Greedy addition with the in-memory tfjs evaluator, known answer: the validation labels are the predictions of
 * θ* = base + τ_A, so accuracy is 1 at λ_A = 1; τ_B is unrelated. Greedy must keep A at λ 1, reject B, never write a
 * candidate to disk, and make the same decisions with the same scores when the search writes folders instead.
 */
const config = parseVitConfig({
  subject: "test",
  json: {
    hidden_size: 8,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 8,
    image_size: 4,
    patch_size: 2,
    num_channels: 1,
    id2label: { 0: "cat", 1: "dog", 2: "owl" },
  },
});
const processor = parseImageProcessor({ json: undefined, subject: "test", config });
const shapes = vitTensorShapes(config);

function random(seed: number, scale: number): Map<string, Float32Array> {
  let state = seed;
  const next = (): number => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return new Map(
    [...shapes].map(([name, shape]) => [
      name,
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * next()),
    ]),
  );
}

function plus(
  base: Map<string, Float32Array>,
  tau: Map<string, Float32Array>,
  lambda: number,
): Map<string, Float32Array> {
  return new Map(
    [...base].map(([name, values]) => [
      name,
      addScaled({ acc: Float32Array.from(values), tau: tau.get(name) as Float32Array, weight: lambda }),
    ]),
  );
}

const base = random(1, 1);
const tauA = random(2, 1.5);
const tauB = random(3, 1.5);
let root = "";
let baseDir = "";
let dataDir = "";
const vectorDirs: Record<string, string> = {};

const noHub = new Proxy({} as HubClient, {
  get: (_, key) =>
    key === "hubUrl" ? "http://127.0.0.1:9" : () => Promise.reject(new Error(`the Hub was asked for ${String(key)}`)),
});

async function writeVector(dir: string, tau: Map<string, Float32Array>): Promise<string> {
  const layout = planModelLayout({
    tensors: [...shapes].map(([name, shape]) => ({ name, dtype: "F32" as const, shape })),
    prefix: "task_vector",
  });
  const writer = createModelWriter({ layout, dir });
  for (const { name } of layout.writeOrder) {
    const values = tau.get(name) as Float32Array;
    await writer.writeTensor(name, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  await writer.finish();
  await writeFile(
    join(dir, "tvhub.json"),
    JSON.stringify({ format: "tvhub/task-vector", version: 1, base: { repo: "org/vit", revision: null } }),
  );
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tvhub-greedy-app-"));
  baseDir = join(root, "vit-base");
  await writeVitModel({ dir: baseDir, config, processor, tensors: base });
  vectorDirs.a = await writeVector(join(root, "tv-a"), tauA);
  vectorDirs.b = await writeVector(join(root, "tv-b"), tauB);
  // Labels: what θ* predicts, so the search has a known optimum.
  const targetDir = join(root, "target");
  await writeVitModel({ dir: targetDir, config, processor, tensors: plus(base, tauA, 1) });
  const count = 90;
  const set = {
    name: "val",
    pixels: Uint8Array.from({ length: count * 16 }, (_, i) => (i * 97 + (i >> 4) * 31) % 256),
    labels: new Int32Array(count),
    count,
    channels: 1,
    height: 4,
    width: 4,
  };
  const { tf } = await loadTf({ backend: "wasm" });
  const logits = await computeVitLogits({ tf, model: await loadVitModel({ dir: targetDir }), images: set });
  const labels = Array.from({ length: count }, (_, n) =>
    [0, 1, 2].reduce((best, k) => ((logits[n * 3 + k] as number) > (logits[n * 3 + best] as number) ? k : best), 0),
  );
  dataDir = join(root, "data");
  await mkdir(dataDir);
  await writeImageSet({
    path: join(dataDir, "shapes-val.safetensors"),
    pixels: set.pixels,
    labels,
    shape: [count, 4, 4],
  });
  // A test split with other labels: if the search read it, it would not find A.
  await writeImageSet({
    path: join(dataDir, "shapes-test.safetensors"),
    pixels: set.pixels,
    labels: labels.map((l) => (l + 1) % 3),
    shape: [count, 4, 4],
  });
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(
  name: string,
  memoryBudget?: number,
): Promise<{ result: GreedyRunResult; workDir: string; out: string }> {
  const workDir = join(root, `work-${name}`);
  const out = join(root, `out-${name}`);
  const context: AppContext = {
    hub: noHub,
    kernels: javascriptKernels,
    workDir,
    cache: false,
    isDirectory: () => false,
    tvhubVersion: "test",
  };
  const recipe = {
    version: 1,
    base: baseDir,
    output: { to: out },
    greedy: {
      candidates: [{ vector: vectorDirs.a }, { vector: vectorDirs.b }],
      evaluator: { type: "tfjs", dataset: dataDir },
      grid: { start: 0, stop: 1, step: 0.5 },
    },
  };
  const result = await drain(
    greedy({
      context,
      recipe: { text: stringify(recipe), source: "greedy.yml" },
      evaluators: { tfjs: createTfjsEvaluator },
      cacheFile: false,
      keepCandidates: true,
      ...(memoryBudget === undefined ? {} : { memoryBudget }),
    }),
  );
  return { result, workDir, out };
}

describe("greedy with the in-memory tfjs evaluator", () => {
  it("keeps A at λ 1, rejects B, writes no candidate to disk, and publishes base + τ_A", async () => {
    const { result, workDir, out } = await run("memory");
    expect(result.inMemory).toBe(true);
    expect(result.evaluator).toBe("tfjs:accuracy(shapes-val)");
    expect(result.search.terms).toEqual([{ candidate: vectorDirs.a, lambda: 1 }]);
    expect(result.search.final.score).toBe(1);
    expect(result.search.baseline.score).toBeLessThan(0.9);
    expect(result.search.trajectory.map((s) => [s.round, s.candidate, s.kept])).toEqual([
      [1, vectorDirs.a, true],
      [1, vectorDirs.b, false],
      [2, vectorDirs.b, false],
    ]);
    // Even with keepCandidates, the work folder never received a candidate: there was none on disk.
    expect(await readdir(workDir).catch(() => [])).toEqual([]);

    const written = await openLocalModel({ path: out });
    try {
      const expected = plus(base, tauA, 1);
      for (const [name, values] of expected)
        expect(decodeToF32({ dtype: "F32", bytes: await written.readTensor(name) })).toEqual(values);
    } finally {
      await written.close();
    }
    const record = JSON.parse(await readFile(join(out, "tvhub.json"), "utf8")) as {
      greedy: { kept: unknown[]; evaluator: string };
    };
    expect(record.greedy.kept).toEqual([{ candidate: vectorDirs.a, lambda: 1 }]);
    expect(record.greedy.evaluator).toBe("tfjs:accuracy(shapes-val)");
  }, 60_000);

  it("makes the same decisions with the same scores when the models are too big for memory and go through " +
    "folders", async () => {
    const inMemory = (await run("memory-again")).result;
    const { result, workDir } = await run("folders", 1);
    expect(result.inMemory).toBe(false);
    expect(result.search.trajectory).toEqual(inMemory.search.trajectory);
    // keepCandidates left one folder per evaluation: the start and 2 + 1 candidates at 2 non-zero λ.
    const [parent] = await readdir(workDir);
    expect(await readdir(join(workDir, parent as string))).toHaveLength(1 + 2 * 2 + 1 * 2);
  }, 60_000);
});
