import { InternalError } from "../errors.js";
import { canonicalNaN, checkLengths, outputFor, wordsOf } from "./float32.js";
import { vectorGroups, type GroupedMergeOptions } from "./vector-groups.js";

/** At least two task vectors; `axis` is `whole` (mergekit's default) or `last`, one t per row (filter_wise). */
export type ModelStockOptions = GroupedMergeOptions;

/** mergekit's floor under the product of two norms, so that a zero task vector has cosine 0 rather than NaN. */
const minNormProduct = 1e-6;

/**
 * Model Stock (Jang et al., "Model Stock: All we need is just a few fine-tuned models", ECCV 2024), on task vectors:
 * the average of the fine-tunes is pulled towards the base by t = N·cos θ / (1 + (N − 1)·cos θ), where θ is the angle
 * between the fine-tunes' task vectors (the mean of the pairwise cosines for N > 2, as mergekit takes it).
 * Per vector group (the tensor, or each row), with v_i = fround(λ32_i · τ_i):
 *
 *   d_ik = Σ_e v_i[e]·v_k[e]  (float64, element order; a float32 product is exact in float64), n_i = √d_ii
 *   c_ik = clamp(d_ik / max(n_i·n_k, 1e-6), −1, 1);  c = (Σ_{i<k} c_ik, pairs in order) / (N(N−1)/2)
 *   t = N·c / (1 + (N − 1)·c), or 0 where 1 + (N − 1)·c = 0;  t32 = fround(t)
 *   per element: M = +0; for i in order: M = fround(M + v_i);  out = fround(base + fround(t32 · fround(M / N)))
 *
 * which is mergekit's t·mean(θ_i) + (1 − t)·θ_base written on task vectors. A NaN gives the canonical NaN.
 */
export function modelStock(options: ModelStockOptions): Float32Array {
  const { base, taskVectors } = options;
  const n = base.length;
  const count = taskVectors.length;
  checkLengths("modelStock", n, ...taskVectors);
  if (count < 2 || options.weights.length !== count) {
    throw new InternalError(
      `Model Stock needs at least two task vectors and one weight each, got ${count} and ${options.weights.length}.`,
      {
        code: "ARITHMETIC_WEIGHTS_MISMATCH",
      },
    );
  }
  const out = outputFor("modelStock", n, options.out);
  const outWords = wordsOf(out);
  const weights = options.weights.map((weight) => Math.fround(weight));
  const groups = vectorGroups({ n, axis: options.axis, ...(options.shape ? { shape: options.shape } : {}) });
  const v = taskVectors.map((tau, i) => tau.map((x) => weights[i]! * x));
  const products = new Float64Array(count * count);
  for (let g = 0; g < groups.count; g++) {
    const first = g * groups.step;
    products.fill(0);
    for (let k = 0; k < groups.length; k++) {
      const e = first + k * groups.stride;
      for (let a = 0; a < count; a++) for (let b = a; b < count; b++) products[a * count + b]! += v[a]![e]! * v[b]![e]!;
    }
    let cosines = 0;
    for (let a = 0; a < count; a++) {
      for (let b = a + 1; b < count; b++) {
        const normProduct = Math.sqrt(products[a * count + a]!) * Math.sqrt(products[b * count + b]!);
        cosines += Math.min(1, Math.max(-1, products[a * count + b]! / Math.max(normProduct, minNormProduct)));
      }
    }
    const c = cosines / ((count * (count - 1)) / 2);
    const denominator = 1 + (count - 1) * c;
    const t = Math.fround(denominator === 0 ? 0 : (count * c) / denominator);
    for (let k = 0; k < groups.length; k++) {
      const e = first + k * groups.stride;
      let sum = 0;
      for (let i = 0; i < count; i++) sum = Math.fround(sum + v[i]![e]!);
      const result = Math.fround(base[e]! + Math.fround(t * Math.fround(sum / count)));
      if (result === result) out[e] = result;
      else outWords[e] = canonicalNaN;
    }
  }
  return out;
}
