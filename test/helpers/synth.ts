/**
 * Deterministic synthetic models for tests and benchmarks: the tensor names, shapes and shard layouts of real
 * Hub models (test/fixtures/models, rules in its README §4–6) at a scale that takes milliseconds to write, with
 * seeded pseudo-random weights, and fine-tuned variants (base + small deltas) so tests get realistic pairs.
 *
 * Values are produced as raw bit patterns (no dependency on the codecs under test), one tensor at a time from a
 * seed derived from (model seed, tensor name): any tensor can be regenerated without reading the file.
 */
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { stringify as toYaml } from "yaml";
import type { Dtype } from "../../src/tensor/dtype.js";
import { isComputable } from "../../src/tensor/dtype.js";
import { byteLength, elementCount } from "../../src/tensor/shape.js";
import { planModelLayout, type ModelLayout } from "../../src/safetensors/plan-model-layout.js";
import { createModelWriter, type WrittenModel } from "../../src/safetensors/create-model-writer.js";

/**
 * How a tensor's values are made. Defaults: floats `normal` (`ones` for norm weights), I64/I32 `arange`, U8/BOOL
 * `mask`, I8 `ints`.
 */
export type Fill = "normal" | "ones" | "zeros" | "arange" | "mask" | "causal" | "ints";

export interface SynthTensor {
  name: string;
  dtype: Dtype;
  shape: number[];
  fill?: Fill;
  /** Standard deviation of `normal` values (and of the jitter around `ones`). @default 0.02 */
  std?: number;
  /** Put NaN, ±Inf, −0, the smallest subnormal and the largest finite value at the first six elements (floats only). */
  specials?: boolean;
}

export type Config = Record<string, unknown>;

export interface CardOptions {
  /** `base_model` in the README front matter: one repo or a list. */
  baseModel?: string | string[];
  /** Other front-matter keys (tags, license, base_model_relation, ...). */
  extra?: Record<string, unknown>;
  /** Markdown after the front matter. @default a one-line title */
  body?: string;
}

export interface WriteSynthModelOptions {
  dir: string;
  /** In module order: shards are filled in this order. */
  tensors: SynthTensor[];
  /** Written as config.json (2-space indented) when given. */
  config?: Config;
  /** @default 1 */
  seed?: number;
  /** @default "model" */
  prefix?: string;
  /** Shard when the data exceeds this many bytes. @default 5e9 (one file for anything small) */
  maxShardSize?: number;
  /** `__metadata__` of every file; null for none. @default { format: "pt" } */
  metadata?: Record<string, string> | null;
  /** Writes README.md with front matter when given. */
  card?: CardOptions;
}

export interface SynthModel {
  dir: string;
  seed: number;
  tensors: SynthTensor[];
  config?: Config;
  layout: ModelLayout;
  written: WrittenModel;
  /** Every file written, relative to `dir`. */
  files: string[];
  /** Regenerates a tensor's exact bytes without reading the file. */
  bytesOf(name: string): Uint8Array;
}

// ---------------------------------------------------------------------------------------------------------------
// Models

export async function writeSynthModel(options: WriteSynthModelOptions): Promise<SynthModel> {
  const seed = options.seed ?? 1;
  const specs = new Map(options.tensors.map((tensor) => [tensor.name, tensor]));
  return writeModel({
    ...options,
    seed,
    bytesOf: (name) => {
      const spec = specs.get(name);
      if (!spec) throw new Error(`synth: no tensor ${name}`);
      return synthTensorBytes(spec, seed);
    },
  });
}

interface WriteModelInput extends WriteSynthModelOptions {
  seed: number;
  bytesOf: (name: string) => Uint8Array;
}

async function writeModel(input: WriteModelInput): Promise<SynthModel> {
  const metadata = input.metadata === undefined ? { format: "pt" } : input.metadata;
  const layout = planModelLayout({
    tensors: input.tensors,
    prefix: input.prefix ?? "model",
    ...(input.maxShardSize !== undefined ? { maxShardSize: input.maxShardSize } : {}),
    ...(metadata ? { metadata } : {}),
  });
  await mkdir(input.dir, { recursive: true });
  const files: string[] = [];
  if (input.config) {
    await writeFile(join(input.dir, "config.json"), `${JSON.stringify(input.config, null, 2)}\n`);
    files.push("config.json");
  }
  if (input.card) {
    await writeFile(join(input.dir, "README.md"), renderCard(input.card));
    files.push("README.md");
  }
  const writer = createModelWriter({ layout, dir: input.dir });
  for (const tensor of layout.writeOrder) await writer.writeTensor(tensor.name, input.bytesOf(tensor.name));
  const written = await writer.finish();
  files.push(...written.files.map((file) => file.file), ...(written.index ? [written.index.file] : []));
  return {
    dir: input.dir,
    seed: input.seed,
    tensors: input.tensors,
    ...(input.config ? { config: input.config } : {}),
    layout,
    written,
    files,
    bytesOf: input.bytesOf,
  };
}

