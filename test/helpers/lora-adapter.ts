/**
 * Deterministic PEFT LoRA adapters in the exact layout PEFT 0.21's `save_pretrained` writes
 * (/work/shared/references/peft-lora.md §1–2): `adapter_config.json` with every LoraConfig field (sorted keys,
 * 2-space indent), `adapter_model.safetensors` with keys `base_model.model.<module>.lora_A.weight` (A is
 * `r × in`), `.lora_B.weight` (B is `out × r`), `.lora_embedding_A` / `.lora_embedding_B` for embeddings, full
 * tensors under their own names for modules_to_save and trained biases, metadata `{"format": "pt"}`, and a card
 * with `library_name: peft`. test/python/peft-layout.py checks these names against what PEFT itself writes.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Dtype } from "../../src/tensor/dtype.js";
import { createModelWriter } from "../../src/safetensors/create-model-writer.js";
import { planModelLayout } from "../../src/safetensors/plan-model-layout.js";
import { decodeFloats, synthTensorBytes, type Config } from "./synth.js";

export interface LoraModule {
  /** The module as the trained model names it, e.g. `model.layers.0.self_attn.q_proj`. */
  module: string;
  /** The weight's `[out, in]` as nn.Linear sees it (a Conv1D stores `[in, out]`, an embedding `[vocab, dim]`). */
  out: number;
  in: number;
  /** @default the config's r, or its rank_pattern entry */
  rank: number;
  /** `lora_embedding_A` (r × vocab) / `lora_embedding_B` (dim × r); `in` is the vocabulary, `out` the dimension. */
  embedding?: boolean;
}

export interface FullTensor {
  /** The parameter name in the trained model, e.g. `score.weight` or `model.layers.0.mlp.up_proj.bias`. */
  name: string;
  shape: number[];
  /** The saved values; default: synthetic. */
  values?: Float32Array;
}

export interface WriteLoraAdapterOptions {
  dir: string;
  /** LoraConfig fields over PEFT 0.21's defaults (r, lora_alpha, target_modules, rank_pattern, ...). */
  config: Record<string, unknown>;
  modules: LoraModule[];
  /** Full tensors (modules_to_save copies, trained biases), saved under `base_model.model.<name>`. */
  full?: FullTensor[];
  /** @default "F32" (PEFT keeps adapter weights in float32 unless told otherwise) */
  dtype?: Dtype;
  /** @default 1 */
  seed?: number;
  /** The card's base_model; default: the config's base_model_name_or_path. */
  cardBase?: string | null;
  /** Extra adapter tensors written as given (for damaged or variant adapters). */
  extra?: Array<{ key: string; dtype: Dtype; shape: number[] }>;
}

export interface LoraAdapter {
  dir: string;
  config: Record<string, unknown>;
  /** Every key of adapter_model.safetensors. */
  keys: string[];
  /** A and B of a module as float32 values (after the dtype's rounding). */
  factors(module: string): { a: Float32Array; b: Float32Array };
}

/** PEFT 0.21's LoraConfig().to_dict() defaults, as save_pretrained writes them. */
export const peftDefaults: Record<string, unknown> = {
  alora_invocation_tokens: null,
  alpha_pattern: {},
  arrow_config: null,
  auto_mapping: null,
  base_model_name_or_path: null,
  bias: "none",
  corda_config: null,
  ensure_weight_tying: false,
  eva_config: null,
  exclude_modules: null,
  fan_in_fan_out: false,
  inference_mode: true,
  init_lora_weights: true,
  kasa_config: null,
  layer_replication: null,
  layers_pattern: null,
  layers_to_transform: null,
  loftq_config: {},
  lora_alpha: 8,
  lora_bias: false,
  lora_dropout: 0.0,
  lora_ga_config: null,
  megatron_config: null,
  megatron_core: "megatron.core",
  modules_to_save: null,
  monteclora_config: null,
  peft_type: "LORA",
  peft_version: "0.21.0",
  qalora_group_size: 16,
  r: 8,
  rank_pattern: {},
  revision: null,
  target_modules: null,
  target_parameters: null,
  task_type: null,
  trainable_token_indices: null,
  use_bdlora: null,
  use_dora: false,
  use_qalora: false,
  use_rslora: false,
  velora_config: null,
};

const prefix = "base_model.model.";

