import { formatBytes } from "../util/format-bytes.js";
import type { PortionAssignment } from "./assign-portions.js";

export interface FormatMatrixOptions {
  matrix: readonly PortionAssignment[];
}

/** What `tvhub plan --portions N` prints under the plan: one line per job, its files, tensors and bytes. */
export function formatMatrix(options: FormatMatrixOptions): string {
  const { matrix } = options;
  const largest = Math.max(0, ...matrix.map((job) => job.bytes));
  const smallest = Math.min(...matrix.map((job) => job.bytes));
  const lines = [
    `Matrix: ${matrix.length} job${matrix.length === 1 ? "" : "s"}, ${formatBytes(smallest)} to ` +
      `${formatBytes(largest)} of output each`,
  ];
  const width = Math.max(...matrix.map((job) => job.portion.length));
  for (const job of matrix) {
    const first = job.files[0] ?? "";
    const last = job.files[job.files.length - 1] ?? "";
    const files = job.files.length === 1 ? first : `${first} … ${last}`;
    lines.push(
      `  ${job.portion.padEnd(width)}  ${job.files.length} file${job.files.length === 1 ? "" : "s"}, ${job.tensors} ` +
        `tensor${job.tensors === 1 ? "" : "s"}, ${formatBytes(job.bytes)}  (${files})`,
    );
  }
  return `${lines.join("\n")}\n`;
}
