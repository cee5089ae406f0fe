import { checkLengths } from "./float32.js";

export interface MaxAbsDifferenceOptions {
  a: Float32Array;
  b: Float32Array;
  /** The maximum so far, from the previous chunks. @default 0 */
  initial?: number;
}

/**
 * max(initial, max |a[i] − b[i]|), in float64 (exact for float32 inputs up to the final rounding).
 * Equal values differ by 0, NaN against NaN and an infinity against the same infinity included;
 * a NaN against anything else, or opposite infinities, differ by Infinity, so a result below any
 * tolerance means the arrays agree.
 */
export function maxAbsDifference(options: MaxAbsDifferenceOptions): number {
  const { a, b } = options;
  checkLengths("maxAbsDifference", a.length, b);
  let max = options.initial ?? 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    const difference = Math.abs(x - y);
    if (difference > max) max = difference;
    else if (difference !== difference && (x === x || y === y)) max = Infinity;
  }
  return max;
}
