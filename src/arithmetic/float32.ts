import { InternalError } from "../errors.js";
import { dtypeSize, type ComputableDtype } from "../tensor/dtype.js";
import { quietNaNBits } from "../tensor/float-bits.js";

/**
 * Conventions every kernel in this folder follows (DESIGN.md "Arithmetic semantics (exact)").
 *
 * - Values are float32 and every operation is a float32 operation. Storing a double into a
 *   Float32Array rounds it to nearest even exactly as `Math.fround` does, and a sum, difference or
 *   product of two float32 values computed in double and rounded once equals the float32 operation
 *   (double has more than 2·24 + 2 bits), so `out[i] = a[i] - b[i]` is the float32 subtraction.
 *   Products that feed another operation are rounded explicitly with `Math.fround` first.
 * - Scalars are rounded to float32 before use: `λ32 = Math.fround(λ)`.
 * - Every NaN a kernel computes is written as the canonical quiet NaN 0x7fc00000. ECMAScript and
 *   WebAssembly both leave the sign and payload of an arithmetic NaN to the engine, so without this
 *   two correct implementations could write different bytes. (Decoding and encoding alone keep a
 *   NaN's sign; only computed values are canonical.)
 */
export const canonicalNaN = quietNaNBits.F32;

/** What a bytes-to-bytes kernel (task vector, merge) writes, where, and how much it decodes at once. */
export interface ByteKernelOutput {
  /** The dtype of the result's bytes. */
  dtype: ComputableDtype;
  /** At least `elements · dtypeSize(dtype)` bytes, any byteOffset. @default a new Uint8Array */
  out?: Uint8Array;
  /**
   * Elements decoded per step: memory holds one step of float32 per operand (and the sum) besides the bytes.
   * @default 65536
   */
  chunkElements?: number;
}

/** Where a JavaScript bytes-to-bytes kernel over `count` elements writes, and how many elements it decodes a step. */
export function byteKernelSteps(count: number, options: ByteKernelOutput) {
  const outSize = dtypeSize(options.dtype);
  const out = options.out ?? new Uint8Array(count * outSize);
  return { out, outSize, step: Math.min(chunkSize(options.chunkElements), Math.max(count, 1)) };
}

/** Elements per step of the byte-level kernels: 64 Ki, 256 KiB of float32 per operand. */
export const defaultChunkElements = 65536;

/** The bits of a Float32Array, to write canonical NaNs. */
export function wordsOf(values: Float32Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length);
}

/** Throws unless every array has `length` elements: the kernels pair elements by index. */
export function checkLengths(what: string, length: number, ...arrays: readonly { length: number }[]): void {
  for (const array of arrays) {
    if (array.length !== length) {
      throw new InternalError(
        `${what} got operands of ${length} and ${array.length} elements; they must have the same length.`,
        {
          code: "ARITHMETIC_LENGTH_MISMATCH",
        },
      );
    }
  }
}

/** `out`, checked to have `length` elements, or a new array. */
export function outputFor(what: string, length: number, out: Float32Array | undefined): Float32Array {
  if (!out) return new Float32Array(length);
  checkLengths(what, length, out);
  return out;
}

/** `chunkElements` validated: a whole number ≥ 1. */
export function chunkSize(chunkElements: number | undefined): number {
  const size = chunkElements ?? defaultChunkElements;
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new InternalError(`chunkElements must be a whole number ≥ 1, not ${size}.`, { code: "ARITHMETIC_BAD_CHUNK" });
  }
  return size;
}
