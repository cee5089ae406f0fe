import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalModel } from "../src/safetensors/open-local-model.js";
import { elementCount } from "../src/tensor/shape.js";
import {
  decodeFloats,
  fineTune,
  loadModelConfig,
  scaleConfig,
  synthTensorBytes,
  tensorsFromConfig,
  tinyLlamaConfig,
  writeSynthModel,
  type SynthTensor,
} from "./helpers/synth.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tvhub-synth-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const parameters = (tensors: SynthTensor[]) => tensors.reduce((sum, t) => sum + (elementCount(t.shape) ?? 0), 0);

describe("tensorsFromConfig follows the README §4 rules", () => {
  it.each([
    ["meta-llama--Llama-3.1-8B", 291, 8_030_261_248],
    ["mistralai--Mistral-7B-v0.1", 291, 7_241_732_096],
    ["Qwen--Qwen2.5-7B", 339, 7_615_616_512],
    ["Qwen--Qwen2.5-0.5B", 290, 494_032_768],
    ["TLLM--Llama-3.1-TAIDE-LX-8B-Chat", 291, 8_521_781_248],
  ])("%s: %i tensors, %i parameters", (id, count, params) => {
    const tensors = tensorsFromConfig(loadModelConfig(id));
    expect(tensors).toHaveLength(count);
    expect(parameters(tensors)).toBe(params);
    expect(new Set(tensors.map((t) => t.dtype))).toEqual(new Set(["BF16"]));
  });

  it("gpt2: 124,439,808 parameters in F32, 548,090,880 bytes with the mask buffers", () => {
    const tensors = tensorsFromConfig(loadModelConfig("openai-community--gpt2"));
    expect(parameters(tensors.filter((t) => !t.name.endsWith(".attn.bias")))).toBe(124_439_808);
    expect(parameters(tensors) * 4).toBe(548_090_880);
  });

  it("bert, t5 and vit give their layouts", () => {
    const bert = tensorsFromConfig(loadModelConfig("google-bert--bert-base-uncased"));
    expect(bert.find((t) => t.name === "bert.embeddings.position_ids")).toMatchObject({
      dtype: "I64",
      shape: [1, 512],
    });
    const t5 = tensorsFromConfig(loadModelConfig("google-t5--t5-base"));
    expect(t5.filter((t) => t.name.includes("relative_attention_bias")).map((t) => t.name)).toEqual([
      "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
      "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
    ]);
    expect(t5.some((t) => t.name === "lm_head.weight")).toBe(false);
    const vit = tensorsFromConfig(loadModelConfig("google--vit-base-patch16-224"));
    expect(vit.find((t) => t.name === "vit.embeddings.position_embeddings")?.shape).toEqual([1, 197, 768]);
    expect(vit.find((t) => t.name === "classifier.weight")?.shape).toEqual([1000, 768]);
  });
});

describe("scaleConfig follows README §6", () => {
  it.each([
    [512, 64, 4, 144_970_240],
    [1024, 128, 8, 371_737_600],
    [2048, 128, 16, 1_397_819_392],
    [4096, 128, 32, 8_030_261_248],
  ])("H=%i hd=%i L=%i gives %i parameters", (hiddenSize, headDim, layers, params) => {
    const config = scaleConfig(loadModelConfig("meta-llama--Llama-3.1-8B"), { hiddenSize, headDim, layers });
    expect(config.num_attention_heads).toBe(hiddenSize / headDim);
    expect(config.num_key_value_heads).toBe(hiddenSize / headDim / 4);
    expect(parameters(tensorsFromConfig(config))).toBe(params);
  });
});

