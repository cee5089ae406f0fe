import { createHash, randomBytes } from "node:crypto";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createBranch,
  createRepo,
  downloadFileToCacheDir,
  listCommits,
  listFiles,
  uploadFiles,
} from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError, InternalError, RemoteError, TvhubError, UsageError } from "../src/errors.js";
import { createHubClient, type CreateHubClientOptions } from "../src/hub/create-hub-client.js";
import { openRemoteFile } from "../src/hub/open-remote-file.js";
import type { HubClient, PublishResult } from "../src/hub/types.js";
import { drain, type ProgressEvent } from "../src/util/progress.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";

const alice = { name: "alice", token: "hf_aliceWriteToken0001" };
const bob = { name: "bob", token: "hf_bobWriteToken000002" };
const tokens = [alice.token, bob.token];

interface Request {
  method: string;
  url: string;
  range?: string;
}

type Intercept = (request: Request, forward: () => Promise<Response>) => Promise<Response>;

/** Every request of the test goes through this: anything but loopback fails, and everything is recorded. */
function guardedFetch(log: Request[], intercept?: Intercept): typeof fetch {
  return async (input, init) => {
    const url = input instanceof globalThis.Request ? input.url : String(input);
    const host = new URL(url).hostname;
    if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]") throw new Error(`test fetch blocked: ${url}`);
    const headers = new Headers(init?.headers ?? (input instanceof globalThis.Request ? input.headers : undefined));
    const request: Request = {
      method: init?.method ?? "GET",
      url,
      ...(headers.has("range") ? { range: headers.get("range") ?? "" } : {}),
    };
    log.push(request);
    const forward = (): Promise<Response> => realFetch(input, init);
    return intercept === undefined ? forward() : intercept(request, forward);
  };
}

const realFetch = globalThis.fetch;
let hub: LocalHubProcess;
let work: string;
let modelBytes: Uint8Array;
let baseSha: string;
const errorsSeen: unknown[] = [];

function client(options: Partial<CreateHubClientOptions> & { log?: Request[]; intercept?: Intercept } = {}): HubClient {
  const { log = [], intercept, ...rest } = options;
  return createHubClient({
    hubUrl: hub.url,
    fetch: guardedFetch(log, intercept),
    retries: 2,
    sleep: async () => {},
    ...rest,
  });
}

/** Awaits a rejection, records it for the token check, and returns it. */
async function failure(work: Promise<unknown> | (() => Promise<unknown>)): Promise<TvhubError> {
  try {
    await (typeof work === "function" ? work() : work);
  } catch (error) {
    errorsSeen.push(error);
    expect(error).toBeInstanceOf(TvhubError);
    return error as TvhubError;
  }
  throw new Error("expected a failure");
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Byte equality without vitest's element-by-element diff, which takes seconds on megabytes. */
function expectBytes(actual: Uint8Array | null, expected: Uint8Array): void {
  expect(actual).not.toBeNull();
  expect(actual?.byteLength).toBe(expected.byteLength);
  expect(Buffer.compare(Buffer.from(actual ?? new Uint8Array()), Buffer.from(expected))).toBe(0);
}

async function commitsOf(repo: string): Promise<Array<{ oid: string; title: string }>> {
  const out: Array<{ oid: string; title: string }> = [];
  for await (const commit of listCommits({
    repo,
    hubUrl: hub.url,
    accessToken: alice.token,
    fetch: guardedFetch([]),
  })) {
    out.push({ oid: commit.oid, title: commit.title });
  }
  return out;
}

async function filesOf(repo: string, revision = "main"): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of listFiles({
    repo,
    revision,
    recursive: true,
    hubUrl: hub.url,
    accessToken: alice.token,
    fetch: guardedFetch([]),
  })) {
    if (entry.type === "file") out.push(entry.path);
  }
  return out.sort();
}

/** Seeds a repo with the official client directly, so that setup does not depend on the code under test. */
async function seed(
  repo: string,
  files: Record<string, string | Uint8Array>,
  options: { private?: boolean } = {},
): Promise<void> {
  const common = { hubUrl: hub.url, accessToken: alice.token, fetch: guardedFetch([]) };
  await createRepo({ ...common, repo, ...(options.private === undefined ? {} : { private: options.private }) });
  await uploadFiles({
    ...common,
    repo,
    useXet: false,
    files: Object.entries(files).map(([path, content]) => ({
      path,
      content: new Blob([content as Uint8Array<ArrayBuffer>]),
    })),
  });
}

