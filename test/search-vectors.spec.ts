/**
 * `tvhub search-vectors` and `tvhub inspect` of Hub references, end to end against `tvhub hub serve`: vectors
 * published by tvhub (with tvhub.json) and by another tool (card only), found by tag, base and name, then
 * inspected from their headers alone.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadBytes, uploadFolder } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runCli } from "./helpers/run-cli.js";
import { fineTune, tensorsFromConfig, tinyLlamaConfig, writeSynthModel } from "./helpers/synth.js";
import { joinPatterns } from "./helpers/join-patterns.js";

const alice = { name: "alice", token: "hf_alice_search_token_123456" };
const bob = { name: "bob", token: "hf_bob_search_token_654321" };
let hub: LocalHubProcess;
let work: string;
const heads: Record<string, string> = {};

interface Vector {
  repo: string;
  revision: string | null;
  base: string | null;
  finetuned: string | null;
  finetunedRevision: string | null;
  dtype: string | null;
  parameters: number | null;
  size: number | null;
  lastModified: string | null;
  record: boolean;
}

interface SearchJson {
  hubUrl: string;
  tags: string[];
  vectors: Vector[];
  truncated: boolean;
}

const env = () => ({ HF_HOME: join(work, "hf-home"), HF_TOKEN: alice.token, HF_ENDPOINT: hub.url });

async function head(repo: string): Promise<string> {
  const info = (await (
    await fetch(`${hub.url}/api/models/${repo}/revision/main`, { headers: { authorization: `Bearer ${alice.token}` } })
  ).json()) as { sha: string };
  return info.sha;
}

async function search(args: string[]): Promise<SearchJson> {
  const run = await runCli(["search-vectors", ...args, "--json"], env());
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as SearchJson;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-search-"));
  hub = await startLocalHub({ users: [alice, bob] });
  const upload = (repo: string, dir: string, token = alice.token) =>
    uploadFolder({ hubUrl: hub.url, token, repo, dir });
  const config = tinyLlamaConfig();
  const base = await writeSynthModel({ dir: join(work, "base"), tensors: tensorsFromConfig(config), config, seed: 11 });
  const other = await writeSynthModel({
    dir: join(work, "other-base"),
    tensors: tensorsFromConfig(config),
    config,
    seed: 12,
  });
  await upload("alice/base", base.dir);
  await upload("alice/other-base", other.dir);
  for (const [name, from, seed] of [
    ["ft-a", base, 1],
    ["ft-b", base, 2],
    ["ft-c", other, 3],
  ] as const) {
    const ft = await fineTune({
      base: from,
      dir: join(work, name),
      seed,
      baseModel: from === base ? "alice/base" : "alice/other-base",
    });
    await upload(`alice/${name}`, ft.dir);
    heads[name] = await head(`alice/${name}`);
  }
  const publish = async (args: string[]) => {
    const run = await runCli(["publish-vector", ...args, "--quiet"], env());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  };
  await publish(["--finetuned", "alice/ft-a", "--to", "alice/ft-a-tv"]);
  await publish(["--finetuned", "alice/ft-b", "--to", "alice/ft-b-tv", "--dtype", "f32", "--max-shard-size", "300kB"]);
  await publish(["--finetuned", "alice/ft-c", "--to", "alice/ft-c-tv"]);
  // A task vector another tool published: a card with the tag and a base, weights, no tvhub.json.
  const foreign = join(work, "foreign-tv");
  await mkdir(foreign);
  await writeFile(
    join(foreign, "README.md"),
    "---\nbase_model: alice/base\ntags:\n- task-vector\n---\n# A task vector made by hand\n",
  );
  await writeFile(
    join(foreign, "task_vector.safetensors"),
    await downloadBytes({ hubUrl: hub.url, repo: "alice/ft-a-tv", path: "task_vector.safetensors" }),
  );
  await upload("bob/foreign-tv", foreign, bob.token);
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  if (hub) rmSync(hub.dir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("tvhub search-vectors", () => {
  it(
    "lists every task vector with base, source model, dtype and size from tvhub.json, and what the card says of " +
      "others",
    async () => {
      const result = await search([]);
      expect(result.hubUrl).toBe(hub.url);
      expect(result.tags).toEqual(["task-vector"]);
      expect(result.truncated).toBe(false);
      expect(result.vectors.map((v) => v.repo).sort()).toEqual([
        "alice/ft-a-tv",
        "alice/ft-b-tv",
        "alice/ft-c-tv",
        "bob/foreign-tv",
      ]);
      const record = JSON.parse(
        new TextDecoder().decode(await downloadBytes({ hubUrl: hub.url, repo: "alice/ft-a-tv", path: "tvhub.json" })),
      ) as {
        parameters: number;
        files: Array<{ size: number }>;
      };
      expect(result.vectors.find((v) => v.repo === "alice/ft-a-tv")).toEqual({
        repo: "alice/ft-a-tv",
        revision: await head("alice/ft-a-tv"),
        base: "alice/base",
        finetuned: "alice/ft-a",
        finetunedRevision: heads["ft-a"],
        dtype: "BF16",
        parameters: record.parameters,
        size: record.files.reduce((sum, f) => sum + f.size, 0),
        lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown as string,
        record: true,
      });
      const sharded = result.vectors.find((v) => v.repo === "alice/ft-b-tv");
      expect(sharded).toMatchObject({ base: "alice/base", finetuned: "alice/ft-b", dtype: "F32", record: true });
      expect(sharded?.size).toBeGreaterThan(
        2 * (result.vectors.find((v) => v.repo === "alice/ft-a-tv")?.size ?? 0) - 10_000,
      );
      const foreign = result.vectors.find((v) => v.repo === "bob/foreign-tv");
      expect(foreign).toMatchObject({
        base: "alice/base",
        finetuned: null,
        dtype: null,
        parameters: null,
        record: false,
      });
      expect(foreign?.size).toBe(result.vectors.find((v) => v.repo === "alice/ft-a-tv")?.size);
    },
  );

  it("--base keeps the vectors of one base, --search matches the repo name", async () => {
    const ofBase = await search(["--base", "alice/base"]);
    expect(ofBase.tags).toEqual(["task-vector", "base_model:alice/base"]);
    expect(ofBase.vectors.map((v) => v.repo).sort()).toEqual(["alice/ft-a-tv", "alice/ft-b-tv", "bob/foreign-tv"]);
    const other = await search(["--base", "alice/other-base"]);
    expect(other.vectors.map((v) => v.repo)).toEqual(["alice/ft-c-tv"]);
    const named = await search(["--search", "ft-b"]);
    expect(named.vectors.map((v) => v.repo)).toEqual(["alice/ft-b-tv"]);
    const both = await search(["--base", "alice/other-base", "--search", "ft-a"]);
    expect(both.vectors).toEqual([]);
  });

  it("--limit shows the first N and says there are more", async () => {
    const limited = await search(["--limit", "2"]);
    expect(limited.vectors).toHaveLength(2);
    expect(limited.truncated).toBe(true);
    const run = await runCli(["search-vectors", "--limit", "2"], env());
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe(`2+ task vectors on ${hub.url} (the first 2; --limit shows more):`);
  });

  it("prints a table a person can read, with ? for what a card does not say", async () => {
    const run = await runCli(["search-vectors", "--base", "alice/base"], env());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe(`3 task vectors on ${hub.url} (base alice/base):`);
    expect(lines[2]).toMatch(/^vector +base +fine-tuned +dtype +parameters +size +updated$/);
    expect(run.stdout).toMatch(
      new RegExp(
        `\\nalice/ft-a-tv +alice/base +alice/ft-a@${heads["ft-a"]?.slice(0, 7)} +BF16 +[\\d,]+ +\\d+(\\.\\d+)? kB ` +
          `+\\d{4}-\\d\\d-\\d\\d\\n`,
      ),
    );
    expect(run.stdout).toMatch(/\nbob\/foreign-tv +alice\/base +\? +\? +\? +\d+(\.\d+)? kB +\d{4}-\d\d-\d\d\n/);
  });

  it("says so when nothing matches, and exits 0", async () => {
    const run = await runCli(["search-vectors", "--base", "alice/nothing"], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `No task vectors on ${hub.url} (base alice/nothing); tvhub publish-vector publishes one.\n`,
    );
  });

  it(
    "exits 2 on a malformed --base or --limit, 1 when the Hub cannot be reached, never printing the " + "token",
    async () => {
      const badBase = await runCli(["search-vectors", "--base", "not a repo"], env());
      expect(badBase.code).toBe(2);
      expect(badBase.stderr).toMatch(/^tvhub: --base "not a repo" is not a Hub model id \(.+\); use org\/name\.\n$/);
      const badLimit = await runCli(["search-vectors", "--limit", "0"], env());
      expect(badLimit.code).toBe(2);
      expect(badLimit.stderr).toContain("use a whole number of at least 1");
      const unreachable = await runCli(["search-vectors", "--hub-url", "http://127.0.0.1:9"], env());
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toMatch(
        joinPatterns(
          /^tvhub: Searching models with tag task-vector on http:\/\/127\.0\.0\.1:9 failed: /,
          /could not reach the Hub .*\n$/,
        ),
      );
      for (const run of [badBase, badLimit, unreachable]) expect(run.stdout + run.stderr).not.toContain(alice.token);
    },
  );
});

describe("tvhub inspect of a Hub model", () => {
  it(
    "reads a sharded vector's headers and index with range requests, pinned to its commit, without downloading " +
      "weights",
    async () => {
      const from = hub.stderr().length;
      const run = await runCli(["inspect", "alice/ft-b-tv", "--json"], { ...env(), HF_HOME: join(work, "fresh-home") });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as {
        model: string;
        source: { repo: string; revision: string; url: string };
        layout: string;
        index: { file: string } | null;
        totals: { tensors: number; tensorBytes: number };
        dtypes: Array<{ dtype: string }>;
        files: Array<{ file: string }>;
      };
      const sha = await head("alice/ft-b-tv");
      expect(report.source).toEqual({ repo: "alice/ft-b-tv", revision: sha, url: `${hub.url}/alice/ft-b-tv` });
      expect(report.model).toBe(`alice/ft-b-tv@${sha.slice(0, 10)}`);
      expect(report.layout).toBe("sharded");
      expect(report.index?.file).toBe("task_vector.safetensors.index.json");
      expect(report.files.length).toBeGreaterThanOrEqual(2);
      expect(report.dtypes.map((d) => d.dtype)).toEqual(["F32"]);
      await new Promise((done) => setTimeout(done, 300));
      const served = hub
        .stderr()
        .slice(from)
        .split("\n")
        .map((line) => /^\S+ (\w+) (\S+) (\S+) (\d+) \d+ms$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ method: m[1], path: m[2] ?? "", status: m[3], bytes: Number(m[4]) }));
      const shards = served.filter((l) => /\/resolve\/[0-9a-f]{40}\/task_vector-\d+-of-\d+\.safetensors$/.test(l.path));
      // Two range reads per shard (the length, then the header with some slack), never the data.
      expect(shards.length).toBe(2 * report.files.length);
      expect(shards.every((l) => l.status === "206" && l.bytes < 70_000)).toBe(true);
      expect(served.reduce((sum, l) => sum + l.bytes, 0)).toBeLessThan(report.files.length * 70_000 + 30_000);
    },
  );

  it("takes org/name@revision and prints where it read from", async () => {
    const sha = heads["ft-a"] ?? "";
    const run = await runCli(["inspect", `alice/ft-a@${sha}`], env());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe(`alice/ft-a@${sha.slice(0, 10)} (single file: model.safetensors)`);
    expect(lines[1]).toBe(`${hub.url}/alice/ft-a at commit ${sha}`);
    expect(run.stdout).toMatch(/\nmodel\.layers\.\{0-1\}\.self_attn\.q_proj\.weight +BF16 +\[64, 64\] +2 +8,192\n/);
  });

  it("exits 1 naming an unknown repo or revision, 2 for a malformed reference", async () => {
    const unknown = await runCli(["inspect", "alice/nope"], env());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^tvhub: alice\/nope was not found on \S+ \(or the token cannot see it\); check the name and the token\.\n$/,
    );
    const revision = await runCli(["inspect", "alice/ft-a@v7"], env());
    expect(revision.code).toBe(1);
    expect(revision.stderr).toMatch(
      /^tvhub: alice\/ft-a has no branch, tag or commit "v7" on \S+; check the revision after @\.\n$/,
    );
    const malformed = await runCli(["inspect", "alice/ft-a@"], env());
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(
      /^tvhub: the model "alice\/ft-a@" has a bad revision \(nothing follows @\); .*\n$/,
    );
  });
});
