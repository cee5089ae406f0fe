import { dispatchToWorkers } from "./dispatch-to-workers.js";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import { DataError, InternalError, RemoteError, type TvhubError, UsageError } from "../errors.js";
import { startSinkThread, type SinkThread } from "../safetensors/start-sink-thread.js";
import { dtypeSize } from "../tensor/dtype.js";
import { startReadyWorker } from "../util/start-ready-worker.js";
import type { Operand } from "./compute-job.js";
import {
  computeProtocol,
  slotView,
  toWireJob,
  type ComputeWorkerData,
  type FromWorker,
  type ToWorker,
} from "./compute-messages.js";
import { createJobRunner, type JobOutput } from "./create-job-runner.js";
import type { Job } from "./plan-jobs.js";

export interface CreateComputePoolOptions {
  /** The calling thread's kernels, for when jobs run here. */
  kernels: ArithmeticKernels;
  /** Per-job statistics of task vectors (see createJobRunner). */
  statistics: boolean;
  /** Worker threads; 0 computes on the calling thread. @default os.availableParallelism() */
  threads?: number;
  /**
   * The worker script. @default compute-worker.js beside this module: the build writes it next to dist/cli.js;
   * from the TypeScript sources (tests) it does not exist and jobs run on the calling thread.
   */
  workerUrl?: URL;
  /** Bytes of each shared slot: the largest operand or output of an element-wise job. */
  slotBytes: number;
  /** Slots: enough for every operand and output of the jobs in flight; more bytes than that are allocated per job. */
  slots: number;
  /**
   * Also start a thread that hashes and writes the output files (`sinkThread`), reading outputs handed over from the
   * slots in place; `depth` is how many it may hold, which the slots must count. Only when jobs run on workers.
   */
  sinkThread?: { depth: number };
}

/**
 * Computes jobs on worker threads, or on the calling thread when there are none. Operands are read into, and
 * outputs computed into, slots of one SharedArrayBuffer that every thread sees: a job's message names slots, no
 * bytes are copied or moved between threads, and no buffer is allocated per job (fresh buffers cost zeroing, page
 * faults and garbage collection, more than reading or computing them). Memory is `slots × slotBytes`, whatever the
 * model's size.
 */
export interface ComputePool {
  /** Worker threads computing; 0 when jobs run on the calling thread. */
  readonly threads: number;
  /** Why jobs run on the calling thread although a worker script is there: a worker failed to start. */
  readonly fallback?: string;
  /** The thread that hashes and writes output files, when asked for and jobs run on workers. */
  readonly sinkThread?: SinkThread;
  /** Why there is no sink thread although one was asked for and jobs run on workers: it failed to start. */
  readonly sinkFallback?: string;
  /** A buffer of `byteLength` bytes to read an operand into: a free slot, or new memory when none fits. */
  buffer(byteLength: number): Uint8Array;
  /** Starts a job on the least busy thread; its operands' slots are free again once it is computed. */
  compute(job: Job, operands: readonly Operand[]): Promise<JobOutput>;
  /**
   * A buffer from `buffer` that was not used, or an output that was written (or copied by the sink): its slot is free.
   */
  release(bytes: Uint8Array): void;
  /** Stops the workers and the sink thread; jobs still running are rejected. */
  close(): Promise<void>;
}

const defaultWorkerUrl = new URL("./compute-worker.js", import.meta.url);

/** Starts the workers and waits until each has its kernels; any that cannot start means computing here instead. */
export async function createComputePool(options: CreateComputePoolOptions): Promise<ComputePool> {
  const wanted = Math.max(0, Math.floor(options.threads ?? availableParallelism()));
  const url = options.workerUrl ?? defaultWorkerUrl;
  const slots = createSlots(options.slotBytes, options.slots);
  if (wanted === 0) return inProcessPool(options, slots);
  // Running from the TypeScript sources: there is no bundled worker script, and computing here is the plan.
  if (url.protocol !== "file:" || !existsSync(fileURLToPath(url))) return inProcessPool(options, slots);
  const workerData: ComputeWorkerData = {
    tvhubComputeWorker: computeProtocol,
    statistics: options.statistics,
    memory: slots.memory,
    slotBytes: slots.slotBytes,
  };
  // Every thread starts at once: each loads the script and compiles its kernels.
  const sink = options.sinkThread
    ? startSinkThread({ workerUrl: url, memory: slots.memory, depth: options.sinkThread.depth })
    : undefined;
  const [started, sinkStarted] = await Promise.all([
    Promise.allSettled(Array.from({ length: wanted }, () => startReadyWorker({ url, workerData }))),
    sink ? Promise.allSettled([sink]) : [],
  ]);
  const workers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const refused = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
  const sinkThread = sinkStarted[0]?.status === "fulfilled" ? sinkStarted[0].value : undefined;
  if (refused) {
    await Promise.all([...workers.map((worker) => worker.terminate()), sinkThread?.close()]);
    return inProcessPool(options, slots, `a compute worker did not start (${messageOf(refused.reason)})`);
  }
  const sinkFallback =
    sinkStarted[0]?.status === "rejected"
      ? `the thread that hashes and writes did not start (${messageOf(sinkStarted[0].reason)})`
      : undefined;
  return workerPool(workers, slots, sinkThread, sinkFallback);
}

interface Slots {
  readonly memory: SharedArrayBuffer;
  readonly slotBytes: number;
  /** A free slot's first `byteLength` bytes, or new memory when it does not fit or every slot is taken. */
  take(byteLength: number): Uint8Array;
  /** The slot a view starts, or undefined for memory that is not a slot. */
  slotOf(bytes: Uint8Array): number | undefined;
  free(bytes: Uint8Array): void;
}

