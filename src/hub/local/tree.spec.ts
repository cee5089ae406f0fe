import { describe, expect, it } from "vitest";
import { findLastCommits } from "./find-last-commits.js";
import { comparePaths, directoryOids, entriesAt, listTree } from "./tree.js";
import type { CommitRecord, FileRecord } from "./types.js";

const hello = "ce013625030ba8dba906f756967f9e9ca394464a";

function file(path: string, sha256 = "0".repeat(64)): FileRecord {
  return { path, sha256, oid: hello, size: 6, lfs: false };
}

const files = [file("a.b"), file("a/x"), file("a/sub/y"), file("z.txt")].sort((p, q) => comparePaths(p.path, q.path));

describe("listTree", () => {
  it("lists direct children, folders included", () => {
    expect(listTree({ files, path: "", recursive: false })?.map((e) => `${e.type}:${e.path}`)).toEqual([
      "directory:a",
      "file:a.b",
      "file:z.txt",
    ]);
    expect(listTree({ files, path: "a", recursive: false })?.map((e) => e.path)).toEqual(["a/sub", "a/x"]);
  });

  it("lists every descendant with folders before their contents when recursive", () => {
    expect(listTree({ files, path: "", recursive: true })?.map((e) => e.path)).toEqual([
      "a",
      "a/sub",
      "a/sub/y",
      "a/x",
      "a.b",
      "z.txt",
    ]);
  });

  it("answers undefined for a folder that does not exist (or is a file)", () => {
    expect(listTree({ files, path: "nope", recursive: false })).toBeUndefined();
    expect(listTree({ files, path: "a.b", recursive: false })).toBeUndefined();
  });

  it("gives folders their git tree ids", () => {
    // git: a/x and a.b holding "hello\n" → root tree ae079d5…, folder a → e31a962…
    const oids = directoryOids([file("a/x"), file("a.b")]);
    expect(oids.get("a")).toBe("e31a96220fbfbe7601ecc086a36b96dc27a8867e");
    expect(oids.get("")).toBe("ae079d5d2fecf69af67f09002152cd6cbbbd6ef8");
  });

  it("finds files and folders by path and leaves missing ones out", () => {
    expect(entriesAt(files, ["a", "z.txt", "missing", "z.txt"]).map((e) => `${e.type}:${e.path}`)).toEqual([
      "directory:a",
      "file:z.txt",
    ]);
  });
});

describe("findLastCommits", () => {
  const commit = (id: string, parents: string[], list: FileRecord[]): CommitRecord => ({
    id,
    parents,
    title: id,
    description: "",
    author: "me",
    date: "2024-01-01T00:00:00.000Z",
    files: list,
  });
  const c1 = commit("c1", [], [file("a/x", "1".repeat(64)), file("b", "1".repeat(64))]);
  const c2 = commit("c2", ["c1"], [file("a/x", "2".repeat(64)), file("b", "1".repeat(64))]);
  const c3 = commit("c3", ["c2"], [file("a/x", "2".repeat(64)), file("b", "1".repeat(64)), file("c", "3".repeat(64))]);
  const byId = new Map([c1, c2, c3].map((c) => [c.id, c]));
  const loadCommit = async (id: string): Promise<CommitRecord> => byId.get(id) as CommitRecord;

  it("dates each path with the newest commit that changed it", async () => {
    const found = await findLastCommits({
      head: c3,
      targets: [
        { path: "a/x", type: "file" },
        { path: "a", type: "directory" },
        { path: "b", type: "file" },
        { path: "c", type: "file" },
      ],
      loadCommit,
    });
    expect(Object.fromEntries([...found].map(([path, c]) => [path, c.id]))).toEqual({
      "a/x": "c2",
      a: "c2",
      b: "c1",
      c: "c3",
    });
  });

  it("counts a deletion inside a folder as a change of the folder", async () => {
    const d1 = commit("d1", [], [file("a/x", "1".repeat(64)), file("a/y", "1".repeat(64)), file("b", "1".repeat(64))]);
    const d2 = commit("d2", ["d1"], [file("a/x", "1".repeat(64)), file("b", "1".repeat(64))]);
    const d3 = commit("d3", ["d2"], [file("a/x", "1".repeat(64)), file("b", "3".repeat(64))]);
    for (const c of [d1, d2, d3]) byId.set(c.id, c);
    const found = await findLastCommits({
      head: d3,
      targets: [
        { path: "a", type: "directory" },
        { path: "a/x", type: "file" },
      ],
      loadCommit,
    });
    expect(found.get("a")?.id).toBe("d2");
    expect(found.get("a/x")?.id).toBe("d1");
  });
});
