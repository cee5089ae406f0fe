import type { ReconstructionStats } from "../arithmetic/reconstruction-error.js";

/**
 * Which part of a matrix run a job does: one share of the output files (`index` of `count`, from 1), or the
 * finalize step that writes the index, `tvhub.json` and the card once every share is on the Hub. `count` is
 * optional for finalize: the portion records on the Hub say it.
 */
export type PortionStage = { kind: "portion"; index: number; count: number } | { kind: "finalize"; count?: number };

/**
 * `.tvhub/portion-<i>-of-<n>.json`: what a portion job commits next to its files, in the same commit. The finalize
 * step reads every one, checks them against its own plan, and deletes them in its commit, so the finished repo
 * holds exactly what a single job would have published.
 */
export interface PortionRecord {
  format: "tvhub/portion";
  version: 1;
  /** `i/N` */
  portion: string;
  /** planDigest of the plan the job ran: every job and the finalize step must have made the same plan. */
  plan: string;
  /** The inputs as the job pinned them, to say which one moved when the digests differ. */
  inputs: Array<{ role: string; ref: string; repo: string | null; revision: string | null }>;
  /** The job's output files, as it wrote them. */
  files: Array<{ path: string; size: number; sha256: string }>;
  /** Task vectors: the job's share of the card's statistics; null for merges. */
  statistics: PortionStatistics | null;
  tvhub: string;
}

export interface PortionStatistics {
  /** Σ τ² per tensor of the job's files, in write order; non-finite sums as "NaN", "Infinity", "-Infinity". */
  tensors: Array<[string, number | string]>;
  reconstruction: { elements: number; mismatches: number; maxAbsError: number | string };
}

/** A portion job's commit. */
export interface PublishedPortion {
  /** `i/N` */
  portion: string;
  repo: string;
  commit: string;
  url: string;
  /** The job's output files, then its portion record. */
  files: Array<{ path: string; size: number; sha256?: string }>;
}

export function portionRecordPath(index: number, count: number): string {
  return `.tvhub/portion-${index}-of-${count}.json`;
}

/** JSON has no NaN or ±Infinity; a sum of squares that overflowed must still round-trip to the same card. */
export function encodeNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

export function decodeNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value === "NaN" || value === "Infinity" || value === "-Infinity") return Number(value);
  return undefined;
}

export function encodeReconstruction(stats: ReconstructionStats): PortionStatistics["reconstruction"] {
  return { elements: stats.elements, mismatches: stats.mismatches, maxAbsError: encodeNumber(stats.maxAbsError) };
}
