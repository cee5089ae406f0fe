/**
 * Storage that loses nothing: a `tvhub hub serve` killed with SIGKILL in the middle of an LFS upload, or in the
 * middle of a commit, restarts on the same directory serving the previous commit intact, and the retried upload
 * completes. Also: restarts keep repos, one server per directory, SIGTERM exits cleanly.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createRepo, downloadFile, listCommits, modelInfo, uploadFiles } from "@huggingface/hub";
import { afterAll, describe, expect, it } from "vitest";
import { guardFetch, startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";

const alice = { name: "alice", token: "hf_alice_durable_token" };
const repo = "alice/durable";
const v1 = { config: "v1\n", weights: randomBytes(12 * 1024 * 1024) };
const v2 = { config: "v2\n", weights: randomBytes(12 * 1024 * 1024) };

let hub: LocalHubProcess;
const hubUrl = (): string => hub.url;
const guard = guardFetch(() => hub.url);
const started: LocalHubProcess[] = [];

afterAll(async () => {
  guard.restore();
  for (const process of started) await process.kill();
});

async function start(dir?: string): Promise<LocalHubProcess> {
  hub = await startLocalHub({ users: [alice], ...(dir !== undefined && { dir }) });
  started.push(hub);
  return hub;
}

function upload(version: typeof v1, fetchImpl?: typeof fetch): Promise<unknown> {
  return uploadFiles({
    repo,
    files: [
      { path: "config.json", content: new Blob([version.config]) },
      { path: "weights.dat", content: new Blob([version.weights]) },
    ],
    hubUrl: hubUrl(),
    accessToken: alice.token,
    ...(fetchImpl && { fetch: fetchImpl }),
  });
}

async function expectServes(version: typeof v1, sha: string): Promise<void> {
  const info = await modelInfo({ name: repo, hubUrl: hubUrl(), additionalFields: ["sha"] });
  expect(info.sha).toBe(sha);
  const config = await downloadFile({ repo, path: "config.json", hubUrl: hubUrl() });
  expect(await config?.text()).toBe(version.config);
  const weights = await downloadFile({ repo, path: "weights.dat", hubUrl: hubUrl() });
  expect(sha256(new Uint8Array(await (weights as Blob).arrayBuffer()))).toBe(sha256(version.weights));
}

/**
 * A fetch that forwards every request, except that the body of the one `matches` picks is sent only up to
 * `holdAfter` bytes and then stalls, so the test can kill the server while that request is half received.
 */
function stallingFetch(matches: (url: string, method: string) => boolean, holdAfter: number): typeof fetch {
  return async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!init?.body || !matches(url, init.method ?? "GET")) return fetch(input, init);
    const bytes = new Uint8Array(await new Response(init.body).arrayBuffer());
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= holdAfter) return new Promise<void>(() => {});
        const end = Math.min(holdAfter, sent + 256 * 1024);
        controller.enqueue(bytes.slice(sent, end));
        sent = end;
      },
    });
    return fetch(input, { ...init, body, duplex: "half" } as RequestInit);
  };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("a server killed mid-write", () => {
  let firstSha = "";

  it("serves the previous commit intact after a kill during an LFS upload", async () => {
    const first = await start();
    await createRepo({ repo, hubUrl: hubUrl(), accessToken: alice.token });
    await upload(v1);
    firstSha = (await modelInfo({ name: repo, hubUrl: hubUrl(), additionalFields: ["sha"] })).sha as string;

    const half = v2.weights.byteLength / 2;
    const uploading = upload(
      v2,
      stallingFetch((url, method) => method === "PUT" && url.includes("/lfs-upload/"), half),
    );
    const outcome = uploading.then(
      () => "completed",
      () => "failed",
    );
    const tmp = join(first.dir, "tmp");
    await waitFor(
      () => readdirSync(tmp).some((name) => statSync(join(tmp, name)).size >= half),
      "half the upload on disk",
    );
    await first.kill();
    expect(await outcome).toBe("failed");

    const second = await start(first.dir);
    expect(second.url).not.toBe(first.url);
    await expectServes(v1, firstSha);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("serves the previous commit intact after a kill during the commit call", async () => {
    const current = hub;
    const configObject = sha256(Buffer.from(v2.config));
    const objectPath = join(current.dir, "objects", "sha256", configObject.slice(0, 2), configObject.slice(2));
    // Send the header line and the inline config line, then stall: the server has stored the new config's bytes
    // but has not moved the branch.
    const headerAndFirstFile = 2;
    const uploading = upload(v2, async (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (init?.method === "POST" && url.includes("/commit/")) {
        const text = String(init.body);
        const cut = text.split("\n").slice(0, headerAndFirstFile).join("\n").length + 1;
        return stallingFetch(() => true, cut)(input, init);
      }
      return fetch(input, init);
    });
    const outcome = uploading.then(
      () => "completed",
      () => "failed",
    );
    await waitFor(() => existsSync(objectPath), "the new config stored by the half-received commit");
    await current.kill();
    expect(await outcome).toBe("failed");

    await start(current.dir);
    await expectServes(v1, firstSha);
  });

  it("completes the retried upload", async () => {
    await upload(v2);
    const commits = [];
    for await (const commit of listCommits({ repo, hubUrl: hubUrl() })) commits.push(commit);
    expect(commits.map((c) => c.title)).toEqual(["Add 2 files", "Add 2 files", "initial commit"]);
    expect(commits[1]?.oid).toBe(firstSha);
    await expectServes(v2, commits[0]?.oid as string);
  });

  it("refuses a second server on the same directory and stops cleanly on SIGTERM", async () => {
    await expect(startLocalHub({ dir: hub.dir })).rejects.toThrow(/in use by another tvhub hub serve/);
    const dir = hub.dir;
    expect(await hub.stop()).toBe(0);
    expect(existsSync(join(dir, "server.lock"))).toBe(false);
    expect(guard.violations).toEqual([]);
  });
});

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