beforeAll(async () => {
  // The library must never fall back to the global fetch, but if it did, it could not leave loopback.
  globalThis.fetch = guardedFetch([]);
  hub = await startLocalHub({ users: [alice, bob], orgs: [{ name: "acme", members: ["alice"] }] });
  work = await mkdtemp(join(tmpdir(), "tvhub-hub-client-"));
  modelBytes = new Uint8Array(randomBytes(3 * 1024 * 1024 + 123));
  await seed("alice/base", {
    "config.json": JSON.stringify({ model_type: "llama", hidden_size: 8 }),
    "README.md": "---\nlicense: mit\nbase_model: meta-llama/Llama-3.1-8B\ntags: [demo]\n---\n# Base\n",
    "model.safetensors": modelBytes,
  });
  baseSha = (await commitsOf("alice/base"))[0]?.oid ?? "";
  await seed("alice/secret", { "config.json": "{}" }, { private: true });
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  await hub?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
  if (hub !== undefined) await rm(join(hub.dir, ".."), { recursive: true, force: true });
});

describe("pin", () => {
  it("resolves the default branch, a branch name and a commit to the same 40-hex sha", async () => {
    const hubClient = client();
    expect(baseSha).toMatch(/^[0-9a-f]{40}$/);
    expect(await hubClient.pin({ repo: "alice/base" })).toEqual({
      repo: "alice/base",
      requested: "main",
      sha: baseSha,
    });
    expect((await hubClient.pin({ repo: "alice/base", revision: "main" })).sha).toBe(baseSha);
    expect(await hubClient.pin({ repo: "alice/base", revision: baseSha })).toEqual({
      repo: "alice/base",
      requested: baseSha,
      sha: baseSha,
    });
  });

  it("follows a branch to its own head", async () => {
    await seed("alice/branchy", { "a.txt": "1" });
    const first = (await commitsOf("alice/branchy"))[0]?.oid ?? "";
    await createBranch({
      repo: "alice/branchy",
      branch: "dev",
      hubUrl: hub.url,
      accessToken: alice.token,
      fetch: guardedFetch([]),
    });
    await uploadFiles({
      repo: "alice/branchy",
      files: [{ path: "b.txt", content: new Blob(["2"]) }],
      hubUrl: hub.url,
      accessToken: alice.token,
      useXet: false,
      fetch: guardedFetch([]),
    });
    const hubClient = client();
    const main = await hubClient.pin({ repo: "alice/branchy" });
    const dev = await hubClient.pin({ repo: "alice/branchy", revision: "dev" });
    expect(dev.sha).toBe(first);
    expect(main.sha).not.toBe(first);
  });

  it("says which of repo and revision is unknown", async () => {
    const missingRepo = await failure(client().pin({ repo: "alice/nope" }));
    expect(missingRepo).toBeInstanceOf(RemoteError);
    expect(missingRepo.message).toBe(
      `alice/nope was not found on ${hub.url}; check the name, or pass --token if it is private.`,
    );
    const missingRevision = await failure(client().pin({ repo: "alice/base", revision: "no-such-branch" }));
    expect(missingRevision.code).toBe("HUB_REVISION_NOT_FOUND");
    expect(missingRevision.message).toBe(
      `alice/base has no branch, tag or commit "no-such-branch" on ${hub.url}; check the revision after @.`,
    );
  });

  it("says when the Hub cannot be reached, after bounded retries", async () => {
    const log: Request[] = [];
    let slept = 0;
    const closedPort = await new Promise<number>((done) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => done(port));
      });
    });
    const unreachable = createHubClient({
      hubUrl: `http://127.0.0.1:${closedPort}/`,
      fetch: guardedFetch(log),
      retries: 2,
      sleep: async () => void slept++,
    });
    const error = await failure(unreachable.pin({ repo: "alice/base" }));
    expect(error.code).toBe("HUB_UNREACHABLE");
    expect(error.message).toBe(
      `Resolving alice/base on http://127.0.0.1:${closedPort} failed: could not reach the Hub (ECONNREFUSED); check ` +
        "--hub-url and the network, then rerun.",
    );
    expect(log).toHaveLength(3);
    expect(slept).toBe(2);
  });

  it("explains a private repo without a token, with someone else's token, and with a wrong token", async () => {
    const anonymous = await failure(client().pin({ repo: "alice/secret" }));
    expect(anonymous.message).toBe(
      `alice/secret was not found on ${hub.url}; check the name, or pass --token if it is private.`,
    );
    const stranger = await failure(client({ accessToken: bob.token }).pin({ repo: "alice/secret" }));
    expect(stranger.message).toMatch(/alice\/secret was not found on .*or the token cannot see it/);
    const wrong = await failure(client({ accessToken: "hf_notARealToken999" }).pin({ repo: "alice/secret" }));
    expect(wrong.message).toMatch(/the token was refused/);
    expect(wrong.message).not.toContain("hf_notARealToken999");
    expect((await client({ accessToken: alice.token }).pin({ repo: "alice/secret" })).sha).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe("modelInfo and readSmallFile", () => {
  it("returns the card data, tags and the file list with sizes and LFS hashes", async () => {
    const info = await client().modelInfo({ repo: "alice/base", sha: baseSha });
    expect(info.sha).toBe(baseSha);
    expect(info.private).toBe(false);
    expect(info.license).toBe("mit");
    expect(info.cardData?.base_model).toBe("meta-llama/Llama-3.1-8B");
    expect(info.tags).toContain("demo");
    const model = info.files.find((file) => file.path === "model.safetensors");
    expect(model).toMatchObject({ size: modelBytes.byteLength, lfsSha256: sha256(modelBytes) });
    expect(info.files.map((file) => file.path).sort()).toEqual([
      ".gitattributes",
      "README.md",
      "config.json",
      "model.safetensors",
    ]);
  });

  it("reads a small file whole, says null for a missing one, and refuses one over the limit", async () => {
    const hubClient = client();
    const config = await hubClient.readSmallFile({ repo: "alice/base", sha: baseSha, path: "config.json" });
    expect(JSON.parse(new TextDecoder().decode(config ?? new Uint8Array()))).toEqual({
      model_type: "llama",
      hidden_size: 8,
    });
    expect(
      await hubClient.readSmallFile({ repo: "alice/base", sha: baseSha, path: "generation_config.json" }),
    ).toBeNull();
    const tooBig = await failure(
      hubClient.readSmallFile({ repo: "alice/base", sha: baseSha, path: "model.safetensors", maxBytes: 1000 }),
    );
    expect(tooBig).toBeInstanceOf(DataError);
    expect(tooBig.message).toContain("model.safetensors");
  });
});

describe("openFile without a cache", () => {
  it("reads exact byte ranges with range requests", async () => {
    const log: Request[] = [];
    const hubClient = client({ log });
    const source = await hubClient.openFile({ repo: "alice/base", sha: baseSha, path: "model.safetensors" });
    expect(source.size).toBe(modelBytes.byteLength);
    expect(source.name).toBe(`alice/base@${baseSha.slice(0, 7)}:model.safetensors`);
    expectBytes(await source.read(100, 1000), modelBytes.subarray(100, 1000));
    expectBytes(
      await source.read(modelBytes.byteLength - 5, modelBytes.byteLength),
      modelBytes.subarray(modelBytes.byteLength - 5),
    );
    expect(await source.read(7, 7)).toEqual(new Uint8Array(0));
    expect(log.map((request) => request.range)).toContain("bytes=100-999");
    expect(hubClient.stats().bytesDownloaded).toBe(900 + 5);
    expect(await failure(source.read(0, modelBytes.byteLength + 1))).toBeInstanceOf(InternalError);
  });

  it("retries a range that failed with a 5xx or a dropped connection", async () => {
    let failures = 0;
    const log: Request[] = [];
    const hubClient = client({
      log,
      intercept: async (request, forward) => {
        if (request.range === "bytes=10-19" && failures < 2) {
          failures++;
          return failures === 1 ? jsonError(503, "busy") : cutAfter(await forward(), 3);
        }
        return forward();
      },
    });
    const source = await hubClient.openFile({ repo: "alice/base", sha: baseSha, path: "model.safetensors" });
    expectBytes(await source.read(10, 20), modelBytes.subarray(10, 20));
    expect(log.filter((request) => request.range === "bytes=10-19")).toHaveLength(3);
  });

  it("splits a long read into several range requests", async () => {
    const log: Request[] = [];
    const hubContext = {
      hubUrl: hub.url,
      fetch: guardedFetch(log),
      retry: { retries: 0, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => {} },
      stats: { bytesDownloaded: 0, bytesUploaded: 0 },
      pins: new Map<string, string>(),
    };
    const source = await openRemoteFile({
      hub: hubContext,
      repo: "alice/base",
      sha: baseSha,
      path: "model.safetensors",
      partBytes: 1_000_000,
    });
    expectBytes(await source.read(0, source.size), modelBytes);
    expect(log.filter((request) => request.range !== "bytes=0-0")).toHaveLength(
      Math.ceil(modelBytes.byteLength / 1_000_000),
    );
    expect(hubContext.stats.bytesDownloaded).toBe(modelBytes.byteLength);
  });

  it("names the file when the commit does not have it", async () => {
    const missing = await failure(client().openFile({ repo: "alice/base", sha: baseSha, path: "nope.safetensors" }));
    expect(missing.code).toBe("HUB_FILE_NOT_FOUND");
    expect(missing.message).toContain("nope.safetensors");
  });
});

function jsonError(status: number, message: string): Response {
  return new Response(JSON.stringify({ error: message }), { status, headers: { "Content-Type": "application/json" } });
}

/** A response whose body delivers `bytes` bytes and then fails the way a dropped connection does. */
function cutAfter(response: Response, bytes: number): Response {
  const reader = response.body?.getReader();
  let passed = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const step = await reader?.read();
      if (step === undefined || step.done) {
        controller.close();
        return;
      }
      const room = bytes - passed;
      if (step.value.byteLength >= room) {
        if (room > 0) controller.enqueue(step.value.subarray(0, room));
        passed = bytes;
        await reader?.cancel();
        controller.error(new TypeError("terminated"));
        return;
      }
      passed += step.value.byteLength;
      controller.enqueue(step.value);
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}

describe("the Hub cache", () => {
  it("downloads once into huggingface_hub's layout, and a new client reads it with zero requests", async () => {
    const cacheDir = join(work, "cache-reuse");
    const first = client({ cacheDir });
    const pinned = await first.pin({ repo: "alice/base" });
    const events: ProgressEvent[] = [];
    const snapshot = await drain(
      first.downloadToCache({ repo: "alice/base", sha: pinned.sha, path: "model.safetensors" }),
      (event) => events.push(event),
    );
    const repoDir = join(cacheDir, "models--alice--base");
    expect(snapshot).toBe(join(repoDir, "snapshots", baseSha, "model.safetensors"));
    expect((await lstat(snapshot)).isSymbolicLink()).toBe(true);
    expect(await readlink(snapshot)).toBe(join("..", "..", "blobs", sha256(modelBytes)));
    expectBytes(new Uint8Array(await readFile(snapshot)), modelBytes);
    expect((await readFile(join(repoDir, "refs", "main"), "utf8")).trim()).toBe(baseSha);
    expect((await readdir(join(repoDir, "blobs"))).filter((name) => name.includes("incomplete"))).toEqual([]);
    expect(events.at(-1)).toMatchObject({
      type: "progress",
      phase: "download",
      done: modelBytes.byteLength,
      total: modelBytes.byteLength,
    });
    expect(first.stats().bytesDownloaded).toBe(modelBytes.byteLength);
    await first.readSmallFile({ repo: "alice/base", sha: baseSha, path: "config.json" });
    expect(await first.readSmallFile({ repo: "alice/base", sha: baseSha, path: "tokenizer.json" })).toBeNull();

    const log: Request[] = [];
    const second = client({ cacheDir, log });
    const source = await second.openFile({ repo: "alice/base", sha: baseSha, path: "model.safetensors" });
    expectBytes(await source.read(5, 50_000), modelBytes.subarray(5, 50_000));
    await source.close?.();
    expect(await drain(second.downloadToCache({ repo: "alice/base", sha: baseSha, path: "model.safetensors" }))).toBe(
      snapshot,
    );
    expect(await second.readSmallFile({ repo: "alice/base", sha: baseSha, path: "config.json" })).not.toBeNull();
    expect(await second.readSmallFile({ repo: "alice/base", sha: baseSha, path: "tokenizer.json" })).toBeNull();
    expect(log).toEqual([]);

    // The official client finds our files in place: no request either.
    const libraryLog: Request[] = [];
    const viaLibrary = await downloadFileToCacheDir({
      repo: "alice/base",
      path: "config.json",
      revision: baseSha,
      cacheDir,
      hubUrl: hub.url,
      fetch: guardedFetch(libraryLog),
    });
    expect(viaLibrary).toBe(join(repoDir, "snapshots", baseSha, "config.json"));
    expect(libraryLog).toEqual([]);
  });

  it("reads files the official client put into the cache without a request", async () => {
    const cacheDir = join(work, "cache-from-library");
    await downloadFileToCacheDir({
      repo: "alice/base",
      path: "model.safetensors",
      revision: baseSha,
      cacheDir,
      hubUrl: hub.url,
      fetch: guardedFetch([]),
    });
    const log: Request[] = [];
    const source = await client({ cacheDir, log }).openFile({
      repo: "alice/base",
      sha: baseSha,
      path: "model.safetensors",
    });
    expectBytes(await source.read(0, 64), modelBytes.subarray(0, 64));
    await source.close?.();
    expect(log).toEqual([]);
  });

  it("resumes a download cut mid-stream with a range request from the bytes on disk", async () => {
    const cacheDir = join(work, "cache-cut");
    const cutAt = 1_000_003;
    let cut = false;
    const log: Request[] = [];
    const hubClient = client({
      cacheDir,
      log,
      intercept: async (request, forward) => {
        if (!cut && request.method === "GET" && request.range === undefined && request.url.includes("/resolve/")) {
          cut = true;
          return cutAfter(await forward(), cutAt);
        }
        return forward();
      },
    });
    const snapshot = await drain(
      hubClient.downloadToCache({ repo: "alice/base", sha: baseSha, path: "model.safetensors" }),
    );
    expect(cut).toBe(true);
    // Whatever reached the disk before the cut (at most cutAt bytes) is kept; the rest comes with one range request.
    const resumed = log.filter((request) => request.range !== undefined && request.range !== "bytes=0-0");
    expect(resumed).toHaveLength(1);
    const from = Number(/^bytes=(\d+)-(\d+)$/.exec(resumed[0]?.range ?? "")?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(cutAt);
    expect(resumed[0]?.range).toBe(`bytes=${from}-${modelBytes.byteLength - 1}`);
    expect(sha256(new Uint8Array(await readFile(snapshot)))).toBe(sha256(modelBytes));
    expect(await readdir(join(cacheDir, "models--alice--base", "blobs"))).toEqual([sha256(modelBytes)]);
    expect(hubClient.stats().bytesDownloaded).toBe(modelBytes.byteLength);
  });

  it("resumes from an .incomplete file an earlier run left, and starts over when those bytes were wrong", async () => {
    const etag = sha256(modelBytes);
    for (const [label, prefix] of [
      ["good", modelBytes.subarray(0, 777_777)],
      ["bad", new Uint8Array(777_777).fill(7)],
    ] as const) {
      const cacheDir = join(work, `cache-stale-${label}`);
      const blobs = join(cacheDir, "models--alice--base", "blobs");
      await mkdir(blobs, { recursive: true });
      await writeFile(join(blobs, `${etag}.incomplete`), prefix);
      const log: Request[] = [];
      const snapshot = await drain(
        client({ cacheDir, log }).downloadToCache({ repo: "alice/base", sha: baseSha, path: "model.safetensors" }),
      );
      const bodyRequests = log.filter((request) => request.range !== "bytes=0-0" && request.url.includes("/resolve/"));
      expect(bodyRequests[0]?.range).toBe(`bytes=777777-${modelBytes.byteLength - 1}`);
      if (label === "bad") expect(bodyRequests[1]?.range).toBeUndefined();
      expect(sha256(new Uint8Array(await readFile(snapshot)))).toBe(etag);
      expect(await readdir(blobs)).toEqual([etag]);
    }
  });

  it("lets two clients download the same file at once, fetching it only once", async () => {
    const cacheDir = join(work, "cache-concurrent");
    const [one, two] = [client({ cacheDir }), client({ cacheDir })];
    const file = { repo: "alice/base", sha: baseSha, path: "model.safetensors" };
    const [a, b] = await Promise.all([drain(one.downloadToCache(file)), drain(two.downloadToCache(file))]);
    expect(a).toBe(b);
    expect(sha256(new Uint8Array(await readFile(a)))).toBe(sha256(modelBytes));
    expect(one.stats().bytesDownloaded + two.stats().bytesDownloaded).toBe(modelBytes.byteLength);
    expect(await readdir(join(cacheDir, ".locks", "models--alice--base"))).toEqual([]);
  });

  it("openFile with download fetches the whole file into the cache first", async () => {
    const cacheDir = join(work, "cache-open-download");
    const hubClient = client({ cacheDir });
    const source = await hubClient.openFile({
      repo: "alice/base",
      sha: baseSha,
      path: "model.safetensors",
      download: true,
    });
    expectBytes(await source.read(1, 3), modelBytes.subarray(1, 3));
    await source.close?.();
    expect(hubClient.stats().bytesDownloaded).toBe(modelBytes.byteLength);
  });
});

describe("publish", () => {
  const vector = (): Uint8Array => new Uint8Array(randomBytes(2 * 1024 * 1024 + 7));
  let vectorBytes: Uint8Array;
  let vectorPath: string;
  let firstPublish: PublishResult;

  beforeAll(async () => {
    vectorBytes = vector();
    vectorPath = join(work, "task_vector.safetensors");
    await writeFile(vectorPath, vectorBytes);
  });

  const card = (title: string): Uint8Array =>
    new TextEncoder().encode(
      `---\nbase_model: alice/base\nbase_model_relation: adapter\ntags: [task-vector, tvhub]\n---\n# ${title}\n`,
    );

  it("creates the repo and uploads every file in one commit, with upload progress", async () => {
    const events: ProgressEvent[] = [];
    const hubClient = client({ accessToken: alice.token });
    firstPublish = await drain(
      hubClient.publish({
        repo: "alice/tv",
        commitTitle: "Publish task vector",
        commitDescription: "from alice/base",
        files: [
          { path: "README.md", content: card("v1") },
          { path: "tvhub.json", content: new TextEncoder().encode('{"format":"tvhub/task-vector"}') },
          { path: "task_vector.safetensors", localPath: vectorPath },
        ],
      }),
      (event) => events.push(event),
    );
    expect(firstPublish.created).toBe(true);
    expect(firstPublish.repoUrl).toBe(`${hub.url}/alice/tv`);
    const commits = await commitsOf("alice/tv");
    expect(commits[0]).toEqual({ oid: firstPublish.commitSha, title: "Publish task vector" });
    expect(commits).toHaveLength(2);
    expect(await filesOf("alice/tv", firstPublish.commitSha)).toEqual([
      ".gitattributes",
      "README.md",
      "task_vector.safetensors",
      "tvhub.json",
    ]);
    const uploads = events.filter(
      (event) => event.type === "progress" && event.phase === "upload" && event.label === "task_vector.safetensors",
    );
    expect(uploads.at(-1)).toMatchObject({ done: vectorBytes.byteLength, total: vectorBytes.byteLength });
    expect(
      uploads.some((event) => event.type === "progress" && event.done > 0 && event.done < vectorBytes.byteLength),
    ).toBe(true);
    expect(events.some((event) => event.type === "progress" && event.phase === "hash")).toBe(true);
    expect(events.at(-1)).toMatchObject({ phase: "commit", done: 1, total: 1 });
    expect(hubClient.stats().bytesUploaded).toBe(vectorBytes.byteLength);
    const source = await client().openFile({
      repo: "alice/tv",
      sha: firstPublish.commitSha,
      path: "task_vector.safetensors",
    });
    expect(sha256(await source.read(0, source.size))).toBe(sha256(vectorBytes));
  });

  it("does not send LFS objects the Hub already has", async () => {
    const log: Request[] = [];
    const hubClient = client({ accessToken: alice.token, log });
    const again = await drain(
      hubClient.publish({
        repo: "alice/tv",
        commitTitle: "Update card",
        files: [
          { path: "README.md", content: card("v2") },
          { path: "tvhub.json", content: new TextEncoder().encode('{"format":"tvhub/task-vector"}') },
          { path: "task_vector.safetensors", localPath: vectorPath },
        ],
      }),
    );
    expect(again.created).toBe(false);
    expect(again.alreadyUploaded).toEqual(["task_vector.safetensors"]);
    expect(log.filter((request) => request.method === "PUT")).toEqual([]);
    expect(hubClient.stats().bytesUploaded).toBe(0);
    expect((await commitsOf("alice/tv"))[0]?.oid).toBe(again.commitSha);
  });

  it("replaces the weights of an earlier tvhub publish in the same commit", async () => {
    const shards = [vector(), vector()];
    const result = await drain(
      client({ accessToken: alice.token }).publish({
        repo: "alice/tv",
        commitTitle: "Sharded",
        files: [
          { path: "README.md", content: card("v3") },
          { path: "tvhub.json", content: new TextEncoder().encode("{}") },
          { path: "task_vector-00001-of-00002.safetensors", content: shards[0] ?? new Uint8Array() },
          { path: "task_vector-00002-of-00002.safetensors", content: shards[1] ?? new Uint8Array() },
          { path: "task_vector.safetensors.index.json", content: new TextEncoder().encode('{"weight_map":{}}') },
        ],
      }),
    );
    expect(result.deleted).toEqual(["task_vector.safetensors"]);
    expect(await filesOf("alice/tv")).toEqual([
      ".gitattributes",
      "README.md",
      "task_vector-00001-of-00002.safetensors",
      "task_vector-00002-of-00002.safetensors",
      "task_vector.safetensors.index.json",
      "tvhub.json",
    ]);
  });

  it("is found by tag search, and whoami names the account", async () => {
    const found: string[] = [];
    for await (const model of client().searchModels({ tags: ["task-vector"], author: "alice" })) {
      found.push(model.id);
      expect(model.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(model.cardData?.base_model).toBe("alice/base");
    }
    expect(found).toEqual(["alice/tv"]);
    const nothing: string[] = [];
    for await (const model of client().searchModels({ tags: ["task-vector"], author: "bob" })) nothing.push(model.id);
    expect(nothing).toEqual([]);
    expect(await client({ accessToken: alice.token }).whoami()).toMatchObject({ name: "alice", orgs: ["acme"] });
    expect(await client().whoami()).toBeNull();
    const refused = await failure(client({ accessToken: "hf_notARealToken999" }).whoami());
    expect(refused.message).toMatch(/refused the token/);
  });

  it("refuses a repo with files tvhub does not write before uploading anything, unless told to overwrite", async () => {
    await seed("alice/project", { "train.py": "print(1)", "data/train.csv": "a,b" });
    const before = await commitsOf("alice/project");
    const log: Request[] = [];
    const files = [
      { path: "README.md", content: card("x") },
      { path: "task_vector.safetensors", localPath: vectorPath },
    ];
    const refused = await failure(
      drain(client({ accessToken: alice.token, log }).publish({ repo: "alice/project", commitTitle: "x", files })),
    );
    expect(refused).toBeInstanceOf(DataError);
    expect(refused.message).toBe(
      "alice/project already holds files that no tvhub publish put there (data/train.csv, train.py); publish to a " +
        "new name, or move those files away first.",
    );
    expect(
      log.filter(
        (request) =>
          request.method === "PUT" || request.url.includes("/commit/") || request.url.includes("/preupload/"),
      ),
    ).toEqual([]);
    expect(await commitsOf("alice/project")).toEqual(before);

    await drain(
      client({ accessToken: alice.token }).publish({
        repo: "alice/project",
        commitTitle: "beside",
        files,
        overwrite: true,
      }),
    );
    expect(await filesOf("alice/project")).toEqual([
      ".gitattributes",
      "README.md",
      "data/train.csv",
      "task_vector.safetensors",
      "train.py",
    ]);
  });

  it("commits nothing when an upload fails", async () => {
    await drain(
      client({ accessToken: alice.token }).publish({
        repo: "alice/fragile",
        commitTitle: "first",
        files: [{ path: "README.md", content: card("f") }],
      }),
    );
    const before = await commitsOf("alice/fragile");
    const log: Request[] = [];
    const failing = client({
      accessToken: alice.token,
      log,
      // The PUT never reaches the server.
      intercept: async (request, forward) => (request.method === "PUT" ? jsonError(500, "storage down") : forward()),
    });
    const failed = await failure(
      drain(
        failing.publish({
          repo: "alice/fragile",
          commitTitle: "second",
          files: [{ path: "model.safetensors", content: vector() }],
        }),
      ),
    );
    expect(failed).toBeInstanceOf(RemoteError);
    expect(failed.message).toMatch(/^Publishing to alice\/fragile on .* failed: the Hub answered HTTP 500/);
    expect(log.filter((request) => request.method === "PUT")).toHaveLength(3);
    expect(log.filter((request) => request.url.includes("/commit/"))).toEqual([]);
    expect(await commitsOf("alice/fragile")).toEqual(before);
  });

  it("refuses when the branch moved since the commit the caller planned against", async () => {
    const moved = await failure(
      drain(
        client({ accessToken: alice.token }).publish({
          repo: "alice/tv",
          commitTitle: "late",
          parentCommit: firstPublish.commitSha,
          files: [{ path: "README.md", content: card("late") }],
        }),
      ),
    );
    expect(moved.code).toBe("HUB_CHANGED");
    expect(moved.message).toMatch(/^alice\/tv changed on .* since commit [0-9a-f]{7}/);
  });

  it("fails the commit, and says so, when someone pushes to the branch during the upload", async () => {
    await drain(
      client({ accessToken: alice.token }).publish({
        repo: "alice/raced",
        commitTitle: "first",
        files: [{ path: "README.md", content: card("r") }],
      }),
    );
    let pushed = false;
    const racing = client({
      accessToken: alice.token,
      intercept: async (request, forward) => {
        if (!pushed && request.url.includes("/commit/")) {
          pushed = true;
          await uploadFiles({
            repo: "alice/raced",
            files: [{ path: "config.json", content: new Blob(["{}"]) }],
            hubUrl: hub.url,
            accessToken: alice.token,
            useXet: false,
            fetch: guardedFetch([]),
          });
        }
        return forward();
      },
    });
    const raced = await failure(
      drain(
        racing.publish({
          repo: "alice/raced",
          commitTitle: "second",
          files: [{ path: "tvhub.json", content: new TextEncoder().encode("{}") }],
        }),
      ),
    );
    expect(pushed).toBe(true);
    expect(raced.code).toBe("HUB_CHANGED");
    expect(raced.message).toBe(`alice/raced changed on ${hub.url} during the run; rerun.`);
    expect(await filesOf("alice/raced")).toEqual([".gitattributes", "README.md", "config.json"]);
  });

  it("needs a token, and says when the token may not write there", async () => {
    const files = [{ path: "README.md", content: card("t") }];
    const noToken = await failure(drain(client().publish({ repo: "alice/tv2", commitTitle: "t", files })));
    expect(noToken).toBeInstanceOf(UsageError);
    expect(noToken.message).toBe("Publishing to alice/tv2 needs a write token; pass --token or set HF_TOKEN.");
    const stranger = await failure(
      drain(client({ accessToken: bob.token }).publish({ repo: "acme/tv", commitTitle: "t", files })),
    );
    expect(stranger.message).toMatch(
      /acme\/tv .*failed: the token was refused; pass a write token with --token or HF_TOKEN\./,
    );
  });
});

describe("error messages", () => {
  it("never contain a token", () => {
    expect(errorsSeen.length).toBeGreaterThan(10);
    for (const error of errorsSeen) {
      const text = `${(error as Error).message} ${JSON.stringify(error)}`;
      for (const token of [...tokens, "hf_notARealToken999"]) expect(text).not.toContain(token);
    }
  });
});
