import { DataError } from "../errors.js";
import { formatBytes } from "../util/format-bytes.js";

/**
 * The error for a failed write into the Hub cache (full disk, read-only directory). `size` is the whole file's,
 * which is what a rerun needs once the partial download is gone.
 */
export function cacheWriteError(name: string, cacheDir: string, error: unknown, size?: number): DataError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if ((code === "ENOSPC" || code === "EDQUOT") && size !== undefined) {
    return new DataError(
      `The disk holding the Hub cache at ${cacheDir} is full: ${name} needs ${formatBytes(size)} there; free that much space or set HF_HUB_CACHE to a folder on a disk with room.`,
      { code: "HUB_CACHE_FULL", subject: name, cause: error },
    );
  }
  return new DataError(
    `Could not write ${name} into the Hub cache at ${cacheDir}${code === undefined ? "" : ` (${code})`}; free some space or set HF_HUB_CACHE to a writable directory.`,
    { code: "HUB_CACHE_WRITE_FAILED", subject: name, cause: error },
  );
}
