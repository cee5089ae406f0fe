import type { RepoType } from "./names.js";

/** A file in a commit's tree. Content lives in the object store under its sha256. */
export interface FileRecord {
  path: string;
  /** sha256 of the content: the object's name in the store, and the LFS oid. */
  sha256: string;
  /** The git blob id of what git would hold: the content itself, or the LFS pointer for LFS files. */
  oid: string;
  size: number;
  lfs: boolean;
}

/** An immutable commit. Its id is the sha1 of the canonical JSON of every other field. */
export interface CommitRecord {
  id: string;
  parents: string[];
  title: string;
  description: string;
  /** The user who made it. */
  author: string;
  /** ISO 8601. */
  date: string;
  /** Sorted by path (UTF-16 order), no duplicates. */
  files: FileRecord[];
}

export interface RepoRecord {
  /** Opaque 24-hex id, like the Hub's `_id`. */
  _id: string;
  type: RepoType;
  namespace: string;
  name: string;
  private: boolean;
  createdAt: string;
}

/** A repo as the router addresses it. */
export interface RepoKey {
  type: RepoType;
  namespace: string;
  name: string;
}

export function repoIdOf(key: RepoKey): string {
  return `${key.namespace}/${key.name}`;
}

/** The URL prefix of a repo's web paths: `""` for models, `datasets/` for datasets. */
export function urlPrefixOf(type: RepoType): string {
  return type === "model" ? "" : `${type}s/`;
}
