import { availableParallelism } from "node:os";
import { join } from "node:path";
import { emptyReconstructionStats, type ReconstructionStats } from "../arithmetic/reconstruction-error.js";
import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import { InternalError } from "../errors.js";
import type { Plan } from "../plan/types.js";
import { createModelWriter, type WrittenModel } from "../safetensors/create-model-writer.js";
import { createFileSink } from "../safetensors/file-sink.js";
import type { SinkThread } from "../safetensors/start-sink-thread.js";
import { planModelLayout } from "../safetensors/plan-model-layout.js";
import type { SafetensorsModel } from "../safetensors/types.js";
import { dtypeSize } from "../tensor/dtype.js";
import { elementCount } from "../tensor/shape.js";
import type { ProgressEvent } from "../util/progress.js";
import { jobOperands, type Operand } from "./compute-job.js";
import { createComputePool } from "./compute-pool.js";
import type { JobOutput } from "./create-job-runner.js";
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
  /** Output elements computed per step (one job, one message to a worker). @default 2 Mi */
  chunkElements?: number;
  /** Jobs in flight (being read or computed) besides the one being written. @default max(4, 2 × threads + 2) */
  readAhead?: number;
  /** For task vectors: the norms and the reconstruction error the card reports. */
  statistics?: boolean;
  /**
   * Worker threads that compute jobs (each with its own kernels); 0 computes on this thread, as happens anyway
   * when no worker script was built next to this module. @default os.availableParallelism()
   */
  threads?: number;
  /** The compute worker script. @default compute-worker.js beside this module (dist/) */
  workerUrl?: URL;
  /**
   * Compute and write only these output files (one job of a matrix run: `plan.layout.files` names), each byte for
   * byte what a full run writes; the index is left to the finalize step. @default every file, then the index
   */
  files?: readonly string[];
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
  /** Worker threads that computed; 0 when this thread did. */
  threads: number;
  /** Whether a thread of its own hashed and wrote the output (else this thread did). */
  sinkThread: boolean;
}

const defaultChunkElements = 1 << 21;

/** Outputs the sink may hold besides the one being handed over: written from their slots, released once on disk. */
const sinkDepth = 2;

/**
 * Streams a plan to disk: reads each job's input byte ranges a window ahead, computes jobs on worker threads
 * (or here), and hands the results to the writer in header order. The outputs' slots go to the file as they are,
 * hashed and written on a thread of their own when jobs run on workers, so this thread only moves slot numbers.
 * Memory holds the window's jobs (operands and outputs) and the sink's few, never a model, whatever its size.
 */
