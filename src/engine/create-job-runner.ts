import type { ReconstructionStats } from "../arithmetic/reconstruction-error.js";
import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import { createTaskVectorStatistics } from "../arithmetic/simd/create-task-vector-statistics.js";
import { dtypeSize, isComputable, type ComputableDtype } from "../tensor/dtype.js";
import { checkFiniteResult } from "./check-finite-result.js";
import { computeJob, type Operand } from "./compute-job.js";
import type { Job } from "./plan-jobs.js";

export interface CreateJobRunnerOptions {
  kernels: ArithmeticKernels;
  /** Also measure each task-vector job: Σ τ² and how well base + τ reproduces the fine-tune. */
  statistics: boolean;
}

/** What one job produced: its output bytes and, when asked, its own statistics (not running totals). */
export interface JobOutput {
  bytes: Uint8Array;
  /** Σ τ² over this job's elements, in float64 from 0 (a float output only). */
  sumOfSquares?: number;
  /** This job's elements alone (a task-vector range only). */
  reconstruction?: ReconstructionStats;
}

/**
 * Computes a job; `out`, when given and large enough, may receive the output bytes (the result says where they are).
 */
export type JobRunner = (job: Job, operands: readonly Operand[], out?: Uint8Array) => JobOutput;

/**
 * Computes jobs with one thread's kernels and float32 scratch reused from job to job. Statistics are per job so
 * that jobs computed on different threads combine in write order to the same totals as on one thread; the
 * caller adds `sumOfSquares` per tensor and folds `reconstruction` (counts add, maxima take the maximum).
 */
export function createJobRunner(options: CreateJobRunnerOptions): JobRunner {
  const { kernels, statistics } = options;
  // τ with its statistics in one pass over each chunk, on this thread's kind of kernels.
  const taskVector = createTaskVectorStatistics({
    implementation: kernels.implementation === "wasm" ? "auto" : "js",
    kernels,
  });
  let scratch = new Float32Array(0);
  const squares = (dtype: ComputableDtype, bytes: Uint8Array): number => {
    const count = bytes.byteLength / dtypeSize(dtype);
    if (scratch.length < count) scratch = new Float32Array(count);
    const values = kernels.decodeToF32({ dtype, bytes, out: scratch.subarray(0, count) });
    return kernels.sumOfSquares({ values });
  };
  return (job, operands, out) => {
    const dtype = job.tensor.dtype;
    if (statistics && job.kind.op === "taskVector" && isComputable(dtype)) {
      const [finetuned, base] = operands;
      if (finetuned && base && isComputable(finetuned.dtype) && isComputable(base.dtype)) {
        const bytes = (job.end - job.start) * dtypeSize(dtype);
        const computed = taskVector({
          finetuned: { dtype: finetuned.dtype, bytes: finetuned.bytes },
          base: { dtype: base.dtype, bytes: base.bytes },
          dtype,
          ...(out && out.byteLength >= bytes ? { out: out.subarray(0, bytes) } : {}),
        });
        checkFiniteResult({ job, operands, bytes: computed.bytes });
        return { bytes: computed.bytes, sumOfSquares: computed.sumOfSquares, reconstruction: computed.reconstruction };
      }
    }
    const bytes = computeJob({ job, operands, kernels });
    // Before the bytes reach a file: a broken result stops the run, whichever thread computed it.
    checkFiniteResult({ job, operands, bytes });
    if (!statistics || !isComputable(dtype)) return { bytes };
    if (job.kind.op === "copy" || job.kind.op === "lora") {
      // Extra vocabulary rows of a grown embedding (τ there is the fine-tune's own values), or an adapter's update.
      return { bytes, sumOfSquares: squares(dtype, bytes) };
    }
    return { bytes };
  };
}
