import { statfs } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { checkWritableFolder } from "./check-writable-folder.js";
import { diskFullError } from "./disk-full-error.js";

export interface CheckFreeSpaceOptions {
  /** The folder the run will write into; it need not exist yet (its nearest existing parent is measured). */
  dir: string;
  /** Bytes the run will write there. */
  needed: number;
  /** What is written, for the message ("the task vector"). */
  what: string;
  /** The other way out besides freeing space. */
  advice: string;
}

/**
 * Refuses a run whose output cannot be written or cannot fit, before any input is downloaded. Where the file system
 * cannot say how much is free, the run goes ahead (a full disk is then reported when a write fails).
 */
export async function checkFreeSpace(options: CheckFreeSpaceOptions): Promise<void> {
  // A read-only or pseudo file system can report no free space: say what is really wrong with it first.
  await checkWritableFolder({ dir: options.dir, flag: `The folder for ${options.what}` });
  const free = await freeBytes(resolve(options.dir));
  if (free !== undefined && free < options.needed) {
    throw diskFullError({ dir: options.dir, what: options.what, needed: options.needed, free, advice: options.advice });
  }
}

async function freeBytes(path: string): Promise<number | undefined> {
  for (let at = path; ; at = dirname(at)) {
    try {
      const stats = await statfs(at);
      return stats.bavail * stats.bsize;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== "ENOENT" && code !== "ENOTDIR") || dirname(at) === at) return undefined;
    }
  }
}
