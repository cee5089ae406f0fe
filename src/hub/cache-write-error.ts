import { DataError } from "../errors.js";

/** The error for a failed write into the Hub cache (full disk, read-only directory). */
export function cacheWriteError(name: string, cacheDir: string, error: unknown): DataError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new DataError(
    `Could not write ${name} into the Hub cache at ${cacheDir}${code === undefined ? "" : ` (${code})`}; free some space or set HF_HUB_CACHE to a writable directory.`,
    { code: "HUB_CACHE_WRITE_FAILED", subject: name, cause: error },
  );
}