export async function writeLoraAdapter(options: WriteLoraAdapterOptions): Promise<LoraAdapter> {
  const seed = options.seed ?? 1;
  const dtype = options.dtype ?? "F32";
  const config = sortKeys({ ...peftDefaults, ...options.config });
  await mkdir(options.dir, { recursive: true });
  await writeFile(join(options.dir, "adapter_config.json"), `${JSON.stringify(config, null, 2)}`);
  const tensors: Array<{ name: string; dtype: Dtype; shape: number[]; bytes?: Uint8Array }> = [];
  for (const m of options.modules) {
    const [a, b] = m.embedding ? ["lora_embedding_A", "lora_embedding_B"] : ["lora_A.weight", "lora_B.weight"];
    tensors.push({ name: `${prefix}${m.module}.${a}`, dtype, shape: [m.rank, m.in] });
    tensors.push({ name: `${prefix}${m.module}.${b}`, dtype, shape: [m.out, m.rank] });
  }
  for (const f of options.full ?? []) {
    tensors.push({
      name: `${prefix}${f.name}`,
      dtype,
      shape: f.shape,
      ...(f.values ? { bytes: f32Bytes(f.values, dtype) } : {}),
    });
  }
  for (const e of options.extra ?? []) tensors.push({ name: e.key, dtype: e.dtype, shape: e.shape });
  const specs = new Map(tensors.map((t) => [t.name, t]));
  // A and B both nonzero (a trained adapter), std chosen so B·A is of the order of a fine-tune's delta.
  const bytesOf = (name: string): Uint8Array => {
    const spec = specs.get(name);
    if (!spec) throw new Error(`lora-adapter: no tensor ${name}`);
    return (
      spec.bytes ?? synthTensorBytes({ name, dtype: spec.dtype, shape: spec.shape, fill: "normal", std: 0.05 }, seed)
    );
  };
  const layout = planModelLayout({ tensors, prefix: "adapter_model", metadata: { format: "pt" } });
  const writer = createModelWriter({ layout, dir: options.dir });
  for (const tensor of layout.writeOrder) await writer.writeTensor(tensor.name, bytesOf(tensor.name));
  await writer.finish();
  const cardBase =
    options.cardBase === undefined ? (config.base_model_name_or_path as string | null) : options.cardBase;
  await writeFile(join(options.dir, "README.md"), peftCard(cardBase));
  const floats = (name: string) => Float32Array.from(decodeFloats(dtype, bytesOf(name)));
  return {
    dir: options.dir,
    config,
    keys: tensors.map((t) => t.name).sort(),
    factors(module) {
      const m = options.modules.find((x) => x.module === module);
      if (!m) throw new Error(`lora-adapter: no module ${module}`);
      const [a, b] = m.embedding ? ["lora_embedding_A", "lora_embedding_B"] : ["lora_A.weight", "lora_B.weight"];
      return { a: floats(`${prefix}${module}.${a}`), b: floats(`${prefix}${module}.${b}`) };
    },
  };
}

/** The card PEFT's save_pretrained writes (its front matter; the body is a template). */
function peftCard(base: string | null): string {
  const front = [
    base ? `base_model: ${base}` : undefined,
    "library_name: peft",
    "tags:",
    ...(base ? [`- base_model:adapter:${base}`] : []),
    "- lora",
    "- transformers",
  ].filter(Boolean);
  return `---\n${front.join("\n")}\n---\n\n# Model Card for Model ID\n`;
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, value[key]]),
  );
}

function f32Bytes(values: Float32Array, dtype: Dtype): Uint8Array {
  if (dtype !== "F32") throw new Error("lora-adapter: given values are written as F32 only");
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

/**
 * τ of one module as docs/adapters.md defines it, written here independently of src/: per element, acc = +0, for
 * k in order acc = fround(acc + fround(B[o,k]·A[k,i])), then fround(fround(scale)·acc); transposed for Conv1D
 * and embeddings.
 */
export function expectedDelta(
  adapter: LoraAdapter,
  module: string,
  options: { rank: number; scale: number; transpose: boolean },
): Float32Array {
  const { a, b } = adapter.factors(module);
  const { rank } = options;
  const inF = a.length / rank;
  const outF = b.length / rank;
  const s = Math.fround(options.scale);
  const out = new Float32Array(outF * inF);
  for (let o = 0; o < outF; o++) {
    for (let i = 0; i < inF; i++) {
      let acc = 0;
      for (let k = 0; k < rank; k++)
        acc = Math.fround(acc + Math.fround((b[o * rank + k] as number) * (a[k * inF + i] as number)));
      out[options.transpose ? i * outF + o : o * inF + i] = Math.fround(s * acc);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The three layouts the issue names, on scaled-down real configs (test/fixtures/models).

/** Llama: q k v o gate up down on every layer, as PEFT names them on LlamaForCausalLM. */
export function llamaModules(config: Config, rank: number, rankPattern: Record<string, number> = {}): LoraModule[] {
  const H = config.hidden_size as number;
  const nh = config.num_attention_heads as number;
  const nkv = (config.num_key_value_heads as number | undefined) ?? nh;
  const hd = (config.head_dim as number | undefined) ?? H / nh;
  const I = config.intermediate_size as number;
  const shapes: Record<string, [number, number]> = {
    "self_attn.q_proj": [nh * hd, H],
    "self_attn.k_proj": [nkv * hd, H],
    "self_attn.v_proj": [nkv * hd, H],
    "self_attn.o_proj": [H, nh * hd],
    "mlp.gate_proj": [I, H],
    "mlp.up_proj": [I, H],
    "mlp.down_proj": [H, I],
  };
  const out: LoraModule[] = [];
  for (let layer = 0; layer < (config.num_hidden_layers as number); layer++) {
    for (const [name, [o, i]] of Object.entries(shapes)) {
      const module = `model.layers.${layer}.${name}`;
      out.push({ module, out: o, in: i, rank: rankPattern[module] ?? rank });
    }
  }
  return out;
}

/** GPT-2: c_attn (a Conv1D: the weight is [in, 3·in], PEFT forces fan_in_fan_out) on GPT2LMHeadModel. */
export function gpt2Modules(config: Config, rank: number): LoraModule[] {
  const H = config.n_embd as number;
  return Array.from({ length: config.n_layer as number }, (_, layer) => ({
    module: `transformer.h.${layer}.attn.c_attn`,
    out: 3 * H,
    in: H,
    rank,
  }));
}

/** BERT: query and value, as PEFT names them on BertForSequenceClassification. */
export function bertModules(config: Config, rank: number): LoraModule[] {
  const H = config.hidden_size as number;
  const out: LoraModule[] = [];
  for (let layer = 0; layer < (config.num_hidden_layers as number); layer++) {
    for (const m of ["query", "value"])
      out.push({ module: `bert.encoder.layer.${layer}.attention.self.${m}`, out: H, in: H, rank });
  }
  return out;
}
