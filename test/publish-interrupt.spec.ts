/**
 * Ctrl-C during a publish, end to end: `tvhub publish-vector` is sent SIGINT while its upload crawls through a
 * throttled loopback proxy in front of `tvhub hub serve`. It ends with one sentence saying what it left and exit
 * 1; a repo it created is gone again (not even an empty one in the listing), and in a repo that existed the
 * objects already sent stay, so the rerun sends only the rest.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadFolder } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runCli } from "./helpers/run-cli.js";
import { fineTune, tensorsFromConfig, tinyLlamaConfig, writeSynthModel } from "./helpers/synth.js";
import { startTcpProxy, type TcpProxy } from "./helpers/tcp-proxy.js";

const token = "hf_alice_interrupt_token_0123456789";
let hub: LocalHubProcess;
let proxy: TcpProxy;
let work: string;
let homes = 0;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-interrupt-"));
  hub = await startLocalHub({ users: [{ name: "alice", token }] });
  proxy = await startTcpProxy({ target: hub.url });
  const config = tinyLlamaConfig({ hiddenSize: 128, headDim: 32, layers: 2, vocabSize: 256 });
  const base = await writeSynthModel({ dir: join(work, "base"), tensors: tensorsFromConfig(config), config, seed: 11 });
  const ft = await fineTune({ base, dir: join(work, "ft"), baseModel: "alice/base" });
  await uploadFolder({ hubUrl: hub.url, token, repo: "alice/base", dir: base.dir });
  await uploadFolder({ hubUrl: hub.url, token, repo: "alice/ft", dir: ft.dir });
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await hub?.stop();
  if (hub) rmSync(hub.dir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

const env = (hubUrl: string, home = join(work, `home-${++homes}`)): Record<string, string> => ({
  HF_HOME: home,
  HF_ENDPOINT: hubUrl,
  HF_TOKEN: token,
});
/** f32 in 50 kB files: a few LFS objects, each a moment long through the throttled proxy. */
const publishArgs = (repo: string): string[] => [
  "publish-vector",
  "--finetuned",
  "alice/ft",
  "--to",
  repo,
  "--dtype",
  "f32",
  "--max-shard-size",
  "50kB",
];

/** LFS uploads into `repo` the Hub has finished since `from` (its access log: one line per request, once answered). */
const storedUploads = (repo: string, from = 0): string[] =>
  hub
    .stderr()
    .slice(from)
    .split("\n")
    .filter((line) => new RegExp(`^\\S+ PUT /lfs-upload/models/${repo}/\\S+ 200 `).test(line));

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** Runs a publish through the proxy at `up` bytes/s and sends SIGINT once `ready` says so. */
async function interrupted(
  repo: string,
  ready: () => boolean,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  let child: ChildProcess | undefined;
  proxy.throttle({ up: 100_000 });
  try {
    const run = runCli(publishArgs(repo), env(proxy.url), { onSpawn: (spawned) => (child = spawned) });
    await waitFor("the upload", ready);
    child?.kill("SIGINT");
    return await run;
  } finally {
    proxy.throttle({});
  }
}

async function repoStatus(repo: string): Promise<number> {
  return (await fetch(`${hub.url}/api/models/${repo}`, { headers: { authorization: `Bearer ${token}` } })).status;
}

async function listed(): Promise<string[]> {
  const response = await fetch(`${hub.url}/api/models?author=alice&limit=500`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await response.json()) as Array<{ id: string }>).map((repo) => repo.id);
}

describe("SIGINT during a publish", () => {
  it("into a repo the run created: removes the repo, says so in one sentence, exits 1", async () => {
    const repo = "alice/int-new";
    const run = await interrupted(repo, () => hub.stderr().includes(`POST /${repo}.git/info/lfs/objects/batch 200`));
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `tvhub: Interrupted while publishing to ${repo}: nothing was committed, and the repo this run created was ` +
        `removed; rerun the same command to publish.\n`,
    );
    expect(run.code).toBe(1);
    expect(await repoStatus(repo)).toBe(404);
    expect(await listed()).not.toContain(repo);

    const rerun = await runCli([...publishArgs(repo), "--json"], env(hub.url));
    expect(rerun.stderr).toBe("");
    expect(rerun.code).toBe(0);
    expect(await repoStatus(repo)).toBe(200);
  }, 120_000);

  it("into a repo that existed: keeps what was sent, and the rerun sends only the rest", async () => {
    const repo = "alice/int-existing";
    // An earlier publish of the same pair in f16: the repo exists, none of the f32 objects are in it yet.
    const earlier = await runCli(["publish-vector", "--finetuned", "alice/ft", "--to", repo, "--quiet"], env(hub.url));
    expect(earlier.code).toBe(0);
    const clean = await runCli([...publishArgs("alice/int-clean"), "--json"], env(hub.url));
    const total = (JSON.parse(clean.stdout) as { bytesUploaded: number }).bytesUploaded;

    const from = hub.stderr().length;
    const run = await interrupted(repo, () => storedUploads(repo, from).length >= 1);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^tvhub: Interrupted while publishing to ${repo}: nothing was committed; the [0-9.]+ [kM]B uploaded stay on ` +
          "the Hub, so rerunning the same command does not send them again; rerun the same command to " +
          `publish\\.\\n$`,
      ),
    );
    expect(await repoStatus(repo)).toBe(200);

    const rerun = await runCli([...publishArgs(repo), "--json"], env(hub.url));
    expect(rerun.stderr).toBe("");
    expect(rerun.code).toBe(0);
    const resent = (JSON.parse(rerun.stdout) as { bytesUploaded: number }).bytesUploaded;
    expect(resent).toBeGreaterThan(0);
    expect(resent).toBeLessThan(total);
    // The figure for docs/reliability.md: what a rerun sends after an interruption, against a clean run.
    console.info(
      `interrupt resume: a clean run uploads ${total} bytes; the rerun after SIGINT uploaded ${resent} bytes`,
    );
  }, 120_000);
});
