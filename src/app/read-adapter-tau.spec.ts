import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedDelta, llamaModules, writeLoraAdapter, type LoraAdapter } from "../../test/helpers/lora-adapter.js";
import {
  decodeFloats,
  tensorsFromConfig,
  tinyLlamaConfig,
  writeSynthModel,
  type SynthModel,
} from "../../test/helpers/synth.js";
import { javascriptKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import { createWasmKernels } from "../arithmetic/simd/create-wasm-kernels.js";
import type { HubClient } from "../hub/index.js";
import { drain } from "../util/progress.js";
import { loadTensorsInMemory } from "./greedy/load-tensors-in-memory.js";
import { openInput, type OpenedInput } from "./open-input.js";
import { adapterMappingOf, readAdapterTau } from "./read-adapter-tau.js";

const noHub = new Proxy({} as HubClient, { get: () => () => Promise.reject(new Error("no Hub here")) });
const config = tinyLlamaConfig();
const H = config.hidden_size as number;
const V = config.vocab_size as number;
let root = "";
let base: SynthModel;
let adapter: LoraAdapter;
let baseInput: OpenedInput;
let adapterInput: OpenedInput;

const f32 = (model: SynthModel, name: string) => Float32Array.from(decodeFloats("BF16", model.bytesOf(name)));
const bits = (values: Float32Array) => [...new Uint32Array(values.buffer, values.byteOffset, values.length)];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tvhub-adapter-tau-"));
  base = await writeSynthModel({ dir: join(root, "base"), tensors: tensorsFromConfig(config), config, seed: 5 });
  adapter = await writeLoraAdapter({
    dir: join(root, "adapter"),
    config: { r: 4, lora_alpha: 8, target_modules: ["q_proj", "embed_tokens"], modules_to_save: ["lm_head"] },
    modules: [
      ...llamaModules(config, 4).filter((m) => m.module.endsWith("q_proj")),
      { module: "model.embed_tokens", out: H, in: V, rank: 4, embedding: true },
    ],
    // PEFT saves the embedding it wraps in full beside its factors (save_embedding_layers): here the base's own values.
    full: [
      { name: "lm_head.weight", shape: [V, H] },
      { name: "model.embed_tokens.base_layer.weight", shape: [V, H], values: f32(base, "model.embed_tokens.weight") },
    ],
    seed: 9,
  });
  baseInput = await openInput({ ref: { kind: "local", path: base.dir }, text: base.dir, hub: noHub });
  adapterInput = await openInput({ ref: { kind: "local", path: adapter.dir }, text: adapter.dir, hub: noHub });
});

afterAll(async () => {
  await Promise.allSettled([baseInput?.close(), adapterInput?.close()]);
  await rm(root, { recursive: true, force: true });
});

describe("readAdapterTau", () => {
  for (const kernels of [javascriptKernels, createWasmKernels({ chunkElements: 4096 })!]) {
    it(
      "gives s·B·A, and (saved − base) + s·B·A for a saved base layer; any range is that range of the whole " +
        `(${kernels.implementation})`,
      async () => {
        const mapping = adapterMappingOf(adapterInput, baseInput)!;
        const weights = { model: adapterInput.model, mapping };
        const read = (name: string, start?: number, end?: number) =>
          readAdapterTau({
            adapter: weights,
            name,
            kernels,
            base: async () => f32(base, name).slice(start ?? 0, end),
            ...(start === undefined ? {} : { start, end: end as number }),
          });
        const q = expectedDelta(adapter, "model.layers.0.self_attn.q_proj", { rank: 4, scale: 2, transpose: false });
        expect(bits((await read("model.layers.0.self_attn.q_proj.weight")) as Float32Array)).toEqual(bits(q));
        expect(bits((await read("model.layers.0.self_attn.q_proj.weight", 70, 333)) as Float32Array)).toEqual(
          bits(q.slice(70, 333)),
        );
        // saved == base, so (saved − base) + Δ is Δ (+0 + x = x; no −0 comes out of the sums).
        const emb = expectedDelta(adapter, "model.embed_tokens", { rank: 4, scale: 2, transpose: true });
        expect(bits((await read("model.embed_tokens.weight")) as Float32Array)).toEqual(bits(emb));
        expect(await read("model.norm.weight")).toBeUndefined();
      },
    );
  }

  it(
    "loads an adapter candidate into greedy's in-memory models: its τ where it has one, nothing " + "elsewhere",
    async () => {
      const mapping = adapterMappingOf(adapterInput, baseInput)!;
      const loaded = await drain(
        loadTensorsInMemory({
          base: baseInput.model,
          start: [],
          candidates: new Map([["lora", { kind: "finetuned", model: adapterInput.model, adapter: mapping }]]),
          kernels: javascriptKernels,
        }),
      );
      const vector = loaded.vectors.get("lora")!;
      expect([...vector.keys()].sort()).toEqual([
        "lm_head.weight",
        "model.embed_tokens.weight",
        "model.layers.0.self_attn.q_proj.weight",
        "model.layers.1.self_attn.q_proj.weight",
      ]);
      const q = expectedDelta(adapter, "model.layers.1.self_attn.q_proj", { rank: 4, scale: 2, transpose: false });
      expect(bits(vector.get("model.layers.1.self_attn.q_proj.weight")!)).toEqual(bits(q));
      const file = await adapterInput.model.readTensor("base_model.model.lm_head.weight");
      const savedHead = new Float32Array(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength));
      const baseHead = f32(base, "lm_head.weight");
      expect(bits(vector.get("lm_head.weight")!)).toEqual(
        bits(Float32Array.from(savedHead, (v, i) => Math.fround(v - (baseHead[i] as number)))),
      );
    },
  );
});
