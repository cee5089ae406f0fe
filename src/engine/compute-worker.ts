// The entry of the pool's worker threads (bundled as dist/compute-worker.js), in one of two roles its workerData
// names. A compute worker creates its own kernels and computes the jobs the pool sends: operands are read from the
// shared slots and the output is written into one, so a job's message carries slot numbers, not bytes, and nothing
// is allocated per job. A sink thread hashes and writes the output files, reading the outputs from the same slots.
import { isMainThread, parentPort, workerData, type MessagePort } from "node:worker_threads";
import { createArithmeticKernels } from "../arithmetic/simd/create-arithmetic-kernels.js";
import { serveSinkThread } from "../safetensors/serve-sink-thread.js";
import { sinkThreadProtocol, type SinkThreadData } from "../safetensors/sink-thread-messages.js";
import {
  computeProtocol,
  fromWireJob,
  slotView,
  type ComputeWorkerData,
  type FromWorker,
  type ToWorker,
  type WireBytes,
} from "./compute-messages.js";
import type { Operand } from "./compute-job.js";
import { createJobRunner } from "./create-job-runner.js";
import { createMatrixKernels } from "../arithmetic/low-rank/matrix-kernels.js";
import { LoraWorkspace, runLoraJob } from "./lora-job.js";
import { loraProtocol, type FromLoraWorker, type LoraWorkerData, type ToLoraWorker } from "./lora-pool.js";

const data = workerData as (Partial<ComputeWorkerData> & Partial<SinkThreadData>) | undefined;

// A script from another build would misread the jobs: it never says ready, exits, and the pool computes (or writes) on
// its own thread.
if (!isMainThread && parentPort && data?.tvhubComputeWorker === computeProtocol)
  serve(parentPort, data as ComputeWorkerData);
if (!isMainThread && parentPort && data?.tvhubSinkThread === sinkThreadProtocol)
  serveSinkThread({ port: parentPort, ...(data.memory === undefined ? {} : { memory: data.memory }) });

function serve(port: MessagePort, options: ComputeWorkerData): void {
  const { memory, slotBytes } = options;
  const kernels = createArithmeticKernels();
  const run = createJobRunner({ kernels, statistics: options.statistics });
  const bytesOf = (wire: WireBytes): Uint8Array =>
    "slot" in wire ? slotView(memory, slotBytes, wire.slot, wire.length) : wire.bytes;
  port.on("message", (message: ToWorker) => {
    try {
      const operands: Operand[] = message.operands.map((operand) => ({
        dtype: operand.dtype,
        bytes: bytesOf(operand),
      }));
      const out = message.out >= 0 ? slotView(memory, slotBytes, message.out, slotBytes) : undefined;
      const { bytes, ...statistics } = run(fromWireJob(message.job), operands, out);
      let output: WireBytes;
      if (out && bytes.buffer === memory && bytes.byteOffset === out.byteOffset)
        output = { slot: message.out, length: bytes.byteLength };
      else if (out && bytes.byteLength <= slotBytes) {
        // A copy job's operand, or a kernel's own array: one memcpy into the output slot.
        out.set(bytes);
        output = { slot: message.out, length: bytes.byteLength };
      } else output = { bytes };
      const reply: FromWorker = { type: "done", id: message.id, output, ...statistics };
      port.postMessage(
        reply,
        "bytes" in output && output.bytes.buffer instanceof ArrayBuffer ? [output.bytes.buffer] : [],
      );
    } catch (error) {
      const { name, message: text, code } = error as { name?: string; message?: string; code?: unknown };
      const failure = {
        name: name ?? "Error",
        message: text ?? String(error),
        ...(typeof code === "string" ? { code } : {}),
      };
      port.postMessage({ type: "failed", id: message.id, error: failure } satisfies FromWorker);
    }
  });
  port.postMessage({ type: "ready", implementation: kernels.implementation } satisfies FromWorker);
}
if (!isMainThread && parentPort && (data as Partial<LoraWorkerData> | undefined)?.tvhubLoraWorker === loraProtocol)
  serveLora(parentPort);

/** A LoRA worker: factors whole tensors with its own kernels, one at a time, and moves the factors back. */
function serveLora(port: MessagePort): void {
  const workspace = new LoraWorkspace(createArithmeticKernels(), createMatrixKernels());
  port.on("message", (message: ToLoraWorker) => {
    try {
      const result = runLoraJob(message.job, workspace);
      const transfer = [result.a, result.b].flatMap((bytes) =>
        bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
          ? [bytes.buffer]
          : [],
      );
      port.postMessage({ type: "done", id: message.id, result } satisfies FromLoraWorker, [...new Set(transfer)]);
    } catch (error) {
      const { name, message: text, code } = error as { name?: string; message?: string; code?: unknown };
      port.postMessage({
        type: "failed",
        id: message.id,
        error: { name: name ?? "Error", message: text ?? String(error), ...(typeof code === "string" ? { code } : {}) },
      } satisfies FromLoraWorker);
    }
  });
  port.postMessage({ type: "ready", implementation: workspace.matrices.implementation } satisfies FromLoraWorker);
}
