import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { ModelRef } from "../hub/index.js";
import type { ProgressEvent } from "../util/progress.js";
import { checkFreeSpace } from "./check-free-space.js";
import { diskFullError, isDiskFull } from "./disk-full-error.js";

export interface InStagingFolderOptions {
  /** The folder the staging folder is made in (created when missing). */
  parent: string;
  /** The staging folder's name before mkdtemp's random suffix. */
  prefix: string;
  /** What is staged, for the messages ("the task vector"). */
  what: string;
  /** Bytes written there in all. */
  needed: number;
  /** The other way out besides freeing space. */
  advice: string;
}

/**
 * Runs `use` on a fresh staging folder: checks the disk has room first (before any input is downloaded), turns a
 * write that fills the disk into its one-sentence error, and removes the folder whatever happens.
 */
export async function* inStagingFolder<T>(
  options: InStagingFolderOptions,
  use: (stageDir: string) => AsyncGenerator<ProgressEvent, T>,
): AsyncGenerator<ProgressEvent, T> {
  const space = { dir: options.parent, what: options.what, needed: options.needed, advice: options.advice };
  await checkFreeSpace(space);
  await mkdir(options.parent, { recursive: true });
  const stageDir = await mkdtemp(join(options.parent, options.prefix));
  try {
    return yield* use(stageDir);
  } catch (error) {
    throw isDiskFull(error) ? diskFullError({ ...space, cause: error }) : error;
  } finally {
    await rm(stageDir, { recursive: true, force: true });
  }
}

/**
 * Where an output is staged: beside a local target (the same disk, so the files appear there by rename), else in
 * the work folder; and what to tell a user whose disk is too small.
 */
export function stagingFor(
  target: ModelRef,
  workDir: string,
): Pick<InStagingFolderOptions, "parent" | "prefix" | "advice"> {
  return target.kind === "local"
    ? {
        parent: dirname(target.path),
        prefix: `.${basename(target.path)}.tvhub-`,
        advice: "write --to a folder on a disk with room",
      }
    : { parent: workDir, prefix: "tvhub-", advice: "set TMPDIR to a folder on a disk with room" };
}
