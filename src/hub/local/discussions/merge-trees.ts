import type { FileRecord } from "../types.js";

export interface MergeTreesOptions {
  /** The files of the merge base (the commit the pull request started from). */
  base: readonly FileRecord[];
  /** The target branch's head now. */
  target: readonly FileRecord[];
  /** The pull request's head. */
  source: readonly FileRecord[];
}

export interface MergedTrees {
  /** The merged files, sorted by path; meaningful only when there are no conflicts. */
  files: FileRecord[];
  /** Paths both sides changed differently, or that became a file on one side and a folder on the other. */
  conflicts: string[];
}

/**
 * A three-way merge of file trees, file by file: a side that left a path as the base had it takes the other side's
 * version; both sides changing a path the same way is no conflict; changing it differently is.
 */
export function mergeTrees(options: MergeTreesOptions): MergedTrees {
  const byPath = (files: readonly FileRecord[]): Map<string, FileRecord> =>
    new Map(files.map((file) => [file.path, file]));
  const base = byPath(options.base);
  const target = byPath(options.target);
  const source = byPath(options.source);
  const paths = [...new Set([...base.keys(), ...target.keys(), ...source.keys()])].sort(comparePaths);
  const files: FileRecord[] = [];
  const conflicts: string[] = [];
  for (const path of paths) {
    const b = base.get(path);
    const t = target.get(path);
    const s = source.get(path);
    let result: FileRecord | undefined;
    if (sameFile(t, s) || sameFile(b, s)) result = t;
    else if (sameFile(b, t)) result = s;
    else {
      conflicts.push(path);
      continue;
    }
    if (result) files.push(result);
  }
  const present = new Set(files.map((file) => file.path));
  for (const file of files) {
    for (let cut = file.path.indexOf("/"); cut !== -1; cut = file.path.indexOf("/", cut + 1)) {
      const folder = file.path.slice(0, cut);
      if (present.has(folder) && !conflicts.includes(folder)) conflicts.push(folder);
    }
  }
  return { files, conflicts: conflicts.sort(comparePaths) };
}

function sameFile(a: FileRecord | undefined, b: FileRecord | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.sha256 === b.sha256 && a.lfs === b.lfs && a.size === b.size;
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