function renderCard(card: CardOptions): string {
  const front: Record<string, unknown> = {
    ...(card.baseModel !== undefined ? { base_model: card.baseModel } : {}),
    ...card.extra,
  };
  const body = card.body ?? "# Synthetic model\n\nWritten by tvhub's test helpers.\n";
  return Object.keys(front).length > 0 ? `---\n${toYaml(front)}---\n\n${body}` : body;
}

export interface FineTuneOptions {
  base: SynthModel;
  dir: string;
  /** Seed of the deltas. @default base.seed + 1000 */
  seed?: number;
  /** Standard deviation of the deltas added to float tensors. @default 0.002 */
  deltaStd?: number;
  /** Tensors copied bit for bit (their τ is exactly zero). */
  unchanged?: string[];
  /** Tensors left out of the fine-tune (e.g. a tied head). */
  drop?: string[];
  /** New tensors (random, not derived from the base). */
  add?: SynthTensor[];
  /**
   * New shapes: when only dim 0 grows (a vocabulary grown by N tokens) the old rows are base + delta, the rest random.
   */
  reshape?: Record<string, number[]>;
  /** Store the float tensors in another dtype (a BF16 base fine-tuned and saved in F16). */
  dtype?: "F16" | "BF16" | "F32" | "F64";
  /** Merged into the base's config.json. */
  config?: Config;
  /** README front matter `base_model`. */
  baseModel?: string | string[];
  card?: CardOptions;
  prefix?: string;
  maxShardSize?: number;
  metadata?: Record<string, string> | null;
}

/**
 * A fine-tuned variant of `base`: same names and shapes (unless asked otherwise), float tensors = base + small
 * seeded deltas, rounded to the stored dtype, integer and bool tensors copied unchanged.
 */
