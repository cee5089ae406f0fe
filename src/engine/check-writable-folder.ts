import { mkdtemp, rmdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";

export interface CheckWritableFolderOptions {
  /** The folder a run will write into; it need not exist yet. */
  dir: string;
  /** How the user gave it, for the message: `--to ./out`, `--out ./demo-output`. */
  flag: string;
}

/**
 * Refuses an output folder that cannot be written, before any work, with the real cause: a path under a file, a
 * read-only file system, no permission. It creates (and removes) an empty folder in the nearest existing ancestor,
 * because only a write says whether writes work: a read-only or pseudo file system can report free space, or none.
 */
export async function checkWritableFolder(options: CheckWritableFolderOptions): Promise<void> {
  const { dir, flag } = options;
  let at = resolve(dir);
  for (;;) {
    const info = await stat(at).catch((error: NodeJS.ErrnoException) =>
      error.code === "ENOENT" || error.code === "ENOTDIR" ? undefined : Promise.reject(error),
    );
    if (info !== undefined) {
      if (!info.isDirectory()) {
        const where = at === resolve(dir) ? `${dir} is a file` : `${at} is a file, so no folder can be made under it`;
        throw new UsageError(`${flag}: ${where}; give the path of a folder.`, {
          code: "OUTPUT_NOT_A_FOLDER",
          subject: dir,
        });
      }
      break;
    }
    if (dirname(at) === at) return;
    at = dirname(at);
  }
  let probe: string;
  try {
    probe = await mkdtemp(join(at, ".tvhub-write-check-"));
  } catch (error) {
    throw notWritable(options, at, error);
  }
  await rmdir(probe).catch(() => undefined);
}

function notWritable(options: CheckWritableFolderOptions, at: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const cause =
    code === "EROFS"
      ? "is on a read-only file system (EROFS)"
      : code === "EACCES" || code === "EPERM"
        ? `cannot be written by this user (${code}: permission denied)`
        : code === "ENOSPC" || code === "EDQUOT"
          ? `is on a full disk (${code})`
          : `cannot be written (${code ?? String(error)})`;
  const where = at === resolve(options.dir) ? options.dir : `${at}, where ${options.dir} would be made,`;
  return new UsageError(`${options.flag}: ${where} ${cause}; give a folder on a disk you can write to.`, {
    code: "OUTPUT_NOT_WRITABLE",
    subject: options.dir,
    cause: error,
  });
}