export async function* executePlan(options: ExecutePlanOptions): AsyncGenerator<ProgressEvent, ExecuteResult> {
  const { plan, models } = options;
  const statistics = options.statistics === true;
  const layout = planModelLayout({
    tensors: plan.outputs,
    prefix: options.prefix,
    maxShardSize: plan.layout.maxShardSize,
  });
  const selected = options.files === undefined ? undefined : new Set(options.files);
  const fileOf = new Map(layout.writeOrder.map((tensor) => [tensor.name, tensor.file]));
  const isSelected = (name: string) => selected === undefined || selected.has(fileOf.get(name) ?? "");
  const chunkElements = options.chunkElements ?? defaultChunkElements;
  const jobs = planJobs({ plan, chunkElements }).filter((job) => isSelected(job.tensor.name));
  const threads = Math.max(0, Math.floor(options.threads ?? availableParallelism()));
  const window = Math.max(1, options.readAhead ?? Math.max(4, 2 * threads + 2));
  // Files open on the pool's sink thread once it runs (the first opens after it started), else on this thread.
  let sinkThread: SinkThread | undefined;
  const openSink = (file: string) => {
    const path = join(options.dir, file);
    return sinkThread ? sinkThread.openSink({ path }) : createFileSink({ path });
  };
  const writer = createModelWriter({
    layout,
    openSink,
    ...(options.files === undefined ? {} : { files: options.files }),
  });
  // Nothing can fail between starting the workers and the try that stops them.
  const pool = await createComputePool({
    kernels: options.kernels,
    statistics,
    threads,
    ...(options.workerUrl === undefined ? {} : { workerUrl: options.workerUrl }),
    ...slotsFor(jobs, models, chunkElements, window),
    sinkThread: { depth: sinkDepth },
  });
  sinkThread = pool.sinkThread;
  // A fallback pool has no workers to stop, so this yield may come before the try.
  if (pool.fallback) yield { type: "log", level: "warn", message: `Computing on one thread: ${pool.fallback}.` };
  const tensors = new Map<string, TensorStatistics>();
  let reconstruction = emptyReconstructionStats;
  let bytesRead = 0;
  let bytesDone = 0;
  const totalBytes = plan.outputs.reduce((sum, tensor) => sum + (isSelected(tensor.name) ? tensor.bytes : 0), 0);

  const read = async (job: Job): Promise<Operand[]> =>
    Promise.all(
      jobOperands(job).map(async (ref) => {
        const model = models[ref.input];
        if (!model)
          throw new InternalError(`Plan input ${ref.input} has no opened model.`, { code: "EXECUTE_MISSING_MODEL" });
        const tensor = model.tensor(ref.name);
        // LoRA factors are read whole by every job of their weight (they are rank × a dimension: small).
        const elementOffset = ref.whole ? 0 : job.start;
        const count = ref.whole ? (elementCount(tensor.shape) ?? 0) : job.end - job.start;
        const into = pool.buffer(count * dtypeSize(tensor.dtype));
        const bytes = await model.readTensor(ref.name, { elementOffset, count, into });
        if (bytes.buffer !== into.buffer) pool.release(into);
        bytesRead += bytes.byteLength;
        return { dtype: tensor.dtype, bytes };
      }),
    );

  const pending: Array<Promise<JobOutput>> = [];
  let nextToStart = 0;
  const fill = () => {
    while (pending.length < window && nextToStart < jobs.length) {
      const job = jobs[nextToStart++] as Job;
      const promise = read(job).then((operands) => pool.compute(job, operands));
      // A job that fails while earlier ones are written is reported when its turn comes, not as an unhandled rejection.
      promise.catch(() => {});
      pending.push(promise);
    }
  };

  try {
    if (pool.sinkFallback)
      yield {
        type: "log",
        level: "warn",
        message: `Hashing and writing the output on the main thread: ${pool.sinkFallback}.`,
      };
    else if (pool.threads > 0) {
      const writing = pool.sinkThread ? ", hashing and writing on another" : "";
      yield {
        type: "log",
        level: "info",
        message: `Computing on ${pool.threads} worker thread${pool.threads === 1 ? "" : "s"}${writing}.`,
      };
    }
    fill();
    for (const job of jobs) {
      const output = await (pending.shift() as Promise<JobOutput>);
      fill();
      if (output.sumOfSquares !== undefined) {
        const previous = tensors.get(job.tensor.name)?.sumOfSquares ?? 0;
        tensors.set(job.tensor.name, { sumOfSquares: previous + output.sumOfSquares });
      }
      if (output.reconstruction) reconstruction = addReconstruction(reconstruction, output.reconstruction);
      const { bytes } = output;
      // Handed over: the slot is free again once its bytes are in the file, not when the sink has queued them.
      await writer.write(job.tensor.name, bytes, { release: () => pool.release(bytes) });
      bytesDone += bytes.byteLength;
      yield { type: "progress", phase: "compute", done: bytesDone, total: totalBytes, unit: "bytes" };
    }
    // Zero-length tensors have no jobs; the writer completes them as it passes.
    const written = await writer.finish();
    return { written, tensors, reconstruction, bytesRead, threads: pool.threads, sinkThread: sinkThread !== undefined };
  } catch (error) {
    await writer.abort();
    await Promise.allSettled(pending);
    throw error;
  } finally {
    await pool.close();
  }
}

/** Shared memory above this is not reserved up front; jobs beyond it get memory of their own. */
const maxSlotMemory = 256 * 1024 * 1024;

/**
 * Slots for the jobs in flight (the window, plus the one being handed to the sink, plus those the sink holds), each the
 * size of the largest operand or output of an element-wise job; the few whole-tensor jobs of ranking methods get memory
 * of their own.
 */
function slotsFor(
  jobs: readonly Job[],
  models: readonly SafetensorsModel[],
  chunkElements: number,
  window: number,
): { slotBytes: number; slots: number } {
  let slotBytes = 0;
  let operands = 1;
  for (const job of jobs) {
    const refs = jobOperands(job);
    operands = Math.max(operands, refs.length);
    const count = job.end - job.start;
    if (count > chunkElements) continue;
    slotBytes = Math.max(slotBytes, count * dtypeSize(job.tensor.dtype));
    for (const ref of refs) {
      const tensor = models[ref.input]?.tensor(ref.name);
      if (tensor === undefined) continue;
      const elements = ref.whole ? (elementCount(tensor.shape) ?? 0) : count;
      // A factor larger than a chunk gets memory of its own rather than growing every slot.
      if (elements <= chunkElements) slotBytes = Math.max(slotBytes, elements * dtypeSize(tensor.dtype));
    }
  }
  slotBytes = Math.max(64, slotBytes);
  const slots = Math.max(1, Math.min((window + 1) * (operands + 1) + sinkDepth, Math.floor(maxSlotMemory / slotBytes)));
  return { slotBytes, slots };
}

/** Folds one job's statistics into the totals: counts add, the largest error stays the largest. */
function addReconstruction(total: ReconstructionStats, job: ReconstructionStats): ReconstructionStats {
  return {
    elements: total.elements + job.elements,
    mismatches: total.mismatches + job.mismatches,
    // biome-ignore lint/complexity/useMathMinMax: a NaN error must not poison the maximum, as Math.max would.
    maxAbsError: job.maxAbsError > total.maxAbsError ? job.maxAbsError : total.maxAbsError,
  };
}
