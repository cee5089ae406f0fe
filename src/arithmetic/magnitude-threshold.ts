import { InternalError } from "../errors.js";
import { wordsOf } from "./float32.js";

/**
 * Which elements are the k largest in magnitude: those whose magnitude bits exceed `bits`, plus the
 * first `keepAtThreshold` (lowest index first) of those whose magnitude bits equal it. Magnitudes
 * are compared as the float32 bit patterns of |x|, which order like the values and put NaN above
 * +Inf, so a NaN is always kept and shows in the output instead of vanishing.
 */
export interface MagnitudeThreshold {
  /** The bit pattern of the k-th largest |x|; 0x80000000 (above every magnitude) when k = 0. */
  bits: number;
  keepAtThreshold: number;
}

export interface MagnitudeThresholdOptions {
  values: Float32Array;
  /** How many elements to keep, 0 ≤ k ≤ values.length. */
  k: number;
}

/**
 * The top-k threshold by radix selection over the magnitude bits: one pass for a histogram of the
 * high 16 bits, one for the low 16 bits within the threshold's bucket. O(n), no sort, 512 KiB of
 * counts, and exact: ties at the threshold are kept by index, so exactly k elements survive.
 */
export function magnitudeThreshold(options: MagnitudeThresholdOptions): MagnitudeThreshold {
  const { values, k } = options;
  const n = values.length;
  if (!Number.isSafeInteger(k) || k < 0 || k > n) {
    throw new InternalError(`magnitudeThreshold needs 0 ≤ k ≤ ${n}, got ${k}.`, { code: "ARITHMETIC_BAD_K" });
  }
  if (k === 0) return { bits: 0x80000000, keepAtThreshold: 0 };
  const words = wordsOf(values);
  const counts = new Float64Array(65536);
  for (let i = 0; i < n; i++) counts[(words[i]! & 0x7fffffff) >>> 16]!++;
  let above = 0;
  let high = 0x7fff;
  while (above + counts[high]! < k) above += counts[high--]!;
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const magnitude = words[i]! & 0x7fffffff;
    if (magnitude >>> 16 === high) counts[magnitude & 0xffff]!++;
  }
  let low = 0xffff;
  while (above + counts[low]! < k) above += counts[low--]!;
  return { bits: ((high << 16) | low) >>> 0, keepAtThreshold: k - above };
}

/** k = round(density · n), but at least 1 when density > 0 and n > 0, so a small tensor is not silently emptied. */
export function keepCount(density: number, n: number): number {
  if (n === 0 || density <= 0) return 0;
  if (density >= 1) return n;
  return Math.min(n, Math.max(1, Math.round(density * n)));
}
