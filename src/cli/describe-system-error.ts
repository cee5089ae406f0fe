import { DataError, UsageError, type TvhubError } from "../errors.js";

/** Why a system call on a path failed, in words, by errno code. */
const causes: Record<string, { cause: string; usage: boolean }> = {
  EROFS: { cause: "the file system is read-only", usage: true },
  EACCES: { cause: "permission denied", usage: true },
  EPERM: { cause: "the operation is not permitted there", usage: true },
  ENOTDIR: { cause: "a part of the path is a file, not a folder", usage: true },
  EISDIR: { cause: "it is a folder, not a file", usage: true },
  ENOSPC: { cause: "the disk is full", usage: false },
  EDQUOT: { cause: "the disk quota is used up", usage: false },
};

/**
 * A file-system error that reached the CLI's boundary without a sentence of its own (a read-only `--out`, a path
 * under a file) as the user's problem it is, not as a bug in tvhub: which path, what the system said, what to do.
 * Undefined for anything else, which stays a bug.
 */
export function describeSystemError(error: unknown): TvhubError | undefined {
  const { code, path, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  const known = code === undefined ? undefined : causes[code];
  if (known === undefined || path === undefined) return undefined;
  const doing =
    syscall === undefined
      ? "use"
      : [
            "open",
            "mkdir",
            "mkdtemp",
            "rename",
            "write",
            "copyfile",
            "link",
            "symlink",
            "unlink",
            "rmdir",
            "rm",
          ].includes(syscall)
        ? "write"
        : "read";
  const message =
    `Cannot ${doing} ${path}: ${known.cause} (${code}); ` +
    `${known.usage ? "choose a path you can write to" : "free some space or write elsewhere"}, then rerun.`;
  return known.usage
    ? new UsageError(message, { code: `FS_${code}`, subject: path, cause: error })
    : new DataError(message, { code: `FS_${code}`, subject: path, cause: error });
}
