import { wordsOf, outputFor } from "../float32.js";
import { keepCount, magnitudeThreshold } from "../magnitude-threshold.js";

export interface MagnitudePruneOptions {
  /** One whole tensor: the top-k is per tensor. */
  values: Float32Array;
  /** Fraction of elements to keep, in (0, 1]. */
  density: number;
  /** May be `values` itself. @default a new array */
  out?: Float32Array;
}

/**
 * Keeps the k = keepCount(density, n) elements of largest magnitude unchanged and sets the others
 * to +0 (TIES' "trim" step, Yadav et al. 2023, applied per tensor as mergekit and PEFT do; the
 * paper's code takes the top-k over the whole flattened model and keeps one extra element). Ties at
 * the threshold are broken by index, lowest first, so exactly k elements survive. No rescaling.
 */
export function magnitudePrune(options: MagnitudePruneOptions): Float32Array {
  const { values } = options;
  const n = values.length;
  const out = outputFor("magnitudePrune", n, options.out);
  const threshold = magnitudeThreshold({ values, k: keepCount(options.density, n) });
  const words = wordsOf(values);
  let ties = threshold.keepAtThreshold;
  for (let i = 0; i < n; i++) {
    const magnitude = words[i]! & 0x7fffffff;
    if (magnitude > threshold.bits || (magnitude === threshold.bits && ties-- > 0)) out[i] = values[i]!;
    else out[i] = 0;
  }
  return out;
}
