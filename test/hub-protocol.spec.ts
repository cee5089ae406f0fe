/**
 * Protocol details of `tvhub hub serve` that the publish flow does not reach: range edge cases, HEAD, ETags,
 * empty files, branches, datasets, listing sort and pagination, and the command line itself.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import {
  createBranch,
  createRepo,
  deleteBranch,
  downloadFile,
  fileDownloadInfo,
  listDatasets,
  listFiles,
  listModels,
  modelInfo,
  uploadFiles,
  uploadFilesWithProgress,
} from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardFetch, startLocalHub, type FetchGuard, type LocalHubProcess } from "./helpers/local-hub.js";

const alice = { name: "alice", token: "hf_alice_protocol_tok" };
const auth = { accessToken: alice.token };
const weights = Buffer.from("0123456789abcdefghij");

let hub: LocalHubProcess;
let guard: FetchGuard;
const hubUrl = (): string => hub.url;

beforeAll(async () => {
  hub = await startLocalHub({ users: [alice] });
  guard = guardFetch(hub.url);
  await createRepo({ repo: "alice/p", hubUrl: hubUrl(), ...auth });
  await uploadFiles({
    repo: "alice/p",
    files: [
      { path: "model.safetensors", content: new Blob([weights]) },
      { path: "empty.txt", content: new Blob([]) },
      { path: "notes.md", content: new Blob(["# notes\n"]) },
    ],
    hubUrl: hubUrl(),
    ...auth,
  });
});

afterAll(async () => {
  guard?.restore();
  await hub?.stop();
});

describe("downloads", () => {
  const url = (path: string, kind = "resolve", rev = "main"): string => `${hubUrl()}/alice/p/${kind}/${rev}/${path}`;

  it("answers ranges with 206 and Content-Range, and unsatisfiable ones with 416", async () => {
    const part = await fetch(url("model.safetensors"), { headers: { Range: "bytes=2-5" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 2-5/${weights.length}`);
    expect(await part.text()).toBe("2345");
    const suffix = await fetch(url("model.safetensors"), { headers: { Range: "bytes=-3" } });
    expect(await suffix.text()).toBe("hij");
    const past = await fetch(url("model.safetensors"), { headers: { Range: `bytes=${weights.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${weights.length}`);
    const full = await fetch(url("model.safetensors"));
    expect(full.status).toBe(200);
    expect(full.headers.get("content-length")).toBe(String(weights.length));
  });

  it("sends the sha256 as the ETag of LFS files and the git blob id for others, and 304 when it matches", async () => {
    const lfs = await fetch(url("model.safetensors"), { method: "HEAD" });
    const sha = createHash("sha256").update(weights).digest("hex");
    expect(lfs.headers.get("etag")).toBe(`"${sha}"`);
    expect(lfs.headers.get("x-linked-size")).toBe(String(weights.length));
    expect(lfs.headers.get("x-repo-commit")).toMatch(/^[0-9a-f]{40}$/);
    const regular = await fetch(url("notes.md"), { method: "HEAD" });
    const blob = createHash("sha1").update(`blob 8\0# notes\n`).digest("hex");
    expect(regular.headers.get("etag")).toBe(`"${blob}"`);
    const cached = await fetch(url("notes.md"), { headers: { "If-None-Match": `"${blob}"` } });
    expect(cached.status).toBe(304);
    const info = await fileDownloadInfo({ repo: "alice/p", path: "model.safetensors", hubUrl: hubUrl() });
    expect(info).toMatchObject({ size: weights.length, etag: `"${sha}"` });
  });

  it("answers HEAD like GET without a body, and HEAD errors without a JSON content type", async () => {
    const head = await fetch(url("notes.md"), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("8");
    expect(await head.text()).toBe("");
    const missing = await fetch(url("nope.md"), { method: "HEAD" });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-error-code")).toBe("EntryNotFound");
    expect(missing.headers.get("content-type")).toBeNull();
    const get = await fetch(url("nope.md"));
    expect(get.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await get.json()).toEqual({ error: expect.stringContaining("nope.md") });
  });

  it("downloads an empty file", async () => {
    const empty = await downloadFile({ repo: "alice/p", path: "empty.txt", hubUrl: hubUrl() });
    expect(empty?.size).toBe(0);
    expect(await empty?.text()).toBe("");
  });

  it("survives clients that abandon downloads, without leaking open files", async () => {
    const big = Buffer.alloc(32 * 1024 * 1024, 3);
    await uploadFiles({
      repo: "alice/p",
      files: [{ path: "abort/big.dat", content: new Blob([big]) }],
      hubUrl: hubUrl(),
      ...auth,
    });
    const fds = (): number => readdirSync(`/proc/${hub.pid}/fd`).length;
    const before = existsSync(`/proc/${hub.pid}/fd`) ? fds() : undefined;
    for (let i = 0; i < 10; i++) {
      const controller = new AbortController();
      const res = await fetch(url("abort/big.dat"), { signal: controller.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      controller.abort();
      await reader.read().catch(() => {});
    }
    const again = await fetch(url("abort/big.dat"), { headers: { Range: "bytes=-4" } });
    expect(again.status).toBe(206);
    expect(Buffer.from(await again.arrayBuffer())).toEqual(Buffer.alloc(4, 3));
    if (before !== undefined) {
      // Give the server a moment to notice the closed sockets and close its file handles.
      for (let wait = 0; wait < 50 && fds() > before + 2; wait++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(fds()).toBeLessThanOrEqual(before + 2);
    }
  });

  it("says RevisionNotFound for an unknown branch or commit", async () => {
    for (const rev of ["nobranch", "0".repeat(40)]) {
      const res = await fetch(url("notes.md", "resolve", rev));
      expect(res.status).toBe(404);
      expect(res.headers.get("x-error-code")).toBe("RevisionNotFound");
    }
  });
});

describe("branches", () => {
  it("creates a branch, commits to it without moving main, and deletes it", async () => {
    const main = await modelInfo({ name: "alice/p", hubUrl: hubUrl(), additionalFields: ["sha"] });
    await createBranch({ repo: "alice/p", branch: "dev", hubUrl: hubUrl(), ...auth });
    await uploadFiles({
      repo: "alice/p",
      branch: "dev",
      files: [{ path: "dev.txt", content: new Blob(["dev"]) }],
      hubUrl: hubUrl(),
      ...auth,
    });
    const dev = await modelInfo({
      name: "alice/p",
      revision: "dev",
      hubUrl: hubUrl(),
      additionalFields: ["sha", "filePaths"],
    });
    expect(dev.filePaths).toContain("dev.txt");
    expect((await modelInfo({ name: "alice/p", hubUrl: hubUrl(), additionalFields: ["sha"] })).sha).toBe(main.sha);
    const refs = (await (await fetch(`${hubUrl()}/api/models/alice/p/refs`)).json()) as {
      branches: Array<{ name: string; targetCommit: string }>;
    };
    expect(refs.branches).toEqual([
      { name: "dev", ref: "refs/heads/dev", targetCommit: dev.sha },
      { name: "main", ref: "refs/heads/main", targetCommit: main.sha },
    ]);
    await expect(createBranch({ repo: "alice/p", branch: "dev", hubUrl: hubUrl(), ...auth })).rejects.toMatchObject({
      statusCode: 409,
    });
    await deleteBranch({ repo: "alice/p", branch: "dev", hubUrl: hubUrl(), ...auth });
    await expect(modelInfo({ name: "alice/p", revision: "dev", hubUrl: hubUrl() })).rejects.toMatchObject({
      statusCode: 404,
    });
    await expect(deleteBranch({ repo: "alice/p", branch: "main", hubUrl: hubUrl(), ...auth })).rejects.toMatchObject({
      statusCode: 403,
    });
  });
});

describe("uploads with progress", () => {
  it("works with uploadFilesWithProgress, which has no fetch parameter and wraps the global fetch", async () => {
    const big = Buffer.alloc(11 * 1024 * 1024, 7);
    const events = [];
    const run = uploadFilesWithProgress({
      repo: "alice/p",
      files: [{ path: "progress/big.dat", content: new Blob([big]) }],
      hubUrl: hubUrl(),
      ...auth,
    });
    let step = await run.next();
    while (!step.done) {
      events.push(step.value);
      step = await run.next();
    }
    expect(step.value?.commit.oid).toMatch(/^[0-9a-f]{40}$/);
    expect(events).toContainEqual({ event: "phase", phase: "committing" });
    expect(events).toContainEqual({ event: "fileProgress", path: "progress/big.dat", progress: 1, state: "uploading" });
    const blob = await downloadFile({ repo: "alice/p", path: "progress/big.dat", hubUrl: hubUrl() });
    expect(Buffer.from(await (blob as Blob).arrayBuffer()).equals(big)).toBe(true);
  });
});

describe("visibility", () => {
  it("turns a public repo private and back through the settings endpoint", async () => {
    await createRepo({ repo: "alice/flip", hubUrl: hubUrl(), ...auth });
    const settings = (body: unknown, token?: string): Promise<Response> =>
      fetch(`${hubUrl()}/api/models/alice/flip/settings`, {
        method: "PUT",
        headers: { "Content-Type": "application/json", ...(token && { Authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      });
    expect((await settings({ private: true })).status).toBe(401);
    expect((await settings({ private: true }, alice.token)).status).toBe(200);
    expect((await fetch(`${hubUrl()}/api/models/alice/flip`)).status).toBe(404);
    expect((await modelInfo({ name: "alice/flip", hubUrl: hubUrl(), ...auth })).private).toBe(true);
    expect((await settings({ visibility: "public" }, alice.token)).status).toBe(200);
    expect((await fetch(`${hubUrl()}/api/models/alice/flip`)).status).toBe(200);
  });
});

describe("datasets", () => {
  it("stores, lists and serves dataset repos under /datasets", async () => {
    await createRepo({ repo: { type: "dataset", name: "alice/d" }, hubUrl: hubUrl(), ...auth });
    await uploadFiles({
      repo: "datasets/alice/d",
      files: [
        { path: "README.md", content: new Blob(["---\nlicense: cc-by-4.0\ntags: [tabular]\n---\n"]) },
        { path: "train.csv", content: new Blob(["a,b\n1,2\n"]) },
      ],
      hubUrl: hubUrl(),
      ...auth,
    });
    const csv = await downloadFile({ repo: "datasets/alice/d", path: "train.csv", hubUrl: hubUrl() });
    expect(await csv?.text()).toBe("a,b\n1,2\n");
    const datasets = [];
    for await (const dataset of listDatasets({ hubUrl: hubUrl(), additionalFields: ["tags"] })) datasets.push(dataset);
    expect(datasets.map((d) => d.name)).toEqual(["alice/d"]);
    expect(datasets[0]?.tags).toEqual(expect.arrayContaining(["tabular", "license:cc-by-4.0"]));
    const files = [];
    for await (const file of listFiles({ repo: "datasets/alice/d", hubUrl: hubUrl() })) files.push(file.path);
    expect(files).toEqual([".gitattributes", "README.md", "train.csv"]);
  });
});

describe("listing models", () => {
  it("sorts, limits and pages with a Link that keeps every query parameter", async () => {
    await createRepo({ repo: "alice/q", hubUrl: hubUrl(), ...auth });
    const names = async (options: Parameters<typeof listModels>[0]): Promise<string[]> => {
      const out: string[] = [];
      for await (const model of listModels(options)) out.push(model.name);
      return out;
    };
    expect(await names({ hubUrl: hubUrl(), sort: "lastModified" })).toEqual(["alice/q", "alice/flip", "alice/p"]);
    expect(await names({ hubUrl: hubUrl(), sort: "createdAt", limit: 1 })).toEqual(["alice/q"]);

    const ids: string[] = [];
    let next: string | undefined = `${hubUrl()}/api/models?author=alice&sort=id&direction=1&limit=2`;
    while (next) {
      const res: Response = await fetch(next);
      ids.push(...((await res.json()) as Array<{ id: string }>).map((m) => m.id));
      next = /<(https?:\/\/[^>]+)>;\s+rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
      if (next) {
        expect(new URL(next).origin).toBe(hubUrl());
        expect(new URL(next).searchParams.get("author")).toBe("alice");
      }
    }
    expect(ids).toEqual(["alice/flip", "alice/p", "alice/q"]);
  });
});

describe("the command line", () => {
  const cli = resolve(import.meta.dirname, "../dist/cli.js");

  it("refuses a malformed user without echoing the token, exit code 2", () => {
    const run = spawnSync(
      process.execPath,
      [cli, "hub", "serve", "--dir", "/tmp/unused-tvhub", "--user", "bad name:hf_secret_value_1"],
      {
        encoding: "utf8",
      },
    );
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/User name "bad name" is not a valid Hub name/);
    expect(run.stderr).not.toContain("hf_secret_value_1");
  });

  it("refuses a token that the official client would refuse", () => {
    const run = spawnSync(
      process.execPath,
      [cli, "hub", "serve", "--dir", "/tmp/unused-tvhub", "--user", "me:secret"],
      { encoding: "utf8" },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/must look like hf_/);
  });

  it("never left loopback", () => {
    expect(guard.violations).toEqual([]);
  });
});
