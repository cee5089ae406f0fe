export interface SumOfSquaresOptions {
  values: Float32Array;
  /** The running total from the previous chunks. @default 0 */
  initial?: number;
}

/**
 * initial + Σ values[i]², accumulated in float64 in index order (a float32 square is exact in
 * float64; each addition rounds once). Carrying the total through `initial` makes the result
 * independent of how a tensor is chunked. √ of it is the L2 norm. NaN and ±Inf propagate.
 */
export function sumOfSquares(options: SumOfSquaresOptions): number {
  const { values } = options;
  let sum = options.initial ?? 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    sum += value * value;
  }
  return sum;
}
