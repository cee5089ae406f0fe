import { InternalError } from "../errors.js";
import { deriveStream, fillRandom } from "../util/rng.js";
import { canonicalNaN, checkLengths, outputFor, wordsOf } from "./float32.js";
import { keepCount, magnitudeThreshold } from "./magnitude-threshold.js";

/** How each τ_i is sparsified before weighting. */
export type Sparsification =
  | { kind: "none" }
  /** TIES' trim: keep the top `density` fraction by magnitude, per tensor. */
  | { kind: "magnitude"; density: number }
  /** DARE: drop with probability `dropRate`, rescale survivors by 1/(1 − p). */
  | { kind: "dare"; dropRate: number; seed: number; tensorName: string };

/** How the weighted vectors combine. */
export type Consensus =
  /** acc = base; acc = fround(acc + v_i) in order. */
  | { kind: "sum" }
  /** TIES: elect the sign of Σ v_i, average the agreeing v_i, scale by λ, add to base. */
  | { kind: "ties"; lambda: number };

export interface GeneralizedMergeOptions {
  base: Float32Array;
  /** τ_i in recipe order; never modified. */
  taskVectors: readonly Float32Array[];
  /** λ_i, one per task vector; each rounded to float32. */
  weights: readonly number[];
  sparsification: Sparsification;
  consensus: Consensus;
  /** Index of element 0 within the tensor (DARE's stream position). Must be 0 for magnitude sparsification. @default 0 */
  offset?: number;
  /** @default a new array */
  out?: Float32Array;
}

// Random words and per-vector scratch are handled in slices of this many elements.
const slice = 4096;

/**
 * The one kernel behind every method in the registry, in the shape of mergekit's generalized task
 * arithmetic (sparsify → weight → combine), with the exact float32 order:
 *
 *   ŝ_i[j] = τ_i[j]                         (none)
 *          | kept ? τ_i[j] : +0             (magnitude: the top k = keepCount(density, n) by |τ_i|,
 *                                             ties at the threshold kept lowest index first)
 *          | u_i[j] < p·2^32 ? +0 : fround(τ_i[j] / fround(1 − p))   (dare; u_i[j] is word j of the
 *                                             stream deriveStream({ seed, labels: ["dare", tensorName, i] }))
 *   v_i[j] = fround(λ32_i · ŝ_i[j])
 *   sum:   acc = base[j]; for i in order: acc = fround(acc + v_i[j]); out[j] = acc
 *   ties:  S = +0; for i in order: S = fround(S + v_i[j]);  γ = sign(S) (0 when S = ±0)
 *          A = { i : v_i[j] ≠ 0 and sign(v_i[j]) = γ };  M = +0; for i in A in order: M = fround(M + v_i[j])
 *          τ_m = |A| > 0 ? fround(M / |A|) : +0;  out[j] = fround(base[j] + fround(λ32 · τ_m))
 *
 * NaN anywhere in an element's arithmetic gives the canonical NaN (for ties, a NaN sum S gives τ_m = NaN).
 */
export function generalizedMerge(options: GeneralizedMergeOptions): Float32Array {
  const { base, taskVectors, sparsification, consensus } = options;
  const n = base.length;
  const m = taskVectors.length;
  checkLengths("generalizedMerge", n, ...taskVectors);
  if (options.weights.length !== m) {
    throw new InternalError(`A merge got ${m} task vectors but ${options.weights.length} weights.`, { code: "ARITHMETIC_WEIGHTS_MISMATCH" });
  }
  const offset = options.offset ?? 0;
  if (sparsification.kind === "magnitude" && offset !== 0) {
    throw new InternalError("Magnitude sparsification needs whole tensors (its top-k is per tensor), not a chunk at an offset.", {
      code: "ARITHMETIC_NEEDS_WHOLE_TENSOR",
    });
  }
  const out = outputFor("generalizedMerge", n, options.out);
  const outWords = wordsOf(out);
  const weights = options.weights.map((weight) => Math.fround(weight));
  const lambda = consensus.kind === "ties" ? Math.fround(consensus.lambda) : 1;

  // Per-vector state for the sparsification.
  const words = taskVectors.map(wordsOf);
  const thresholds = sparsification.kind === "magnitude" ? taskVectors.map((values) => magnitudeThreshold({ values, k: keepCount(sparsification.density, n) })) : [];
  const tiesLeft = thresholds.map((threshold) => threshold.keepAtThreshold);
  const streams = sparsification.kind === "dare" ? taskVectors.map((_, i) => deriveStream({ seed: sparsification.seed, labels: ["dare", sparsification.tensorName, i] })) : [];
  const random = streams.map(() => new Uint32Array(Math.min(slice, n)));
  const keepFrom = sparsification.kind === "dare" ? sparsification.dropRate * 2 ** 32 : 0;
  const divisor = sparsification.kind === "dare" ? Math.fround(1 - sparsification.dropRate) : 1;

  const v = new Float64Array(m);
  for (let start = 0; start < n; start += slice) {
    const end = Math.min(n, start + slice);
    for (let i = 0; i < streams.length; i++) {
      fillRandom({ stream: streams[i]!, start: offset + start, out: random[i]!.subarray(0, end - start) });
    }
    for (let j = start; j < end; j++) {
      // v_i[j] for every vector.
      for (let i = 0; i < m; i++) {
        const tau = taskVectors[i]![j]!;
        let sparse = tau;
        if (sparsification.kind === "magnitude") {
          const magnitude = words[i]![j]! & 0x7fffffff;
          const threshold = thresholds[i]!;
          const kept = magnitude > threshold.bits || (magnitude === threshold.bits && tiesLeft[i]!-- > 0);
          sparse = kept ? tau : 0;
        } else if (sparsification.kind === "dare") {
          sparse = random[i]![j - start]! < keepFrom ? 0 : Math.fround(tau / divisor);
        }
        v[i] = Math.fround(weights[i]! * sparse);
      }
      let result: number;
      if (consensus.kind === "sum") {
        result = base[j]!;
        for (let i = 0; i < m; i++) result = Math.fround(result + v[i]!);
      } else {
        let sum = 0;
        for (let i = 0; i < m; i++) sum = Math.fround(sum + v[i]!);
        let mean = 0;
        if (sum !== sum) {
          mean = NaN;
        } else if (sum !== 0) {
          let agreeing = 0;
          let count = 0;
          for (let i = 0; i < m; i++) {
            const value = v[i]!;
            if (sum > 0 ? value > 0 : value < 0) {
              agreeing = Math.fround(agreeing + value);
              count++;
            }
          }
          mean = Math.fround(agreeing / count);
        }
        result = Math.fround(base[j]! + Math.fround(lambda * mean));
      }
      if (result === result) out[j] = result;
      else outWords[j] = canonicalNaN;
    }
  }
  return out;
}
