import type { ReconstructionStats } from "../arithmetic/reconstruction-error.js";
import { findMergeMethod } from "../arithmetic/merge-methods.js";
import { InternalError } from "../errors.js";
import type { Operand } from "./compute-job.js";
import type { Job, JobKind } from "./plan-jobs.js";

/**
 * What the pool and its workers say to each other. The version travels in `workerData`: a worker script from
 * another build refuses to start instead of misreading jobs, and the pool then computes on its own thread.
 */
export const computeProtocol = 1;

export interface ComputeWorkerData {
  tvhubComputeWorker: number;
  statistics: boolean;
}

/** A job as it crosses to a worker: the merge method by name, since its functions cannot be cloned. */
export type WireJob = Omit<Job, "kind"> & { kind: Exclude<JobKind, { op: "merge" }> | (Omit<Extract<JobKind, { op: "merge" }>, "method"> & { method: string }) };

export type ToWorker = { type: "job"; id: number; job: WireJob; operands: Operand[] };

export type FromWorker =
  | { type: "ready"; implementation: string }
  | { type: "done"; id: number; bytes: Uint8Array; sumOfSquares?: number; reconstruction?: ReconstructionStats }
  | { type: "failed"; id: number; error: { name: string; message: string; code?: string } };

export function toWireJob(job: Job): WireJob {
  if (job.kind.op !== "merge") return job as WireJob;
  return { ...job, kind: { ...job.kind, method: job.kind.method.name } };
}

export function fromWireJob(wire: WireJob): Job {
  if (wire.kind.op !== "merge") return wire as Job;
  const method = findMergeMethod(wire.kind.method);
  if (!method) throw new InternalError(`A worker got merge method ${wire.kind.method}, which it has no kernel for.`, { code: "COMPUTE_UNKNOWN_METHOD" });
  return { ...wire, kind: { ...wire.kind, method } } as Job;
}

/**
 * Bytes whose ArrayBuffer can be handed to another thread: the view itself when it spans its whole buffer (a
 * fresh read or a fresh kernel output), else a copy, so that a view into memory someone else keeps (a buffer
 * source, Node's pooled small Buffers) is never detached under its owner.
 */
export function transferable(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? bytes : bytes.slice();
}