export async function fineTune(options: FineTuneOptions): Promise<SynthModel> {
  const { base } = options;
  const seed = options.seed ?? base.seed + 1000;
  const deltaStd = options.deltaStd ?? 0.002;
  const drop = new Set(options.drop ?? []);
  const unchanged = new Set(options.unchanged ?? []);
  const baseSpecs = new Map(base.tensors.map((tensor) => [tensor.name, tensor]));
  const tensors: SynthTensor[] = [];
  for (const tensor of base.tensors) {
    if (drop.has(tensor.name)) continue;
    const shape = options.reshape?.[tensor.name] ?? tensor.shape;
    const dtype = options.dtype && isComputable(tensor.dtype) ? options.dtype : tensor.dtype;
    tensors.push({ ...tensor, shape: [...shape], dtype });
  }
  tensors.push(...(options.add ?? []));
  const added = new Map((options.add ?? []).map((tensor) => [tensor.name, tensor]));
  const specs = new Map(tensors.map((tensor) => [tensor.name, tensor]));

  const bytesOf = (name: string): Uint8Array => {
    const spec = specs.get(name);
    if (!spec) throw new Error(`synth: no tensor ${name}`);
    const baseSpec = baseSpecs.get(name);
    if (added.has(name) || !baseSpec) return synthTensorBytes(spec, seed);
    const baseBytes = base.bytesOf(name);
    if (unchanged.has(name) && spec.dtype === baseSpec.dtype && sameShape(spec.shape, baseSpec.shape))
      return baseBytes.slice();
    const grewRows =
      spec.shape.length === baseSpec.shape.length &&
      spec.shape.length > 0 &&
      spec.shape.slice(1).every((dim, i) => dim === baseSpec.shape[i + 1]) &&
      (spec.shape[0] ?? 0) >= (baseSpec.shape[0] ?? 0);
    if (!grewRows) return synthTensorBytes(spec, seed);
    const baseCount = elementCount(baseSpec.shape) ?? 0;
    const count = elementCount(spec.shape) ?? 0;
    if (!isComputable(baseSpec.dtype) || !isComputable(spec.dtype)) {
      // Integer, bool and FP8 tensors are copied (they never enter τ); grown rows come from the generator.
      const out = synthTensorBytes(spec, seed);
      if (spec.dtype === baseSpec.dtype) out.set(baseBytes.subarray(0, Math.min(baseBytes.length, out.length)));
      return out;
    }
    const values = decodeFloats(baseSpec.dtype, baseBytes);
    const deltas = new Float32Array(baseCount);
    if (!unchanged.has(name)) fillNormal(deltas, seedFor(seed, `delta:${name}`), 0, deltaStd);
    const out = new Float64Array(count);
    for (let i = 0; i < baseCount; i++) out[i] = (values[i] ?? 0) + (deltas[i] ?? 0);
    if (count > baseCount) {
      const fresh = decodeFloats(spec.dtype, synthTensorBytes({ ...spec, specials: false }, seed));
      for (let i = baseCount; i < count; i++) out[i] = fresh[i] ?? 0;
    }
    return encodeFloats(spec.dtype, out);
  };

  return writeModel({
    dir: options.dir,
    tensors,
    seed,
    bytesOf,
    ...(base.config || options.config ? { config: { ...base.config, ...options.config } } : {}),
    ...(options.card || options.baseModel !== undefined
      ? { card: { ...options.card, ...(options.baseModel !== undefined ? { baseModel: options.baseModel } : {}) } }
      : {}),
    ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
    ...(options.maxShardSize !== undefined ? { maxShardSize: options.maxShardSize } : {}),
    ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
  });
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** A tensor's bytes, deterministic in (seed, name, dtype, shape, fill). */
export function synthTensorBytes(tensor: SynthTensor, seed: number): Uint8Array {
  const length = byteLength(tensor.dtype, tensor.shape);
  const count = elementCount(tensor.shape);
  if (length === undefined || count === undefined) throw new Error(`synth: bad shape for ${tensor.name}`);
  const out = new Uint8Array(length);
  const fill = tensor.fill ?? defaultFill(tensor);
  const rng = rngFor(seed, tensor.name);
  if (isFloat(tensor.dtype)) {
    // Float32 is plenty for every dtype but F64, and lets BF16/F16 be cut from float32 bits directly.
    const values = tensor.dtype === "F64" ? new Float64Array(count) : new Float32Array(count);
    const std = tensor.std ?? 0.02;
    const last = tensor.shape[tensor.shape.length - 1] ?? 1;
    if (fill === "normal" || fill === "ones") {
      fillNormal(values, seedFor(seed, tensor.name), fill === "ones" ? 1 : 0, std);
    } else {
      for (let i = 0; i < count; i++) {
        switch (fill) {
          case "zeros":
            values[i] = 0;
            break;
          case "arange":
            values[i] = i;
            break;
          case "causal": {
            const row = Math.floor(i / last) % last;
            values[i] = i % last <= row ? 1 : 0;
            break;
          }
          default:
            values[i] = rng() & 1;
        }
      }
    }
    if (tensor.specials) {
      const specials = [NaN, Infinity, -Infinity, -0, smallestSubnormal(tensor.dtype), largestFinite(tensor.dtype)];
      specials.slice(0, count).forEach((value, i) => (values[i] = value));
    }
    out.set(encodeFloats(tensor.dtype, values));
    return out;
  }
  const view = new DataView(out.buffer);
  const size = length / Math.max(1, count);
  for (let i = 0; i < count; i++) {
    let value: number;
    switch (fill) {
      case "zeros":
        value = 0;
        break;
      case "ones":
        value = 1;
        break;
      case "mask":
        value = rng() & 1;
        break;
      case "causal": {
        const last = tensor.shape[tensor.shape.length - 1] ?? 1;
        value = i % last <= Math.floor(i / last) % last ? 1 : 0;
        break;
      }
      case "ints":
        value = rng();
        break;
      default:
        value = i;
    }
    writeInteger(view, tensor.dtype, i * size, value);
  }
  return out;
}

function defaultFill(tensor: SynthTensor): Fill {
  if (isFloat(tensor.dtype))
    return /(norm|ln_\d|ln_f|LayerNorm|layernorm)[^.]*\.weight$/.test(tensor.name) ? "ones" : "normal";
  if (tensor.dtype === "BOOL" || tensor.dtype === "U8") return "mask";
  if (tensor.dtype === "I8") return "ints";
  return "arange";
}

function isFloat(dtype: Dtype): boolean {
  return isComputable(dtype) || dtype === "F8_E4M3" || dtype === "F8_E5M2";
}

function writeInteger(view: DataView, dtype: Dtype, at: number, value: number): void {
  switch (dtype) {
    case "BOOL":
      view.setUint8(at, value & 1);
      break;
    case "U8":
      view.setUint8(at, value & 0xff);
      break;
    case "I8":
      view.setInt8(at, (value << 24) >> 24);
      break;
    case "U16":
      view.setUint16(at, value & 0xffff, true);
      break;
    case "I16":
      view.setInt16(at, (value << 16) >> 16, true);
      break;
    case "U32":
      view.setUint32(at, value >>> 0, true);
      break;
    case "I32":
      view.setInt32(at, value | 0, true);
      break;
    case "U64":
      view.setBigUint64(at, BigInt(Math.abs(Math.trunc(value))), true);
      break;
    case "I64":
      view.setBigInt64(at, BigInt(Math.trunc(value)), true);
      break;
    default:
      throw new Error(`synth: ${dtype} is not an integer dtype`);
  }
}

/** mulberry32: tiny, fast, and plenty for test data (uint32 words). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function rngFor(seed: number, name: string): () => number {
  return mulberry32(seedFor(seed, name));
}

function seedFor(seed: number, name: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (hash ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0;
}

/**
 * mean + std × (Irwin–Hall of four 16-bit uniforms, rescaled to unit variance): bounded (|x| < 3.5, so always
 * finite) and fast, with mulberry32 inlined because this loop makes every synthetic weight.
 */
function fillNormal(out: Float32Array | Float64Array, seed: number, mean: number, std: number): void {
  let a = seed >>> 0;
  const scale = std * 1.7320508075688772;
  for (let i = 0; i < out.length; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r1 = (t ^ (t >>> 14)) >>> 0;
    a = (a + 0x6d2b79f5) | 0;
    t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r2 = (t ^ (t >>> 14)) >>> 0;
    const sum = (r1 & 0xffff) + (r1 >>> 16) + (r2 & 0xffff) + (r2 >>> 16);
    out[i] = mean + scale * (sum / 65536 - 2);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Float bit patterns (independent of src/tensor codecs on purpose: these are the test oracle's own)

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function encodeFloats(dtype: Dtype, values: Float32Array | Float64Array): Uint8Array {
  const count = values.length;
  switch (dtype) {
    case "F64":
      return new Uint8Array(Float64Array.from(values).buffer);
    case "F32":
      return new Uint8Array((values instanceof Float32Array ? values : Float32Array.from(values)).buffer.slice(0));
    case "BF16":
    case "F16": {
      // Float64 inputs are narrowed to float32 first; the file holds whatever this produces, so that is the truth tests
      // read.
      const bits = new Uint32Array((values instanceof Float32Array ? values : Float32Array.from(values)).buffer);
      const out = new Uint16Array(count);
      if (dtype === "BF16") for (let i = 0; i < count; i++) out[i] = bf16FromF32Bits(bits[i] ?? 0);
      else for (let i = 0; i < count; i++) out[i] = f16FromF32Bits(bits[i] ?? 0);
      return new Uint8Array(out.buffer);
    }
    case "F8_E4M3":
    case "F8_E5M2": {
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++)
        out[i] = dtype === "F8_E5M2" ? e5m2Bits(values[i] ?? 0) : e4m3Bits(values[i] ?? 0);
      return out;
    }
    default:
      throw new Error(`synth: ${dtype} is not a float dtype`);
  }
}

/** float32 bits → bfloat16 bits, round to nearest even, NaN kept quiet. */
function bf16FromF32Bits(bits: number): number {
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return ((bits >>> 16) | 0x40) & 0xffff;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** float32 bits → binary16 bits, round to nearest even, with subnormals, overflow to Inf and NaN. */
function f16FromF32Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 2 ** (shift - 1);
    const rest = mantissa % 2 ** shift;
    let result = Math.floor(mantissa / 2 ** shift);
    if (rest > half || (rest === half && (result & 1) === 1)) result++;
    return sign | result;
  }
  const rest = mantissa & 0x1fff;
  let result = (e << 10) | (mantissa >>> 13);
  // A carry out of the mantissa moves into the exponent, which is the right answer (up to Inf).
  if (rest > 0x1000 || (rest === 0x1000 && (result & 1) === 1)) result++;
  return sign | result;
}

export function decodeFloats(dtype: Dtype, bytes: Uint8Array): Float64Array {
  const aligned = bytes.slice();
  switch (dtype) {
    case "F64":
      return Float64Array.from(new Float64Array(aligned.buffer));
    case "F32":
      return Float64Array.from(new Float32Array(aligned.buffer));
    case "BF16": {
      const bits = new Uint16Array(aligned.buffer);
      const out = new Float64Array(bits.length);
      for (let i = 0; i < bits.length; i++) {
        u32[0] = (bits[i] ?? 0) << 16;
        out[i] = f32[0] ?? 0;
      }
      return out;
    }
    case "F16": {
      const bits = new Uint16Array(aligned.buffer);
      const out = new Float64Array(bits.length);
      for (let i = 0; i < bits.length; i++) out[i] = f16Value(bits[i] ?? 0);
      return out;
    }
    default:
      throw new Error(`synth: cannot decode ${dtype}`);
  }
}

/** float64 → binary16, round to nearest even, with subnormals, overflow to Inf and NaN. */
function f16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === Infinity) return sign | 0x7c00;
  if (magnitude >= 65520) return sign | 0x7c00;
  if (magnitude < 2 ** -14) {
    // Subnormal: units of 2^-24, rounded half to even.
    const units = roundHalfEven(magnitude / 2 ** -24);
    return sign | units;
  }
  let exponent = Math.floor(Math.log2(magnitude));
  if (2 ** exponent > magnitude) exponent--;
  if (2 ** (exponent + 1) <= magnitude) exponent++;
  let mantissa = roundHalfEven((magnitude / 2 ** exponent - 1) * 1024);
  if (mantissa === 1024) {
    mantissa = 0;
    exponent++;
  }
  if (exponent > 15) return sign | 0x7c00;
  return sign | ((exponent + 15) << 10) | mantissa;
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function f16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function e5m2Bits(value: number): number {
  return (f16Bits(value) >>> 8) & 0xff;
}

function e4m3Bits(value: number): number {
  // E4M3FN: bias 7, no infinities, S.1111.111 is NaN, 448 is the largest finite value.
  if (Number.isNaN(value)) return 0x7f;
  const sign = value < 0 || Object.is(value, -0) ? 0x80 : 0;
  const magnitude = Math.abs(value);
  if (magnitude >= 464) return sign | 0x7e;
  if (magnitude < 2 ** -6) return sign | Math.min(8, roundHalfEven(magnitude / 2 ** -9));
  let exponent = Math.floor(Math.log2(magnitude));
  let mantissa = roundHalfEven((magnitude / 2 ** exponent - 1) * 8);
  if (mantissa === 8) {
    mantissa = 0;
    exponent++;
  }
  if (exponent + 7 > 15 || (exponent + 7 === 15 && mantissa === 7)) return sign | 0x7e;
  return sign | ((exponent + 7) << 3) | mantissa;
}

function smallestSubnormal(dtype: Dtype): number {
  return dtype === "F64"
    ? 5e-324
    : dtype === "F32"
      ? 2 ** -149
      : dtype === "BF16"
        ? 2 ** -133
        : dtype === "F16"
          ? 2 ** -24
          : 2 ** -9;
}

function largestFinite(dtype: Dtype): number {
  return dtype === "F64"
    ? Number.MAX_VALUE
    : dtype === "F32"
      ? 3.4028234663852886e38
      : dtype === "BF16"
        ? 3.3895313892515355e38
        : dtype === "F16"
          ? 65504
          : 448;
}

// ---------------------------------------------------------------------------------------------------------------
// Configs: tensor lists derived from config.json (README §4) and scaled-down configs (§6)

const fixturesDir = resolve(import.meta.dirname, "../fixtures/models");

/** A real config.json from test/fixtures/models (copies of shared/models), e.g. `meta-llama--Llama-3.1-8B`. */
export function loadModelConfig(id: string): Config {
  return JSON.parse(readFileSync(join(fixturesDir, id, "config.json"), "utf8")) as Config;
}

/** A real model.safetensors.index.json from test/fixtures/models. */
export function loadModelIndex(id: string): { metadata: { total_size: number }; weight_map: Record<string, string> } {
  return JSON.parse(readFileSync(join(fixturesDir, id, "model.safetensors.index.json"), "utf8")) as {
    metadata: { total_size: number };
    weight_map: Record<string, string>;
  };
}

function num(config: Config, key: string, fallback?: number): number {
  const value = config[key];
  if (typeof value === "number") return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`synth: config has no numeric ${key}`);
}

