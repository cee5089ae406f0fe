import { canonicalNaN, checkLengths, outputFor, wordsOf } from "./float32.js";

export interface SubtractOptions {
  finetuned: Float32Array;
  base: Float32Array;
  /** May be `finetuned` or `base` itself. @default a new array */
  out?: Float32Array;
}

/** τ[i] = fround(finetuned[i] − base[i]), NaN canonical: the task vector of one chunk. */
export function subtract(options: SubtractOptions): Float32Array {
  const { finetuned, base } = options;
  const n = finetuned.length;
  checkLengths("subtract", n, base);
  const out = outputFor("subtract", n, options.out);
  const words = wordsOf(out);
  for (let i = 0; i < n; i++) {
    const difference = finetuned[i]! - base[i]!;
    if (difference === difference) out[i] = difference;
    else words[i] = canonicalNaN;
  }
  return out;
}
