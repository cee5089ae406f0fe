import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTfjsEvaluator } from "../src/eval/create-tfjs-evaluator.js";
import { loadTf, type Tf } from "../src/eval/load-tf.js";
import type { ImageSet } from "../src/eval/read-image-set.js";
import { computeVitLogits } from "../src/eval/vit/compute-vit-logits.js";
import { parseVitConfig, type VitConfig } from "../src/eval/vit/config.js";
import { parseImageProcessor } from "../src/eval/vit/image-processor.js";
import { loadVitModel } from "../src/eval/vit/load-vit-model.js";
import { vitTensorShapes } from "../src/eval/vit/tensor-shapes.js";
import { vitConfigJson, writeVitModel } from "../src/eval/vit/write-vit-model.js";

/**
 * The tfjs forward pass against a second implementation written from Transformers' modeling_vit.py with plain
 * loops in float64: a literal strided convolution over the raw image (not the patch reshuffle the tfjs path uses),
 * per-head attention, an erf series for the exact GELU.
 */

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function erf(x: number): number {
  if (Math.abs(x) > 5) return Math.sign(x);
  // Maclaurin series; in float64 it is accurate to ~1e-12 for |x| ≤ 5.
  let sum = 0;
  let term = x;
  for (let n = 0; n < 200; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const act: Record<string, (x: number) => number> = {
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  gelu_new: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  relu: (x) => Math.max(0, x),
  quick_gelu: (x) => x / (1 + Math.exp(-1.702 * x)),
};

type Weights = ReadonlyMap<string, Float32Array>;

/** ViTForImageClassification.forward(pixel_values).logits for one image, float64 throughout. */
function referenceLogits(config: VitConfig, w: Weights, image: Float64Array): number[] {
  const get = (name: string): Float32Array => w.get(name) as Float32Array;
  const H = config.hiddenSize;
  const C = config.numChannels;
  const [ih, iw] = config.imageSize;
  const [ph, pw] = config.patchSize;
  const rows = ih / ph;
  const cols = iw / pw;
  const T = rows * cols + 1;
  // Conv2d(C, H, kernel=patch, stride=patch), then flatten(2).transpose(1, 2).
  const convW = get("vit.embeddings.patch_embeddings.projection.weight");
  const convB = get("vit.embeddings.patch_embeddings.projection.bias");
  const x: number[][] = [Array.from(get("vit.embeddings.cls_token"))];
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const token: number[] = [];
      for (let h = 0; h < H; h++) {
        let sum = convB[h] as number;
        for (let c = 0; c < C; c++)
          for (let i = 0; i < ph; i++)
            for (let j = 0; j < pw; j++)
              sum +=
                (convW[((h * C + c) * ph + i) * pw + j] as number) *
                (image[(c * ih + r * ph + i) * iw + q * pw + j] as number);
        token.push(sum);
      }
      x.push(token);
    }
  }
  const pos = get("vit.embeddings.position_embeddings");
  let hidden = x.map((token, t) => token.map((v, h) => v + (pos[t * H + h] as number)));

  const layerNorm = (v: number[], prefix: string): number[] => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    const g = get(`${prefix}.weight`);
    const b = get(`${prefix}.bias`);
    return v.map(
      (value, i) => ((value - mean) / Math.sqrt(variance + config.layerNormEps)) * (g[i] as number) + (b[i] as number),
    );
  };
  const linear = (v: number[], prefix: string, bias = true): number[] => {
    const weight = get(`${prefix}.weight`);
    const out = weight.length / v.length;
    return Array.from({ length: out }, (_, o) => {
      let sum = bias ? (get(`${prefix}.bias`)[o] as number) : 0;
      for (let i = 0; i < v.length; i++) sum += (weight[o * v.length + i] as number) * (v[i] as number);
      return sum;
    });
  };

  const heads = config.numAttentionHeads;
  const d = H / heads;
  for (let l = 0; l < config.numHiddenLayers; l++) {
    const p = `vit.encoder.layer.${l}`;
    const normed = hidden.map((t) => layerNorm(t, `${p}.layernorm_before`));
    const q = normed.map((t) => linear(t, `${p}.attention.attention.query`, config.qkvBias));
    const k = normed.map((t) => linear(t, `${p}.attention.attention.key`, config.qkvBias));
    const v = normed.map((t) => linear(t, `${p}.attention.attention.value`, config.qkvBias));
    const context = Array.from({ length: T }, () => new Array<number>(H).fill(0));
    for (let head = 0; head < heads; head++) {
      for (let a = 0; a < T; a++) {
        const scores = Array.from({ length: T }, (_, b) => {
          let s = 0;
          for (let e = 0; e < d; e++) s += (q[a]?.[head * d + e] as number) * (k[b]?.[head * d + e] as number);
          return s / Math.sqrt(d);
        });
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const z = exps.reduce((s1, s2) => s1 + s2, 0);
        const row = context[a] as number[];
        for (let b = 0; b < T; b++)
          for (let e = 0; e < d; e++)
            row[head * d + e] =
              (row[head * d + e] as number) + ((exps[b] as number) / z) * (v[b]?.[head * d + e] as number);
      }
    }
    hidden = hidden.map((t, i) =>
      linear(context[i] as number[], `${p}.attention.output.dense`).map((value, h) => value + (t[h] as number)),
    );
    hidden = hidden.map((t) => {
      const inner = linear(layerNorm(t, `${p}.layernorm_after`), `${p}.intermediate.dense`).map(
        act[config.hiddenAct] as (x: number) => number,
      );
      return linear(inner, `${p}.output.dense`).map((value, h) => value + (t[h] as number));
    });
  }
  return linear(layerNorm(hidden[0] as number[], "vit.layernorm"), "classifier");
}

