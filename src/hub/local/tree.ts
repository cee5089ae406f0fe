import { gitTreeSha1, type GitTreeEntry } from "./git-objects.js";
import type { FileRecord } from "./types.js";

export type TreeEntry =
  | { type: "file"; path: string; file: FileRecord }
  | { type: "directory"; path: string; oid: string };

export interface ListTreeOptions {
  files: readonly FileRecord[];
  /** Folder to list; `""` is the root. */
  path: string;
  /** All descendants (directories included) instead of direct children. */
  recursive: boolean;
}

/**
 * The entries of a folder in Hub order (path order, a folder before its contents), or undefined when the folder
 * does not exist. Directory oids are git tree ids.
 */
export function listTree(options: ListTreeOptions): TreeEntry[] | undefined {
  const { files, path, recursive } = options;
  const prefix = path === "" ? "" : `${path}/`;
  const dirOids = directoryOids(files);
  if (path !== "" && !dirOids.has(path)) return undefined;
  const entries: TreeEntry[] = [];
  const seenDirs = new Set<string>();
  for (const file of files) {
    if (!file.path.startsWith(prefix)) continue;
    const rest = file.path.slice(prefix.length);
    const segments = rest.split("/");
    const depth = recursive ? segments.length - 1 : Math.min(segments.length - 1, 1);
    for (let i = 1; i <= depth; i++) {
      const dir = prefix + segments.slice(0, i).join("/");
      if (seenDirs.has(dir)) continue;
      seenDirs.add(dir);
      entries.push({ type: "directory", path: dir, oid: dirOids.get(dir) ?? "" });
    }
    if (recursive || segments.length === 1) entries.push({ type: "file", path: file.path, file });
  }
  return entries.sort((a, b) => comparePaths(a.path, b.path));
}

/** The entry at each path that exists (a file or a folder); missing paths are left out, as the Hub does. */
export function entriesAt(files: readonly FileRecord[], paths: readonly string[]): TreeEntry[] {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const dirOids = directoryOids(files);
  const found: TreeEntry[] = [];
  for (const path of new Set(paths)) {
    const file = byPath.get(path);
    if (file) found.push({ type: "file", path, file });
    else if (path !== "" && dirOids.has(path)) found.push({ type: "directory", path, oid: dirOids.get(path) ?? "" });
  }
  return found;
}

/** Compares by segments, so `a/x` sorts right after its folder `a` and before `a.b`. */
export function comparePaths(a: string, b: string): number {
  const sa = a.split("/");
  const sb = b.split("/");
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const x = sa[i] as string;
    const y = sb[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return sa.length - sb.length;
}

/** Git tree ids of every folder (`""` is the root), computed bottom-up. */
export function directoryOids(files: readonly FileRecord[]): Map<string, string> {
  const children = new Map<string, GitTreeEntry[]>([["", []]]);
  const childrenOf = (dir: string): GitTreeEntry[] => {
    let list = children.get(dir);
    if (!list) children.set(dir, (list = []));
    return list;
  };
  for (const file of files) {
    const segments = file.path.split("/");
    for (let i = 0; i < segments.length - 1; i++) childrenOf(segments.slice(0, i + 1).join("/"));
    childrenOf(segments.slice(0, -1).join("/")).push({ name: segments.at(-1) ?? "", kind: "file", oid: file.oid });
  }
  const oids = new Map<string, string>();
  // Deepest folders first, so each parent sees its subfolders' ids.
  const dirs = [...children.keys()].sort((a, b) => depthOf(b) - depthOf(a));
  for (const dir of dirs) {
    const oid = gitTreeSha1(childrenOf(dir));
    oids.set(dir, oid);
    if (dir !== "") {
      const cut = dir.lastIndexOf("/");
      childrenOf(cut === -1 ? "" : dir.slice(0, cut)).push({ name: dir.slice(cut + 1), kind: "directory", oid });
    }
  }
  return oids;
}

function depthOf(dir: string): number {
  return dir === "" ? 0 : dir.split("/").length;
}
