import { InternalError } from "../errors.js";
import { canonicalNaN, checkLengths, outputFor, wordsOf } from "./float32.js";
import { vectorGroups, type GroupedMergeOptions } from "./vector-groups.js";

/**
 * τ₁ and τ₂ with w₁ and w₂, which set t = w₂ / (w₁ + w₂) and scale nothing; `axis` is `whole` (nuslerp_flatten),
 * `last` (rows) or `first` (nuslerp_row_wise: slices along the first dimension).
 */
export type NuslerpOptions = GroupedMergeOptions;

/** mergekit's thresholds: a weight sum below this gives t = 0.5; a sine below `colinear` falls back to lerp. */
const tinyWeightSum = 1e-6;
const minNorm = 1e-7;
const colinear = 1e-8;

/** t = w₂ / (w₁ + w₂) from the float32 weights, in float64; 0.5 when |w₁ + w₂| < 1e-6 (mergekit's rule). */
export function slerpFactor(weights: readonly number[]): number {
  const [w1, w2] = weights.map((w) => Math.fround(w)) as [number, number];
  return Math.abs(w1 + w2) < tinyWeightSum ? 0.5 : w2 / (w1 + w2);
}

/**
 * Task-vector SLERP (Shoemake 1985, as mergekit's `nuslerp` with a base model): θ = θ_base + slerp(t, τ₁, τ₂), the
 * spherical interpolation between the two task vectors, per vector group (the whole tensor, or each slice along an
 * axis). Per group, in float64 over the float32 values, in element order:
 *
 *   a = Σ τ₁², b = Σ τ₂², d = Σ τ₁·τ₂;  cos = clamp(d / (max(√a, 1e-7) · max(√b, 1e-7)), −1, 1)
 *   θ = Math.acos(cos), s = Math.sin(θ);  c₁ = sin((1 − t)·θ) / s, c₂ = sin(t·θ) / s,  or c₁ = 1 − t, c₂ = t when |s| <
 * 1e-8
 *   per element, in float32: out = fround(base + fround(fround(fround(c₁)·τ₁) + fround(fround(c₂)·τ₂)))
 *
 * Math.acos and Math.sin are the engine's (V8's fdlibm port, the same on every platform); their results enter the
 * float32 arithmetic only as the two coefficients rounded to float32. A NaN gives the canonical NaN.
 */
export function nuslerp(options: NuslerpOptions): Float32Array {
  const { base, taskVectors } = options;
  const n = base.length;
  if (taskVectors.length !== 2 || options.weights.length !== 2) {
    throw new InternalError(
      `SLERP interpolates between exactly two task vectors, got ${taskVectors.length} and ${options.weights.length} ` +
        "weights.",
      {
        code: "ARITHMETIC_WEIGHTS_MISMATCH",
      },
    );
  }
  const [first, second] = taskVectors as [Float32Array, Float32Array];
  checkLengths("nuslerp", n, first, second);
  const out = outputFor("nuslerp", n, options.out);
  const outWords = wordsOf(out);
  const t = slerpFactor(options.weights);
  const groups = vectorGroups({ n, axis: options.axis, ...(options.shape ? { shape: options.shape } : {}) });
  for (let g = 0; g < groups.count; g++) {
    const start = g * groups.step;
    let a = 0;
    let b = 0;
    let d = 0;
    for (let k = 0; k < groups.length; k++) {
      const e = start + k * groups.stride;
      a += first[e]! * first[e]!;
      b += second[e]! * second[e]!;
      d += first[e]! * second[e]!;
    }
    const cos = Math.min(1, Math.max(-1, d / (Math.max(Math.sqrt(a), minNorm) * Math.max(Math.sqrt(b), minNorm))));
    const theta = Math.acos(cos);
    const sin = Math.sin(theta);
    const lerp = Math.abs(sin) < colinear;
    const c1 = Math.fround(lerp ? 1 - t : Math.sin((1 - t) * theta) / sin);
    const c2 = Math.fround(lerp ? t : Math.sin(t * theta) / sin);
    for (let k = 0; k < groups.length; k++) {
      const e = start + k * groups.stride;
      const result = Math.fround(base[e]! + Math.fround(Math.fround(c1 * first[e]!) + Math.fround(c2 * second[e]!)));
      if (result === result) out[e] = result;
      else outWords[e] = canonicalNaN;
    }
  }
  return out;
}
