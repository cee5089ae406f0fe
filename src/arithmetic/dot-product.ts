import { checkLengths } from "./float32.js";

export interface DotProductOptions {
  a: Float32Array;
  b: Float32Array;
  /** The running total from the previous chunks. @default 0 */
  initial?: number;
}

/**
 * initial + Σ a[i]·b[i], accumulated in float64 in index order (a product of two float32 values
 * is exact in float64), so chunking does not change it when the total is carried. For cosine
 * similarity: dot / √(sumOfSquares(a) · sumOfSquares(b)).
 */
export function dotProduct(options: DotProductOptions): number {
  const { a, b } = options;
  checkLengths("dotProduct", a.length, b);
  let sum = options.initial ?? 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
