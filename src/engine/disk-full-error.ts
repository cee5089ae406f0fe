import { DataError } from "../errors.js";
import { formatBytes } from "../util/format-bytes.js";

export interface DiskFullErrorOptions {
  /** The folder the run writes into. */
  dir: string;
  /** What the run writes there, for the message ("the task vector"). */
  what: string;
  /** Bytes it needs there in all. */
  needed: number;
  /** Bytes free when that is known (a check before writing), else absent (a write that failed). */
  free?: number;
  /** The other way out besides freeing space, e.g. "write --to a folder on a disk with room". */
  advice: string;
  cause?: unknown;
}

/** Whether a write failed because its disk (or the user's quota on it) is full. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

/** The one-sentence error for a disk too full to hold an output: where, how much, and what to do. */
export function diskFullError(options: DiskFullErrorOptions): DataError {
  const { dir, what, needed, free } = options;
  const state =
    free === undefined
      ? `is full: ${what} needs ${formatBytes(needed)} there`
      : `is too full: ${what} needs ${formatBytes(needed)} there and ${formatBytes(free)} is free`;
  return new DataError(`The disk holding ${dir} ${state}; free some space, or ${options.advice}.`, {
    code: "DISK_FULL",
    subject: dir,
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}
