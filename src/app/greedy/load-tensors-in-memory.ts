import type { ArithmeticKernels } from "../../arithmetic/simd/arithmetic-kernels.js";
import type { AdapterMapping } from "../../plan/map-adapter.js";
import type { InputKind } from "../../plan/types.js";
import type { SafetensorsModel } from "../../safetensors/types.js";
import { isComputable, type ComputableDtype } from "../../tensor/dtype.js";
import type { ProgressEvent } from "../../util/progress.js";
import { readAdapterTau } from "../read-adapter-tau.js";

/** A model that contributes a task vector: a published vector, or a fine-tune whose τ is computed against the base. */
export interface InMemoryTerm {
  kind: InputKind;
  /** Its weights, opened for reading. */
  model: SafetensorsModel;
  /** A LoRA adapter's mapping against the base: τ is its update. */
  adapter?: AdapterMapping;
}

export interface LoadTensorsInMemoryOptions {
  base: SafetensorsModel;
  /** The start model's terms on top of the base, in order, with their λ. */
  start: ReadonlyArray<InMemoryTerm & { lambda: number }>;
  /** By candidate id. */
  candidates: ReadonlyMap<string, InMemoryTerm>;
  kernels: ArithmeticKernels;
  /** The dtype the merge is published in; default: the base's, tensor by tensor. */
  dtype?: ComputableDtype;
}

export interface TensorsInMemory {
  /** base + Σ λ·τ of the start terms, float32, not rounded to the output dtype (the merge rounds once, at the end). */
  start: Map<string, Float32Array>;
  /** Each candidate's τ in float32, by candidate id; a tensor a vector omits is absent (a zero delta). */
  vectors: Map<string, Map<string, Float32Array>>;
  /** The dtype each output tensor is published in. */
  dtypes: Map<string, ComputableDtype>;
}

/**
 * Reads the base, the start terms and every candidate into float32 once, computing each fine-tune's τ the way a
 * merge does (`fround(ft − base)` on decoded values), so that the in-memory candidate models are the published ones
 * bit for bit. Only float tensors take part; integer and bool tensors are copied from the base by a merge.
 */
export async function* loadTensorsInMemory(
  options: LoadTensorsInMemoryOptions,
): AsyncGenerator<ProgressEvent, TensorsInMemory> {
  const { base, kernels } = options;
  const names = base
    .tensors()
    .filter((tensor) => isComputable(tensor.dtype))
    .map((tensor) => tensor.name);
  const start = new Map<string, Float32Array>();
  const vectors = new Map<string, Map<string, Float32Array>>(
    [...options.candidates.keys()].map((id) => [id, new Map()]),
  );
  const dtypes = new Map<string, ComputableDtype>();
  const read = async (model: SafetensorsModel, name: string): Promise<Float32Array> => {
    const info = model.tensor(name);
    return kernels.decodeToF32({ dtype: info.dtype as ComputableDtype, bytes: await model.readTensor(name) });
  };
  const tauOf = async (
    term: InMemoryTerm,
    name: string,
    baseValues: Float32Array,
  ): Promise<Float32Array | undefined> => {
    if (term.adapter)
      return readAdapterTau({
        adapter: { model: term.model, mapping: term.adapter },
        name,
        base: async () => baseValues,
        kernels,
      });
    if (!term.model.has(name) || !isComputable(term.model.tensor(name).dtype)) return undefined;
    const values = await read(term.model, name);
    return term.kind === "vector" ? values : kernels.subtract({ finetuned: values, base: baseValues, out: values });
  };

  let done = 0;
  for (const name of names) {
    const baseValues = await read(base, name);
    dtypes.set(name, options.dtype ?? (base.tensor(name).dtype as ComputableDtype));
    const acc = Float32Array.from(baseValues);
    for (const term of options.start) {
      const tau = await tauOf(term, name, baseValues);
      if (tau) kernels.addScaled({ acc, tau, weight: term.lambda });
    }
    start.set(name, acc);
    for (const [id, term] of options.candidates) {
      const tau = await tauOf(term, name, baseValues);
      if (tau) vectors.get(id)?.set(name, tau);
    }
    done++;
    yield {
      type: "progress",
      phase: "download",
      label: "loading the models into memory",
      done,
      total: names.length,
      unit: "items",
    };
  }
  return { start, vectors, dtypes };
}