describe("writeSynthModel", () => {
  it("is deterministic in its seed and writes realistic values", async () => {
    const config = tinyLlamaConfig();
    const tensors = tensorsFromConfig(config);
    const a = await writeSynthModel({ dir: join(root, "a"), tensors, config, maxShardSize: 200_000 });
    const b = await writeSynthModel({ dir: join(root, "b"), tensors, config, maxShardSize: 200_000 });
    const c = await writeSynthModel({ dir: join(root, "c"), tensors, config, maxShardSize: 200_000, seed: 2 });
    expect(a.written.files.length).toBeGreaterThan(1);
    expect(a.written.files.map((f) => f.sha256)).toEqual(b.written.files.map((f) => f.sha256));
    expect(a.written.files.map((f) => f.sha256)).not.toEqual(c.written.files.map((f) => f.sha256));
    expect(JSON.parse(await readFile(join(a.dir, "config.json"), "utf8"))).toEqual(config);

    const weights = decodeFloats("BF16", a.bytesOf("model.layers.0.mlp.up_proj.weight"));
    const std = Math.sqrt(weights.reduce((s, x) => s + x * x, 0) / weights.length);
    expect(weights.every(Number.isFinite)).toBe(true);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
    const norm = decodeFloats("BF16", a.bytesOf("model.norm.weight"));
    expect(norm.every((x) => Math.abs(x - 1) < 0.1)).toBe(true);
  });

  it("writes integer buffers, masks and asked-for special values", () => {
    const ids = synthTensorBytes({ name: "ids", dtype: "I64", shape: [1, 5] }, 1);
    expect([...new BigInt64Array(ids.buffer)]).toEqual([0n, 1n, 2n, 3n, 4n]);
    const mask = synthTensorBytes({ name: "m", dtype: "BOOL", shape: [1000] }, 1);
    expect(mask.every((x) => x === 0 || x === 1) && mask.includes(0) && mask.includes(1)).toBe(true);
    const causal = synthTensorBytes({ name: "c", dtype: "U8", shape: [3, 3], fill: "causal" }, 1);
    expect([...causal]).toEqual([1, 0, 0, 1, 1, 0, 1, 1, 1]);
    for (const dtype of ["F16", "BF16", "F32", "F64"] as const) {
      const values = decodeFloats(dtype, synthTensorBytes({ name: "s", dtype, shape: [8], specials: true }, 1));
      expect(values.slice(0, 4)).toEqual(Float64Array.from([NaN, Infinity, -Infinity, -0]));
      expect(values[4]).toBeGreaterThan(0);
    }
  });

  it("writes an 11 MB model in a fraction of a second (bounded at 3 s for loaded machines)", async () => {
    const config = tinyLlamaConfig({ hiddenSize: 256, headDim: 32, layers: 4, vocabSize: 4096, multiple: 8 });
    const tensors = tensorsFromConfig(config);
    const started = performance.now();
    const model = await writeSynthModel({ dir: join(root, "speed"), tensors, config });
    const elapsed = performance.now() - started;
    const bytes = model.layout.totalSize;
    expect(bytes).toBeGreaterThan(8_000_000);
    expect(elapsed).toBeLessThan(3000);
  });
});

describe("fineTune", () => {
  it("keeps names and shapes, adds small deltas to floats, copies integers, and records the base", async () => {
    const config = tinyLlamaConfig();
    const tensors: SynthTensor[] = [
      ...tensorsFromConfig(config),
      { name: "model.position_ids", dtype: "I64", shape: [1, 16] },
    ];
    const base = await writeSynthModel({ dir: join(root, "ft-base"), tensors, config });
    const ft = await fineTune({
      base,
      dir: join(root, "ft"),
      baseModel: "org/base",
      unchanged: ["model.norm.weight"],
      maxShardSize: 100_000,
    });
    expect(ft.tensors.map((t) => [t.name, t.shape])).toEqual(base.tensors.map((t) => [t.name, t.shape]));
    const card = await readFile(join(ft.dir, "README.md"), "utf8");
    expect(card.startsWith("---\nbase_model: org/base\n---\n")).toBe(true);
    expect(ft.bytesOf("model.position_ids")).toEqual(base.bytesOf("model.position_ids"));
    expect(ft.bytesOf("model.norm.weight")).toEqual(base.bytesOf("model.norm.weight"));

    const before = decodeFloats("BF16", base.bytesOf("model.layers.1.self_attn.q_proj.weight"));
    const after = decodeFloats("BF16", ft.bytesOf("model.layers.1.self_attn.q_proj.weight"));
    const deltas = after.map((x, i) => x - (before[i] ?? 0));
    const rms = Math.sqrt(deltas.reduce((s, d) => s + d * d, 0) / deltas.length);
    expect(rms).toBeGreaterThan(0.001);
    expect(rms).toBeLessThan(0.004);

    // What a test reads through the reader is what bytesOf says.
    const model = await openLocalModel({ path: ft.dir });
    expect(await model.readTensor("model.layers.1.self_attn.q_proj.weight")).toEqual(
      ft.bytesOf("model.layers.1.self_attn.q_proj.weight"),
    );
    await model.close();
  });

  it("grows a vocabulary, changes the dtype and drops a tensor on request", async () => {
    const config = tinyLlamaConfig();
    const base = await writeSynthModel({ dir: join(root, "v-base"), tensors: tensorsFromConfig(config), config });
    const ft = await fineTune({
      base,
      dir: join(root, "v-ft"),
      reshape: { "model.embed_tokens.weight": [600, 64], "lm_head.weight": [600, 64] },
      config: { vocab_size: 600, torch_dtype: "float16" },
      dtype: "F16",
      drop: ["model.layers.1.mlp.up_proj.weight"],
    });
    expect(ft.config?.vocab_size).toBe(600);
    const embed = ft.tensors.find((t) => t.name === "model.embed_tokens.weight");
    expect(embed).toMatchObject({ dtype: "F16", shape: [600, 64] });
    expect(ft.tensors.some((t) => t.name === "model.layers.1.mlp.up_proj.weight")).toBe(false);
    const old = decodeFloats("BF16", base.bytesOf("model.embed_tokens.weight"));
    const grown = decodeFloats("F16", ft.bytesOf("model.embed_tokens.weight"));
    expect(grown).toHaveLength(600 * 64);
    const firstRowsDelta = Math.max(
      ...Array.from({ length: 512 * 64 }, (_, i) => Math.abs((grown[i] ?? 0) - (old[i] ?? 0))),
    );
    expect(firstRowsDelta).toBeLessThan(0.02);
  });
});
