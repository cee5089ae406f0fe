import { InternalError } from "../errors.js";
import { decodeToF32 } from "../tensor/decode-to-f32.js";
import { dtypeSize } from "../tensor/dtype.js";
import { encodeFromF32 } from "../tensor/encode-from-f32.js";
import { encodedLength, type EncodedValues } from "../tensor/encoded.js";
import { addScaled, addScaledDifference } from "./add-scaled.js";
import { byteKernelSteps, type ByteKernelOutput } from "./float32.js";

/** One λ_i·τ_i of a merge, in recipe order. */
export type MergeTerm =
  /** τ_i read from a published task vector, in any float dtype. */
  | { weight: number; taskVector: EncodedValues }
  /** τ_i = fround(finetuned − base), computed on the fly against the merge's base. */
  | { weight: number; finetuned: EncodedValues };

export interface MergeChunkOptions extends ByteKernelOutput {
  base: EncodedValues;
  terms: readonly MergeTerm[];
}

/**
 * Task arithmetic from raw bytes to raw bytes:
 * acc = base; for each term in order: acc = fround(acc + fround(λ32_i · τ_i)); then one rounding of
 * acc to `dtype`. The operands are the same element range of every input (a whole tensor or a chunk
 * of it), so an executor can feed chunk i of every input and get chunk i of the output.
 */
export function mergeChunk(options: MergeChunkOptions): Uint8Array {
  const count = mergeOperandLength(options);
  const { out, outSize, step } = byteKernelSteps(count, options);
  const baseScratch = new Float32Array(step);
  const accScratch = new Float32Array(step);
  const termScratch = new Float32Array(step);
  for (let start = 0; start < count; start += step) {
    const end = Math.min(count, start + step);
    const base = decodeToF32({ dtype: options.base.dtype, bytes: slice(options.base, start, end), out: baseScratch });
    const acc = accScratch.subarray(0, end - start);
    acc.set(base);
    for (const term of options.terms) {
      if ("taskVector" in term) {
        const tau = decodeToF32({
          dtype: term.taskVector.dtype,
          bytes: slice(term.taskVector, start, end),
          out: termScratch,
        });
        addScaled({ acc, tau, weight: term.weight });
      } else {
        const finetuned = decodeToF32({
          dtype: term.finetuned.dtype,
          bytes: slice(term.finetuned, start, end),
          out: termScratch,
        });
        addScaledDifference({ acc, finetuned, base, weight: term.weight });
      }
    }
    encodeFromF32({ dtype: options.dtype, values: acc, out: out.subarray(start * outSize, end * outSize) });
  }
  return out.byteLength === count * outSize ? out : out.subarray(0, count * outSize);
}

function slice(values: EncodedValues, start: number, end: number): Uint8Array {
  const size = dtypeSize(values.dtype);
  return values.bytes.subarray(start * size, end * size);
}

/** The elements of a merge's base, which every term must share: the same range of every input. */
export function mergeOperandLength(options: { base: EncodedValues; terms: readonly MergeTerm[] }): number {
  const count = encodedLength(options.base);
  for (const [i, term] of options.terms.entries()) {
    const termCount = encodedLength("taskVector" in term ? term.taskVector : term.finetuned);
    if (termCount !== count) {
      throw new InternalError(
        `mergeChunk got ${count} base elements but ${termCount} in term ${i}; read the same range of every input.`,
        { code: "ARITHMETIC_LENGTH_MISMATCH" },
      );
    }
  }
  return count;
}
