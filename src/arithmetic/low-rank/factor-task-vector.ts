import { DataError } from "../../errors.js";
import { decodeToF32 } from "../../tensor/decode-to-f32.js";
import type { ComputableDtype } from "../../tensor/dtype.js";
import { encodeFromF32 } from "../../tensor/encode-from-f32.js";
import { deriveStream } from "../../util/rng.js";
import type { MatrixKernels } from "./matrix-kernels.js";
import { randomizedSvd, roundUp4, type TruncatedSvd } from "./randomized-svd.js";

/** How many components each tensor keeps. */
export type RankPolicy = { kind: "fixed"; rank: number } | { kind: "auto"; maxError: number; maxRank?: number };

/** The randomized SVD's parameters, recorded in the card and tvhub.json. */
export interface SvdParameters {
  /** Extra sketch columns beyond the rank (Halko et al. recommend 5–10). */
  oversampling: number;
  /** Power iterations (torch.svd_lowrank's niter). */
  iterations: number;
  /** Seeds the Gaussian test matrix; each tensor's stream is keyed by the seed and its name. */
  seed: number;
}

export const defaultSvdParameters: SvdParameters = { oversampling: 10, iterations: 2, seed: 0 };

export interface FactorTaskVectorOptions {
  kernels: MatrixKernels;
  /** τ (rows × cols) already in the kernels' heap from offset 0, leading dimension roundUp4(cols), padding zero. */
  rows: number;
  cols: number;
  /** The tensor's name: it keys the random stream, so a tensor gets the same factors whatever else is in the run. */
  name: string;
  policy: RankPolicy;
  svd: SvdParameters;
  /** The dtype the factors are stored in; the error is measured on the stored (rounded) values. */
  dtype: ComputableDtype;
}

/** τ ≈ B·A, with A = √S·Vᵀ (rank × cols) and B = U·√S (rows × rank), as the stored values. */
export interface LowRankFactors {
  rank: number;
  /** rank × cols, row-major. */
  a: Float32Array;
  /** rows × rank, row-major. */
  b: Float32Array;
  /** ‖τ‖_F (float64). */
  norm: number;
  /** ‖τ − B·A‖_F / ‖τ‖_F, measured on the stored factors (0 when τ = 0). */
  relativeError: number;
  /** Σ_{i ≤ rank} σᵢ² / ‖τ‖², the share of τ's energy the kept singular values carry. */
  retainedEnergy: number;
  /** The sketch's width of the SVD that was kept (rank + oversampling, capped by the shape). */
  width: number;
}

/**
 * Truncated SVD of one 2-D task vector into LoRA factors, by randomizedSvd. A fixed rank keeps min(rank, rows, cols)
 * components. `auto` keeps the fewest components whose measured relative error is at most `maxError`: the sketch
 * starts at 32 components and doubles (up to the full rank) until the singular values say the target is within
 * reach, the rank is read off the tail energy, and then raised one at a time while the measured error of the stored
 * factors is still above the target.
 */
export function factorTaskVector(options: FactorTaskVectorOptions): LowRankFactors {
  const { kernels, rows: m, cols: n, name, policy, svd, dtype } = options;
  const full = Math.min(m, n);
  const ld = roundUp4(n);
  const normSquared = kernels.sumOfSquares(0, m * ld);
  if (!Number.isFinite(normSquared)) {
    throw new DataError(
      `The task vector of ${name} has values that are not finite (NaN or infinity), which no low-rank factorization ` +
        "can represent; check the fine-tuned weights of this tensor.",
      {
        code: "LORA_NOT_FINITE",
        subject: name,
      },
    );
  }
  const norm = Math.sqrt(normSquared);
  const stream = deriveStream({ seed: svd.seed, labels: ["lora", name] });
  const sketch = (rank: number) => {
    const width = Math.min(full, rank + svd.oversampling);
    return {
      width,
      result: randomizedSvd({ kernels, rows: m, cols: n, ld, width, iterations: svd.iterations, stream }),
    };
  };

  if (policy.kind === "fixed") {
    const rank = Math.max(1, Math.min(policy.rank, full));
    const { width, result } = sketch(rank);
    return measured(kernels, m, n, result, rank, width, norm, dtype);
  }

  const cap = Math.min(full, policy.maxRank ?? full);
  const target = policy.maxError;
  let tried = Math.min(cap, 32);
  for (;;) {
    const { width, result } = sketch(tried);
    let rank = Math.max(1, Math.min(tried, rankForEnergy(result.values, normSquared, target)));
    const reachable = rank < tried || tried >= cap;
    if (reachable) {
      let best = measured(kernels, m, n, result, rank, width, norm, dtype);
      while (best.relativeError > target && rank < Math.min(tried, width)) {
        rank++;
        best = measured(kernels, m, n, result, rank, width, norm, dtype);
      }
      if (best.relativeError <= target || tried >= cap) return best;
    }
    tried = Math.min(cap, tried * 2);
  }
}

