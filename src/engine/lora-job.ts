import { factorTaskVector, type RankPolicy, type SvdParameters } from "../arithmetic/low-rank/factor-task-vector.js";
import type { MatrixKernels } from "../arithmetic/low-rank/matrix-kernels.js";
import { roundUp4 } from "../arithmetic/low-rank/randomized-svd.js";
import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import type { ComputableDtype } from "../tensor/dtype.js";

/** One tensor to factor: τ = ft − base of a weight [rows, cols], as LoRA factors (what a worker receives). */
export interface LoraJob {
  name: string;
  /** The weight's shape [rows, cols]. */
  shape: [number, number];
  /** `linear`: τ = B·A; `conv1d` and `embedding`: τᵀ = B·A (PEFT transposes B·A for both). */
  layout: "linear" | "conv1d" | "embedding";
  finetuned: { dtype: ComputableDtype; bytes: Uint8Array };
  base: { dtype: ComputableDtype; bytes: Uint8Array };
  policy: RankPolicy;
  svd: SvdParameters;
  /** The factors' dtype. */
  dtype: ComputableDtype;
}

export interface LoraJobResult {
  rank: number;
  /** lora_A (rank × in) and lora_B (out × rank), encoded in the job's dtype. */
  a: Uint8Array;
  b: Uint8Array;
  norm: number;
  relativeError: number;
  retainedEnergy: number;
  width: number;
}

/** τ in float32 (fround(ft − base)), laid into the matrix kernels' heap as the matrix to factor, then factored. */
export function runLoraJob(job: LoraJob, kernels: ArithmeticKernels, matrices: MatrixKernels): LoraJobResult {
  const [rows, cols] = job.shape;
  const ft = kernels.decodeToF32(job.finetuned);
  const base = kernels.decodeToF32(job.base);
  const tau = kernels.subtract({ finetuned: ft, base, out: ft });
  const [m, n] = job.layout === "linear" ? [rows, cols] : [cols, rows];
  const ld = roundUp4(n);
  matrices.reserve(m * ld);
  const heap = matrices.floats();
  if (job.layout === "linear" && ld === n) heap.set(tau.subarray(0, m * n), 0);
  else if (job.layout === "linear")
    for (let i = 0; i < m; i++) {
      heap.set(tau.subarray(i * n, (i + 1) * n), i * ld);
      heap.fill(0, i * ld + n, (i + 1) * ld);
    }
  else {
    // τᵀ: row j of the matrix is column j of τ.
    heap.fill(0, 0, m * ld);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) heap[j * ld + i] = tau[i * cols + j] as number;
  }
  const factors = factorTaskVector({
    kernels: matrices,
    rows: m,
    cols: n,
    name: job.name,
    policy: job.policy,
    svd: job.svd,
    dtype: job.dtype,
  });
  return {
    rank: factors.rank,
    a: kernels.encodeFromF32({ dtype: job.dtype, values: factors.a }),
    b: kernels.encodeFromF32({ dtype: job.dtype, values: factors.b }),
    norm: factors.norm,
    relativeError: factors.relativeError,
    retainedEnergy: factors.retainedEnergy,
    width: factors.width,
  };
}
