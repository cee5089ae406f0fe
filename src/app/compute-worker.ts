// The entry of a compute worker thread (bundled as dist/compute-worker.js). It creates its own kernels and
// computes the jobs the pool sends, returning each job's bytes and statistics; buffers move, never copy.
import { isMainThread, parentPort, workerData, type MessagePort } from "node:worker_threads";
import { createArithmeticKernels } from "../arithmetic/simd/create-arithmetic-kernels.js";
import { computeProtocol, fromWireJob, transferable, type ComputeWorkerData, type FromWorker, type ToWorker } from "./compute-messages.js";
import { createJobRunner } from "./create-job-runner.js";

const data = workerData as Partial<ComputeWorkerData> | undefined;

// A script from another build would misread the jobs: it never says ready, exits, and the pool computes on its own thread.
if (!isMainThread && parentPort && data?.tvhubComputeWorker === computeProtocol) serve(parentPort, data.statistics === true);

function serve(port: MessagePort, statistics: boolean): void {
  const kernels = createArithmeticKernels();
  const run = createJobRunner({ kernels, statistics });
  port.on("message", (message: ToWorker) => {
    let reply: FromWorker;
    try {
      const output = run(fromWireJob(message.job), message.operands);
      reply = { type: "done", id: message.id, ...output, bytes: transferable(output.bytes) };
    } catch (error) {
      const { name, message: text, code } = error as { name?: string; message?: string; code?: unknown };
      reply = { type: "failed", id: message.id, error: { name: name ?? "Error", message: text ?? String(error), ...(typeof code === "string" ? { code } : {}) } };
    }
    port.postMessage(reply, reply.type === "done" ? [reply.bytes.buffer as ArrayBuffer] : []);
  });
  port.postMessage({ type: "ready", implementation: kernels.implementation } satisfies FromWorker);
}