/** Random weights large enough that every non-linearity matters (std 0.02 would make the network nearly linear). */
function randomWeights(config: VitConfig, seed: number): Map<string, Float32Array> {
  const random = rng(seed);
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of vitTensorShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const scale =
      name.includes("layernorm") && name.endsWith("weight")
        ? 0.5
        : name.endsWith("bias")
          ? 0.3
          : 0.8 / Math.sqrt(shape[shape.length - 1] ?? 1);
    const offset = name.includes("layernorm") && name.endsWith("weight") ? 1 : 0;
    weights.set(
      name,
      Float32Array.from({ length: size }, () => offset + scale * (random() * 2 - 1) * Math.sqrt(3)),
    );
  }
  return weights;
}

function randomImages(count: number, channels: number, height: number, width: number, seed: number): ImageSet {
  const random = rng(seed);
  return {
    name: "random",
    pixels: Uint8Array.from({ length: count * channels * height * width }, () => Math.floor(random() * 256)),
    labels: Int32Array.from({ length: count }, () => Math.floor(random() * 3)),
    count,
    channels,
    height,
    width,
  };
}

const cases: Array<{ title: string; json: Record<string, unknown> }> = [
  {
    title: "RGB, exact GELU, non-square patches",
    json: {
      hidden_size: 12,
      num_hidden_layers: 2,
      num_attention_heads: 3,
      intermediate_size: 20,
      image_size: [8, 12],
      patch_size: [4, 3],
      num_channels: 3,
      num_labels: 3,
      layer_norm_eps: 1e-12,
    },
  },
  {
    title: "grayscale, no qkv bias, tanh GELU, one head",
    json: {
      hidden_size: 8,
      num_hidden_layers: 1,
      num_attention_heads: 1,
      intermediate_size: 16,
      image_size: 8,
      patch_size: 4,
      num_channels: 1,
      id2label: { 0: "a", 1: "b", 2: "c" },
      qkv_bias: false,
      hidden_act: "gelu_new",
      layer_norm_eps: 1e-5,
    },
  },
  {
    title: "ReLU, four layers",
    json: {
      hidden_size: 8,
      num_hidden_layers: 4,
      num_attention_heads: 2,
      intermediate_size: 8,
      image_size: 4,
      patch_size: 2,
      num_channels: 2,
      num_labels: 3,
      hidden_act: "relu",
    },
  },
];

