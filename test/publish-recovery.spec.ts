/**
 * Publishing through failures of single requests, against a real `tvhub hub serve` and the real @huggingface/hub
 * client: a commit whose answer was lost is recognised by its run trailer and not made twice, a commit the Hub
 * refused is sent again, an interrupted upload resumes without sending what the Hub already holds, and a repo the
 * run created is gone again when the run fails before its commit.
 */
import { randomBytes } from "node:crypto";
import { listCommits, listFiles, repoExists } from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemoteError, TvhubError } from "../src/errors.js";
import { createHubClient } from "../src/hub/create-hub-client.js";
import type { HubClient, PublishFile, PublishResult } from "../src/hub/types.js";
import { drain, type ProgressEvent } from "../src/util/progress.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { joinPatterns } from "./helpers/join-patterns.js";

const alice = { name: "alice", token: "hf_aliceWriteToken0001" };
const realFetch = globalThis.fetch;
let hub: LocalHubProcess;

interface Seen {
  method: string;
  url: string;
}

type Intercept = (request: Seen, forward: () => Promise<Response>) => Promise<Response>;

/** The client under test, whose every request passes `intercept` (loopback only) and is recorded. */
function client(log: Seen[], intercept?: Intercept, sleeps: number[] = []): HubClient {
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (new URL(url).hostname !== "127.0.0.1") throw new Error(`test fetch blocked: ${url}`);
    const request = { method: init?.method ?? "GET", url };
    log.push(request);
    const forward = (): Promise<Response> => realFetch(input, init);
    return intercept === undefined ? forward() : intercept(request, forward);
  };
  return createHubClient({
    hubUrl: hub.url,
    accessToken: alice.token,
    fetch,
    retries: 3,
    sleep: async (ms) => void sleeps.push(ms),
  });
}

const isCommit = (request: Seen): boolean =>
  request.method === "POST" && /\/api\/models\/.+\/commit\//.test(new URL(request.url).pathname);
const dropped = (): Error =>
  new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) });
const common = () => ({ hubUrl: hub.url, accessToken: alice.token, fetch: realFetch });

async function commitsOf(repo: string, revision = "main"): Promise<string[]> {
  const out: string[] = [];
  for await (const commit of listCommits({ ...common(), repo, revision: encodeURIComponent(revision) }))
    out.push(commit.oid);
  return out;
}

async function filesOf(repo: string, revision = "main"): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of listFiles({ ...common(), repo, revision: encodeURIComponent(revision), recursive: true }))
    if (entry.type === "file") out.push(entry.path);
  return out.sort();
}

async function failure(work: Promise<unknown>): Promise<TvhubError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TvhubError);
  expect(String((error as Error).message)).not.toContain(alice.token);
  return error as TvhubError;
}

const weights = (n: number, seed: number): Uint8Array =>
  new Uint8Array(randomBytes(n)).map((byte, i) => (byte ^ seed ^ i) & 0xff);
const filesFor = (seed: number): PublishFile[] => [
  { path: "README.md", content: new TextEncoder().encode(`---\nlicense: mit\n---\n# run ${seed}\n`) },
  { path: "tvhub.json", content: new TextEncoder().encode(JSON.stringify({ seed })) },
  { path: "model-a.safetensors", content: weights(300_000, seed) },
  { path: "model-b.safetensors", content: weights(200_000, seed + 1) },
];

async function publish(
  hubClient: HubClient,
  repo: string,
  files: PublishFile[],
  extra: { createPullRequest?: boolean } = {},
): Promise<{ result: PublishResult; events: ProgressEvent[] }> {
  const events: ProgressEvent[] = [];
  const result = await drain(
    hubClient.publish({ repo, files, commitTitle: "publish", commitDescription: "a test publish", ...extra }),
    (event) => events.push(event),
  );
  return { result, events };
}

beforeAll(async () => {
  hub = await startLocalHub({ users: [alice] });
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  await hub?.stop();
});

