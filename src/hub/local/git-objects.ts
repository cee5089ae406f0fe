import { createHash } from "node:crypto";

/** The git blob id of some bytes: what the Hub reports as a file's `oid`. */
export function gitBlobSha1(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.byteLength}\0`).update(bytes).digest("hex");
}

/** The Git LFS pointer file that stands in the git tree for an LFS object (and what `raw/` serves for it). */
export function lfsPointer(options: { sha256: string; size: number }): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${options.sha256}\nsize ${options.size}\n`;
}

export interface GitTreeEntry {
  name: string;
  kind: "file" | "directory";
  /** 40-hex id of the blob or subtree. */
  oid: string;
}

/** The git tree id of a folder, so directory `oid`s in listings are the ones git itself would compute. */
export function gitTreeSha1(entries: readonly GitTreeEntry[]): string {
  // git orders tree entries by name, comparing a directory as if its name ended in "/".
  const sortKey = (entry: GitTreeEntry): Buffer =>
    Buffer.from(entry.kind === "directory" ? `${entry.name}/` : entry.name);
  const sorted = [...entries].sort((a, b) => Buffer.compare(sortKey(a), sortKey(b)));
  const body = Buffer.concat(
    sorted.map((entry) =>
      Buffer.concat([
        Buffer.from(`${entry.kind === "directory" ? "40000" : "100644"} ${entry.name}\0`),
        Buffer.from(entry.oid, "hex"),
      ]),
    ),
  );
  return createHash("sha1").update(`tree ${body.byteLength}\0`).update(body).digest("hex");
}
