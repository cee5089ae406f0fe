import { emptyReconstructionStats, type ReconstructionStats } from "../arithmetic/reconstruction-error.js";
import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import { InternalError } from "../errors.js";
import type { Plan } from "../plan/types.js";
import { createModelWriter, type WrittenModel } from "../safetensors/create-model-writer.js";
import { planModelLayout } from "../safetensors/plan-model-layout.js";
import type { SafetensorsModel } from "../safetensors/types.js";
import { isComputable, type Dtype } from "../tensor/dtype.js";
import type { ProgressEvent } from "../util/progress.js";
import { computeJob, jobOperands, type Operand } from "./compute-job.js";
import { planJobs, type Job } from "./plan-jobs.js";

export interface ExecutePlanOptions {
  plan: Plan;
  /** The opened weights of every plan input, in `plan.inputs` order. */
  models: readonly SafetensorsModel[];
  /** The folder the output files are written into (each appears only once complete). */
  dir: string;
  /** `model` for merges, `task_vector` for task vectors. */
  prefix: string;
  kernels: ArithmeticKernels;
  /** Output elements computed per step. @default 1 Mi */
  chunkElements?: number;
  /** Jobs whose inputs are read ahead while one computes. @default 4 */
  readAhead?: number;
  /** For task vectors: the norms and the reconstruction error the card reports. */
  statistics?: boolean;
}

export interface TensorStatistics {
  /** Σ τ² over the stored values, in float64. */
  sumOfSquares: number;
}

export interface ExecuteResult {
  written: WrittenModel;
  /** Per output tensor (task vectors only). */
  tensors: Map<string, TensorStatistics>;
  /** How well base + stored τ reproduces the fine-tune (task vectors only). */
  reconstruction: ReconstructionStats;
  bytesRead: number;
}

const defaultChunkElements = 1 << 20;

/**
 * Streams a plan to disk: reads each job's input byte ranges (a few jobs ahead, so reads overlap the
 * arithmetic), computes it, and hands the bytes to the writer in header order; the writer hashes as it
 * writes. Memory holds `readAhead` jobs' operands, never a model.
 */
export async function* executePlan(options: ExecutePlanOptions): AsyncGenerator<ProgressEvent, ExecuteResult> {
  const { plan, models, kernels } = options;
  const layout = planModelLayout({
    tensors: plan.outputs,
    prefix: options.prefix,
    maxShardSize: plan.layout.maxShardSize,
  });
  const jobs = planJobs({ plan, chunkElements: options.chunkElements ?? defaultChunkElements });
  const writer = createModelWriter({ layout, dir: options.dir });
  const readAhead = Math.max(1, options.readAhead ?? 4);
  const tensors = new Map<string, TensorStatistics>();
  let reconstruction = emptyReconstructionStats;
  let bytesRead = 0;
  let bytesDone = 0;
  const totalBytes = plan.outputs.reduce((sum, tensor) => sum + tensor.bytes, 0);

  const read = async (job: Job): Promise<Operand[]> =>
    Promise.all(
      jobOperands(job).map(async (ref) => {
        const model = models[ref.input];
        if (!model) throw new InternalError(`Plan input ${ref.input} has no opened model.`, { code: "EXECUTE_MISSING_MODEL" });
        const tensor = model.tensor(ref.name);
        const bytes = await model.readTensor(ref.name, { elementOffset: job.start, count: job.end - job.start });
        bytesRead += bytes.byteLength;
        return { dtype: tensor.dtype, bytes };
      }),
    );

  const pending: Array<Promise<Operand[]>> = [];
  let nextToRead = 0;
  const fill = () => {
    while (pending.length < readAhead && nextToRead < jobs.length) {
      const job = jobs[nextToRead++] as Job;
      const promise = read(job);
      // A read that fails while earlier jobs compute is reported when its turn comes, not as an unhandled rejection.
      promise.catch(() => {});
      pending.push(promise);
    }
  };

  try {
    fill();
    for (const job of jobs) {
      const operands = await (pending.shift() as Promise<Operand[]>);
      fill();
      const bytes = computeJob({ job, operands, kernels });
      if (options.statistics && job.kind.op === "taskVector" && isComputable(job.tensor.dtype)) {
        const tau = kernels.decodeToF32({ dtype: job.tensor.dtype, bytes });
        const previous = tensors.get(job.tensor.name)?.sumOfSquares ?? 0;
        tensors.set(job.tensor.name, { sumOfSquares: kernels.sumOfSquares({ values: tau, initial: previous }) });
        reconstruction = reconstructionOf(kernels, operands, job.tensor.dtype, bytes, reconstruction);
      } else if (options.statistics && job.kind.op === "copy" && isComputable(job.tensor.dtype)) {
        // Extra vocabulary rows of a grown embedding: τ there is the fine-tune's own values.
        const values = kernels.decodeToF32({ dtype: job.tensor.dtype, bytes });
        const previous = tensors.get(job.tensor.name)?.sumOfSquares ?? 0;
        tensors.set(job.tensor.name, { sumOfSquares: kernels.sumOfSquares({ values, initial: previous }) });
      }
      await writer.write(job.tensor.name, bytes);
      bytesDone += bytes.byteLength;
      yield { type: "progress", phase: "compute", done: bytesDone, total: totalBytes, unit: "bytes" };
    }
    // Zero-length tensors have no jobs; the writer completes them as it passes.
    const written = await writer.finish();
    return { written, tensors, reconstruction, bytesRead };
  } catch (error) {
    await writer.abort();
    await Promise.allSettled(pending);
    throw error;
  }
}

function reconstructionOf(
  kernels: ArithmeticKernels,
  operands: readonly Operand[],
  dtype: Dtype,
  tau: Uint8Array,
  initial: ReconstructionStats,
): ReconstructionStats {
  const [finetuned, base] = operands;
  if (!finetuned || !base || !isComputable(finetuned.dtype) || !isComputable(base.dtype) || !isComputable(dtype)) return initial;
  // The kernels' version (SIMD when available) gives the same counts and maxima several times faster.
  return kernels.reconstructionError({
    base: { dtype: base.dtype, bytes: base.bytes },
    finetuned: { dtype: finetuned.dtype, bytes: finetuned.bytes },
    taskVector: { dtype, bytes: tau },
    initial,
  });
}
