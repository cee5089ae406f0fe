// Test support for src/plan specs (not part of the package API): tensor headers derived from real config.json
// files with the rules of /work/shared/models/README.md §4–§6, so checks and plans run on real layouts.
import type { LocatedTensor } from "../../safetensors/types.js";
import { dtypeSize, type Dtype } from "../../tensor/dtype.js";
import { elementCount } from "../../tensor/shape.js";

export interface TensorSpec {
  name: string;
  dtype: Dtype;
  shape: number[];
}

type Config = Record<string, unknown>;

function num(config: Config, key: string, fallback?: number): number {
  const value = config[key];
  if (typeof value === "number") return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`config has no ${key}`);
}

/** Llama / Mistral / Qwen2 decoder tensors in module order (README §4.1, §5 step 1). */
export function decoderTensorSpecs(config: Config, dtype: Dtype): TensorSpec[] {
  const V = num(config, "vocab_size");
  const H = num(config, "hidden_size");
  const L = num(config, "num_hidden_layers");
  const nh = num(config, "num_attention_heads");
  const nkv = num(config, "num_key_value_heads", nh);
  const hd = num(config, "head_dim", H / nh);
  const I = num(config, "intermediate_size");
  const tied = config.tie_word_embeddings === true;
  const qwen = config.model_type === "qwen2";
  const llamaBias = config.attention_bias === true;
  const specs: TensorSpec[] = [{ name: "model.embed_tokens.weight", dtype, shape: [V, H] }];
  for (let i = 0; i < L; i++) {
    const p = `model.layers.${i}`;
    const bias = (name: string, size: number): void => {
      if (qwen || llamaBias) specs.push({ name: `${p}.self_attn.${name}.bias`, dtype, shape: [size] });
    };
    specs.push({ name: `${p}.self_attn.q_proj.weight`, dtype, shape: [nh * hd, H] });
    bias("q_proj", nh * hd);
    specs.push({ name: `${p}.self_attn.k_proj.weight`, dtype, shape: [nkv * hd, H] });
    bias("k_proj", nkv * hd);
    specs.push({ name: `${p}.self_attn.v_proj.weight`, dtype, shape: [nkv * hd, H] });
    bias("v_proj", nkv * hd);
    specs.push({ name: `${p}.self_attn.o_proj.weight`, dtype, shape: [H, nh * hd] });
    if (llamaBias) specs.push({ name: `${p}.self_attn.o_proj.bias`, dtype, shape: [H] });
    specs.push(
      { name: `${p}.mlp.gate_proj.weight`, dtype, shape: [I, H] },
      { name: `${p}.mlp.up_proj.weight`, dtype, shape: [I, H] },
      { name: `${p}.mlp.down_proj.weight`, dtype, shape: [H, I] },
      { name: `${p}.input_layernorm.weight`, dtype, shape: [H] },
      { name: `${p}.post_attention_layernorm.weight`, dtype, shape: [H] },
    );
  }
  specs.push({ name: "model.norm.weight", dtype, shape: [H] });
  if (!tied) specs.push({ name: "lm_head.weight", dtype, shape: [V, H] });
  return specs;
}

/** GPT-2 tensors as `openai-community/gpt2`'s model.safetensors names them (README §4.2), mask buffers included. */
export function gpt2TensorSpecs(config: Config): TensorSpec[] {
  const dtype: Dtype = "F32";
  const V = num(config, "vocab_size");
  const E = num(config, "n_embd");
  const L = num(config, "n_layer");
  const P = num(config, "n_positions");
  const inner = typeof config.n_inner === "number" ? config.n_inner : 4 * E;
  const specs: TensorSpec[] = [
    { name: "wte.weight", dtype, shape: [V, E] },
    { name: "wpe.weight", dtype, shape: [P, E] },
  ];
  for (let i = 0; i < L; i++) {
    const p = `h.${i}`;
    specs.push(
      { name: `${p}.ln_1.weight`, dtype, shape: [E] },
      { name: `${p}.ln_1.bias`, dtype, shape: [E] },
      { name: `${p}.attn.bias`, dtype, shape: [1, 1, P, P] },
      { name: `${p}.attn.c_attn.weight`, dtype, shape: [E, 3 * E] },
      { name: `${p}.attn.c_attn.bias`, dtype, shape: [3 * E] },
      { name: `${p}.attn.c_proj.weight`, dtype, shape: [E, E] },
      { name: `${p}.attn.c_proj.bias`, dtype, shape: [E] },
      { name: `${p}.ln_2.weight`, dtype, shape: [E] },
      { name: `${p}.ln_2.bias`, dtype, shape: [E] },
      { name: `${p}.mlp.c_fc.weight`, dtype, shape: [E, inner] },
      { name: `${p}.mlp.c_fc.bias`, dtype, shape: [inner] },
      { name: `${p}.mlp.c_proj.weight`, dtype, shape: [inner, E] },
      { name: `${p}.mlp.c_proj.bias`, dtype, shape: [E] },
    );
  }
  specs.push({ name: "ln_f.weight", dtype, shape: [E] }, { name: "ln_f.bias", dtype, shape: [E] });
  return specs;
}

