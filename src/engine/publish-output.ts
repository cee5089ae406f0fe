import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { DataError } from "../errors.js";
import {
  findForeignFiles,
  foreignFilesError,
  type HubClient,
  type ModelRef,
  type PublishedPullRequest,
} from "../hub/index.js";
import type { ProgressEvent } from "../util/progress.js";
import { pickDefined } from "../util/pick-defined.js";

export interface PublishOutputOptions {
  hub: HubClient;
  target: ModelRef;
  /** The staged folder holding exactly the files to publish. */
  stageDir: string;
  /** Relative paths inside `stageDir`, in the order to list them. */
  files: string[];
  commitTitle: string;
  commitDescription?: string;
  private?: boolean;
  /** Files already in the target that belong to the output (a matrix run's shards): kept, not sent again. */
  keep?: string[];
  /** Hub targets: fail unless the branch head is still this commit (the one whose files were checked). */
  parentCommit?: string;
  /** Hub targets: commit to a new pull request on the default branch instead of to the branch. */
  createPr?: boolean;
}

export interface PublishedOutput {
  /** `org/name` for a Hub target. */
  repo?: string;
  /** The folder for a local target. */
  dir?: string;
  commit?: string;
  url: string;
  /** The pull request the commit opened (`createPr`); then `commit` is the head of `refs/pr/N`, not of main. */
  pullRequest?: PublishedPullRequest;
}

/**
 * Publishes a staged output: one commit to a Hub repo, or into a local folder (the files appear only once
 * complete, by rename). A target that holds files tvhub would not write is refused before anything is sent.
 */
export async function* publishOutput(options: PublishOutputOptions): AsyncGenerator<ProgressEvent, PublishedOutput> {
  const { target } = options;
  if (target.kind === "hub") {
    const result = yield* options.hub.publish({
      repo: target.repo,
      files: options.files.map((path) => ({ path, localPath: join(options.stageDir, path) })),
      commitTitle: options.commitTitle,
      ...pickDefined(options, ["commitDescription", "private", "keep", "parentCommit"]),
      ...(options.createPr === true && { createPullRequest: true }),
    });
    return {
      repo: target.repo,
      commit: result.commitSha,
      url: result.repoUrl,
      ...(result.pullRequest && { pullRequest: result.pullRequest }),
    };
  }
  const dir = target.path;
  const existing = await checkLocalTarget(dir);
  await mkdir(dir, { recursive: true });
  // Files of an earlier run that this one does not write (a different shard count) would make the folder lie.
  for (const name of existing)
    if (!options.files.includes(name) && !(options.keep ?? []).includes(name))
      await rm(join(dir, name), { recursive: true, force: true });
  for (const path of options.files) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await rename(join(options.stageDir, path), join(dir, path));
  }
  return { dir, url: dir };
}

/**
 * Refuses a folder that holds someone's other work (findForeignFiles); returns what it holds (nothing when it does not
 * exist).
 */
export async function checkLocalTarget(dir: string): Promise<string[]> {
  const existing = await listIfExists(dir);
  const foreign = findForeignFiles(existing);
  if (foreign.length > 0) throw foreignFilesError({ target: dir, foreign });
  return existing;
}

async function listIfExists(dir: string): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) {
      throw new DataError(`${dir} exists and is not a folder; choose a folder for the output.`, {
        code: "TARGET_NOT_DIRECTORY",
        subject: dir,
      });
    }
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
