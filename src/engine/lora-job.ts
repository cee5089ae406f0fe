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

/**
 * What a thread keeps between the tensors it factors: its kernels, and float32 buffers that only grow. A fresh 60 MB
 * Float32Array per input costs more than decoding into it (the kernel's first touch of every page: 170 ms against 6
 * ms for a 7168 × 2048 BF16 weight here), so τ is decoded into memory that earlier tensors already touched.
 */
export class LoraWorkspace {
  private spare = [new Float32Array(0), new Float32Array(0)];

  constructor(
    readonly kernels: ArithmeticKernels,
    readonly matrices: MatrixKernels,
  ) {}

  /** The first `count` values of reusable buffer `which` (0 or 1); their contents are left from earlier use. */
  floats(which: 0 | 1, count: number): Float32Array {
    if ((this.spare[which] as Float32Array).length < count) this.spare[which] = new Float32Array(count);
    return (this.spare[which] as Float32Array).subarray(0, count);
  }
}

/**
 * τ in float32 (fround(ft − base)), laid into the matrix kernels' heap as the matrix to factor, then factored. A
 * linear weight whose rows need no padding is decoded and subtracted in the heap itself; the others go through the
 * workspace's buffers.
 */
export function runLoraJob(job: LoraJob, workspace: LoraWorkspace): LoraJobResult {
  const { kernels, matrices } = workspace;
  const [rows, cols] = job.shape;
  const count = rows * cols;
  const [m, n] = job.layout === "linear" ? [rows, cols] : [cols, rows];
  const ld = roundUp4(n);
  matrices.reserve(m * ld);
  const heap = matrices.floats();
  const base = kernels.decodeToF32({ ...job.base, out: workspace.floats(1, count) });
  if (job.layout === "linear" && ld === n) {
    const tau = kernels.decodeToF32({ ...job.finetuned, out: heap.subarray(0, count) });
    kernels.subtract({ finetuned: tau, base, out: tau });
  } else {
    const ft = kernels.decodeToF32({ ...job.finetuned, out: workspace.floats(0, count) });
    const tau = kernels.subtract({ finetuned: ft, base, out: ft });
    if (job.layout === "linear")
      for (let i = 0; i < m; i++) {
        heap.set(tau.subarray(i * n, (i + 1) * n), i * ld);
        heap.fill(0, i * ld + n, (i + 1) * ld);
      }
    else {
      // τᵀ: row j of the matrix is column j of τ.
      heap.fill(0, 0, m * ld);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) heap[j * ld + i] = tau[i * cols + j] as number;
    }
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