function createSlots(slotBytes: number, count: number): Slots {
  // A multiple of 64 keeps every slot cache-line aligned.
  const size = Math.max(64, Math.ceil(slotBytes / 64) * 64);
  const memory = new SharedArrayBuffer(size * Math.max(1, count));
  const free = Array.from({ length: Math.max(1, count) }, (_, i) => i).reverse();
  const slotOf = (bytes: Uint8Array): number | undefined =>
    bytes.buffer === memory && bytes.byteOffset % size === 0 ? bytes.byteOffset / size : undefined;
  return {
    memory,
    slotBytes: size,
    take(byteLength) {
      const slot = byteLength <= size ? free.pop() : undefined;
      return slot === undefined ? new Uint8Array(byteLength) : new Uint8Array(memory, slot * size, byteLength);
    },
    slotOf,
    free(bytes) {
      const slot = slotOf(bytes);
      if (slot !== undefined && !free.includes(slot)) free.push(slot);
    },
  };
}

function outputBytes(job: Job): number {
  return (job.end - job.start) * dtypeSize(job.tensor.dtype);
}

function inProcessPool(options: CreateComputePoolOptions, slots: Slots, fallback?: string): ComputePool {
  const run = createJobRunner({ kernels: options.kernels, statistics: options.statistics });
  return {
    threads: 0,
    ...(fallback === undefined ? {} : { fallback }),
    buffer: (byteLength) => slots.take(byteLength),
    compute: async (job, operands) => {
      const out = slots.take(outputBytes(job));
      const output = run(job, operands, out);
      // A copy job's output is its operand's slot, freed once written.
      for (const bytes of [out, ...operands.map((operand) => operand.bytes)])
        if (bytes.buffer !== output.bytes.buffer || bytes.byteOffset !== output.bytes.byteOffset) slots.free(bytes);
      return output;
    },
    release: (bytes) => slots.free(bytes),
    close: async () => {},
  };
}

interface Pending {
  resolve: (output: JobOutput) => void;
  reject: (error: unknown) => void;
  /** The job's slots: its operands' (free once computed) and its output's. */
  operands: Uint8Array[];
  out: Uint8Array;
}

function workerPool(
  workers: Worker[],
  slots: Slots,
  sinkThread: SinkThread | undefined,
  sinkFallback: string | undefined,
): ComputePool {
  const dispatch = dispatchToWorkers<Pending, FromWorker>({
    workers,
    kind: "compute",
    code: "COMPUTE",
    doing: "jobs were running",
    onAnswer(job, message) {
      if (message.type === "ready") return;
      for (const bytes of job.operands) slots.free(bytes);
      if (message.type === "failed") {
        slots.free(job.out);
        job.reject(rebuildError(message.error));
        return;
      }
      const { output } = message;
      let bytes: Uint8Array;
      if ("slot" in output) bytes = slotView(slots.memory, slots.slotBytes, output.slot, output.length);
      else {
        slots.free(job.out);
        bytes = output.bytes;
      }
      job.resolve({
        bytes,
        ...(message.sumOfSquares === undefined ? {} : { sumOfSquares: message.sumOfSquares }),
        ...(message.reconstruction ? { reconstruction: message.reconstruction } : {}),
      });
    },
  });

  return {
    threads: workers.length,
    ...(sinkThread === undefined ? {} : { sinkThread }),
    ...(sinkFallback === undefined ? {} : { sinkFallback }),
    buffer: (byteLength) => slots.take(byteLength),
    compute(job, operands) {
      const refusal = dispatch.refusal;
      if (refusal !== undefined) return Promise.reject(refusal);
      const held: Uint8Array[] = [];
      const wire = operands.map((operand) => {
        let bytes = operand.bytes;
        // Bytes a source kept in its own memory go into a slot when one is free, else travel as a copy.
        if (slots.slotOf(bytes) === undefined) {
          const slot = slots.take(bytes.byteLength);
          if (slots.slotOf(slot) !== undefined) {
            slot.set(bytes);
            bytes = slot;
          }
        }
        const slot = slots.slotOf(bytes);
        if (slot === undefined) return { dtype: operand.dtype, bytes };
        held.push(bytes);
        return { dtype: operand.dtype, slot, length: bytes.byteLength };
      });
      const out = slots.take(outputBytes(job));
      return new Promise<JobOutput>((resolve, reject) => {
        dispatch.send(
          (worker, id) =>
            worker.postMessage({
              type: "job",
              id,
              job: toWireJob(job),
              operands: wire,
              out: slots.slotOf(out) ?? -1,
            } satisfies ToWorker),
          { resolve, reject, operands: held, out },
        );
      });
    },
    release: (bytes) => slots.free(bytes),
    async close() {
      await dispatch.close();
      await sinkThread?.close();
    },
  };
}

const errorClasses: Record<string, typeof TvhubError> = { UsageError, DataError, RemoteError, InternalError };

/** A worker's error as the class it was thrown as, so the shells map it to the same exit code. */
export function rebuildError(error: { name: string; message: string; code?: string }): Error {
  const Class = errorClasses[error.name];
  if (Class) return new Class(error.message, { code: error.code ?? "COMPUTE_WORKER_ERROR" });
  return new InternalError(`A compute worker threw ${error.name}: ${error.message}`, { code: "COMPUTE_WORKER_ERROR" });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
