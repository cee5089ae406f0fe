import { dispatchToWorkers } from "./dispatch-to-workers.js";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import { loadNativeKernels } from "../arithmetic/native/load-native-kernels.js";
import { createMatrixKernels } from "../arithmetic/low-rank/matrix-kernels.js";
import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import { rebuildError } from "./compute-pool.js";
import { startReadyWorker } from "../util/start-ready-worker.js";
import { LoraWorkspace, runLoraJob, type LoraJob, type LoraJobResult } from "./lora-job.js";

/**
 * The version of the messages below; it travels in workerData, so a worker script from another build refuses to start.
 */
export const loraProtocol = 1;

export interface LoraWorkerData {
  tvhubLoraWorker: number;
}

export type ToLoraWorker = { type: "factor"; id: number; job: LoraJob };
export type FromLoraWorker =
  | { type: "ready"; implementation: string }
  | { type: "done"; id: number; result: LoraJobResult }
  | { type: "failed"; id: number; error: { name: string; message: string; code?: string } };

export interface LoraPool {
  /** Worker threads; 0 when jobs run on the calling thread. */
  readonly threads: number;
  /** Why jobs run here although workers were asked for. */
  readonly fallback?: string;
  /** The matrix kernels' implementation (`native`, `wasm` or `js`). */
  readonly implementation: string;
  /** Factors one tensor on the least busy thread; its input bytes are moved to that thread. */
  factor(job: LoraJob): Promise<LoraJobResult>;
  close(): Promise<void>;
}

export interface CreateLoraPoolOptions {
  kernels: ArithmeticKernels;
  threads: number;
  /**
   * @default compute-worker.js beside this module (dist/); from the TypeScript sources there is none and jobs run here.
   */
  workerUrl?: URL;
}

const defaultWorkerUrl = new URL("./compute-worker.js", import.meta.url);

/**
 * Spreads whole-tensor factorizations over worker threads of the compute worker script, one tensor per thread at a
 * time: each thread keeps its own matrix kernels (a WebAssembly memory as large as the largest τ it has factored),
 * so memory is a few tensors whatever the model's size. A tensor is factored on one thread from start to end, so
 * its bits do not depend on which thread or how many.
 */
export async function createLoraPool(options: CreateLoraPoolOptions): Promise<LoraPool> {
  const url = options.workerUrl ?? defaultWorkerUrl;
  const local = (fallback?: string): LoraPool => {
    let workspace: LoraWorkspace | undefined;
    const implementation = createMatrixKernels().implementation;
    return {
      threads: 0,
      implementation,
      ...(fallback === undefined ? {} : { fallback }),
      factor: async (job) => runLoraJob(job, (workspace ??= new LoraWorkspace(options.kernels, createMatrixKernels()))),
      close: async () => {},
    };
  };
  if (options.threads <= 0 || url.protocol !== "file:" || !existsSync(fileURLToPath(url))) return local();
  const workerData: LoraWorkerData = { tvhubLoraWorker: loraProtocol };
  const started = await Promise.allSettled(
    Array.from({ length: options.threads }, () => startReadyWorker({ url, workerData })),
  );
  const workers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const refused = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (refused || workers.length === 0) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    return local(
      `a worker did not start (${refused ? String((refused.reason as Error)?.message ?? refused.reason) : "none"})`,
    );
  }
  // The workers load the same kernels from the same package (the ready message's name is not kept).
  return workerPool(workers, loadNativeKernels() ? "native" : "wasm");
}

function workerPool(workers: Worker[], implementation: string): LoraPool {
  const dispatch = dispatchToWorkers<
    { resolve: (r: LoraJobResult) => void; reject: (e: unknown) => void },
    FromLoraWorker
  >({
    workers,
    kind: "LoRA",
    code: "LORA",
    doing: "tensors were being factored",
    onAnswer(job, message) {
      if (message.type === "done") job.resolve(message.result);
      else if (message.type === "failed") job.reject(rebuildError(message.error));
    },
  });
  return {
    threads: workers.length,
    implementation,
    factor(job) {
      const refusal = dispatch.refusal;
      if (refusal !== undefined) return Promise.reject(refusal);
      const transfer = [job.finetuned.bytes, job.base.bytes].flatMap((bytes) =>
        bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
          ? [bytes.buffer]
          : [],
      );
      return new Promise<LoraJobResult>((resolve, reject) => {
        dispatch.send(
          (worker, id) =>
            worker.postMessage({ type: "factor", id, job } satisfies ToLoraWorker, [...new Set(transfer)]),
          { resolve, reject },
        );
      });
    },
    close: () => dispatch.close(),
  };
}
