import { Worker } from "node:worker_threads";

export interface StartReadyWorkerOptions {
  url: URL;
  workerData: unknown;
}

/**
 * Starts a worker thread and resolves once it posts `{ type: "ready" }`. A script that exits first (one from another
 * build refuses a protocol it does not speak) or throws rejects, and the thread is stopped.
 */
export function startReadyWorker(options: StartReadyWorkerOptions): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(options.url, { workerData: options.workerData });
    const onMessage = (message: { type?: unknown }) => {
      if (message?.type !== "ready") return;
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
      reject(
        new Error(`it exited with code ${code} before it was ready, which a worker script from another build does`),
      );
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
