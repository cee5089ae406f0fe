import { copyFile, mkdir, readFile, rename, symlink } from "node:fs/promises";
import { dirname, relative } from "node:path";
import { temporaryName, writeAtomically } from "./write-atomically.js";
import type { CachePaths } from "./resolve-cache-paths.js";

export interface LinkSnapshotOptions {
  paths: CachePaths;
  sha: string;
  path: string;
  etag: string;
  /** The branch or tag the commit was pinned from; recorded as `refs/<ref>` like huggingface_hub does. */
  ref?: string;
}

/**
 * Points `snapshots/<sha>/<path>` at `blobs/<etag>` with a relative symlink (a copy where symlinks are not
 * allowed), replacing any older entry atomically, and records the ref.
 */
export async function linkSnapshot(options: LinkSnapshotOptions): Promise<string> {
  const { paths, sha, path, etag } = options;
  const snapshot = paths.snapshot(sha, path);
  const blob = paths.blob(etag);
  await mkdir(dirname(snapshot), { recursive: true });
  const temporary = temporaryName(snapshot);
  try {
    await symlink(relative(dirname(snapshot), blob), temporary);
  } catch {
    await copyFile(blob, temporary);
  }
  await rename(temporary, snapshot);
  if (options.ref !== undefined && options.ref !== sha) await writeRef(paths.ref(options.ref), sha);
  return snapshot;
}

async function writeRef(path: string, sha: string): Promise<void> {
  const current = await readFile(path, "utf8").catch(() => undefined);
  if (current?.trim() !== sha) await writeAtomically(path, sha);
}
