import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import { DataError, InternalError, RemoteError, TvhubError, UsageError } from "../errors.js";
import type { Operand } from "./compute-job.js";
import { computeProtocol, toWireJob, transferable, type ComputeWorkerData, type FromWorker, type ToWorker } from "./compute-messages.js";
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
}

/** Computes jobs on worker threads, or on the calling thread when there are none; results come back per job. */
export interface ComputePool {
  /** Worker threads computing; 0 when jobs run on the calling thread. */
  readonly threads: number;
  /** Why jobs run on the calling thread although a worker script is there: a worker failed to start. */
  readonly fallback?: string;
  /**
   * Starts a job on the least busy thread. The operands' buffers move to that thread (views into memory that
   * others keep are copied first), so the caller must not use them afterwards.
   */
  compute(job: Job, operands: readonly Operand[]): Promise<JobOutput>;
  /** Stops the workers; jobs still running are rejected. */
  close(): Promise<void>;
}

const defaultWorkerUrl = new URL("./compute-worker.js", import.meta.url);

/** Starts the workers and waits until each has its kernels; any that cannot start means computing here instead. */
export async function createComputePool(options: CreateComputePoolOptions): Promise<ComputePool> {
  const wanted = Math.max(0, Math.floor(options.threads ?? availableParallelism()));
  const url = options.workerUrl ?? defaultWorkerUrl;
  if (wanted === 0) return inProcessPool(options);
  // Running from the TypeScript sources: there is no bundled worker script, and computing here is the plan.
  if (url.protocol !== "file:" || !existsSync(fileURLToPath(url))) return inProcessPool(options);
  const workerData: ComputeWorkerData = { tvhubComputeWorker: computeProtocol, statistics: options.statistics };
  const started = await Promise.allSettled(Array.from({ length: wanted }, () => startWorker(url, workerData)));
  const workers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const refused = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (refused) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    return inProcessPool(options, `a compute worker did not start (${messageOf(refused.reason)})`);
  }
  return workerPool(workers);
}

function inProcessPool(options: CreateComputePoolOptions, fallback?: string): ComputePool {
  const run = createJobRunner({ kernels: options.kernels, statistics: options.statistics });
  return {
    threads: 0,
    ...(fallback === undefined ? {} : { fallback }),
    compute: async (job, operands) => run(job, operands),
    close: async () => {},
  };
}

function startWorker(url: URL, workerData: ComputeWorkerData): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData });
    const onMessage = (message: FromWorker) => {
      if (message.type !== "ready") return;
      cleanUp();
      resolve(worker);
    };
    const onError = (error: unknown) => {
      cleanUp();
      void worker.terminate();
      reject(error);
    };
    const onExit = (code: number) => {
      cleanUp();
      reject(new Error(`it exited with code ${code} before it was ready, which a worker script from another build does`));
    };
    const cleanUp = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    worker.on("message", onMessage);
    worker.once("error", onError);
    worker.once("exit", onExit);
  });
}

interface Pending {
  resolve: (output: JobOutput) => void;
  reject: (error: unknown) => void;
}

function workerPool(workers: Worker[]): ComputePool {
  const pending = workers.map(() => new Map<number, Pending>());
  let nextId = 0;
  let broken: unknown;
  let closing = false;

  const failAll = (error: unknown) => {
    broken ??= error;
    for (const jobs of pending) {
      for (const job of jobs.values()) job.reject(broken);
      jobs.clear();
    }
  };
  workers.forEach((worker, index) => {
    const mine = pending[index] as Map<number, Pending>;
    worker.on("message", (message: FromWorker) => {
      if (message.type === "ready") return;
      const job = mine.get(message.id);
      if (!job) return;
      mine.delete(message.id);
      if (message.type === "failed") job.reject(rebuildError(message.error));
      else job.resolve({ bytes: message.bytes, ...(message.sumOfSquares === undefined ? {} : { sumOfSquares: message.sumOfSquares }), ...(message.reconstruction ? { reconstruction: message.reconstruction } : {}) });
    });
    worker.on("error", (error) => failAll(new InternalError(`A compute worker failed: ${messageOf(error)}; this is a bug in tvhub, please report it.`, { code: "COMPUTE_WORKER_FAILED", cause: error })));
    worker.on("exit", (code) => {
      if (!closing) failAll(new InternalError(`A compute worker stopped (exit code ${code}) while jobs were running; this is a bug in tvhub, please report it.`, { code: "COMPUTE_WORKER_EXITED" }));
    });
  });

  return {
    threads: workers.length,
    compute(job, operands) {
      if (broken !== undefined) return Promise.reject(broken);
      if (closing) return Promise.reject(new InternalError("A job was sent to a compute pool after it was closed.", { code: "COMPUTE_POOL_CLOSED" }));
      let index = 0;
      for (let i = 1; i < workers.length; i++) if ((pending[i] as Map<number, Pending>).size < (pending[index] as Map<number, Pending>).size) index = i;
      const id = nextId++;
      const moved = operands.map((operand) => ({ dtype: operand.dtype, bytes: transferable(operand.bytes) }));
      const message: ToWorker = { type: "job", id, job: toWireJob(job), operands: moved };
      return new Promise<JobOutput>((resolve, reject) => {
        (pending[index] as Map<number, Pending>).set(id, { resolve, reject });
        (workers[index] as Worker).postMessage(message, [...new Set(moved.map((operand) => operand.bytes.buffer as ArrayBuffer))]);
      });
    },
    async close() {
      if (closing) return;
      closing = true;
      failAll(new InternalError("The compute pool was closed while jobs were running.", { code: "COMPUTE_POOL_CLOSED" }));
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

const errorClasses: Record<string, typeof TvhubError> = { UsageError, DataError, RemoteError, InternalError };

/** A worker's error as the class it was thrown as, so the shells map it to the same exit code. */
function rebuildError(error: { name: string; message: string; code?: string }): Error {
  const Class = errorClasses[error.name];
  if (Class) return new Class(error.message, { code: error.code ?? "COMPUTE_WORKER_ERROR" });
  return new InternalError(`A compute worker threw ${error.name}: ${error.message}`, { code: "COMPUTE_WORKER_ERROR" });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
