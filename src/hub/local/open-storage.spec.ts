import { createHash } from "node:crypto";
import { readdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStorage, type HubStorage } from "./open-storage.js";
import type { CommitOptions, CreateRepoOptions, TreeChange } from "./repo-store.js";
import { openScratchStorage, putTextFile as fileOf, statusOf } from "./testing/scratch-storage.js";
import type { RepoKey, RepoRecord } from "./types.js";

const key: RepoKey = { type: "model", namespace: "me", name: "m" };
const commitBase = { description: "", author: "me", date: new Date("2024-01-01T00:00:00.000Z") };

function fresh(): Promise<HubStorage> {
  return openScratchStorage("tvhub-store-");
}

/** Creates `me/m` (public, no files) unless `options` say otherwise. */
function createRepo(storage: HubStorage, options: Partial<CreateRepoOptions> = {}) {
  return storage.repos.createRepo({ ...commitBase, key, private: false, files: [], title: "init", ...options });
}

/** Commits `changes` on main unless `options` name another branch. */
function commitOn(
  storage: HubStorage,
  repo: RepoRecord,
  title: string,
  changes: readonly TreeChange[],
  options: Partial<CommitOptions> = {},
) {
  return storage.repos.commit({ ...commitBase, repo, branch: "main", title, changes, ...options });
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

describe("object store", () => {
  it("keeps a streamed object only when its size and sha256 match, leaving no partial file", async () => {
    const storage = await fresh();
    const sha256 = createHash("sha256").update("hello world").digest("hex");
    expect(await statusOf(storage.objects.putStream({ source: chunks("hello ", "world!"), sha256, size: 11 }))).toBe(
      400,
    );
    expect(await statusOf(storage.objects.putStream({ source: chunks("hello"), sha256, size: 11 }))).toBe(400);
    expect(await statusOf(storage.objects.putStream({ source: chunks("hello worlD"), sha256, size: 11 }))).toBe(400);
    expect(await storage.objects.sizeOf(sha256)).toBeUndefined();
    expect(readdirSync(join(storage.dir, "tmp"))).toEqual([]);
    await storage.objects.putStream({ source: chunks("hello ", "world"), sha256, size: 11 });
    expect(await storage.objects.sizeOf(sha256)).toBe(11);
    expect((await storage.objects.readBytes(sha256)).toString()).toBe("hello world");
    await storage.objects.makeDurable([sha256]);
    await storage.close();
  });

  it("refuses object ids that are not sha256 hex before touching the disk", async () => {
    const storage = await fresh();
    expect(await statusOf(storage.objects.sizeOf("../../etc/passwd"))).toBe(400);
    await storage.close();
  });
});

describe("repo store", () => {
  it("creates a repo with a first commit on main and refuses a case-variant duplicate", async () => {
    const storage = await fresh();
    const readme = await fileOf(storage, "README.md", "hi");
    const { repo, commit } = await createRepo(storage, { files: [readme], title: "initial commit" });
    expect(commit.id).toMatch(/^[0-9a-f]{40}$/);
    expect(commit.parents).toEqual([]);
    expect((await storage.repos.resolveRevision(repo, "HEAD")).id).toBe(commit.id);
    expect((await storage.repos.resolveRevision(repo, commit.id)).id).toBe(commit.id);
    expect(await statusOf(storage.repos.resolveRevision(repo, "dev"))).toBe(404);
    expect(await statusOf(createRepo(storage, { key: { ...key, name: "M" }, title: "x" }))).toBe(409);
    expect(await storage.repos.getRepo({ ...key, namespace: "../me" })).toBeUndefined();
    await storage.close();
  });

  it("chains commits, checks the parent, and refuses impossible changes without moving the branch", async () => {
    const storage = await fresh();
    const { repo, commit: first } = await createRepo(storage);
    const a = await fileOf(storage, "a/x.txt", "x");
    const second = await commitOn(storage, repo, "add", [{ kind: "put", file: a }]);
    expect(second.parents).toEqual([first.id]);
    expect(second.files.map((f) => f.path)).toEqual(["a/x.txt"]);
    const stale = commitOn(storage, repo, "stale", [], { parentCommit: first.id });
    expect(await statusOf(stale)).toBe(412);
    expect(await statusOf(commitOn(storage, repo, "rm", [{ kind: "delete", path: "nope" }]))).toBe(404);
    const clash = await fileOf(storage, "a", "file where a folder is");
    expect(await statusOf(commitOn(storage, repo, "clash", [{ kind: "put", file: clash }]))).toBe(422);
    expect(await statusOf(commitOn(storage, repo, "x", [], { branch: "nobranch" }))).toBe(404);
    expect((await storage.repos.resolveRevision(repo, "main")).id).toBe(second.id);
    const third = await commitOn(storage, repo, "rm dir", [{ kind: "deleteFolder", path: "a" }]);
    expect(third.files).toEqual([]);
    await storage.close();
  });

  it("serializes concurrent commits on one repo", async () => {
    const storage = await fresh();
    const { repo } = await createRepo(storage);
    const files = await Promise.all(Array.from({ length: 10 }, (_, i) => fileOf(storage, `f${i}`, `${i}`)));
    await Promise.all(files.map((file, i) => commitOn(storage, repo, `c${i}`, [{ kind: "put", file }])));
    const head = await storage.repos.resolveRevision(repo, "main");
    expect(head.files).toHaveLength(10);
    let depth = 0;
    for (let c = head; c.parents[0]; c = (await storage.repos.loadCommit(repo, c.parents[0])) ?? c) depth++;
    expect(depth).toBe(10);
    await storage.close();
  });

  it("creates, lists and deletes branches; main stays", async () => {
    const storage = await fresh();
    const { repo, commit } = await createRepo(storage);
    await storage.repos.createBranch({ ...commitBase, repo, branch: "dev", title: "branch" });
    await storage.repos.createBranch({ ...commitBase, repo, branch: "empty", emptyBranch: true, title: "empty" });
    expect(await statusOf(storage.repos.createBranch({ ...commitBase, repo, branch: "dev", title: "again" }))).toBe(
      409,
    );
    expect(await statusOf(storage.repos.createBranch({ ...commitBase, repo, branch: "../x", title: "bad" }))).toBe(400);
    const branches = await storage.repos.listBranches(repo);
    expect(branches.map((b) => b.name)).toEqual(["dev", "empty", "main"]);
    expect(branches.find((b) => b.name === "dev")?.commit).toBe(commit.id);
    expect(branches.find((b) => b.name === "empty")?.commit).not.toBe(commit.id);
    await storage.repos.deleteBranch({ repo, branch: "dev" });
    expect(await statusOf(storage.repos.deleteBranch({ repo, branch: "main" }))).toBe(403);
    expect((await storage.repos.listBranches(repo)).map((b) => b.name)).toEqual(["empty", "main"]);
    await storage.close();
  });

  it("deletes a repo so its name can be taken again, and keeps LFS grants per repo", async () => {
    const storage = await fresh();
    const { repo } = await createRepo(storage, { private: true });
    const sha = "a".repeat(64);
    await storage.repos.addLfsGrant(repo, sha);
    expect(await storage.repos.hasLfsGrant(repo, sha)).toBe(true);
    expect(await storage.repos.deleteRepo(key)).toBe(true);
    expect(await storage.repos.deleteRepo(key)).toBe(false);
    const again = await createRepo(storage);
    expect(await storage.repos.hasLfsGrant(again.repo, sha)).toBe(false);
    expect(again.repo._id).not.toBe(repo._id);
    await storage.close();
  });
});

describe("openStorage", () => {
  it("clears what a killed process left half-done and takes over a stale lock", async () => {
    const storage = await fresh();
    const dir = storage.dir;
    await storage.close();
    writeFileSync(join(dir, "tmp", "partial.tmp"), "half an upload");
    writeFileSync(join(dir, "server.lock"), "999999999\n");
    const reopened = await openStorage({ dir });
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
    expect(existsSync(join(dir, "server.lock"))).toBe(true);
    await reopened.close();
    expect(existsSync(join(dir, "server.lock"))).toBe(false);
  });
});

describe("tags, moves and super-squash in the repo store", () => {
  it("tags a revision, resolves the tag, never moves it, and deletes it", async () => {
    const storage = await fresh();
    const { repo, commit: first } = await createRepo(storage);
    await storage.repos.createTag({ repo, tag: "v1", revision: "main" });
    const second = await commitOn(storage, repo, "two", [{ kind: "put", file: await fileOf(storage, "a", "a") }]);
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
    const { repo, commit: first } = await createRepo(storage);
    const put = async (path: string) => ({ kind: "put" as const, file: await fileOf(storage, path, path) });
    const second = await commitOn(storage, repo, "b", [await put("b")], { parentCommit: first.id.slice(0, 7) });
    expect(second.parents).toEqual([first.id]);
    expect(await statusOf(commitOn(storage, repo, "c", [await put("c")], { parentCommit: first.id }))).toBe(412);
    await storage.close();
  });

  it("moves a repo with its history and refs, refusing a taken name", async () => {
    const storage = await fresh();
    const { repo } = await createRepo(storage, { private: true, files: [await fileOf(storage, "x", "x")] });
    await storage.repos.createTag({ repo, tag: "v1", revision: "main" });
    await createRepo(storage, { key: { ...key, name: "taken" } });
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
    const { repo } = await createRepo(storage);
    for (const path of ["a", "b"]) {
      await commitOn(storage, repo, path, [{ kind: "put", file: await fileOf(storage, path, path) }]);
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
