import { readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { HubStorage } from "../open-storage.js";
import { openScratchStorage, putTextFile, statusOf } from "../testing/scratch-storage.js";
import type { FileRecord, RepoRecord } from "../types.js";
import { nextDiscussionNumber, readDiscussion } from "./discussion-store.js";
import { commitToPullRequest, mergePullRequest, openDiscussion } from "./pull-requests.js";

const date = new Date("2026-01-01T00:00:00.000Z");
const meta = (title: string) => ({ title, description: "", author: "bob", date });

async function fresh(): Promise<{
  storage: HubStorage;
  repo: RepoRecord;
  put: (path: string, text: string) => Promise<FileRecord>;
}> {
  const storage = await openScratchStorage("tvhub-prs-");
  const put = (path: string, text: string) => putTextFile(storage, path, text);
  const { repo } = await storage.repos.createRepo({
    key: { type: "model", namespace: "alice", name: "m" },
    private: false,
    files: [await put("a.txt", "1")],
    ...meta("initial"),
    author: "alice",
  });
  return { storage, repo, put };
}

describe("pull requests in the repo store", () => {
  it("opens refs/pr/N on the branch head, adds commits to it, and merges it with both heads as parents", async () => {
    const { storage, repo, put } = await fresh();
    const main = await storage.repos.resolveRevision(repo, "main");
    const { record, commit } = await storage.repos.transact(repo, async (tx) =>
      openDiscussion(tx, {
        title: "Add b",
        description: "please",
        author: "bob",
        date,
        pullRequest: {
          base: "main",
          commit: { meta: meta("Add b"), changes: [{ kind: "put", file: await put("b.txt", "2") }] },
        },
      }),
    );
    expect(record).toMatchObject({
      num: 1,
      status: "open",
      isPullRequest: true,
      pullRequest: { base: "refs/heads/main", baseCommit: main.id },
    });
    expect(commit?.parents).toEqual([main.id]);
    expect((await storage.repos.resolveRevision(repo, "refs/pr/1")).id).toBe(commit?.id);
    expect((await storage.repos.resolveRevision(repo, "main")).id).toBe(main.id);

    const second = await storage.repos.transact(repo, async (tx) =>
      commitToPullRequest(tx, {
        num: 1,
        author: "bob",
        mayWrite: false,
        meta: meta("Add c"),
        changes: [{ kind: "put", file: await put("c.txt", "3") }],
      }),
    );
    const moved = await storage.repos.commit({
      repo,
      branch: "main",
      ...meta("main moves on"),
      changes: [{ kind: "put", file: await put("d.txt", "4") }],
    });
    const merged = await storage.repos.transact(repo, (tx) => mergePullRequest(tx, { num: 1, author: "alice", date }));
    const head = await storage.repos.resolveRevision(repo, "main");
    expect(merged).toMatchObject({ status: "merged", pullRequest: { mergeCommitId: head.id } });
    expect(head.parents).toEqual([moved.id, second.id]);
    expect(head.files.map((f) => f.path)).toEqual(["a.txt", "b.txt", "c.txt", "d.txt"]);
  });

  it("refuses a push by someone who is neither the author nor a writer, and a stale parent", async () => {
    const { storage, repo, put } = await fresh();
    await storage.repos.transact(repo, (tx) =>
      openDiscussion(tx, { title: "Draft", description: "", author: "bob", date, pullRequest: { base: "main" } }),
    );
    const push = async (author: string, parentCommit?: string) =>
      storage.repos.transact(repo, async (tx) =>
        commitToPullRequest(tx, {
          num: 1,
          author,
          mayWrite: false,
          meta: meta("x"),
          changes: [{ kind: "put", file: await put("x.txt", "x") }],
          ...(parentCommit ? { parentCommit } : {}),
        }),
      );
    expect(await statusOf(push("carol"))).toBe(403);
    expect(await statusOf(push("bob", "0".repeat(40)))).toBe(412);
    expect(await statusOf(push("bob"))).toBeUndefined();
    expect((await storage.repos.transact(repo, (tx) => readDiscussion(tx, 1)))?.status).toBe("open");
  });

  it("never reuses the number of a pull request whose record a crash lost after its ref was written", async () => {
    const { storage, repo } = await fresh();
    const dir = join(storage.dir, "repos", "models", "alice", "m");
    await mkdir(join(dir, "refs", "pr"), { recursive: true });
    writeFileSync(join(dir, "refs", "pr", "4"), `${(await storage.repos.resolveRevision(repo, "main")).id}\n`);
    expect(await storage.repos.transact(repo, nextDiscussionNumber)).toBe(5);
  });

  it("completes a merge that a crash interrupted after the branch moved, without a second merge commit", async () => {
    const { storage, repo, put } = await fresh();
    await storage.repos.transact(repo, async (tx) =>
      openDiscussion(tx, {
        title: "Add b",
        description: "",
        author: "bob",
        date,
        pullRequest: {
          base: "main",
          commit: { meta: meta("Add b"), changes: [{ kind: "put", file: await put("b.txt", "2") }] },
        },
      }),
    );
    const recordPath = join(storage.dir, "repos", "models", "alice", "m", "discussions", "1.json");
    const before = readFileSync(recordPath, "utf8");
    await storage.repos.transact(repo, (tx) => mergePullRequest(tx, { num: 1, author: "alice", date }));
    const head = await storage.repos.resolveRevision(repo, "main");
    writeFileSync(recordPath, before); // the record as a crash before its rewrite left it
    const again = await storage.repos.transact(repo, (tx) => mergePullRequest(tx, { num: 1, author: "alice", date }));
    expect(again.pullRequest?.mergeCommitId).toBe(head.id);
    expect((await storage.repos.resolveRevision(repo, "main")).id).toBe(head.id);
  });
});