let tf: Tf;
let dir: string;
beforeAll(async () => {
  ({ tf } = await loadTf({ backend: "wasm" }));
  dir = await mkdtemp(join(tmpdir(), "tvhub-eval-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ViT forward pass in tfjs", () => {
  it("runs on the wasm backend, offline", () => {
    expect(tf.getBackend()).toBe("wasm");
  });

  for (const [index, { title, json }] of cases.entries()) {
    it(`matches a float64 loop implementation of modeling_vit.py (${title})`, async () => {
      const config = parseVitConfig({ json, subject: "test" });
      const processor = parseImageProcessor({ json: { image_mean: 0.45, image_std: 0.3 }, subject: "test", config });
      const tensors = randomWeights(config, 10 + index);
      const images = randomImages(5, config.numChannels, config.imageSize[0], config.imageSize[1], 20 + index);
      const logits = await computeVitLogits({
        tf,
        model: { name: "random", config, processor, tensors },
        images,
        batchSize: 2,
      });
      let worst = 0;
      for (let n = 0; n < images.count; n++) {
        const size = config.numChannels * config.imageSize[0] * config.imageSize[1];
        // ViTImageProcessor: rescale, then normalize.
        const image = Float64Array.from(
          images.pixels.subarray(n * size, (n + 1) * size),
          (v) => (v / 255 - 0.45) / 0.3,
        );
        const expected = referenceLogits(config, tensors, image);
        expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(0.2);
        expected.forEach(
          (value, k) => (worst = Math.max(worst, Math.abs(value - (logits[n * config.numLabels + k] as number)))),
        );
      }
      // float32 against float64: measured 1.6e-7 to 3.5e-7.
      expect(worst).toBeLessThan(5e-6);
    });
  }

  it("repeats a grayscale image over the channels of an RGB model, as converting to RGB does", async () => {
    const { json } = cases[0] as { json: Record<string, unknown> };
    const config = parseVitConfig({ json, subject: "test" });
    const processor = parseImageProcessor({ json: undefined, subject: "test", config });
    const tensors = randomWeights(config, 3);
    const gray = randomImages(2, 1, 8, 12, 4);
    const rgb: ImageSet = { ...gray, channels: 3, pixels: new Uint8Array(2 * 3 * 96) };
    for (let n = 0; n < 2; n++)
      for (let c = 0; c < 3; c++) rgb.pixels.set(gray.pixels.subarray(n * 96, (n + 1) * 96), (n * 3 + c) * 96);
    const model = { name: "random", config, processor, tensors };
    expect(await computeVitLogits({ tf, model, images: gray })).toEqual(
      await computeVitLogits({ tf, model, images: rgb }),
    );
  });

  it("scores a folder in Hub layout (F32 and BF16) like the same tensors in memory", async () => {
    const { json } = cases[1] as { json: Record<string, unknown> };
    const config = parseVitConfig({ json, subject: "test" });
    const processor = parseImageProcessor({ json: undefined, subject: "test", config });
    const tensors = randomWeights(config, 5);
    const images = randomImages(40, 1, 8, 8, 6);
    const evaluator = createTfjsEvaluator({ datasets: [images], backend: "wasm" });
    await writeVitModel({ dir: join(dir, "f32"), config, processor, tensors });
    await writeVitModel({ dir: join(dir, "bf16"), config, processor, tensors, dtype: "BF16" });

    const inMemory = await evaluator.evaluate({ tensors, config: vitConfigJson(config) });
    const fromDisk = await evaluator.evaluate({ modelDir: join(dir, "f32") });
    expect(fromDisk).toEqual(inMemory);
    expect(inMemory.details).toEqual({ random: inMemory.score });

    // The score is plain top-1 accuracy of the logits.
    const logits = await computeVitLogits({ tf, model: { name: "m", config, processor, tensors }, images });
    let correct = 0;
    for (let n = 0; n < images.count; n++) {
      const row = Array.from(logits.subarray(n * 3, n * 3 + 3));
      if (row.indexOf(Math.max(...row)) === images.labels[n]) correct++;
    }
    expect(inMemory.score).toBe(correct / images.count);

    const bf16 = await loadVitModel({ dir: join(dir, "bf16") });
    const weight = bf16.tensors.get("classifier.weight") as Float32Array;
    const original = tensors.get("classifier.weight") as Float32Array;
    weight.forEach((value, i) =>
      expect(Math.abs(value - (original[i] as number))).toBeLessThanOrEqual(Math.abs(original[i] as number) / 256),
    );
  });
});
