import type { Worker } from "node:worker_threads";
import { InternalError } from "../errors.js";

/** A job sent to a worker and not answered yet. */
export interface PendingJob {
  reject(error: unknown): void;
}

export interface DispatchToWorkersOptions<Job extends PendingJob, Message extends { type: string; id?: number }> {
  workers: readonly Worker[];
  /** What the workers do, for the messages: "compute", "LoRA". */
  kind: string;
  /** Code prefix of the errors: `COMPUTE` gives COMPUTE_WORKER_FAILED, COMPUTE_WORKER_EXITED, COMPUTE_POOL_CLOSED. */
  code: string;
  /** What the workers are doing while jobs run, for the exit message: "jobs were running". */
  doing: string;
  /** A worker's answer to a job, taken off the pending ones. */
  onAnswer(job: Job, message: Message): void;
}

/** The jobs in flight on a set of worker threads, and what happens to them when a worker or the pool goes. */
export interface WorkerDispatch<Job extends PendingJob> {
  /** Sends a job to the worker with the fewest in flight; rejects at once when the pool is broken or closed. */
  send(post: (worker: Worker, id: number) => void, job: Job): void;
  /** The error that broke the pool (or closing it), if any: new jobs fail with it. */
  readonly refusal: unknown;
  /** Fails every job in flight and terminates the workers. */
  close(): Promise<void>;
}

/**
 * The bookkeeping a pool of worker threads shares: each worker's pending jobs by id, the least-loaded worker for the
 * next job, and one error for every job in flight when a worker fails or stops, or the pool closes.
 */
export function dispatchToWorkers<Job extends PendingJob, Message extends { type: string; id?: number }>(
  options: DispatchToWorkersOptions<Job, Message>,
): WorkerDispatch<Job> {
  const { workers, kind, code } = options;
  const pending = workers.map(() => new Map<number, Job>());
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
    const mine = pending[index] as Map<number, Job>;
    worker.on("message", (message: Message) => {
      if (message.type === "ready" || message.id === undefined) return;
      const job = mine.get(message.id);
      if (!job) return;
      mine.delete(message.id);
      options.onAnswer(job, message);
    });
    worker.on("error", (error) => {
      const text = error instanceof Error ? error.message : String(error);
      failAll(
        new InternalError(`A ${kind} worker failed: ${text}; this is a bug in tvhub, please report it.`, {
          code: `${code}_WORKER_FAILED`,
          cause: error,
        }),
      );
    });
    worker.on("exit", (exitCode) => {
      if (closing) return;
      failAll(
        new InternalError(
          `A ${kind} worker stopped (exit code ${exitCode}) while ${options.doing}; this is a bug in tvhub, please ` +
            "report it.",
          { code: `${code}_WORKER_EXITED` },
        ),
      );
    });
  });
  return {
    get refusal() {
      if (broken !== undefined) return broken;
      return closing
        ? new InternalError(`A job was sent to a ${kind} pool after it was closed.`, { code: `${code}_POOL_CLOSED` })
        : undefined;
    },
    send(post, job) {
      let index = 0;
      for (let i = 1; i < workers.length; i++)
        if ((pending[i] as Map<number, Job>).size < (pending[index] as Map<number, Job>).size) index = i;
      const id = nextId++;
      (pending[index] as Map<number, Job>).set(id, job);
      post(workers[index] as Worker, id);
    },
    async close() {
      if (closing) return;
      closing = true;
      failAll(
        new InternalError(`The ${kind} pool was closed while ${options.doing}.`, { code: `${code}_POOL_CLOSED` }),
      );
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
