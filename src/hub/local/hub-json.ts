import type { CardFacts } from "./derive-card-data.js";
import { lfsPointer } from "./git-objects.js";
import type { TreeEntry } from "./tree.js";
import type { CommitRecord, FileRecord, RepoRecord } from "./types.js";

/** The model/dataset info object (`/api/models/{id}[/revision/{rev}]`, and each item of `/api/models`). */
export function repoInfoJson(
  repo: RepoRecord,
  commit: CommitRecord,
  facts: CardFacts,
  options: { blobs?: boolean } = {},
): Record<string, unknown> {
  const info: Record<string, unknown> = {
    _id: repo._id,
    id: `${repo.namespace}/${repo.name}`,
    author: repo.namespace,
    sha: commit.id,
    lastModified: commit.date,
    createdAt: repo.createdAt,
    private: repo.private,
    gated: false,
    disabled: false,
    downloads: 0,
    downloadsAllTime: 0,
    likes: 0,
    tags: facts.tags,
  };
  if (facts.pipelineTag) info.pipeline_tag = facts.pipelineTag;
  if (facts.libraryName) info.library_name = facts.libraryName;
  if (facts.cardData) info.cardData = facts.cardData;
  // `?blobs=true` (files_metadata): sizes, blob ids and LFS facts; the sibling's LFS hash is `sha256`, not `oid`.
  info.siblings = commit.files.map((file) =>
    options.blobs
      ? {
          rfilename: file.path,
          size: file.size,
          blobId: file.oid,
          ...(file.lfs && { lfs: { size: file.size, sha256: file.sha256, pointerSize: pointerSizeOf(file) } }),
        }
      : { rfilename: file.path },
  );
  info.usedStorage = commit.files.reduce((sum, file) => sum + file.size, 0);
  return info;
}

/** A tree / paths-info entry; `lastCommit` and `securityFileStatus` only when expanded. */
export function treeEntryJson(entry: TreeEntry, lastCommit?: CommitRecord): Record<string, unknown> {
  const json: Record<string, unknown> =
    entry.type === "directory"
      ? { type: "directory", oid: entry.oid, size: 0, path: entry.path }
      : {
          type: "file",
          oid: entry.file.oid,
          size: entry.file.size,
          path: entry.path,
          ...(entry.file.lfs && {
            lfs: {
              oid: entry.file.sha256,
              size: entry.file.size,
              pointerSize: pointerSizeOf(entry.file),
            },
          }),
        };
  if (lastCommit) {
    json.lastCommit = { id: lastCommit.id, title: lastCommit.title, date: lastCommit.date };
    // The Python client needs all three keys; nothing is scanned here, so the scans are null.
    if (entry.type === "file") json.securityFileStatus = { status: "unscanned", avScan: null, pickleImportScan: null };
  }
  return json;
}

function pointerSizeOf(file: FileRecord): number {
  return Buffer.byteLength(lfsPointer({ sha256: file.sha256, size: file.size }));
}

export function commitJson(commit: CommitRecord): Record<string, unknown> {
  return {
    id: commit.id,
    title: commit.title,
    message: commit.description === "" ? commit.title : `${commit.title}\n\n${commit.description}`,
    authors: [{ user: commit.author, avatar: "" }],
    date: commit.date,
  };
}
