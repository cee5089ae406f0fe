/**
 * A run split over a job matrix through the CLI, against a local Hub: `tvhub plan --portions N` lists the jobs,
 * N `publish-vector --portion i/N` processes run side by side and commit their own files, and `--finalize` ties
 * them together. The repo ends up byte for byte what one process publishes (read back with the official client).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deleteRepo, listCommits, listFiles } from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadBytes, uploadFolder } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runCli, type CliRun } from "./helpers/run-cli.js";
import { fineTune, tensorsFromConfig, tinyLlamaConfig, writeSynthModel } from "./helpers/synth.js";
import { createHubClient } from "../src/hub/create-hub-client.js";
import { drain } from "../src/util/progress.js";
import { joinPatterns } from "./helpers/join-patterns.js";

const token = "hf_alice_matrix_run_token";
let hub: LocalHubProcess;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-matrix-"));
  hub = await startLocalHub({ users: [{ name: "alice", token }] });
  const config = { ...tinyLlamaConfig(), torch_dtype: "bfloat16" };
  const tensors = [
    ...tensorsFromConfig(config, { dtype: "BF16" }),
    { name: "model.position_ids", dtype: "I64" as const, shape: [1, 64], fill: "arange" as const },
  ];
  const base = await writeSynthModel({ dir: join(work, "base"), tensors, config, seed: 11, maxShardSize: 40_000 });
  const ft = await fineTune({
    base,
    dir: join(work, "ft"),
    baseModel: "alice/base",
    card: { extra: { license: "mit" } },
    maxShardSize: 40_000,
  });
  await uploadFolder({ hubUrl: hub.url, token, repo: "alice/base", dir: base.dir });
  await uploadFolder({ hubUrl: hub.url, token, repo: "alice/ft", dir: ft.dir });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

/** Each process its own HF_HOME (own Hub cache), as separate runners have. */
const env = (name: string) => ({ HF_HOME: join(work, `home-${name}`), HF_TOKEN: token, HF_ENDPOINT: hub.url });
const pair = ["--base", "alice/base", "--finetuned", "alice/ft", "--max-shard-size", "20kB"];

async function filesOf(repo: string): Promise<string[]> {
  const paths: string[] = [];
  for await (const entry of listFiles({ repo, recursive: true, hubUrl: hub.url, accessToken: token }))
    if (entry.type === "file") paths.push(entry.path);
  return paths.sort();
}

async function commitCount(repo: string): Promise<number> {
  let count = 0;
  for await (const _commit of listCommits({ repo, hubUrl: hub.url, accessToken: token })) count++;
  return count;
}

/** Every file of the repo's head, downloaded with the official client. */
async function snapshot(repo: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const path of await filesOf(repo))
    files.set(path, Buffer.from(await downloadBytes({ hubUrl: hub.url, token, repo, path })));
  return files;
}

function expectOk(run: CliRun): void {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
}