/** The dtype a config says its weights are stored in (`torch_dtype`, or `dtype` in newer files; F32 when absent). */
export function configDtype(config: Config): Dtype {
  const name = config.torch_dtype ?? config.dtype;
  return name === "bfloat16" ? "BF16" : name === "float16" ? "F16" : name === "float64" ? "F64" : "F32";
}

export interface TensorsFromConfigOptions {
  /** @default configDtype(config) */
  dtype?: Dtype;
  /** GPT-2's causal-mask buffers `h.{i}.attn.bias` (present in the Hub file). @default true */
  gpt2MaskBuffers?: boolean;
  /** BERT's `embeddings.position_ids` I64 buffer (present in older checkpoints). @default true */
  bertPositionIds?: boolean;
}

/** Tensor names and shapes in module order, per README §4, for llama/mistral/qwen2, gpt2, bert, t5 and vit configs. */
export function tensorsFromConfig(config: Config, options: TensorsFromConfigOptions = {}): SynthTensor[] {
  const dtype = options.dtype ?? configDtype(config);
  const t = (name: string, shape: number[], extra: Partial<SynthTensor> = {}): SynthTensor => ({
    name,
    dtype,
    shape,
    ...extra,
  });
  const modelType = String(config.model_type);
  const out: SynthTensor[] = [];
  if (modelType === "llama" || modelType === "mistral" || modelType === "qwen2") {
    const V = num(config, "vocab_size");
    const H = num(config, "hidden_size");
    const L = num(config, "num_hidden_layers");
    const nh = num(config, "num_attention_heads");
    const nkv = num(config, "num_key_value_heads", nh);
    const hd = num(config, "head_dim", H / nh);
    const I = num(config, "intermediate_size");
    const tied = config.tie_word_embeddings === true;
    const qkvBias = modelType === "qwen2" || config.attention_bias === true;
    const oBias = modelType === "llama" && config.attention_bias === true;
    const mlpBias = config.mlp_bias === true;
    out.push(t("model.embed_tokens.weight", [V, H]));
    for (let i = 0; i < L; i++) {
      const p = `model.layers.${i}`;
      out.push(t(`${p}.self_attn.q_proj.weight`, [nh * hd, H]));
      if (qkvBias) out.push(t(`${p}.self_attn.q_proj.bias`, [nh * hd]));
      out.push(t(`${p}.self_attn.k_proj.weight`, [nkv * hd, H]));
      if (qkvBias) out.push(t(`${p}.self_attn.k_proj.bias`, [nkv * hd]));
      out.push(t(`${p}.self_attn.v_proj.weight`, [nkv * hd, H]));
      if (qkvBias) out.push(t(`${p}.self_attn.v_proj.bias`, [nkv * hd]));
      out.push(t(`${p}.self_attn.o_proj.weight`, [H, nh * hd]));
      if (oBias) out.push(t(`${p}.self_attn.o_proj.bias`, [H]));
      out.push(t(`${p}.mlp.gate_proj.weight`, [I, H]));
      if (mlpBias) out.push(t(`${p}.mlp.gate_proj.bias`, [I]));
      out.push(t(`${p}.mlp.up_proj.weight`, [I, H]));
      if (mlpBias) out.push(t(`${p}.mlp.up_proj.bias`, [I]));
      out.push(t(`${p}.mlp.down_proj.weight`, [H, I]));
      if (mlpBias) out.push(t(`${p}.mlp.down_proj.bias`, [H]));
      out.push(t(`${p}.input_layernorm.weight`, [H]));
      out.push(t(`${p}.post_attention_layernorm.weight`, [H]));
    }
    out.push(t("model.norm.weight", [H]));
    if (!tied) out.push(t("lm_head.weight", [V, H]));
    return out;
  }
  if (modelType === "gpt2") {
    const V = num(config, "vocab_size");
    const H = num(config, "n_embd");
    const L = num(config, "n_layer");
    const P = num(config, "n_positions");
    const inner = num(config, "n_inner", 4 * H);
    out.push(t("wte.weight", [V, H]), t("wpe.weight", [P, H]));
    for (let i = 0; i < L; i++) {
      const p = `h.${i}`;
      out.push(t(`${p}.ln_1.weight`, [H]), t(`${p}.ln_1.bias`, [H]));
      if (options.gpt2MaskBuffers ?? true)
        out.push({ name: `${p}.attn.bias`, dtype: "F32", shape: [1, 1, P, P], fill: "causal" });
      out.push(t(`${p}.attn.c_attn.weight`, [H, 3 * H]), t(`${p}.attn.c_attn.bias`, [3 * H]));
      out.push(t(`${p}.attn.c_proj.weight`, [H, H]), t(`${p}.attn.c_proj.bias`, [H]));
      out.push(t(`${p}.ln_2.weight`, [H]), t(`${p}.ln_2.bias`, [H]));
      out.push(t(`${p}.mlp.c_fc.weight`, [H, inner]), t(`${p}.mlp.c_fc.bias`, [inner]));
      out.push(t(`${p}.mlp.c_proj.weight`, [inner, H]), t(`${p}.mlp.c_proj.bias`, [H]));
    }
    out.push(t("ln_f.weight", [H]), t("ln_f.bias", [H]));
    return out;
  }
  if (modelType === "bert") {
    const V = num(config, "vocab_size");
    const H = num(config, "hidden_size");
    const L = num(config, "num_hidden_layers");
    const I = num(config, "intermediate_size");
    const P = num(config, "max_position_embeddings");
    const T = num(config, "type_vocab_size", 2);
    const e = "bert.embeddings";
    out.push(
      t(`${e}.word_embeddings.weight`, [V, H]),
      t(`${e}.position_embeddings.weight`, [P, H]),
      t(`${e}.token_type_embeddings.weight`, [T, H]),
    );
    out.push(t(`${e}.LayerNorm.weight`, [H]), t(`${e}.LayerNorm.bias`, [H]));
    if (options.bertPositionIds ?? true)
      out.push({ name: `${e}.position_ids`, dtype: "I64", shape: [1, P], fill: "arange" });
    for (let i = 0; i < L; i++) {
      const p = `bert.encoder.layer.${i}`;
      for (const m of ["query", "key", "value"])
        out.push(t(`${p}.attention.self.${m}.weight`, [H, H]), t(`${p}.attention.self.${m}.bias`, [H]));
      out.push(t(`${p}.attention.output.dense.weight`, [H, H]), t(`${p}.attention.output.dense.bias`, [H]));
      out.push(t(`${p}.attention.output.LayerNorm.weight`, [H]), t(`${p}.attention.output.LayerNorm.bias`, [H]));
      out.push(t(`${p}.intermediate.dense.weight`, [I, H]), t(`${p}.intermediate.dense.bias`, [I]));
      out.push(t(`${p}.output.dense.weight`, [H, I]), t(`${p}.output.dense.bias`, [H]));
      out.push(t(`${p}.output.LayerNorm.weight`, [H]), t(`${p}.output.LayerNorm.bias`, [H]));
    }
    out.push(t("bert.pooler.dense.weight", [H, H]), t("bert.pooler.dense.bias", [H]));
    out.push(t("cls.predictions.bias", [V]));
    out.push(t("cls.predictions.transform.dense.weight", [H, H]), t("cls.predictions.transform.dense.bias", [H]));
    out.push(t("cls.predictions.transform.LayerNorm.weight", [H]), t("cls.predictions.transform.LayerNorm.bias", [H]));
    out.push(t("cls.seq_relationship.weight", [2, H]), t("cls.seq_relationship.bias", [2]));
    return out;
  }
  if (modelType === "t5") {
    const V = num(config, "vocab_size");
    const D = num(config, "d_model");
    const inner = num(config, "num_heads") * num(config, "d_kv");
    const F = num(config, "d_ff");
    const L = num(config, "num_layers");
    const LD = num(config, "num_decoder_layers", L);
    const buckets = num(config, "relative_attention_num_buckets", 32);
    const heads = num(config, "num_heads");
    const attention = (p: string, kind: string) =>
      ["q", "k", "v", "o"].map((m) => t(`${p}.${kind}.${m}.weight`, m === "o" ? [D, inner] : [inner, D]));
    out.push(t("shared.weight", [V, D]));
    for (const [stack, layers] of [
      ["encoder", L],
      ["decoder", LD],
    ] as const) {
      for (let i = 0; i < layers; i++) {
        const p = `${stack}.block.${i}.layer`;
        out.push(...attention(`${p}.0`, "SelfAttention"));
        if (i === 0) out.push(t(`${p}.0.SelfAttention.relative_attention_bias.weight`, [buckets, heads]));
        out.push(t(`${p}.0.layer_norm.weight`, [D]));
        let ff = 1;
        if (stack === "decoder") {
          out.push(...attention(`${p}.1`, "EncDecAttention"), t(`${p}.1.layer_norm.weight`, [D]));
          ff = 2;
        }
        out.push(t(`${p}.${ff}.DenseReluDense.wi.weight`, [F, D]), t(`${p}.${ff}.DenseReluDense.wo.weight`, [D, F]));
        out.push(t(`${p}.${ff}.layer_norm.weight`, [D]));
      }
      out.push(t(`${stack}.final_layer_norm.weight`, [D]));
    }
    if (config.tie_word_embeddings === false) out.push(t("lm_head.weight", [V, D]));
    return out;
  }
  if (modelType === "vit") {
    const H = num(config, "hidden_size");
    const L = num(config, "num_hidden_layers");
    const I = num(config, "intermediate_size");
    const image = num(config, "image_size", 224);
    const patch = num(config, "patch_size", 16);
    const channels = num(config, "num_channels", 3);
    const labels = typeof config.id2label === "object" && config.id2label ? Object.keys(config.id2label).length : 2;
    const qkvBias = config.qkv_bias !== false;
    out.push(
      t("vit.embeddings.cls_token", [1, 1, H]),
      t("vit.embeddings.position_embeddings", [1, (image / patch) ** 2 + 1, H]),
    );
    out.push(
      t("vit.embeddings.patch_embeddings.projection.weight", [H, channels, patch, patch]),
      t("vit.embeddings.patch_embeddings.projection.bias", [H]),
    );
    for (let i = 0; i < L; i++) {
      const p = `vit.encoder.layer.${i}`;
      for (const m of ["query", "key", "value"]) {
        out.push(t(`${p}.attention.attention.${m}.weight`, [H, H]));
        if (qkvBias) out.push(t(`${p}.attention.attention.${m}.bias`, [H]));
      }
      out.push(t(`${p}.attention.output.dense.weight`, [H, H]), t(`${p}.attention.output.dense.bias`, [H]));
      out.push(t(`${p}.intermediate.dense.weight`, [I, H]), t(`${p}.intermediate.dense.bias`, [I]));
      out.push(t(`${p}.output.dense.weight`, [H, I]), t(`${p}.output.dense.bias`, [H]));
      out.push(t(`${p}.layernorm_before.weight`, [H]), t(`${p}.layernorm_before.bias`, [H]));
      out.push(t(`${p}.layernorm_after.weight`, [H]), t(`${p}.layernorm_after.bias`, [H]));
    }
    out.push(t("vit.layernorm.weight", [H]), t("vit.layernorm.bias", [H]));
    out.push(t("classifier.weight", [labels, H]), t("classifier.bias", [labels]));
    return out;
  }
  throw new Error(`synth: no tensor rules for model_type ${modelType}`);
}

