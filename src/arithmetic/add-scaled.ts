import { canonicalNaN, checkLengths, wordsOf } from "./float32.js";

export interface AddScaledOptions {
  /** The running sum, updated in place. */
  acc: Float32Array;
  tau: Float32Array;
  /** λ; rounded to float32 before use. */
  weight: number;
}

/** One step of a merge: acc[i] = fround(acc[i] + fround(λ32 · τ[i])), NaN canonical. */
export function addScaled(options: AddScaledOptions): Float32Array {
  const { acc, tau } = options;
  const n = acc.length;
  checkLengths("addScaled", n, tau);
  const weight = Math.fround(options.weight);
  const words = wordsOf(acc);
  for (let i = 0; i < n; i++) {
    const sum = acc[i]! + Math.fround(weight * tau[i]!);
    if (sum === sum) acc[i] = sum;
    else words[i] = canonicalNaN;
  }
  return acc;
}

export interface AddScaledDifferenceOptions {
  /** The running sum, updated in place. */
  acc: Float32Array;
  finetuned: Float32Array;
  base: Float32Array;
  /** λ; rounded to float32 before use. */
  weight: number;
}

/**
 * One step of a merge whose task vector is computed on the fly:
 * acc[i] = fround(acc[i] + fround(λ32 · fround(finetuned[i] − base[i]))), bit-identical to
 * `subtract` followed by `addScaled`.
 */
export function addScaledDifference(options: AddScaledDifferenceOptions): Float32Array {
  const { acc, finetuned, base } = options;
  const n = acc.length;
  checkLengths("addScaledDifference", n, finetuned, base);
  const weight = Math.fround(options.weight);
  const words = wordsOf(acc);
  for (let i = 0; i < n; i++) {
    const sum = acc[i]! + Math.fround(weight * Math.fround(finetuned[i]! - base[i]!));
    if (sum === sum) acc[i] = sum;
    else words[i] = canonicalNaN;
  }
  return acc;
}
