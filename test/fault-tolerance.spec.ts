/**
 * Publishing through a flaky network: the CLI's publish-vector and merge and the bundled Action's publish run
 * 20 times each through test/helpers/fault-proxy.ts, in front of a real `tvhub hub serve`, which by a seeded
 * schedule drops connections, delays, cuts answers, answers 5xx and 429, and lets requests (commits among them)
 * through while losing their answer. Every run must succeed with the files of a clean run, byte for byte, in
 * exactly one commit on top of the repo's first.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listCommits, listFiles } from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultKinds, startFaultProxy, type FaultProxy, type FaultRecord } from "./helpers/fault-proxy.js";
import { startGitHubServer, type GitHubServer } from "./helpers/github-server.js";
import { downloadBytes, uploadFolder } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runBundledAction } from "./helpers/run-action.js";
import { runCli } from "./helpers/run-cli.js";
import { fineTune, tensorsFromConfig, tinyLlamaConfig, writeSynthModel } from "./helpers/synth.js";

const alice = { name: "alice", token: "hf_aliceFaultToken0001" };
const githubToken = "ghs_faultToleranceToken0123456789";
/** 20 in CI; TVHUB_FAULT_RUNS=200 for a longer soak. */
const runs = Number(process.env.TVHUB_FAULT_RUNS ?? 20);
/** Runs side by side: the proxy's schedule is per run (its own seed), so they do not disturb one another's. */
const parallel = 3;

let hub: LocalHubProcess;
let github: GitHubServer;
let work: string;
let recipePath: string;
const faults: FaultRecord[] = [];