/** The smallest k with ‖τ‖² − Σ_{i≤k} σᵢ² ≤ (ε‖τ‖)², or values.length + 1 when none is. */
function rankForEnergy(values: Float64Array, normSquared: number, target: number): number {
  const allowed = target * target * normSquared;
  let kept = 0;
  for (let k = 0; k < values.length; k++) {
    if (normSquared - kept <= allowed) return Math.max(1, k);
    kept += (values[k] as number) ** 2;
  }
  return normSquared - kept <= allowed ? values.length : values.length + 1;
}

/** Builds the stored factors of rank `rank` from the SVD and measures ‖τ − BA‖ with the same float32 products. */
function measured(
  kernels: MatrixKernels,
  m: number,
  n: number,
  svd: TruncatedSvd,
  rank: number,
  width: number,
  norm: number,
  dtype: ComputableDtype,
): LowRankFactors {
  const a = new Float32Array(rank * n);
  const b = new Float32Array(m * rank);
  let kept = 0;
  for (let k = 0; k < rank; k++) {
    const sigma = svd.values[k] as number;
    kept += sigma * sigma;
    const root = Math.sqrt(sigma);
    for (let c = 0; c < n; c++) a[k * n + c] = root * (svd.vt[k * n + c] as number);
    for (let i = 0; i < m; i++) b[i * rank + k] = root * (svd.ut[k * m + i] as number);
  }
  const storedA = stored(a, dtype);
  const storedB = stored(b, dtype);
  const relativeError = norm === 0 ? 0 : Math.sqrt(residualSquares(kernels, m, n, storedA, storedB, rank)) / norm;
  return {
    rank,
    a: storedA,
    b: storedB,
    norm,
    relativeError,
    retainedEnergy: norm === 0 ? 1 : Math.min(1, kept / (norm * norm)),
    width,
  };
}

function stored(values: Float32Array, dtype: ComputableDtype): Float32Array {
  if (dtype === "F32" || dtype === "F64") return values;
  return decodeToF32({ dtype, bytes: encodeFromF32({ dtype, values }) });
}

/**
 * ‖τ − B·A‖² with τ at heap offset 0: B·A in panels of 256 rows by the float32 kernels (gemmF32), each compared with
 * τ's rows.
 */
function residualSquares(
  kernels: MatrixKernels,
  m: number,
  n: number,
  a: Float32Array,
  b: Float32Array,
  rank: number,
): number {
  const ld = roundUp4(n);
  const panelRows = 256;
  const at = m * ld;
  const bAt = at + rank * ld;
  const panel = bAt + m * rank;
  kernels.reserve(panel + panelRows * ld);
  const heap = kernels.floats();
  heap.fill(0, at, at + rank * ld);
  for (let k = 0; k < rank; k++) heap.set(a.subarray(k * n, (k + 1) * n), at + k * ld);
  heap.set(b, bAt);
  let sum = 0;
  for (let i0 = 0; i0 < m; i0 += panelRows) {
    const rows = Math.min(panelRows, m - i0);
    kernels.gemm({ a: bAt + i0 * rank, lda: rank, b: at, ldb: ld, c: panel, ldc: ld, m: rows, k: rank, n: ld });
    sum += kernels.squaredDistance(i0 * ld, panel, rows * ld);
  }
  return sum;
}
