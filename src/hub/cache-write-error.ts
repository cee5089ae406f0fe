import { DataError } from "../errors.js";
import { formatBytes } from "../util/format-bytes.js";

/**
 * The error for a failed write into the Hub cache, with its real cause (a full disk, a read-only file system, no
 * permission). `size` is the whole file's,
 * which is what a rerun needs once the partial download is gone.
 */
export function cacheWriteError(name: string, cacheDir: string, error: unknown, size?: number): DataError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if ((code === "ENOSPC" || code === "EDQUOT") && size !== undefined) {
    return new DataError(
      `The disk holding the Hub cache at ${cacheDir} is full: ${name} needs ${formatBytes(size)} there; free that ` +
        "much space or set HF_HUB_CACHE to a folder on a disk with room.",
      { code: "HUB_CACHE_FULL", subject: name, cause: error },
    );
  }
  const cause =
    code === "EROFS"
      ? "it is on a read-only file system (EROFS)"
      : code === "EACCES" || code === "EPERM"
        ? `this user cannot write there (${code}: permission denied)`
        : code === "ENOSPC" || code === "EDQUOT"
          ? `its disk is full (${code})`
          : code === "ENOTDIR" || code === "EEXIST"
            ? `a part of that path is a file, not a folder (${code})`
            : `the write failed${code === undefined ? "" : ` (${code})`}`;
  return new DataError(
    `Could not write ${name} into the Hub cache at ${cacheDir}: ${cause}; set HF_HUB_CACHE (or HF_HOME) to a ` +
      `writable folder${code === "ENOSPC" || code === "EDQUOT" ? " on a disk with room" : ""}.`,
    { code: "HUB_CACHE_WRITE_FAILED", subject: name, cause: error },
  );
}
