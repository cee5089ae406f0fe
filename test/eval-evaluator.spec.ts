import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../src/errors.js";
import { createTfjsEvaluator } from "../src/eval/create-tfjs-evaluator.js";
import { loadTf } from "../src/eval/load-tf.js";
import type { ImageSet } from "../src/eval/read-image-set.js";
import { computeVitLogits } from "../src/eval/vit/compute-vit-logits.js";
import { parseVitConfig } from "../src/eval/vit/config.js";
import { parseImageProcessor } from "../src/eval/vit/image-processor.js";
import { vitTensorShapes } from "../src/eval/vit/tensor-shapes.js";
import { vitConfigJson, writeVitModel } from "../src/eval/vit/write-vit-model.js";
import { writeImageSet } from "../src/eval/write-image-set.js";

const _labels = ["cat", "dog", "owl"];
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
const configJson = vitConfigJson(config);

function weights(seed: number): Map<string, Float32Array> {
  let state = seed;
  const next = (): number => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return new Map(
    [...vitTensorShapes(config)].map(([name, shape]) => [
      name,
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => next()),
    ]),
  );
}

function images(count: number, seed = 1): ImageSet {
  return {
    name: "set",
    pixels: Uint8Array.from({ length: count * 16 }, (_, i) => (i * 37 + seed * 11) % 256),
    labels: Int32Array.from({ length: count }, (_, i) => (i * 7 + seed) % 3),
    count,
    channels: 1,
    height: 4,
    width: 4,
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tvhub-evaluator-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe("tfjs evaluator", () => {
  it("averages the accuracy of several sets, each reported in details", async () => {
    const tensors = weights(1);
    const a = { ...images(30, 1), name: "a" };
    const b = { ...images(20, 2), name: "b" };
    const both = await createTfjsEvaluator({ datasets: [a, b], backend: "wasm" }).evaluate({
      tensors,
      config: configJson,
    });
    const onlyA = await createTfjsEvaluator({ datasets: [a], backend: "wasm" }).evaluate({
      tensors,
      config: configJson,
    });
    const onlyB = await createTfjsEvaluator({ datasets: [b], backend: "wasm" }).evaluate({
      tensors,
      config: configJson,
    });
    expect(both.details).toEqual({ a: onlyA.score, b: onlyB.score });
    expect(both.score).toBeCloseTo((onlyA.score + onlyB.score) / 2, 12);
  });

  it("reads evaluation sets from files once and names itself after them", async () => {
    const path = join(dir, "owls-test.safetensors");
    const set = images(12);
    await writeImageSet({ path, pixels: set.pixels, labels: set.labels, shape: [12, 4, 4] });
    const evaluator = createTfjsEvaluator({ datasets: [path], backend: "wasm" });
    expect(evaluator.name).toBe("tfjs:accuracy(owls-test)");
    const first = await evaluator.evaluate({ tensors: weights(2), config: configJson });
    await rm(path);
    const second = await evaluator.evaluate({ tensors: weights(2), config: configJson });
    expect(second).toEqual(first);
    expect(Object.keys(first.details ?? {})).toEqual(["owls-test"]);
  });

  it("matches labels by name when the set's file declares id2label", async () => {
    const tensors = weights(3);
    const set = images(40);
    const plain = await createTfjsEvaluator({ datasets: [set], backend: "wasm" }).evaluate({
      tensors,
      config: configJson,
    });
    // The same images with the classes numbered in another order: owl=0, cat=1, dog=2.
    const renumbered: ImageSet = {
      ...set,
      labels: set.labels.map((label) => (label + 1) % 3),
      id2label: ["owl", "cat", "dog"],
    };
    const named = await createTfjsEvaluator({ datasets: [renumbered], backend: "wasm" }).evaluate({
      tensors,
      config: configJson,
    });
    expect(named.score).toBe(plain.score);
    const unknown: ImageSet = { ...set, id2label: ["cat", "dog", "emu"] };
    const error = await failure(
      createTfjsEvaluator({ datasets: [unknown], backend: "wasm" }).evaluate({ tensors, config: configJson }),
    );
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toMatch(/label "emu" is not one of .*labels \(cat, dog, owl\)/);
  });

  it("scores a set that names some of the model's classes among those classes only", async () => {
    const tensors = weights(5);
    // A bias that lifts "dog" over "cat" on these weights, so the full head predicts it: the subset's score differs.
    (tensors.get("classifier.bias") as Float32Array)[1] = 5;
    const base = images(60, 3);
    // Only owls and cats: a prediction of "dog" is not a candidate, as a task's own head would not have it.
    const subset: ImageSet = { ...base, labels: base.labels.map((label) => label % 2), id2label: ["owl", "cat"] };
    const { tf } = await loadTf({ backend: "wasm" });
    const logits = await computeVitLogits({
      tf,
      model: { name: "m", config, processor, tensors },
      images: subset,
    });
    const truth = subset.labels.map((label) => (label === 0 ? 2 : 0));
    const argmax = (n: number, among: number[]) =>
      among.reduce((best, k) => ((logits[n * 3 + k] as number) > (logits[n * 3 + best] as number) ? k : best));
    const expected = (among: number[]) => truth.filter((t, n) => argmax(n, among) === t).length / truth.length;
    const scored = await createTfjsEvaluator({ datasets: [subset], backend: "wasm" }).evaluate({
      tensors,
      config: configJson,
    });
    expect(scored.score).toBe(expected([0, 2]));
    expect(expected([0, 2])).toBeGreaterThan(0);
    expect(expected([0, 1, 2])).toBeLessThan(expected([0, 2]));
  });

  it("rejects a model that lacks tensors or whose shapes contradict its config, naming them", async () => {
    const evaluator = createTfjsEvaluator({ datasets: [images(4)], backend: "wasm" });
    const missing = weights(4);
    missing.delete("vit.encoder.layer.0.attention.attention.key.weight");
    const error = await failure(evaluator.evaluate({ tensors: missing, config: configJson, name: "candidate 3" }));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toMatch(
      /candidate 3 lacks 1 tensor .*vit\.encoder\.layer\.0\.attention\.attention\.key\.weight/,
    );

    const modelDir = join(dir, "wrong-shape");
    await writeVitModel({ dir: modelDir, config, processor, tensors: weights(4) });
    await writeFile(join(modelDir, "config.json"), JSON.stringify({ ...configJson, intermediate_size: 16 }));
    const shapeError = await failure(evaluator.evaluate({ modelDir }));
    expect(shapeError).toBeInstanceOf(DataError);
    expect(shapeError.message).toMatch(/intermediate\.dense\.weight is \[8, 8\], expected \[16, 8\]/);
  });

  it("rejects images of another size and labels beyond the model's classes", async () => {
    const tensors = weights(5);
    const big: ImageSet = { ...images(2), pixels: new Uint8Array(2 * 36), height: 6, width: 6, name: "big" };
    const sizeError = await failure(
      createTfjsEvaluator({ datasets: [big], backend: "wasm" }).evaluate({ tensors, config: configJson }),
    );
    expect(sizeError.message).toMatch(/big has 6×6 images but .* takes 4×4/);
    const far: ImageSet = { ...images(2), labels: Int32Array.of(0, 7), name: "far" };
    const labelError = await failure(
      createTfjsEvaluator({ datasets: [far], backend: "wasm" }).evaluate({ tensors, config: configJson }),
    );
    expect(labelError.message).toMatch(/far: image 1 has label 7, but .* has only 3 classes/);
  });

  it("stops between batches when the signal aborts", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const evaluator = createTfjsEvaluator({ datasets: [images(400)], backend: "wasm", batchSize: 1 });
    const running = evaluator.evaluate({ tensors: weights(6), config: configJson, signal: controller.signal });
    setTimeout(() => controller.abort(reason), 5);
    expect(await failure(running)).toBe(reason);
    expect(
      await failure(evaluator.evaluate({ tensors: weights(6), config: configJson, signal: AbortSignal.abort(reason) })),
    ).toBe(reason);
  });

  it("gives the same logits on the cpu backend as on wasm", async () => {
    const model = { name: "m", config, processor, tensors: weights(7) };
    const set = images(10);
    const { tf: wasmTf } = await loadTf({ backend: "wasm" });
    const viaWasm = await computeVitLogits({ tf: wasmTf, model, images: set });
    const { tf: cpuTf, backend } = await loadTf({ backend: "cpu" });
    expect(backend).toBe("cpu");
    const viaCpu = await computeVitLogits({ tf: cpuTf, model, images: set });
    await loadTf({ backend: "wasm" });
    viaCpu.forEach((value, i) => expect(value).toBeCloseTo(viaWasm[i] as number, 4));
  });
});
