import type { RepoFileRef } from "./types.js";

/** How messages name a file at a pinned commit: `org/name@abc1234:path`. */
export function describeFile(file: RepoFileRef): string {
  return `${file.repo}@${file.sha.slice(0, 7)}:${file.path}`;
}
