import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import { DataError } from "../errors.js";
import { mapAdapter, type AdapterMapping } from "../plan/map-adapter.js";
import type { ResolvedModel } from "../plan/types.js";
import type { SafetensorsModel } from "../safetensors/types.js";
import { isComputable } from "../tensor/dtype.js";
import { elementCount } from "../tensor/shape.js";
import { addReplaced, loraRange } from "../engine/compute-lora.js";

/** An adapter's weights and what each of its tensors updates (mapAdapter against the run's base). */
export interface AdapterWeights {
  model: SafetensorsModel;
  mapping: AdapterMapping;
}

export interface ReadAdapterTauOptions {
  adapter: AdapterWeights;
  /** The base tensor. */
  name: string;
  /** The base's values of that tensor over the range (for saved − base). */
  base: () => Promise<Float32Array>;
  kernels: ArithmeticKernels;
  /** Element range; default the whole tensor. */
  start?: number;
  end?: number;
}

/**
 * τ of one base tensor from an adapter, in float32, as a merge computes it (compute-job's "lora" and "taskVector"),
 * or undefined where the adapter leaves the tensor alone (τ = 0): for callers that hold τ in memory (greedy's
 * in-memory models, similarity) rather than running a plan.
 */
export async function readAdapterTau(options: ReadAdapterTauOptions): Promise<Float32Array | undefined> {
  const { adapter, name, kernels } = options;
  const term = adapter.mapping.terms.get(name);
  if (term === undefined) return undefined;
  const { model } = adapter;
  const read = async (tensor: string, start?: number, end?: number): Promise<Float32Array> => {
    const info = model.tensor(tensor);
    if (!isComputable(info.dtype))
      throw new DataError(`${model.name}: ${tensor} is ${info.dtype}, not a float tensor.`, {
        code: "NOT_COMPUTABLE",
        subject: tensor,
      });
    const range = start === undefined || end === undefined ? undefined : { elementOffset: start, count: end - start };
    return kernels.decodeToF32({ dtype: info.dtype, bytes: await model.readTensor(tensor, range) });
  };
  const total =
    term.kind === "full"
      ? (elementCount(model.tensor(term.saved).shape) ?? 0)
      : ((elementCount(model.tensor(term.a).shape) ?? 0) / term.rank) *
        ((elementCount(model.tensor(term.b).shape) ?? 0) / term.rank);
  const start = options.start ?? 0;
  const end = options.end ?? total;
  if (term.kind === "full")
    return kernels.subtract({ finetuned: await read(term.saved, start, end), base: await options.base() });
  const update = { rank: term.rank, transpose: term.transpose, scale32: Math.fround(term.scale) };
  const delta = loraRange({ a: await read(term.a), b: await read(term.b), update, start, end, kernels });
  if (term.replaced === undefined) return delta;
  return addReplaced({ saved: await read(term.replaced, start, end), base: await options.base(), delta, kernels });
}

/** The mapping of an input that is an adapter, against the run's base; undefined for models and vectors. */
export function adapterMappingOf(
  input: { resolved: ResolvedModel },
  base: { resolved: ResolvedModel },
): AdapterMapping | undefined {
  const { resolved } = input;
  if (!resolved.adapter) return undefined;
  return mapAdapter({ adapter: { ...resolved, adapter: resolved.adapter }, base: base.resolved });
}