export interface ScaleConfigOptions {
  /** The new hidden size (H, n_embd, d_model). */
  hiddenSize: number;
  /** Head dimension; heads = hiddenSize / headDim. @default the original head dimension */
  headDim?: number;
  layers: number;
  /** @default unchanged (keep 128256 for Llama's embedding-dominated size profile) */
  vocabSize?: number;
  /** Position count (GPT-2 n_positions, BERT max_position_embeddings). @default unchanged */
  positions?: number;
  /** The intermediate size is rounded to a multiple of this. @default 256 when hiddenSize ≥ 256, else 8 */
  multiple?: number;
  /** ViT only: keep the label count small. @default unchanged */
  labels?: number;
}

/**
 * README §6: the same architecture at another scale. Keeps the key names, the GQA ratio nh/nkv, the ratio
 * intermediate/hidden (rounded to `multiple`), tying and dtype; changes only size fields.
 */
export function scaleConfig(config: Config, options: ScaleConfigOptions): Config {
  const out: Config = structuredClone(config);
  const H = options.hiddenSize;
  const multiple = options.multiple ?? (H >= 256 ? 256 : 8);
  const round = (x: number) => Math.max(multiple, Math.round(x / multiple) * multiple);
  const modelType = String(config.model_type);
  if (modelType === "llama" || modelType === "mistral" || modelType === "qwen2") {
    const nh0 = num(config, "num_attention_heads");
    const nkv0 = num(config, "num_key_value_heads", nh0);
    const hd = options.headDim ?? num(config, "head_dim", num(config, "hidden_size") / nh0);
    const nh = H / hd;
    const ratio = nh0 / nkv0;
    if (!Number.isInteger(nh) || !Number.isInteger(nh / ratio))
      throw new Error(`synth: hidden ${H} / head_dim ${hd} does not keep the GQA ratio ${ratio}`);
    out.hidden_size = H;
    out.num_attention_heads = nh;
    out.num_key_value_heads = nh / ratio;
    if ("head_dim" in config) out.head_dim = hd;
    out.intermediate_size = round((num(config, "intermediate_size") / num(config, "hidden_size")) * H);
    out.num_hidden_layers = options.layers;
  } else if (modelType === "gpt2") {
    const hd = options.headDim ?? num(config, "n_embd") / num(config, "n_head");
    out.n_embd = H;
    out.n_head = H / hd;
    out.n_layer = options.layers;
    if (options.positions !== undefined) {
      out.n_positions = options.positions;
      out.n_ctx = options.positions;
    }
  } else if (modelType === "bert" || modelType === "vit") {
    const hd = options.headDim ?? num(config, "hidden_size") / num(config, "num_attention_heads");
    out.intermediate_size = round((num(config, "intermediate_size") / num(config, "hidden_size")) * H);
    out.hidden_size = H;
    out.num_attention_heads = H / hd;
    out.num_hidden_layers = options.layers;
    if (options.positions !== undefined && modelType === "bert") out.max_position_embeddings = options.positions;
    if (options.labels !== undefined && modelType === "vit") {
      const labels = Array.from({ length: options.labels }, (_, i) => i);
      out.id2label = Object.fromEntries(labels.map((i) => [String(i), `LABEL_${i}`]));
      out.label2id = Object.fromEntries(labels.map((i) => [`LABEL_${i}`, i]));
    }
  } else if (modelType === "t5") {
    const hd = options.headDim ?? num(config, "d_kv");
    out.d_ff = round((num(config, "d_ff") / num(config, "d_model")) * H);
    out.d_model = H;
    out.d_kv = hd;
    out.num_heads = H / hd;
    out.num_layers = options.layers;
    if ("num_decoder_layers" in config) out.num_decoder_layers = options.layers;
  } else {
    throw new Error(`synth: no scaling rules for model_type ${modelType}`);
  }
  if (options.vocabSize !== undefined) out.vocab_size = options.vocabSize;
  return out;
}

/**
 * A ready-made tiny Llama-3.1 pair layout: the real config scaled to H=64, 2 layers, vocab 512 (about 0.5 MB in BF16).
 */
export function tinyLlamaConfig(overrides: Partial<ScaleConfigOptions> = {}): Config {
  return scaleConfig(loadModelConfig("meta-llama--Llama-3.1-8B"), {
    hiddenSize: 64,
    headDim: 16,
    layers: 2,
    vocabSize: 512,
    multiple: 8,
    ...overrides,
  });
}
