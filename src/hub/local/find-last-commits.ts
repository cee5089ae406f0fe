import type { CommitRecord, FileRecord } from "./types.js";

export interface FindLastCommitsOptions {
  /** The commit the listing is at. */
  head: CommitRecord;
  /** Paths to date, each a file or a folder of `head`. */
  targets: ReadonlyArray<{ path: string; type: "file" | "directory" }>;
  /** Loads a commit of the same repo by id. */
  loadCommit: (id: string) => Promise<CommitRecord>;
  /** Stops walking after this many commits and dates what is left with the oldest commit seen. */
  maxDepth?: number;
}

/**
 * For each path, the most recent commit (along first parents) that changed it: what the Hub returns as
 * `lastCommit` in expanded tree listings and paths-info.
 */
export async function findLastCommits(options: FindLastCommitsOptions): Promise<Map<string, CommitRecord>> {
  const found = new Map<string, CommitRecord>();
  const pending = new Map(options.targets.map((target) => [target.path, target.type]));
  const maxDepth = options.maxDepth ?? 10_000;
  let current = options.head;
  for (let depth = 0; pending.size > 0; depth++) {
    const parentId = current.parents[0];
    if (parentId === undefined || depth >= maxDepth) break;
    const parent = await options.loadCommit(parentId);
    const changed = changedPaths(current.files, parent.files);
    if (changed.size > 0) {
      const changedDirs = new Set<string>();
      for (const path of changed) {
        for (let cut = path.indexOf("/"); cut !== -1; cut = path.indexOf("/", cut + 1))
          changedDirs.add(path.slice(0, cut));
      }
      for (const [path, type] of pending) {
        if (type === "file" ? changed.has(path) : changedDirs.has(path)) {
          found.set(path, current);
          pending.delete(path);
        }
      }
    }
    current = parent;
  }
  for (const path of pending.keys()) found.set(path, current);
  return found;
}

function changedPaths(after: readonly FileRecord[], before: readonly FileRecord[]): Set<string> {
  const old = new Map(before.map((file) => [file.path, file]));
  const changed = new Set<string>();
  for (const file of after) {
    const previous = old.get(file.path);
    if (!previous || previous.sha256 !== file.sha256 || previous.lfs !== file.lfs) changed.add(file.path);
    old.delete(file.path);
  }
  for (const path of old.keys()) changed.add(path);
  return changed;
}
