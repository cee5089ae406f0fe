import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gitBlobSha1 } from "./git-objects.js";
import { HttpError } from "./http-error.js";
import { openStorage, type HubStorage } from "./open-storage.js";
import type { FileRecord, RepoKey } from "./types.js";

const key: RepoKey = { type: "model", namespace: "me", name: "m" };
const commitBase = { description: "", author: "me", date: new Date("2024-01-01T00:00:00.000Z") };

async function fresh(): Promise<HubStorage> {
  return openStorage({ dir: join(mkdtempSync(join(tmpdir(), "tvhub-refs-")), "hub") });
}

async function fileOf(storage: HubStorage, path: string, text: string): Promise<FileRecord> {
  const bytes = Buffer.from(text);
  return { path, sha256: await storage.objects.putBytes(bytes), oid: gitBlobSha1(bytes), size: bytes.length, lfs: false };
}

async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

describe("tags, moves and super-squash in the repo store", () => {
  it("tags a revision, resolves the tag, never moves it, and deletes it", async () => {
    const storage = await fresh();
    const { repo, commit: first } = await storage.repos.createRepo({ key, private: false, files: [], title: "init", ...commitBase });
    await storage.repos.createTag({ repo, tag: "v1", revision: "main" });
    const second = await storage.repos.commit({ repo, branch: "main", title: "two", ...commitBase, changes: [{ kind: "put", file: await fileOf(storage, "a", "a") }] });
    expect((await storage.repos.resolveRevision(repo, "v1")).id).toBe(first.id);
    expect((await storage.repos.resolveRevision(repo, "main")).id).toBe(second.id);
    expect(await storage.repos.listTags(repo)).toEqual([{ name: "v1", commit: first.id }]);
    expect(await statusOf(storage.repos.createTag({ repo, tag: "v1", revision: "main" }))).toBe(409);
    expect(await statusOf(storage.repos.createTag({ repo, tag: "main", revision: "main" }))).toBe(409);
    expect(await statusOf(storage.repos.createTag({ repo, tag: "a/b", revision: "main" }))).toBe(400);
    expect(await statusOf(storage.repos.createTag({ repo, tag: "v2", revision: "nowhere" }))).toBe(404);
    await storage.repos.deleteTag({ repo, tag: "v1" });
    expect(await storage.repos.listTags(repo)).toEqual([]);
    expect(await statusOf(storage.repos.deleteTag({ repo, tag: "v1" }))).toBe(404);
    expect(await statusOf(storage.repos.resolveRevision(repo, "v1"))).toBe(404);
    await storage.close();
  });

  it("accepts a parent commit given as a prefix of the head and refuses a stale one with 412", async () => {
    const storage = await fresh();
    const { repo, commit: first } = await storage.repos.createRepo({ key, private: false, files: [], title: "init", ...commitBase });
    const put = async (path: string) => ({ kind: "put" as const, file: await fileOf(storage, path, path) });
    const second = await storage.repos.commit({ repo, branch: "main", title: "b", parentCommit: first.id.slice(0, 7), ...commitBase, changes: [await put("b")] });
    expect(second.parents).toEqual([first.id]);
    expect(await statusOf(storage.repos.commit({ repo, branch: "main", title: "c", parentCommit: first.id, ...commitBase, changes: [await put("c")] }))).toBe(412);
    await storage.close();
  });

  it("moves a repo with its history and refs, refusing a taken name", async () => {
    const storage = await fresh();
    const { repo } = await storage.repos.createRepo({ key, private: true, files: [await fileOf(storage, "x", "x")], title: "init", ...commitBase });
    await storage.repos.createTag({ repo, tag: "v1", revision: "main" });
    await storage.repos.createRepo({ key: { ...key, name: "taken" }, private: false, files: [], title: "init", ...commitBase });
    expect(await statusOf(storage.repos.moveRepo({ from: key, to: { ...key, name: "Taken" } }))).toBe(409);
    const moved = await storage.repos.moveRepo({ from: key, to: { ...key, namespace: "org", name: "n" } });
    expect(moved).toMatchObject({ _id: repo._id, namespace: "org", name: "n", private: true });
    expect(await storage.repos.getRepo(key)).toBeUndefined();
    expect((await storage.repos.resolveRevision(moved, "v1")).files.map((f) => f.path)).toEqual(["x"]);
    expect(await statusOf(storage.repos.moveRepo({ from: key, to: { ...key, name: "again" } }))).toBe(404);
    await storage.close();
  });

  it("super-squashes a branch into one parentless commit with the same files", async () => {
    const storage = await fresh();
    const { repo } = await storage.repos.createRepo({ key, private: false, files: [], title: "init", ...commitBase });
    for (const path of ["a", "b"]) {
      await storage.repos.commit({ repo, branch: "main", title: path, ...commitBase, changes: [{ kind: "put", file: await fileOf(storage, path, path) }] });
    }
    const before = await storage.repos.resolveRevision(repo, "main");
    const squashed = await storage.repos.superSquash({ repo, branch: "main", title: "squashed", ...commitBase });
    expect(squashed.parents).toEqual([]);
    expect(squashed.files).toEqual(before.files);
    expect((await storage.repos.resolveRevision(repo, "main")).id).toBe(squashed.id);
    expect(await statusOf(storage.repos.superSquash({ repo, branch: "nope", title: "x", ...commitBase }))).toBe(404);
    await storage.close();
  });
});