describe("a commit whose answer is lost", () => {
  it(
    "is recognised by its run trailer when the connection drops after the Hub applied it, and not made " + "twice",
    async () => {
      const log: Seen[] = [];
      const lost = client(log, async (request, forward) => {
        if (!isCommit(request)) return forward();
        await (await forward()).arrayBuffer();
        throw dropped();
      });
      const { result, events } = await publish(lost, "alice/lost-answer", filesFor(1));
      expect(log.filter(isCommit)).toHaveLength(1);
      const commits = await commitsOf("alice/lost-answer");
      // The repo's first commit (.gitattributes) and this run's: one.
      expect(commits).toHaveLength(2);
      expect(result.commitSha).toBe(commits[0]);
      expect(result.created).toBe(true);
      expect(await filesOf("alice/lost-answer")).toEqual([
        ".gitattributes",
        "README.md",
        "model-a.safetensors",
        "model-b.safetensors",
        "tvhub.json",
      ]);
      expect(
        events.some((event) => event.type === "log" && /landed although its answer was lost/.test(event.message)),
      ).toBe(true);
    },
  );

  it("is recognised when the answer is cut mid-body, in a pull request too", async () => {
    await publish(client([]), "alice/lost-pr", filesFor(2));
    const before = await commitsOf("alice/lost-pr");
    const log: Seen[] = [];
    const cut = client(log, async (request, forward) => {
      if (!isCommit(request)) return forward();
      const answer = await forward();
      const text = await answer.text();
      return new Response(text.slice(0, 10), {
        status: answer.status,
        headers: { "content-type": "application/json" },
      });
    });
    const { result } = await publish(cut, "alice/lost-pr", filesFor(3), { createPullRequest: true });
    expect(log.filter(isCommit)).toHaveLength(1);
    expect(result.pullRequest?.num).toBe(1);
    expect(result.pullRequest?.ref).toBe("refs/pr/1");
    expect((await commitsOf("alice/lost-pr", "refs/pr/1"))[0]).toBe(result.commitSha);
    expect(await commitsOf("alice/lost-pr")).toEqual(before);
  });

  it("is sent again when the Hub answered 503 without applying it, under the same parent", async () => {
    await publish(client([]), "alice/busy-commit", filesFor(4));
    const before = await commitsOf("alice/busy-commit");
    const log: Seen[] = [];
    let refused = 0;
    const busy = client(log, async (request, forward) => {
      if (isCommit(request) && refused < 2) {
        refused++;
        return new Response(JSON.stringify({ error: "busy" }), {
          status: 503,
          headers: { "content-type": "application/json" },
        });
      }
      return forward();
    });
    const { result } = await publish(busy, "alice/busy-commit", filesFor(5));
    expect(log.filter(isCommit)).toHaveLength(3);
    const after = await commitsOf("alice/busy-commit");
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]).toBe(result.commitSha);
    expect(result.alreadyUploaded).toEqual([]);
  });
});

describe("an interrupted upload", () => {
  it("resumes: the rerun sends only the objects the Hub does not hold yet", async () => {
    const repo = "alice/resume";
    await publish(client([]), repo, filesFor(6));
    const files = filesFor(7);
    // The first upload gets through; every later one fails for good once it has.
    let firstUpload: Promise<Response> | undefined;
    const failing = client([], async (request, forward) => {
      if (request.method !== "PUT") return forward();
      if (firstUpload === undefined) return (firstUpload = forward());
      await firstUpload;
      return new Response(JSON.stringify({ error: "storage down" }), {
        status: 500,
        headers: { "content-type": "application/json" },
      });
    });
    const error = await failure(publish(failing, repo, files));
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toMatch(
      joinPatterns(
        /^Publishing to alice\/resume on .* failed: the Hub answered HTTP 500.*/,
        /\(nothing was committed; the [0-9.]+ [kK]B uploaded stay on the Hub, /,
        /so rerunning the same command does not send them again\)\.$/,
      ),
    );

    const rerun = client([]);
    const { result } = await publish(rerun, repo, files);
    expect(result.alreadyUploaded).toHaveLength(1);
    // Only the object that had not arrived went again.
    const missing = files.find(
      (file) => file.path.endsWith(".safetensors") && !result.alreadyUploaded.includes(file.path),
    );
    expect(missing !== undefined && "content" in missing).toBe(true);
    expect(rerun.stats().bytesUploaded).toBe(
      missing !== undefined && "content" in missing ? missing.content.byteLength : -1,
    );
  });

  it("removes the repo it created when it fails before the commit, and says so", async () => {
    const repo = "alice/never-committed";
    const failing = client([], async (request, forward) =>
      request.method === "PUT"
        ? new Response(JSON.stringify({ error: "storage down" }), {
            status: 500,
            headers: { "content-type": "application/json" },
          })
        : forward(),
    );
    const error = await failure(publish(failing, repo, filesFor(8)));
    expect(error.message).toMatch(/\(nothing was committed, and the repo this run created was removed\)\.$/);
    expect(await repoExists({ ...common(), repo })).toBe(false);
  });
});
