import { InternalError } from "../errors.js";
import { decodeToF32 } from "../tensor/decode-to-f32.js";
import { dtypeSize } from "../tensor/dtype.js";
import { encodedLength, type EncodedValues } from "../tensor/encoded.js";
import { chunkSize, wordsOf } from "./float32.js";

/** How well base + τ reproduces the fine-tuned tensor. Counts and maxima, so chunks combine exactly. */
export interface ReconstructionStats {
  /** Elements compared. */
  elements: number;
  /** Elements where fround(base + τ) is not bit-identical to the fine-tuned value (any NaN matches any NaN). */
  mismatches: number;
  /** max |fround(fround(base + τ) − finetuned)| over all elements; Infinity when a NaN meets a number. */
  maxAbsError: number;
}

export const emptyReconstructionStats: ReconstructionStats = { elements: 0, mismatches: 0, maxAbsError: 0 };

export interface ReconstructionErrorOptions {
  base: EncodedValues;
  finetuned: EncodedValues;
  /** The stored task vector, in any float dtype (a lossy one is the interesting case). */
  taskVector: EncodedValues;
  /** Totals from the previous chunks. @default emptyReconstructionStats */
  initial?: ReconstructionStats;
  /** @default 65536 */
  chunkElements?: number;
}

/**
 * Compares r = fround(decode(base) + decode(τ)) with decode(finetuned), element by element, as
 * float32 bit patterns: r is what applying the stored vector with λ = 1 gives before the final
 * rounding, and the fine-tuned value decodes exactly, so equal bits here mean the merged model's
 * bytes would equal the fine-tuned ones. A −0 reproduced as +0 counts as a mismatch (with error 0).
 */
export function reconstructionError(options: ReconstructionErrorOptions): ReconstructionStats {
  return compare(options, options.taskVector);
}

export interface CountInexactF32Options {
  base: EncodedValues;
  finetuned: EncodedValues;
  /** Totals from the previous chunks. @default emptyReconstructionStats */
  initial?: ReconstructionStats;
  /** @default 65536 */
  chunkElements?: number;
}

/**
 * The same statistics for a float32 task vector computed on the fly, τ = fround(ft − base), without
 * storing it: how many elements `--dtype f32` would not reproduce exactly (those where ft and base
 * differ in magnitude by more than about 2^16, or a −0 in the fine-tuned model).
 */
export function countInexactF32(options: CountInexactF32Options): ReconstructionStats {
  return compare(options, undefined);
}

/**
 * The element count the reconstruction statistics read: the base's, which the fine-tuned model and the stored task
 * vector (when there is one) must share. Both kernel sets, TypeScript and WebAssembly, check it here.
 */
export function reconstructionOperandLength(
  options: CountInexactF32Options,
  taskVector: EncodedValues | undefined,
): number {
  const count = encodedLength(options.base);
  for (const operand of taskVector ? [options.finetuned, taskVector] : [options.finetuned]) {
    if (encodedLength(operand) !== count) {
      throw new InternalError(
        `Reconstruction statistics got operands of different lengths; read the same range of every input.`,
        {
          code: "ARITHMETIC_LENGTH_MISMATCH",
        },
      );
    }
  }
  return count;
}

function compare(options: CountInexactF32Options, taskVector: EncodedValues | undefined): ReconstructionStats {
  const count = reconstructionOperandLength(options, taskVector);
  const step = Math.min(chunkSize(options.chunkElements), Math.max(count, 1));
  const base = new Float32Array(step);
  const finetuned = new Float32Array(step);
  const tau = new Float32Array(step);
  const reconstructed = new Float32Array(step);
  const reconstructedBits = wordsOf(reconstructed);
  const finetunedBits = wordsOf(finetuned);
  const initial = options.initial ?? emptyReconstructionStats;
  let mismatches = initial.mismatches;
  let maxAbsError = initial.maxAbsError;
  for (let start = 0; start < count; start += step) {
    const end = Math.min(count, start + step);
    const n = end - start;
    decodeToF32({ dtype: options.base.dtype, bytes: range(options.base, start, end), out: base });
    decodeToF32({ dtype: options.finetuned.dtype, bytes: range(options.finetuned, start, end), out: finetuned });
    if (taskVector) decodeToF32({ dtype: taskVector.dtype, bytes: range(taskVector, start, end), out: tau });
    else for (let i = 0; i < n; i++) tau[i] = finetuned[i]! - base[i]!;
    for (let i = 0; i < n; i++) reconstructed[i] = base[i]! + tau[i]!;
    for (let i = 0; i < n; i++) {
      if (reconstructedBits[i] === finetunedBits[i]) continue;
      const r = reconstructed[i]!;
      const f = finetuned[i]!;
      if (r !== r && f !== f) continue;
      mismatches++;
      // The float32 difference: r − f in float64 rounded once to float32 is exactly float32 subtraction (float64
      // holds more than twice float32's precision), so SIMD lanes compute the same value.
      const error = r !== r || f !== f ? Infinity : Math.fround(Math.abs(r - f));
      if (error > maxAbsError) maxAbsError = error;
    }
  }
  return { elements: initial.elements + count, mismatches, maxAbsError };
}

function range(values: EncodedValues, start: number, end: number): Uint8Array {
  const size = dtypeSize(values.dtype);
  return values.bytes.subarray(start * size, end * size);
}
