import { InternalError } from "../errors.js";
import { deriveStream, fillRandom, type RandomStream } from "../util/rng.js";
import { canonicalNaN, checkLengths, outputFor, wordsOf } from "./float32.js";
import { keepCount, magnitudeThreshold } from "./magnitude-threshold.js";

/** How each τ_i is sparsified before weighting. */
export type Sparsification =
  | { kind: "none" }
  /** TIES' trim: keep the top `density` fraction by magnitude, per tensor. */
  | { kind: "magnitude"; density: number }
  /** DARE: drop with probability `dropRate`, rescale survivors by 1/(1 − p). */
  | { kind: "dare"; dropRate: number; seed: number; tensorName: string }
  /**
   * Model Breadcrumbs: drop the `gamma` fraction largest by magnitude (outliers) and keep the next `density`, per
   * tensor.
   */
  | { kind: "breadcrumbs"; density: number; gamma: number }
  /**
   * DELLA's MAGPRUNE: within each row of `rowLength` elements, keep with a probability that grows with the magnitude's
   * rank, from density − ε to density + ε, and rescale each survivor by 1/its probability.
   */
  | { kind: "della"; density: number; epsilon: number; rowLength: number; seed: number; tensorName: string };

/** How the weighted vectors combine. */
export type Consensus =
  /** acc = base; acc = fround(acc + fround(λ32 · v_i)) in order (λ = 1 unless given, and fround(1 · v) = v). */
  | { kind: "sum"; lambda?: number }
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
  /**
   * Index of element 0 within the tensor (DARE's stream position). Must be 0 for magnitude sparsification. @default 0
   */
  offset?: number;
  /** @default a new array */
  out?: Float32Array;
}

// Random words and per-vector scratch are handled in slices of this many elements.
const slice = 4096;

/**
 * The kernel behind the registry's sparsify-then-combine methods, in the shape of mergekit's generalized task
 * arithmetic (sparsify → weight → combine), with the exact float32 order:
 *
 *   ŝ_i[j] = τ_i[j]                         (none)
 *          | kept ? τ_i[j] : +0             (magnitude: the top k = keepCount(density, n) by |τ_i|,
 *                                             ties at the threshold kept lowest index first)
 *          | u_i[j] < p·2^32 ? +0 : fround(τ_i[j] / fround(1 − p))   (dare; u_i[j] is word j of the
 *                                             stream deriveStream({ seed, labels: ["dare", tensorName, i] }))
 *          | in top(o + k) and not in top(o) ? τ_i[j] : +0          (breadcrumbs; k = keepCount(density, n),
 *                                             o = min(round(gamma·n), n − k), top(x) as in magnitude)
 *          | u_i[j] < (1 − q)·2^32 ? +0 : fround(τ_i[j] / fround(q))  (della; u_i[j] as in dare; r = the rank
 *                                             of |τ_i[j]| in its row, ascending, ties lowest index first; L the
 *                                             row length; q = (density − ε) + ((r / (L − 1)) · 2) · ε in float64,
 *                                             q = density when L = 1)
 *   v_i[j] = fround(λ32_i · ŝ_i[j])
 *   sum:   acc = base[j]; for i in order: acc = fround(acc + fround(λ32 · v_i[j])); out[j] = acc
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
    throw new InternalError(`A merge got ${m} task vectors but ${options.weights.length} weights.`, {
      code: "ARITHMETIC_WEIGHTS_MISMATCH",
    });
  }
  const offset = options.offset ?? 0;
  if (
    (sparsification.kind === "magnitude" || sparsification.kind === "breadcrumbs" || sparsification.kind === "della") &&
    offset !== 0
  ) {
    throw new InternalError(
      `${sparsification.kind} sparsification needs whole tensors (it ranks their elements), not a chunk at an offset.`,
      {
        code: "ARITHMETIC_NEEDS_WHOLE_TENSOR",
      },
    );
  }
  const out = outputFor("generalizedMerge", n, options.out);
  const outWords = wordsOf(out);
  const weights = options.weights.map((weight) => Math.fround(weight));
  const lambda = Math.fround(consensus.lambda ?? 1);

  // Per-vector state for the sparsification.
  const words = taskVectors.map(wordsOf);
  const top = topSets(sparsification, taskVectors, n);
  const random = randomStreams(sparsification, m, n);
  const della = sparsification.kind === "della" ? dellaRows(sparsification, m, n) : undefined;
  const keepFrom = sparsification.kind === "dare" ? sparsification.dropRate * 2 ** 32 : 0;
  const divisor = sparsification.kind === "dare" ? Math.fround(1 - sparsification.dropRate) : 1;

  const v = new Float64Array(m);
  for (let start = 0; start < n; start += slice) {
    const end = Math.min(n, start + slice);
    for (let i = 0; i < random.streams.length; i++) {
      fillRandom({ stream: random.streams[i]!, start: offset + start, out: random.words[i]!.subarray(0, end - start) });
    }
    for (let j = start; j < end; j++) {
      if (della !== undefined && j % della.rowLength === 0) della.rankRow(taskVectors, j);
      // v_i[j] for every vector.
      for (let i = 0; i < m; i++) {
        const tau = taskVectors[i]![j]!;
        let sparse = tau;
        if (top.length > 0) {
          const magnitude = words[i]![j]! & 0x7fffffff;
          // Every set is asked about every element, in index order: each counts its own ties at the threshold.
          let kept = true;
          for (const set of top[i]!) kept = set.contains(magnitude) === set.keep && kept;
          sparse = kept ? tau : 0;
        } else if (sparsification.kind === "dare") {
          sparse = random.words[i]![j - start]! < keepFrom ? 0 : Math.fround(tau / divisor);
        } else if (della !== undefined) {
          const q = della.keepProbability(i, j);
          sparse = random.words[i]![j - start]! < (1 - q) * 2 ** 32 ? 0 : Math.fround(tau / Math.fround(q));
        }
        v[i] = Math.fround(weights[i]! * sparse);
      }
      let result: number;
      if (consensus.kind === "sum") {
        result = base[j]!;
        for (let i = 0; i < m; i++) result = Math.fround(result + Math.fround(lambda * v[i]!));
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

/** Membership in the top k by magnitude (ties at the threshold: the first ones by index), asked in index order. */
interface TopSet {
  /** Whether an element must be in the set (true) or out of it (false) to be kept. */
  keep: boolean;
  contains(magnitude: number): boolean;
}