const quantizedLinear = /\.(self_attn\.(q|k|v|o)_proj|mlp\.(gate|up|down)_proj)\.weight$/;

/**
 * bitsandbytes 8-bit layout (README §2, Irfanuruchi row): I8 linear weights plus `.SCB` and `.weight_format`; the rest
 * F32.
 */
export function quantizeInt8(specs: readonly TensorSpec[]): TensorSpec[] {
  return specs.flatMap((spec) => {
    if (!quantizedLinear.test(spec.name)) return [{ ...spec, dtype: "F32" as Dtype }];
    const stem = spec.name.slice(0, -".weight".length);
    return [
      { ...spec, dtype: "I8" as Dtype },
      { name: `${stem}.SCB`, dtype: "F32" as Dtype, shape: [spec.shape[0] as number] },
      { name: `${stem}.weight_format`, dtype: "U8" as Dtype, shape: [] },
    ];
  });
}

export interface LocateTensorsOptions {
  specs: readonly TensorSpec[];
  /** A real index's weight_map; without it, the README §5 rule with `maxShardSize` decides. */
  weightMap?: Record<string, string>;
  /** @default 5_000_000_000 */
  maxShardSize?: number;
  /** @default "model" */
  prefix?: string;
}

/** Places tensors in files and gives them data offsets (names sorted within a file, as the safetensors writer does). */
export function locateTensors(options: LocateTensorsOptions): LocatedTensor[] {
  const files = new Map<string, TensorSpec[]>();
  if (options.weightMap !== undefined) {
    for (const spec of options.specs) {
      const file = options.weightMap[spec.name];
      if (file === undefined) throw new Error(`weight_map has no ${spec.name}`);
      files.set(file, [...(files.get(file) ?? []), spec]);
    }
    const unknown = Object.keys(options.weightMap).filter((name) => !options.specs.some((s) => s.name === name));
    if (unknown.length > 0)
      throw new Error(`weight_map names tensors the config does not derive: ${unknown.slice(0, 3).join(", ")}`);
  } else {
    const max = options.maxShardSize ?? 5_000_000_000;
    const groups: TensorSpec[][] = [];
    let bytes = 0;
    for (const spec of options.specs) {
      const size = bytesOf(spec);
      const current = groups[groups.length - 1];
      if (current === undefined || (current.length > 0 && bytes + size > max)) {
        groups.push([spec]);
        bytes = size;
      } else {
        current.push(spec);
        bytes += size;
      }
    }
    const prefix = options.prefix ?? "model";
    const n = String(groups.length).padStart(5, "0");
    groups.forEach((group, i) =>
      files.set(
        groups.length === 1
          ? `${prefix}.safetensors`
          : `${prefix}-${String(i + 1).padStart(5, "0")}-of-${n}.safetensors`,
        group,
      ),
    );
  }
  const located: LocatedTensor[] = [];
  for (const [file, specs] of files) {
    let offset = 0;
    for (const spec of [...specs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const size = bytesOf(spec);
      located.push({ ...spec, shape: [...spec.shape], file, begin: offset, end: offset + size });
      offset += size;
    }
  }
  return located;
}

export function bytesOf(spec: Pick<TensorSpec, "dtype" | "shape">): number {
  return (elementCount(spec.shape) as number) * dtypeSize(spec.dtype);
}
