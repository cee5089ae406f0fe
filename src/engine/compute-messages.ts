import type { ReconstructionStats } from "../arithmetic/reconstruction-error.js";
import { findMergeMethod } from "../arithmetic/merge-methods.js";
import { InternalError } from "../errors.js";
import type { Dtype } from "../tensor/dtype.js";
import type { Job, JobKind } from "./plan-jobs.js";

/**
 * What the pool and its workers say to each other. The version travels in `workerData`: a worker script from
 * another build refuses to start instead of misreading jobs, and the pool then computes on its own thread.
 */
// 4: jobs may be LoRA updates (op "lora", and merge terms of kind "lora").
// 5: jobs may name breadcrumbs, breadcrumbs_ties, della, della_linear, model_stock and nuslerp, and boolean parameters.
export const computeProtocol = 5;

export interface ComputeWorkerData {
  tvhubComputeWorker: number;
  statistics: boolean;
  /** The slots jobs are read into and computed into, shared by the pool and every worker. */
  memory: SharedArrayBuffer;
  slotBytes: number;
}

/** A job as it crosses to a worker: the merge method by name, since its functions cannot be cloned. */
export type WireJob = Omit<Job, "kind"> & {
  kind: Exclude<JobKind, { op: "merge" }> | (Omit<Extract<JobKind, { op: "merge" }>, "method"> & { method: string });
};

/** Bytes in the shared slots (`slot`, first `length` bytes), or, for what does not fit a slot, the bytes themselves. */
export type WireBytes = { slot: number; length: number } | { bytes: Uint8Array };

export type ToWorker = {
  type: "job";
  id: number;
  job: WireJob;
  operands: Array<WireBytes & { dtype: Dtype }>;
  /** The slot for the output, or −1 when it is larger than a slot. */
  out: number;
};

export type FromWorker =
  | { type: "ready"; implementation: string }
  | { type: "done"; id: number; output: WireBytes; sumOfSquares?: number; reconstruction?: ReconstructionStats }
  | { type: "failed"; id: number; error: { name: string; message: string; code?: string } };

export function toWireJob(job: Job): WireJob {
  if (job.kind.op !== "merge") return job as WireJob;
  return { ...job, kind: { ...job.kind, method: job.kind.method.name } };
}

export function fromWireJob(wire: WireJob): Job {
  if (wire.kind.op !== "merge") return wire as Job;
  const method = findMergeMethod(wire.kind.method);
  if (!method)
    throw new InternalError(`A worker got merge method ${wire.kind.method}, which it has no kernel for.`, {
      code: "COMPUTE_UNKNOWN_METHOD",
    });
  return { ...wire, kind: { ...wire.kind, method } } as Job;
}

/** A view of the first `length` bytes of a slot. */
export function slotView(memory: SharedArrayBuffer, slotBytes: number, slot: number, length: number): Uint8Array {
  return new Uint8Array(memory, slot * slotBytes, length);
}