function topSet(values: Float32Array, k: number, keep: boolean): TopSet {
  const threshold = magnitudeThreshold({ values, k });
  let ties = threshold.keepAtThreshold;
  return { keep, contains: (magnitude) => magnitude > threshold.bits || (magnitude === threshold.bits && ties-- > 0) };
}

/** Per vector, the top sets an element must be in (and out of) to survive: none, TIES' top k, or Breadcrumbs' band. */
function topSets(sparsification: Sparsification, taskVectors: readonly Float32Array[], n: number): TopSet[][] {
  if (sparsification.kind === "magnitude") {
    return taskVectors.map((values) => [topSet(values, keepCount(sparsification.density, n), true)]);
  }
  if (sparsification.kind === "breadcrumbs") {
    const { kept, outliers } = breadcrumbsCounts(sparsification.density, sparsification.gamma, n);
    return taskVectors.map((values) => [topSet(values, outliers + kept, true), topSet(values, outliers, false)]);
  }
  return [];
}

/**
 * How many entries Breadcrumbs keeps and how many of the largest it drops first: k = keepCount(density, n), and
 * o = round(gamma·n), lowered to n − k when k + o would exceed n (as mergekit lowers its outlier count).
 */
export function breadcrumbsCounts(density: number, gamma: number, n: number): { kept: number; outliers: number } {
  const kept = keepCount(density, n);
  return { kept, outliers: Math.min(Math.round(gamma * n), n - kept) };
}

/** DARE's and DELLA's streams, one per vector, keyed by (seed, tensor, vector index), with their word buffers. */
function randomStreams(
  sparsification: Sparsification,
  m: number,
  n: number,
): { streams: RandomStream[]; words: Uint32Array[] } {
  if (sparsification.kind !== "dare" && sparsification.kind !== "della") return { streams: [], words: [] };
  const streams = Array.from({ length: m }, (_, i) =>
    deriveStream({ seed: sparsification.seed, labels: ["dare", sparsification.tensorName, i] }),
  );
  return { streams, words: streams.map(() => new Uint32Array(Math.min(slice, n))) };
}

/** DELLA's ranks for the current row of every vector, and each element's keep probability from its rank. */
function dellaRows(sparsification: Extract<Sparsification, { kind: "della" }>, m: number, n: number) {
  const { density, epsilon } = sparsification;
  const rowLength = Math.max(1, Math.min(sparsification.rowLength, n));
  if (n % rowLength !== 0) {
    throw new InternalError(`DELLA got ${n} elements in rows of ${rowLength}; give whole rows.`, {
      code: "ARITHMETIC_BAD_ROWS",
    });
  }
  const ranks = Array.from({ length: m }, () => new Uint32Array(rowLength));
  const keys = new Float64Array(rowLength);
  let rowStart = 0;
  return {
    rowLength,
    /** Ranks the row that starts at `start` in every vector: ascending magnitude, ties lowest index first. */
    rankRow(taskVectors: readonly Float32Array[], start: number): void {
      rowStart = start;
      for (let i = 0; i < m; i++)
        rankByMagnitude(wordsOf(taskVectors[i]!).subarray(start, start + rowLength), keys, ranks[i]!);
    },
    keepProbability(i: number, j: number): number {
      if (rowLength === 1) return density;
      return density - epsilon + (ranks[i]![j - rowStart]! / (rowLength - 1)) * 2 * epsilon;
    },
  };
}

/**
 * rank[x] = the position of element x when the row is sorted by |value| ascending, ties by index: the magnitude bits
 * (31 of them, NaN above +Inf) and the index packed into one exact double, so a numeric sort orders both at once.
 */
function rankByMagnitude(row: Int32Array, keys: Float64Array, rank: Uint32Array): void {
  const length = row.length;
  if (length > 2 ** 22) {
    const order = Array.from({ length }, (_, x) => x).sort(
      (a, b) => (row[a]! & 0x7fffffff) - (row[b]! & 0x7fffffff) || a - b,
    );
    order.forEach((x, position) => (rank[x] = position));
    return;
  }
  for (let x = 0; x < length; x++) keys[x] = (row[x]! & 0x7fffffff) * 2 ** 22 + x;
  const sorted = keys.subarray(0, length).sort();
  for (let position = 0; position < length; position++) rank[sorted[position]! % 2 ** 22] = position;
}