beforeAll(async () => {
  [hub, github] = await Promise.all([startLocalHub({ users: [alice] }), startGitHubServer({ token: githubToken })]);
  work = mkdtempSync(join(tmpdir(), "tvhub-faults-"));
  const config = tinyLlamaConfig();
  const base = await writeSynthModel({
    dir: join(work, "base"),
    tensors: tensorsFromConfig(config),
    config,
    seed: 3,
    card: { extra: { license: "mit" } },
    maxShardSize: 60_000,
  });
  const ft = await fineTune({
    base,
    dir: join(work, "ft"),
    baseModel: "alice/base",
    card: { extra: { license: "mit" } },
  });
  await uploadFolder({ hubUrl: hub.url, token: alice.token, repo: "alice/base", dir: base.dir });
  await uploadFolder({ hubUrl: hub.url, token: alice.token, repo: "alice/ft", dir: ft.dir });
  recipePath = join(work, "merge.yml");
  writeFileSync(
    recipePath,
    [
      "version: 1",
      "base: alice/base",
      "output:",
      "  to: alice/merged",
      "  max_shard_size: 40kB",
      "method: task_arithmetic",
      "scale: 0.5",
      "vectors:",
      "  - finetuned: alice/ft",
      "    weight: 1.0",
      "",
    ].join("\n"),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([hub?.stop(), github?.close()]);
});

/**
 * Every file of a repo's main branch, by path; in text files the repo's own name and the Hub URL the run used (a
 * proxy's port) are replaced, so that two targets compare.
 */
async function snapshot(repo: string, hubUrl = hub.url): Promise<{ files: Map<string, Buffer>; commits: number }> {
  const common = { repo, hubUrl: hub.url, accessToken: alice.token };
  const files = new Map<string, Buffer>();
  for await (const entry of listFiles({ ...common, recursive: true })) {
    if (entry.type !== "file") continue;
    const bytes = Buffer.from(await downloadBytes({ hubUrl: hub.url, token: alice.token, repo, path: entry.path }));
    files.set(
      entry.path,
      entry.path.endsWith(".safetensors")
        ? bytes
        : Buffer.from(bytes.toString("utf8").split(repo).join("<target>").split(hubUrl).join("<hub>")),
    );
  }
  let commits = 0;
  for await (const _ of listCommits(common)) commits++;
  return { files, commits };
}

function expectSame(
  actual: { files: Map<string, Buffer>; commits: number },
  clean: { files: Map<string, Buffer>; commits: number },
  label: string,
): void {
  expect([...actual.files.keys()].sort(), label).toEqual([...clean.files.keys()].sort());
  for (const [path, bytes] of clean.files)
    expect(actual.files.get(path)?.equals(bytes), `${label}: ${path}`).toBe(true);
  // The repo's first commit (.gitattributes) and the publish: never two publishes.
  expect(actual.commits, label).toBe(2);
}

/** Runs `run(proxyUrl, i)` for i < runs, `parallel` at a time, each through its own proxy seeded with i. */
async function underFaults(
  run: (hubUrl: string, i: number) => Promise<void>,
  seedBase: number,
): Promise<FaultRecord[]> {
  const seen: FaultRecord[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < runs) {
      const i = next++;
      const proxy: FaultProxy = await startFaultProxy({ target: hub.url, seed: seedBase + i, rate: 0.2 });
      try {
        await run(proxy.url, i);
      } finally {
        seen.push(...proxy.faults());
        await proxy.close();
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  faults.push(...seen);
  return seen;
}

const cliEnv = (hubUrl: string, name: string): Record<string, string> => ({
  HF_HOME: join(work, `home-${name}`),
  HF_TOKEN: alice.token,
  HF_ENDPOINT: hubUrl,
  TVHUB_RETRY_DELAY_MS: "5",
});

describe("under a seeded schedule of dropped, delayed, cut and refused requests", () => {
  it(`publish-vector succeeds ${runs}/${runs} with the clean run's bytes in one commit`, async () => {
    const clean = await runCli(
      ["publish-vector", "--base", "alice/base", "--finetuned", "alice/ft", "--to", "alice/pv-clean", "--json"],
      cliEnv(hub.url, "pv-clean"),
    );
    expect(clean.stderr).toBe("");
    expect(clean.code).toBe(0);
    const reference = await snapshot("alice/pv-clean");
    expect([...reference.files.keys()].filter((path) => path.endsWith(".safetensors")).length).toBeGreaterThan(0);
    const seen = await underFaults(async (hubUrl, i) => {
      const run = await runCli(
        ["publish-vector", "--base", "alice/base", "--finetuned", "alice/ft", "--to", `alice/pv-${i}`, "--json"],
        cliEnv(hubUrl, `pv-${i}`),
      );
      expect(run.stderr, `run ${i}`).toBe("");
      expect(run.code, `run ${i}`).toBe(0);
      expect((JSON.parse(run.stdout) as { repo: string }).repo).toBe(`alice/pv-${i}`);
      expectSame(await snapshot(`alice/pv-${i}`, hubUrl), reference, `run ${i}`);
    }, 1000);
    expect(seen.length).toBeGreaterThan(runs);
  }, 600_000);

  it(`merge succeeds ${runs}/${runs} with the clean run's bytes in one commit`, async () => {
    const clean = await runCli(
      ["merge", recipePath, "--to", "alice/merge-clean", "--json"],
      cliEnv(hub.url, "merge-clean"),
    );
    expect(clean.stderr).toBe("");
    expect(clean.code).toBe(0);
    const reference = await snapshot("alice/merge-clean");
    expect([...reference.files.keys()].filter((path) => path.endsWith(".safetensors")).length).toBeGreaterThan(1);
    await underFaults(async (hubUrl, i) => {
      const run = await runCli(
        ["merge", recipePath, "--to", `alice/merge-${i}`, "--json"],
        cliEnv(hubUrl, `merge-${i}`),
      );
      expect(run.stderr, `run ${i}`).toBe("");
      expect(run.code, `run ${i}`).toBe(0);
      expectSame(await snapshot(`alice/merge-${i}`, hubUrl), reference, `run ${i}`);
    }, 2000);
  }, 600_000);

  it(`the Action's publish succeeds ${runs}/${runs} with the clean run's bytes in one commit`, async () => {
    const workspace = join(work, "workspace");
    mkdirSync(workspace, { recursive: true });
    const action = (hubUrl: string, to: string) =>
      runBundledAction({
        inputs: {
          command: "publish-vector",
          base: "alice/base",
          finetuned: "alice/ft",
          to,
          "hf-token": alice.token,
          "hub-url": hubUrl,
        },
        event: { name: "push", payload: { after: "4".repeat(40), repository: { default_branch: "main" } } },
        sha: "4".repeat(40),
        ref: "refs/heads/main",
        apiUrl: github.url,
        githubToken,
        workspace,
        env: { TVHUB_RETRY_DELAY_MS: "5" },
      });
    const clean = await action(hub.url, "alice/action-clean");
    expect(clean.errors).toEqual([]);
    expect(clean.exitCode).toBe(0);
    const reference = await snapshot("alice/action-clean");
    await underFaults(async (hubUrl, i) => {
      const result = await action(hubUrl, `alice/action-${i}`);
      expect(result.errors, `run ${i}`).toEqual([]);
      expect(result.exitCode, `run ${i}`).toBe(0);
      expect(result.outputs["repo-url"]).toBe(`${hubUrl}/alice/action-${i}`);
      expectSame(await snapshot(`alice/action-${i}`, hubUrl), reference, `run ${i}`);
    }, 3000);
  }, 600_000);

  it("met every kind of fault, on commits too, including a commit applied whose answer was lost", () => {
    const kinds = new Set(faults.map((fault) => fault.kind));
    expect([...kinds].sort()).toEqual([...faultKinds].sort());
    const onCommits = faults.filter((fault) => fault.method === "POST" && /\/commit\//.test(fault.path));
    expect(
      onCommits.some((fault) => fault.kind === "lose" || fault.kind === "applied-502" || fault.kind === "truncate"),
    ).toBe(true);
    expect(onCommits.some((fault) => fault.kind === "drop" || fault.kind === "503")).toBe(true);
    expect(faults.some((fault) => fault.method === "PUT")).toBe(true);
    expect(faults.some((fault) => fault.path.endsWith("/info/lfs/objects/batch"))).toBe(true);
  });
});
