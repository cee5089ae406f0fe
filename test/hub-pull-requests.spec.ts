/**
 * Pull requests and discussions on the local Hub, with the real clients: the Python huggingface_hub (2.x and 1.x,
 * from .venv/hf2 and .venv/hf1) runs test/python/pull_requests.py, the official JS client commits with
 * isPullRequest, and `tvhub publish-vector --create-pr` publishes for review, merged afterwards through Python.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { commit, createRepo, downloadFile, listFiles } from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadBytes, uploadFolder } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runCli } from "./helpers/run-cli.js";
import { fineTune, tensorsFromConfig, tinyLlamaConfig, writeSynthModel } from "./helpers/synth.js";

const alice = { name: "alice", token: "hf_alicePullRequests01" };
const bob = { name: "bob", token: "hf_bobPullRequests0001" };
const root = resolve(import.meta.dirname, "..");
const hasPython = spawnSync("python3", ["--version"]).status === 0;

let hub: LocalHubProcess;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-prs-"));
  hub = await startLocalHub({ users: [alice, bob] });
}, 60_000);

afterAll(async () => {
  await hub?.stop();
});

/** Runs a script with a venv's python; resolves with its exit code and output. */
function runPython(
  venv: string,
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const python = join(root, ".venv", venv, "bin", "python");
  if (!existsSync(python)) throw new Error(`${python} is missing; run bash scripts/setup-python.sh first`);
  return new Promise((done) => {
    const child = spawn(python, [join(root, "test", "python", script)], {
      env: {
        PATH: process.env.PATH ?? "",
        HF_HOME: join(work, `hf-home-${venv}`),
        HF_HUB_DISABLE_TELEMETRY: "1",
        HF_HUB_DISABLE_XET: "1",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

const api = (path: string, init: RequestInit & { token?: string } = {}): Promise<Response> =>
  fetch(`${hub.url}${path}`, {
    ...init,
    headers: {
      ...(init.token === undefined ? {} : { Authorization: `Bearer ${init.token}` }),
      ...(init.body === undefined ? {} : { "Content-Type": "application/json" }),
    },
  });

describe("pull requests with the Python client", () => {
  for (const venv of ["hf2", "hf1"]) {
    it.skipIf(!hasPython)(
      `${venv}: create_commit(create_pr), discussions, comments, merge, status, refs and the ` +
        `refusals${hasPython ? "" : " (skipped: python3 not found)"}`,
      async () => {
        const run = await runPython(venv, "pull_requests.py", {
          TVHUB_HUB: hub.url,
          TVHUB_REPO: `alice/python-${venv}`,
          TVHUB_OWNER_TOKEN: alice.token,
          TVHUB_READER: bob.name,
          TVHUB_READER_TOKEN: bob.token,
        });
        expect(run.stderr.split("\n").filter((line) => /Error|Traceback/.test(line))).toEqual([]);
        expect(run.code).toBe(0);
        const summary = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as {
          pr: number;
          merged: string;
          refused: Record<string, number>;
        };
        expect(summary.pr).toBe(1);
        expect(summary.merged).toMatch(/^[0-9a-f]{40}$/);
        expect(summary.refused).toEqual({
          reader_merge: 403,
          reader_close: 403,
          not_a_pr: 409,
          missing_repo: 404,
          merge_twice: 409,
          commit_to_merged: 409,
          merge_closed: 409,
          merge_conflict: 409,
        });
      },
      120_000,
    );
  }
});

describe("pull requests through Xet", () => {
  it.skipIf(!hasPython)(
    "hf2 with its defaults: a reader's 11 MiB file goes through Xet to refs/pr/1, then is " +
      `merged${hasPython ? "" : " (skipped: python3 not found)"}`,
    async () => {
      const run = await runPython("hf2", "pull_request_xet.py", {
        TVHUB_HUB: hub.url,
        TVHUB_REPO: "alice/python-xet-pr",
        TVHUB_OWNER_TOKEN: alice.token,
        TVHUB_READER_TOKEN: bob.token,
        HF_HUB_DISABLE_XET: "0",
      });
      expect(run.stderr.split("\n").filter((line) => /Error|Traceback/.test(line))).toEqual([]);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}")).toEqual({
        files: [".gitattributes", "big.bin", "big2.bin"],
      });
    },
    180_000,
  );
});

describe("pull requests with the JS client", () => {
  const repo = "alice/js-prs";
  const binary = new Uint8Array([0, 1, 2, 3, 0, 255]);

  beforeAll(async () => {
    await createRepo({ repo, hubUrl: hub.url, accessToken: alice.token });
  });

  it(
    "commit with isPullRequest opens refs/pr/N (LFS included, by a reader), and commits to refs/pr/N add to " + "it",
    async () => {
      const opened = await commit({
        repo,
        title: "Add weights",
        operations: [
          { operation: "addOrUpdate", path: "notes.txt", content: new Blob(["hello\n"]) },
          { operation: "addOrUpdate", path: "weights.bin", content: new Blob([binary]) },
        ],
        isPullRequest: true,
        hubUrl: hub.url,
        accessToken: bob.token,
      });
      expect(opened?.pullRequestUrl).toBe(`${hub.url}/${repo}/discussions/1`);
      const more = await commit({
        repo,
        title: "More notes",
        operations: [{ operation: "addOrUpdate", path: "more.txt", content: new Blob(["more\n"]) }],
        branch: "refs/pr/1",
        hubUrl: hub.url,
        accessToken: bob.token,
      });
      const paths: string[] = [];
      for await (const entry of listFiles({ repo, revision: "refs/pr/1", hubUrl: hub.url })) paths.push(entry.path);
      expect(paths.sort()).toEqual([".gitattributes", "more.txt", "notes.txt", "weights.bin"]);
      const weights = await downloadFile({ repo, path: "weights.bin", revision: "refs/pr/1", hubUrl: hub.url });
      expect(new Uint8Array(await (weights as Blob).arrayBuffer())).toEqual(binary);
      const details = (await (await api(`/api/models/${repo}/discussions/1`)).json()) as {
        events: Array<{ type: string; data: { oid?: string } }>;
      };
      expect(details.events.filter((e) => e.type === "commit").map((e) => e.data.oid)).toEqual([
        opened?.commit.oid,
        more?.commit.oid,
      ]);
      expect(await (await api(`/${repo}/resolve/main/notes.txt`)).status).toBe(404);
    },
  );

  it(
    "refuses what the Hub refuses: anonymous discussions, another user's pull request, a reader's merge, a private " +
      "repo",
    async () => {
      const post = (path: string, token: string | undefined, body?: unknown) =>
        api(`/api/models/${repo}${path}`, {
          method: "POST",
          ...(token === undefined ? {} : { token }),
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      expect(
        (await post("/discussions", undefined, { title: "Anonymous", description: "", pullRequest: false })).status,
      ).toBe(401);
      expect((await post("/discussions", bob.token, { title: "x", description: "" })).status).toBe(400);
      const alicesPr = (await (
        await post("/discussions", alice.token, { title: "Alice's own", description: "", pullRequest: true })
      ).json()) as { num: number; status: string };
      expect(alicesPr).toMatchObject({ num: 2, status: "draft" });
      const push = commit({
        repo,
        title: "Sneak in",
        operations: [{ operation: "addOrUpdate", path: "x.txt", content: new Blob(["x"]) }],
        branch: `refs/pr/${alicesPr.num}`,
        hubUrl: hub.url,
        accessToken: bob.token,
      });
      await expect(push).rejects.toMatchObject({ statusCode: 403 });
      expect((await post("/discussions/1/merge", bob.token)).status).toBe(403);
      expect((await post("/discussions/1/status", bob.token, { status: "closed" })).status).toBe(403);
      expect((await post("/discussions/9/comment", bob.token, { comment: "hi" })).status).toBe(404);

      await createRepo({ repo: "alice/secret", private: true, hubUrl: hub.url, accessToken: alice.token });
      await commit({
        repo: "alice/secret",
        title: "Secret PR",
        operations: [{ operation: "addOrUpdate", path: "s.txt", content: new Blob(["s"]) }],
        isPullRequest: true,
        hubUrl: hub.url,
        accessToken: alice.token,
      });
      for (const path of [
        "/api/models/alice/secret/discussions",
        "/api/models/alice/secret/discussions/1",
        "/alice/secret/resolve/refs%2Fpr%2F1/s.txt",
      ]) {
        const response = await api(path, { token: bob.token });
        expect(response.status, path).toBe(404);
        expect(response.headers.get("x-error-code"), path).toBe("RepoNotFound");
      }
      const bobsPr = commit({
        repo: "alice/secret",
        title: "x",
        operations: [{ operation: "addOrUpdate", path: "b.txt", content: new Blob(["b"]) }],
        isPullRequest: true,
        hubUrl: hub.url,
        accessToken: bob.token,
      });
      await expect(bobsPr).rejects.toMatchObject({ statusCode: 404 });
    },
  );

  it("merges with no request body, as the Python client sends it, and keeps every discussion across a " +
    "restart", async () => {
    const merged = await api(`/api/models/${repo}/discussions/1/merge`, { method: "POST", token: alice.token });
    expect(merged.status).toBe(200);
    const notes = await downloadFile({ repo, path: "more.txt", hubUrl: hub.url });
    expect(await (notes as Blob).text()).toBe("more\n");
    await hub.stop();
    hub = await startLocalHub({ users: [alice, bob], dir: hub.dir });
    const listed = (await (await api(`/api/models/${repo}/discussions`)).json()) as {
      count: number;
      discussions: Array<{ num: number; status: string }>;
    };
    expect(listed.count).toBe(2);
    expect(listed.discussions.map((d) => [d.num, d.status])).toEqual([
      [2, "draft"],
      [1, "merged"],
    ]);
  }, 60_000);
});

describe("tvhub publish-vector --create-pr", () => {
  const token = alice.token;
  const env = () => ({ HF_HOME: join(work, "hf-home-cli"), HF_TOKEN: token, HF_ENDPOINT: hub.url });

  beforeAll(async () => {
    const config = tinyLlamaConfig();
    const base = await writeSynthModel({
      dir: join(work, "base"),
      tensors: tensorsFromConfig(config),
      config,
      seed: 3,
    });
    const ft = await fineTune({ base, dir: join(work, "ft"), baseModel: "alice/pr-base" });
    await uploadFolder({ hubUrl: hub.url, token, repo: "alice/pr-base", dir: base.dir });
    await uploadFolder({ hubUrl: hub.url, token, repo: "alice/pr-ft", dir: ft.dir });
  }, 60_000);

  it.skipIf(!hasPython)(
    "opens a pull request with the files a direct publish writes; merged through Python, main has " +
      `them${hasPython ? "" : " (skipped: python3 not found)"}`,
    async () => {
      const args = ["publish-vector", "--base", "alice/pr-base", "--finetuned", "alice/pr-ft", "--json"];
      const review = await runCli([...args, "--to", "alice/pr-tv", "--create-pr"], env());
      expect(review.stderr).toBe("");
      expect(review.code).toBe(0);
      const result = JSON.parse(review.stdout) as {
        repo: string;
        commit: string;
        pullRequest: { num: number; url: string; ref: string };
        files: Array<{ path: string }>;
      };
      expect(result.pullRequest).toEqual({ num: 1, url: `${hub.url}/alice/pr-tv/discussions/1`, ref: "refs/pr/1" });
      const text = await runCli([...args.slice(0, -1), "--to", "alice/pr-tv", "--create-pr"], env());
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(
        `Published the task vector to pull request #2 on ${hub.url}/alice/pr-tv: ${hub.url}/alice/pr-tv/discussions/2`,
      );

      const mainBefore: string[] = [];
      for await (const entry of listFiles({ repo: "alice/pr-tv", hubUrl: hub.url })) mainBefore.push(entry.path);
      expect(mainBefore).toEqual([".gitattributes"]);

      const direct = await runCli([...args, "--to", "alice/direct-tv"], env());
      expect(direct.code).toBe(0);
      const merge = await runPython("hf2", "merge_pull_request.py", {
        TVHUB_HUB: hub.url,
        TVHUB_TOKEN: token,
        TVHUB_REPO: "alice/pr-tv",
        TVHUB_PR: "1",
      });
      expect(merge.stderr.split("\n").filter((line) => /Error|Traceback/.test(line))).toEqual([]);
      expect(merge.code).toBe(0);
      expect(JSON.parse(merge.stdout.trim())).toMatchObject({ status: "merged" });

      const paths = [...result.files.map((f) => f.path), "tvhub.json", "README.md"];
      for (const path of paths) {
        const merged = Buffer.from(await downloadBytes({ hubUrl: hub.url, repo: "alice/pr-tv", path }));
        const expected = Buffer.from(await downloadBytes({ hubUrl: hub.url, repo: "alice/direct-tv", path }));
        // The card names its own repo in the usage example; everything else is byte for byte the direct publish.
        expect(merged.toString("latin1"), path).toBe(
          expected.toString("latin1").replaceAll("alice/direct-tv", "alice/pr-tv"),
        );
      }
    },
    180_000,
  );

  it("apply --create-pr opens a pull request with the merged model; main keeps only what it had", async () => {
    const vector = await runCli(
      ["publish-vector", "--base", "alice/pr-base", "--finetuned", "alice/pr-ft", "--to", "alice/apply-src-tv"],
      env(),
    );
    expect(vector.code, vector.stderr).toBe(0);
    await createRepo({ repo: "alice/pr-applied", hubUrl: hub.url, accessToken: token });
    const applied = await runCli(
      ["apply", "--base", "alice/pr-base", "--vector", "alice/apply-src-tv:0.5", "--to", "alice/pr-applied"].concat([
        "--create-pr",
        "--json",
      ]),
      env(),
    );
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const result = JSON.parse(applied.stdout) as { pullRequest: { num: number; url: string; ref: string } };
    expect(result.pullRequest).toEqual({ num: 1, url: `${hub.url}/alice/pr-applied/discussions/1`, ref: "refs/pr/1" });
    const main: string[] = [];
    for await (const entry of listFiles({ repo: "alice/pr-applied", hubUrl: hub.url })) main.push(entry.path);
    expect(main).toEqual([".gitattributes"]);
    const review: string[] = [];
    for await (const entry of listFiles({ repo: "alice/pr-applied", revision: "refs/pr/1", hubUrl: hub.url }))
      review.push(entry.path);
    expect(review).toEqual(expect.arrayContaining(["README.md", "tvhub.json", "config.json"]));
  }, 120_000);

  it("refuses --create-pr with a folder target or a matrix job, before reading anything", async () => {
    const folder = await runCli(
      ["publish-vector", "--base", "alice/pr-base", "--finetuned", "alice/pr-ft", "--to", "./out", "--create-pr"],
      env(),
    );
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(
      /^tvhub: --create-pr opens a pull request on a Hub repo, but the target is the folder \.\/out/,
    );
    const shard = await runCli(
      [
        "publish-vector",
        "--base",
        "alice/pr-base",
        "--finetuned",
        "alice/pr-ft",
        "--to",
        "alice/pr-tv",
        "--portion",
        "1/2",
        "--create-pr",
      ],
      env(),
    );
    expect(shard.code).toBe(2);
    expect(shard.stderr).toContain("--create-pr cannot be combined with --portion or --finalize");
  });
});
