import { addScaled } from "../../arithmetic/add-scaled.js";
import { DataError } from "../../errors.js";
import type { Evaluator } from "../../eval/evaluator.js";
import { decodeToF32 } from "../../tensor/decode-to-f32.js";
import type { ComputableDtype } from "../../tensor/dtype.js";
import { encodeFromF32 } from "../../tensor/encode-from-f32.js";
import type { EvaluateTerms } from "./greedy-types.js";

export interface CreateInMemoryEvaluateOptions {
  /** An evaluator that takes tensors in memory (tfjs). */
  evaluator: Evaluator;
  /** The start model, decoded to float32. */
  start: {
    tensors: ReadonlyMap<string, Float32Array>;
    config: unknown;
    preprocessorConfig?: unknown;
  };
  /**
   * Each candidate's τ by candidate id, decoded to float32. A tensor a vector lacks is a zero delta (tvhub omits
   * tensors whose τ is identically zero).
   */
  vectors: ReadonlyMap<string, ReadonlyMap<string, Float32Array>>;
  /**
   * The dtype each output tensor is published in: the candidate is rounded to it once after the float32
   * accumulation, so the score is that of the model a publish would write, bit for bit. Tensors not listed
   * stay float32. @default none
   */
  dtypes?: ReadonlyMap<string, ComputableDtype>;
  /**
   * The merge step, `acc = fround(acc + fround(λ32·τ))`; the WebAssembly kernel can be passed in. @default the
   * JavaScript reference
   */
  addScaled?: typeof addScaled;
}

/**
 * Builds each candidate model in memory with task arithmetic's exact order (start, then every term in order,
 * float32, one rounding to the output dtype) and scores it: nothing is written to disk. Holds the start and every
 * candidate's τ in float32, so it suits models that fit in memory several times (the tfjs evaluator's ViTs).
 */
export function createInMemoryEvaluate(options: CreateInMemoryEvaluateOptions): EvaluateTerms {
  const step = options.addScaled ?? addScaled;
  const { start, vectors } = options;
  return async ({ terms, label, signal }) => {
    for (const term of terms) {
      const vector = vectors.get(term.candidate);
      if (!vector) {
        throw new DataError(
          `${label}: no task vector was loaded for ${term.candidate}; load every candidate before the search.`,
          {
            code: "GREEDY_VECTOR_MISSING",
            subject: term.candidate,
          },
        );
      }
      for (const [name, tau] of vector) {
        const tensor = start.tensors.get(name);
        if (!tensor || tensor.length !== tau.length) {
          throw new DataError(
            `${label}: the task vector of ${term.candidate} has tensor ${name} with ${tau.length} values, which the ` +
              `start model ${tensor ? `has with ${tensor.length}` : "does not have"}; check the candidate ` +
              "against the base first.",
            { code: "GREEDY_VECTOR_MISMATCH", subject: name },
          );
        }
      }
    }
    const tensors = new Map<string, Float32Array>();
    for (const [name, values] of start.tensors) {
      const acc = Float32Array.from(values);
      for (const term of terms) {
        const tau = vectors.get(term.candidate)?.get(name);
        if (tau) step({ acc, tau, weight: term.lambda });
      }
      const dtype = options.dtypes?.get(name);
      tensors.set(
        name,
        dtype === undefined || dtype === "F32"
          ? acc
          : decodeToF32({ dtype, bytes: encodeFromF32({ dtype, values: acc }) }),
      );
    }
    signal?.throwIfAborted();
    return options.evaluator.evaluate({
      tensors,
      config: start.config,
      ...(start.preprocessorConfig === undefined ? {} : { preprocessorConfig: start.preprocessorConfig }),
      name: label,
      ...(signal ? { signal } : {}),
    });
  };
}