describe("a task vector split over a job matrix", () => {
  it("plan lists the jobs; three portion processes side by side, then finalize, publish the same files as one " +
    "process", async () => {
    const planned = await runCli(["plan", ...pair, "--to", "alice/tv", "--portions", "3", "--json"], env("plan"));
    expectOk(planned);
    const plan = JSON.parse(planned.stdout) as {
      operation: string;
      portions: number;
      matrix: Array<{ portion: string; files: string[]; bytes: number }>;
      files: Array<{ path: string; size: number }>;
    };
    expect(plan.operation).toBe("publish-vector");
    expect(plan.matrix.map((job) => job.portion)).toEqual(["1/3", "2/3", "3/3"]);
    expect(plan.files.length).toBeGreaterThanOrEqual(6);
    expect(plan.matrix.flatMap((job) => job.files)).toEqual(plan.files.map((file) => file.path));
    expect(plan.matrix.every((job) => job.files.length >= 2)).toBe(true);

    const single = await runCli(["publish-vector", ...pair, "--to", "alice/tv", "--json"], env("single"));
    expectOk(single);
    const one = await snapshot("alice/tv");
    await deleteRepo({ repo: "alice/tv", hubUrl: hub.url, accessToken: token });

    const jobs = await Promise.all(
      ["1/3", "2/3", "3/3"].map((portion) =>
        runCli(
          ["publish-vector", ...pair, "--to", "alice/tv", "--portion", portion, "--json"],
          env(`job-${portion[0] ?? ""}`),
        ),
      ),
    );
    for (const [i, job] of jobs.entries()) {
      expectOk(job);
      const result = JSON.parse(job.stdout) as {
        portion: string;
        files: Array<{ path: string }>;
        bytesUploaded: number;
      };
      expect(result.portion).toBe(`${i + 1}/3`);
      expect(result.files.map((file) => file.path)).toEqual([
        ...(plan.matrix[i]?.files ?? []),
        `.tvhub/portion-${i + 1}-of-3.json`,
      ]);
    }
    // Each job downloads only what its own files need: together, about what one process downloads.
    const downloaded = jobs.map((job) => (JSON.parse(job.stdout) as { bytesDownloaded: number }).bytesDownloaded);
    expect(Math.max(...downloaded)).toBeLessThan(
      (JSON.parse(single.stdout) as { bytesDownloaded: number }).bytesDownloaded,
    );
    expect(await filesOf("alice/tv")).toEqual(
      [
        ".gitattributes",
        ...plan.files.map((file) => file.path),
        ".tvhub/portion-1-of-3.json",
        ".tvhub/portion-2-of-3.json",
        ".tvhub/portion-3-of-3.json",
      ].sort(),
    );

    const finalized = await runCli(
      ["publish-vector", ...pair, "--to", "alice/tv", "--finalize", "--portions", "3", "--json"],
      env("finalize"),
    );
    expectOk(finalized);
    const result = JSON.parse(finalized.stdout) as {
      commit: string;
      files: Array<{ path: string; sha256: string }>;
      norm: number;
      bytesDownloaded: number;
      bytesUploaded: number;
    };
    expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(result.norm).toBe((JSON.parse(single.stdout) as { norm: number }).norm);
    // Finalize reads headers and records, never weights, and sends only the index, the card and tvhub.json.
    expect(result.bytesUploaded).toBe(0);
    const many = await snapshot("alice/tv");
    expect([...many.keys()]).toEqual([...one.keys()]);
    for (const [path, bytes] of one) expect(Buffer.compare(many.get(path) ?? Buffer.alloc(0), bytes), path).toBe(0);
    expect([...many.keys()].some((path) => path.startsWith(".tvhub/"))).toBe(false);
    // One commit per job, then finalize (after the repo's creation).
    expect(await commitCount("alice/tv")).toBe(5);
  }, 180_000);

  it("finalize with a portion missing fails, naming it, and commits nothing; once the job has run, it " +
    "succeeds", async () => {
    const to = ["--to", "alice/tv-gap"];
    const jobs = await Promise.all(
      ["1/3", "3/3"].map((portion) =>
        runCli(["publish-vector", ...pair, ...to, "--portion", portion], env(`gap-${portion[0] ?? ""}`)),
      ),
    );
    for (const job of jobs) expectOk(job);
    expect(jobs[0]?.stdout).toMatch(
      /^Committed portion 1\/3 to http:\/\/127\.0\.0\.1:\d+\/alice\/tv-gap at commit [0-9a-f]{40}\n/,
    );
    const before = await commitCount("alice/tv-gap");
    const planned = JSON.parse((await runCli(["plan", ...pair, "--portions", "3", "--json"], env("plan"))).stdout) as {
      matrix: Array<{ files: string[] }>;
    };
    const missing = planned.matrix[1]?.files ?? [];

    const failed = await runCli(
      ["publish-vector", ...pair, ...to, "--finalize", "--portions", "3"],
      env("gap-finalize"),
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toBe(
      `tvhub: alice/tv-gap is missing portion 2/3 (${missing.join(", ")}); run that job of the matrix again, then ` +
        `finalize.\n`,
    );
    expect(await commitCount("alice/tv-gap")).toBe(before);
    expect(await filesOf("alice/tv-gap")).not.toContain("tvhub.json");

    expectOk(await runCli(["publish-vector", ...pair, ...to, "--portion", "2/3"], env("gap-2")));
    // Without --portions, the records on the Hub say how many jobs there were.
    const finalized = await runCli(["publish-vector", ...pair, ...to, "--finalize"], env("gap-finalize"));
    expectOk(finalized);
    expect(finalized.stdout).toMatch(
      /^Published the task vector to http:\/\/127\.0\.0\.1:\d+\/alice\/tv-gap at commit [0-9a-f]{40}\n/,
    );
    const files = await filesOf("alice/tv-gap");
    expect(files).toContain("tvhub.json");
    expect(files.filter((path) => path.startsWith(".tvhub/"))).toEqual([]);
  }, 180_000);

  it("refuses portion flags that cannot work, before reading anything", async () => {
    const cases: Array<[string[], string]> = [
      [
        ["--to", join(work, "out"), "--portion", "1/2"],
        "tvhub: --portion publishes to a Hub repo, where the jobs of a matrix run meet, but the target is the " +
          `folder ${join(work, "out")}; give --to org/name, or run without --portion to write the folder in one ` +
          `job.\n`,
      ],
      [
        ["--to", "alice/x", "--portion", "1/2", "--finalize"],
        "tvhub: --portion and --finalize are different jobs of a matrix run; give one of them.\n",
      ],
      [
        ["--to", "alice/x", "--portion", "1/2", "--dry-run"],
        "tvhub: --dry-run writes nothing, but --portion commits to the Hub; to see the jobs, run tvhub plan " +
          "--portions N.\n",
      ],
      [
        ["--to", "alice/x", "--portions", "2"],
        "tvhub: --portions goes with --finalize (or tvhub plan); to run one job of a matrix, give --portion i/N.\n",
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(["publish-vector", ...pair, ...args], env("bad"))));
    for (const [i, run] of runs.entries()) {
      expect(run.stderr).toBe(cases[i]?.[1]);
      expect(run.code).toBe(2);
    }
    const tooMany = await runCli(["plan", ...pair, "--portions", "1000", "--json"], env("plan"));
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(
      joinPatterns(
        /^tvhub: --portions 1000 asks for more jobs than the output has files \(\d+\); /,
        /give at most \d+, or lower the maximum shard size/,
      ),
    );
    const badShard = await runCli(["publish-vector", ...pair, "--to", "alice/x", "--portion", "3/2"], env("bad"));
    expect(badShard.code).toBe(2);
    expect(badShard.stderr).toContain("give the job as i/N with 1 ≤ i ≤ N ≤ 1000");
  }, 60_000);

  it("plan prints the plan, the jobs and the commands to run them", async () => {
    const run = await runCli(["plan", ...pair, "--to", "alice/tv", "--portions", "2"], env("plan"));
    expectOk(run);
    expect(run.stdout).toContain("Plan: task vector of alice/ft against alice/base");
    expect(run.stdout).toMatch(
      /\nMatrix: 2 jobs, [\d.]+ kB to [\d.]+ kB of output each\n {2}1\/2 {2}\d+ files, \d+ tensors, /,
    );
    expect(run.stdout).toContain(
      "Run the jobs side by side: tvhub publish-vector --base alice/base --finetuned alice/ft --to alice/tv " +
        "--max-shard-size 20000 --portion 1/2, … --portion 2/2\n" +
        "Then, once all are done: tvhub publish-vector --base alice/base --finetuned alice/ft --to alice/tv " +
        "--max-shard-size 20000 --finalize --portions 2\n",
    );
  }, 60_000);
});

describe("publishing for a matrix run (the Hub client)", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const client = () => createHubClient({ hubUrl: hub.url, accessToken: token, retries: 1, sleep: async () => {} });

  it(
    "keeps files already on the Hub, and refuses to publish when one it keeps is gone, committing " + "nothing",
    async () => {
      const repo = "alice/keep";
      await drain(
        client().publish({
          repo,
          commitTitle: "portion",
          concurrent: true,
          files: [
            { path: "model-00001-of-00002.safetensors", content: bytes("a") },
            { path: ".tvhub/portion-1-of-2.json", content: bytes("{}") },
          ],
        }),
      );
      const before = await commitCount(repo);
      const refused = await drain(
        client().publish({
          repo,
          commitTitle: "finalize",
          keep: ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"],
          files: [{ path: "tvhub.json", content: bytes("{}") }],
        }),
      ).catch((error: unknown) => error);
      expect(refused).toMatchObject({
        code: "HUB_CHANGED",
        message: "alice/keep no longer holds model-00002-of-00002.safetensors, which this publish keeps; rerun.",
      });
      expect(await commitCount(repo)).toBe(before);

      await drain(
        client().publish({
          repo,
          commitTitle: "portion",
          concurrent: true,
          files: [
            { path: "model-00002-of-00002.safetensors", content: bytes("b") },
            { path: ".tvhub/portion-2-of-2.json", content: bytes("{}") },
          ],
        }),
      );
      const done = await drain(
        client().publish({
          repo,
          commitTitle: "finalize",
          keep: ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"],
          files: [{ path: "tvhub.json", content: bytes("{}") }],
        }),
      );
      // The records go in the same commit; the kept weights stay.
      expect(done.deleted.sort()).toEqual([".tvhub/portion-1-of-2.json", ".tvhub/portion-2-of-2.json"]);
      expect(await filesOf(repo)).toEqual([
        ".gitattributes",
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
        "tvhub.json",
      ]);
    },
  );

  it("a concurrent publish takes no parent commit", async () => {
    const refused = await drain(
      client().publish({
        repo: "alice/keep",
        commitTitle: "x",
        concurrent: true,
        parentCommit: "a".repeat(40),
        files: [{ path: "x.json", content: bytes("{}") }],
      }),
    ).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "HUB_BAD_PUBLISH" });
  });
});
