/**
 * `tvhub greedy` end to end against a local Hub, with a known answer: the score of a model is minus its squared
 * distance to θ* = base + 0.5·τ_A + 0.3·τ_C, computed by a scorer process of the user's that parses the candidate
 * folder itself. Candidates A, B, C and a random distractor D with the norm of τ_A are published task-vector repos;
 * E claims the base in its card but its tvhub.json says it was computed against another base; F is a fine-tune of
 * another architecture. Greedy must keep A then C within one grid step of 0.5 and 0.3, reject B and D with reasons,
 * skip E and F before reading their weights, publish base + λ_A·τ_A + λ_C·τ_C bit for bit with the trajectory in the
 * card and tvhub.json, and a rerun must take every score from the evaluation cache.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { modelInfo } from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteShellArg } from "../src/eval/quote-shell-arg.js";
import { createModelWriter } from "../src/safetensors/create-model-writer.js";
import { planModelLayout } from "../src/safetensors/plan-model-layout.js";
import { makeGreedyProblem, mergeTensors, problemTensors, type Tensors } from "./helpers/greedy-problem.js";
import { downloadBytes, parseSafetensorsBytes, uploadFolder } from "./helpers/hub-io.js";
import { startGitHubServer, type GitHubServer } from "./helpers/github-server.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runBundledAction } from "./helpers/run-action.js";
import { runCli } from "./helpers/run-cli.js";
import { joinPatterns } from "./helpers/join-patterns.js";

const token = "hf_alice_greedy_cli_token";
const githubToken = "ghs_greedyActionToken0123456789";
const problem = makeGreedyProblem();
const letters = ["a", "b", "c", "d"] as const;

/**
 * The user's scorer: knows nothing of tvhub; needs a config.json beside the weights, as a Transformers loader would.
 */
const scorer = `
import { appendFileSync, existsSync, readFileSync } from "node:fs";
const [dir, targetPath, logPath] = process.argv.slice(2);
if (!existsSync(dir + "/config.json")) { console.error("no config.json in " + dir); process.exit(3); }
function read(path) {
  const bytes = readFileSync(path);
  const length = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString("utf8"));
  const tensors = new Map();
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [a, b] = info.data_offsets;
    const data = bytes.subarray(8 + length + a, 8 + length + b);
    tensors.set(name, new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
  }
  return tensors;
}
const model = read(dir + "/model.safetensors");
const target = read(targetPath);
let sum = 0;
for (const [name, values] of target) {
  const theirs = model.get(name);
  for (let i = 0; i < values.length; i++) sum += (theirs[i] - values[i]) ** 2;
}
appendFileSync(logPath, dir + "\\n");
console.log(JSON.stringify({ score: -sum, distance: Math.sqrt(sum) }));
`;

let hub: LocalHubProcess;
let github: GitHubServer;
let work = "";
let baseSha = "";
let command = "";
let scoredLog = "";

const env = () => ({
  HF_HOME: join(work, "hf-home"),
  HF_TOKEN: token,
  HF_ENDPOINT: hub.url,
  TMPDIR: join(work, "tmp"),
});
const q = (value: string) => quoteShellArg({ value });
const scored = (): string[] => {
  try {
    return readFileSync(scoredLog, "utf8").trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

async function writeTensors(dir: string, file: string, tensors: Tensors): Promise<void> {
  await mkdir(dir, { recursive: true });
  const layout = planModelLayout({
    tensors: problemTensors.map(({ name, shape }) => ({ name, dtype: "F32" as const, shape })),
    prefix: file,
    metadata: { format: "pt" },
  });
  const writer = createModelWriter({ layout, dir });
  for (const { name } of layout.writeOrder) {
    const values = tensors.get(name) as Float32Array;
    await writer.writeTensor(name, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  await writer.finish();
}

const t5Config = {
  architectures: ["T5ForConditionalGeneration"],
  model_type: "t5",
  d_model: 64,
  d_ff: 128,
  num_layers: 1,
  num_heads: 4,
  torch_dtype: "float32",
};

/**
 * A task-vector repo as tvhub publish-vector lays it out (README front matter, tvhub.json, task_vector.safetensors).
 */
async function publishVectorRepo(
  name: string,
  tau: Tensors,
  declared: { card: string; record: string; revision: string },
): Promise<void> {
  const dir = join(work, name);
  await writeTensors(dir, "task_vector", tau);
  await writeFile(
    join(dir, "README.md"),
    `---\nbase_model: ${declared.card}\nbase_model_relation: adapter\nlibrary_name: tvhub\ntags:\n- task-vector\n- ` +
      `tvhub\n---\n# ${name}\n`,
  );
  await writeFile(
    join(dir, "tvhub.json"),
    JSON.stringify({
      format: "tvhub/task-vector",
      version: 1,
      base: { repo: declared.record, revision: declared.revision },
      finetuned: { repo: `alice/ft-${name}`, revision: null },
      dtype: "F32",
    }),
  );
  await uploadFolder({ hubUrl: hub.url, token, repo: `alice/${name}`, dir });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-greedy-cli-"));
  [hub, github] = await Promise.all([
    startLocalHub({ users: [{ name: "alice", token }] }),
    startGitHubServer({ token: githubToken }),
  ]);

  const baseDir = join(work, "t5-base");
  await writeTensors(baseDir, "model", problem.base);
  await writeFile(join(baseDir, "config.json"), JSON.stringify(t5Config));
  await writeFile(join(baseDir, "tokenizer_config.json"), JSON.stringify({ model_max_length: 512 }));
  await writeFile(join(baseDir, "README.md"), "---\nlicense: apache-2.0\n---\n# t5-base\n");
  await uploadFolder({ hubUrl: hub.url, token, repo: "alice/t5-base", dir: baseDir });
  baseSha = (await modelInfo({ name: "alice/t5-base", hubUrl: hub.url, accessToken: token, additionalFields: ["sha"] }))
    .sha as string;

  for (const letter of letters) {
    await publishVectorRepo(`tv-${letter}`, problem.vectors.get(letter.toUpperCase()) as Tensors, {
      card: "alice/t5-base",
      record: "alice/t5-base",
      revision: baseSha,
    });
  }
  // Its card names the base, so a search finds it; its record says what it was really computed against.
  await publishVectorRepo("tv-e", problem.vectors.get("B") as Tensors, {
    card: "alice/t5-base",
    record: "alice/other-base",
    revision: "e".repeat(40),
  });
  // A fine-tune of the base's name but another architecture.
  const fDir = join(work, "ft-f");
  await writeTensors(fDir, "model", problem.base);
  await writeFile(
    join(fDir, "config.json"),
    JSON.stringify({ architectures: ["BertModel"], model_type: "bert", hidden_size: 64 }),
  );
  await writeFile(join(fDir, "README.md"), "---\nbase_model: alice/t5-base\n---\n");
  await uploadFolder({ hubUrl: hub.url, token, repo: "alice/ft-f", dir: fDir });

  await writeFile(join(work, "score.mjs"), scorer);
  await writeTensors(work, "target", problem.target);
  scoredLog = join(work, "scored.log");
  command =
    `${q(process.execPath)} ${q(join(work, "score.mjs"))} {model} ${q(join(work, "target.safetensors"))} ` +
    `${q(scoredLog)}`;
}, 60_000);

afterAll(async () => {
  await github?.close();
  await hub?.stop();
  if (hub) rmSync(hub.dir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

interface GreedyJson {
  published: boolean;
  repo: string | null;
  dir: string | null;
  commit: string | null;
  inMemory: boolean;
  cacheFile: string | null;
  candidates: Array<{ id: string; label: string; kind: string }>;
  terms: Array<{ kind: string; repo: string | null; revision: string | null; lambda: number }>;
  greedy: {
    kept: Array<{ candidate: string; lambda: number }>;
    stopped: string;
    evaluations: { run: number; cached: number };
    trajectory: Array<{
      round: number;
      candidate: string;
      lambda: number;
      score: number;
      kept: boolean;
      reason: string;
      scores: Array<{ lambda: number; score: number }>;
    }>;
    skipped: Array<{ candidate: string; code: string; reason: string }>;
  };
}

/**
 * Bytes the local Hub sent (status line, headers and body) for requests whose path contains every part, from its access
 * log.
 */
function bytesServedFor(log: string, parts: string[]): number {
  let bytes = 0;
  for (const line of log.split("\n")) {
    const match = /^\S+ [A-Z]+ (\S+) \d+!? (\d+) \d+ms$/.exec(line);
    if (match && parts.every((part) => (match[1] as string).includes(part))) bytes += Number(match[2]);
  }
  return bytes;
}

/** The card rows of a candidate, and the decisions the search must have made. */
function expectKnownAnswer(result: GreedyJson, card: string): void {
  const id = (letter: string) => expect.stringMatching(new RegExp(`^alice/tv-${letter}@[0-9a-f]{40}$`));
  expect(result.greedy.kept).toEqual([
    { candidate: id("a"), lambda: 0.5 },
    { candidate: id("c"), lambda: 0.25 },
  ]);
  // Within one grid step (0.25) of the optimum: 0.5 is on the grid, 0.3 is nearest 0.25.
  const [a, c] = result.greedy.kept;
  expect(Math.abs((a?.lambda ?? 0) - 0.5)).toBeLessThanOrEqual(0.25);
  expect(Math.abs((c?.lambda ?? 0) - 0.3)).toBeLessThanOrEqual(0.25);
  expect(result.greedy.stopped).toBe("no-gain");
  const rows = result.greedy.trajectory.map((step) => [
    step.round,
    step.candidate.replace(/@.*/, ""),
    step.lambda,
    step.kept,
  ]);
  expect(rows).toEqual(
    expect.arrayContaining([
      [1, "alice/tv-a", 0.5, true],
      [2, "alice/tv-c", 0.25, true],
      [3, "alice/tv-b", 0, false],
      [3, "alice/tv-d", 0, false],
    ]),
  );
  expect(result.greedy.trajectory.filter((s) => s.kept)).toHaveLength(2);
  expect(result.greedy.trajectory.filter((s) => s.round === 3)).toHaveLength(2);
  for (const step of result.greedy.trajectory.filter((s) => s.round === 3))
    expect(step.reason).toMatch(/^no λ in the grid raises the score above /);
  // Every λ of the grid is recorded for every candidate of every round.
  for (const step of result.greedy.trajectory)
    expect(step.scores.map((s) => s.lambda)).toEqual([0, 0.25, 0.5, 0.75, 1]);

  expect(card).toContain("θ = θ(base) + 0.5·τ₁ + 0.25·τ₂");
  expect(card).toMatch(/\| 1 \| `alice\/tv-a` \| 0\.5 \| [^|]+ \| yes \| raised the score from [^|]+ \|/);
  expect(card).toMatch(/\| 2 \| `alice\/tv-c` \| 0\.25 \| [^|]+ \| yes \| raised the score from [^|]+ \|/);
  expect(card).toMatch(/\| 3 \| `alice\/tv-b` \| 0 \| [^|]+ \| no \| no λ in the grid raises the score above [^|]+ \|/);
  expect(card).toMatch(/\| 3 \| `alice\/tv-d` \| 0 \| [^|]+ \| no \| no λ in the grid raises the score above [^|]+ \|/);
  expect(card).toMatch(/\| `alice\/tv-e` \| alice\/tv-e declares base_model alice\/other-base, not alice\/t5-base/);
  expect(card).toContain("## Validation");
}

/** The published weights are base + 0.5·τ_A + 0.25·τ_C in task arithmetic's float32 order, bit for bit. */
function expectMergedWeights(file: Uint8Array): void {
  expectMergedWeightsOf(file, [
    { candidate: "A", lambda: 0.5 },
    { candidate: "C", lambda: 0.25 },
  ]);
}

function expectMergedWeightsOf(file: Uint8Array, terms: Array<{ candidate: string; lambda: number }>): void {
  const expected = mergeTensors(problem.base, problem.vectors, terms);
  const published = parseSafetensorsBytes(file);
  expect([...published.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, values] of expected) {
    const got = published.get(name);
    expect(got?.dtype).toBe("F32");
    expect(
      Buffer.from(got?.bytes ?? new Uint8Array()).equals(
        Buffer.from(values.buffer, values.byteOffset, values.byteLength),
      ),
      name,
    ).toBe(true);
  }
}

describe("tvhub greedy against a local Hub, known answer", () => {
  it("searches the Hub, keeps A then C, rejects B and the distractor, skips E unread, and publishes the merge with " +
    "its trajectory", async () => {
    const logFrom = hub.stderr().length;
    const run = await runCli(
      [
        "greedy",
        "--base",
        "alice/t5-base",
        "--search-candidates",
        "--eval-command",
        command,
        "--grid",
        "0:1:0.25",
        "--concurrency",
        "2",
        "--to",
        "alice/t5-greedy",
        "--json",
      ],
      env(),
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as GreedyJson;
    expect(result.published).toBe(true);
    expect(result.repo).toBe("alice/t5-greedy");
    expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(result.inMemory).toBe(false);
    expect(result.candidates.map((c) => c.label).sort()).toEqual([
      "alice/tv-a",
      "alice/tv-b",
      "alice/tv-c",
      "alice/tv-d",
    ]);
    expect(result.greedy.skipped).toEqual([
      {
        candidate: expect.stringMatching(/^alice\/tv-e@/),
        code: "BASE_MISMATCH",
        reason: expect.stringContaining("alice/other-base"),
      },
    ]);
    expect(result.terms.map((t) => [t.repo, t.lambda])).toEqual([
      ["alice/tv-a", 0.5],
      ["alice/tv-c", 0.25],
    ]);

    // One scorer run per evaluation, each in its own folder: the start, 4 + 3 + 2 candidates × 4 non-zero λ.
    const runs = scored();
    expect(runs).toHaveLength(1 + 4 * (4 + 3 + 2));
    expect(new Set(runs).size).toBe(runs.length);
    expect(result.greedy.evaluations).toEqual({ run: runs.length, cached: 0 });
    // Every candidate folder was removed once scored, and their parent with them.
    expect(readdirSync(join(work, "tmp")).filter((name) => name.startsWith("tvhub-greedy"))).toEqual([]);

    const card = new TextDecoder().decode(
      await downloadBytes({ hubUrl: hub.url, repo: "alice/t5-greedy", path: "README.md" }),
    );
    expectKnownAnswer(result, card);
    expect(card).toContain(
      "tvhub greedy --to alice/t5-greedy --base alice/t5-base --search-candidates --eval-command ",
    );
    expect(card).toContain("# The merge tvhub greedy chose; tvhub merge runs it again.");
    expect(card).toContain("base_model_relation: merge");
    const record = JSON.parse(
      new TextDecoder().decode(await downloadBytes({ hubUrl: hub.url, repo: "alice/t5-greedy", path: "tvhub.json" })),
    ) as {
      format: string;
      terms: Array<{ repo: string; revision: string; lambda: number }>;
      greedy: GreedyJson["greedy"];
    };
    expect(record.format).toBe("tvhub/merge");
    expect(record.terms.map((t) => [t.repo, t.lambda])).toEqual([
      ["alice/tv-a", 0.5],
      ["alice/tv-c", 0.25],
    ]);
    expect(record.greedy.trajectory).toEqual(result.greedy.trajectory);
    expect(record.greedy.skipped).toEqual(result.greedy.skipped);
    expectMergedWeights(await downloadBytes({ hubUrl: hub.url, repo: "alice/t5-greedy", path: "model.safetensors" }));
    const config = JSON.parse(
      new TextDecoder().decode(await downloadBytes({ hubUrl: hub.url, repo: "alice/t5-greedy", path: "config.json" })),
    ) as { architectures: string[] };
    expect(config.architectures).toEqual(["T5ForConditionalGeneration"]);

    // E was screened out on its header and record: the Hub never sent its whole weight file, while A's was downloaded.
    await new Promise((done) => setTimeout(done, 300));
    const log = hub.stderr().slice(logFrom);
    const weightFile = statSync(join(work, "tv-e", "task_vector.safetensors")).size;
    expect(bytesServedFor(log, ["alice/tv-e/", "task_vector.safetensors"])).toBeGreaterThan(0);
    expect(bytesServedFor(log, ["alice/tv-e/", "task_vector.safetensors"])).toBeLessThan(weightFile);
    expect(bytesServedFor(log, ["alice/tv-a/", "task_vector.safetensors"])).toBeGreaterThan(weightFile);
  }, 90_000);

  it("a rerun from a recipe naming the candidates takes every score from the cache: no scorer runs", async () => {
    const before = scored().length;
    expect(before).toBeGreaterThan(0);
    const recipe = join(work, "greedy.yml");
    writeFileSync(
      recipe,
      [
        "version: 1",
        "base: alice/t5-base",
        "output:",
        "  to: alice/never-used",
        "greedy:",
        "  candidates:",
        ...letters.map((letter) => `    - { vector: alice/tv-${letter} }`),
        "    - alice/tv-e",
        "    - alice/ft-f",
        "  evaluator:",
        "    type: command",
        `    command: ${JSON.stringify(command)}`,
        "  grid: { start: 0, stop: 1, step: 0.25 }",
        "",
      ].join("\n"),
    );
    const out = join(work, "greedy-out");
    const run = await runCli(["greedy", recipe, "--to", out, "--json"], env());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as GreedyJson;
    expect(scored()).toHaveLength(before);
    expect(result.greedy.evaluations).toEqual({ run: 0, cached: before });
    expect(result.dir).toBe(out);
    expect(result.greedy.skipped.map((s) => [s.candidate.replace(/@.*/, ""), s.code])).toEqual([
      ["alice/tv-e", "BASE_MISMATCH"],
      ["alice/ft-f", "ARCHITECTURE_MISMATCH"],
    ]);
    const card = readFileSync(join(out, "README.md"), "utf8");
    expectKnownAnswer(result, card);
    expect(card).toMatch(
      /\| `alice\/ft-f` \| alice\/ft-f is BertModel but alice\/t5-base is T5ForConditionalGeneration; /,
    );
    expectMergedWeights(new Uint8Array(readFileSync(join(out, "model.safetensors"))));
    // The recipe in the card is the merge the search chose, pinned to the commits that were scored.
    expect(card).toMatch(/vector: alice\/tv-a@[0-9a-f]{40}\n\s+weight: 0\.5/);
    expect(card).toContain(`base: alice/t5-base@${baseSha}`);
  }, 60_000);

  it("prints the trajectory as a table without --json", async () => {
    const run = await runCli(
      [
        "greedy",
        "--base",
        "alice/t5-base",
        ...letters.flatMap((l) => ["--candidate", `alice/tv-${l}`]),
        "--eval-command",
        command,
        "--grid",
        "0:1:0.25",
        "--to",
        join(work, "table-out"),
      ],
      env(),
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      joinPatterns(
        /^Greedy search \(score\): [^\n]+ → [^\n]+, 2 candidates kept in 3 rounds; /,
        /stopped because no remaining candidate raised the score by more than 0\./,
      ),
    );
    expect(run.stdout).toMatch(/\n1 +alice\/tv-a +0\.5 +\S+ +\+\S+ +yes +raised the score/);
    expect(run.stdout).toMatch(/\n3 +alice\/tv-d +0 +\S+ +[+−]\S+ +no +no λ in the grid/);
    expect(run.stdout).toContain("Evaluations: 0 run, 37 from the cache.");
    expect(run.stdout).toContain(`Published the merged model to ${join(work, "table-out")}`);
  }, 60_000);

  it("starts from another model (--start, a published vector added at weight 1) and skips a candidate already in " +
    "it", async () => {
    const out = join(work, "start-out");
    const run = await runCli(
      [
        "greedy",
        "--base",
        "alice/t5-base",
        "--start",
        "alice/tv-a",
        ...letters.flatMap((l) => ["--candidate", `alice/tv-${l}`]),
        "--eval-command",
        command,
        "--grid",
        "0:1:0.25",
        "--to",
        out,
        "--json",
      ],
      env(),
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as GreedyJson;
    expect(result.greedy.skipped).toEqual([
      {
        candidate: expect.stringMatching(/^alice\/tv-a@/),
        code: "IN_START",
        reason: "already part of the start model",
      },
    ]);
    // From base + τ_A, the distance to θ* is 0.25·‖τ_A‖² + 0.09·‖τ_C‖²: C helps, and nothing can take τ_A back.
    expect(result.greedy.kept).toEqual([{ candidate: expect.stringMatching(/^alice\/tv-c@/), lambda: 0.25 }]);
    expect(result.terms.map((t) => [t.kind, t.repo, t.lambda])).toEqual([
      ["vector", "alice/tv-a", 1],
      ["vector", "alice/tv-c", 0.25],
    ]);
    const card = readFileSync(join(out, "README.md"), "utf8");
    expect(card).toContain("θ = θ(base) + 1·τ₁ + 0.25·τ₂");
    expect(card).toMatch(/vector: alice\/tv-a@[0-9a-f]{40}\n\s+weight: 1\n/);
    expectMergedWeightsOf(new Uint8Array(readFileSync(join(out, "model.safetensors"))), [
      { candidate: "A", lambda: 1 },
      { candidate: "C", lambda: 0.25 },
    ]);
  }, 60_000);

  it("stops the scorers on Ctrl-C, and the same command continues where it stopped", async () => {
    const cacheFile = join(work, "interrupted.jsonl");
    const args = [
      "greedy",
      "--base",
      "alice/t5-base",
      ...letters.flatMap((l) => ["--candidate", `alice/tv-${l}`]),
      "--eval-command",
      command,
      "--grid",
      "0:1:0.25",
    ];
    const from = scored().length;
    const first = await runCli(
      [...args, "--cache-file", cacheFile, "--to", join(work, "interrupted-out"), "--json"],
      env(),
      {
        onSpawn: (child) => {
          const timer = setInterval(() => {
            if (scored().length - from >= 6) {
              clearInterval(timer);
              child.kill("SIGINT");
            }
          }, 20);
          child.once("exit", () => clearInterval(timer));
        },
      },
    );
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/^tvhub: Interrupted by SIGINT; the evaluations that finished are cached/);
    expect(existsSync(join(work, "interrupted-out"))).toBe(false);
    // The scorer that was running when the signal came was stopped before it printed: its score is not cached.
    const done = readFileSync(cacheFile, "utf8").trim().split("\n").length;
    expect(done).toBeGreaterThanOrEqual(4);
    expect(done).toBeLessThan(37);

    const second = await runCli(
      [...args, "--cache-file", cacheFile, "--to", join(work, "interrupted-out"), "--json"],
      env(),
    );
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    const result = JSON.parse(second.stdout) as GreedyJson;
    expect(result.greedy.evaluations).toEqual({ run: 37 - done, cached: done });
    expect(result.greedy.kept.map((k) => k.lambda)).toEqual([0.5, 0.25]);
  }, 90_000);

  it("refuses a recipe together with short-form flags, and the short form without an evaluator (exit 2)", async () => {
    const both = await runCli(["greedy", join(work, "greedy.yml"), "--grid", "0:1:0.5"], env());
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--grid describes a search without a recipe/);
    const missing = await runCli(
      ["greedy", "--base", "alice/t5-base", "--candidate", "alice/tv-a", "--to", join(work, "x")],
      env(),
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--eval-command CMD");
  });

  it("runs in the GitHub Action on a pull request: the search, no upload, and the validation table in the " +
    "comment", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "tvhub-greedy-action-"));
    await mkdir(join(workspace, "recipes"));
    writeFileSync(
      join(workspace, "recipes", "greedy.yml"),
      [
        "version: 1",
        "base: alice/t5-base",
        "output:",
        "  to: alice/t5-greedy-action",
        "greedy:",
        "  candidates:",
        ...letters.map((letter) => `    - alice/tv-${letter}`),
        "  evaluator:",
        "    type: command",
        `    command: ${JSON.stringify(command)}`,
        // A coarser grid than the other runs: the runner has no cache of theirs, and 19 scorer runs suffice here.
        "  grid: { start: 0, stop: 1, step: 0.5 }",
        "",
      ].join("\n"),
    );
    const head = "7".repeat(40);
    const result = await runBundledAction({
      inputs: { command: "greedy", recipe: "recipes/greedy.yml", "hub-url": hub.url, "hf-token": token },
      event: {
        name: "pull_request",
        payload: {
          number: 5,
          pull_request: { number: 5, head: { sha: head } },
          repository: { default_branch: "main" },
        },
      },
      sha: "8".repeat(40),
      ref: "refs/pull/5/merge",
      apiUrl: github.url,
      githubToken,
      workspace,
      timeoutMs: 120_000,
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.outputs["report-json"] ?? "") as {
      dryRun: boolean;
      report: {
        published: unknown[];
        validation: {
          baseline: number;
          rows: Array<{ step: number; candidate: string; lambda: number; kept: boolean }>;
        };
      };
    };
    expect(report.dryRun).toBe(true);
    expect(report.report.published).toEqual([]);
    expect(
      report.report.validation.rows.filter((row) => row.kept).map((row) => [row.step, row.candidate, row.lambda]),
    ).toEqual([
      [1, "alice/tv-a", 0.5],
      [2, "alice/tv-c", 0.5],
    ]);
    expect(report.report.validation.rows).toHaveLength(4 + 3 + 2);
    const body = github.issueComments("acme", "models", 5)[0]?.body ?? "";
    expect(body).toContain("#### Validation (score)");
    expect(body).toMatch(/\| 1 \| `alice\/tv-a` \| 0\.50 \| [^|]+ \| ✅ \|/);
    expect(body).toMatch(/\| 3 \| `alice\/tv-d` \| 0\.00 \| [^|]+ \| — \|/);
    const repos = (await (await fetch(`${hub.url}/api/models?author=alice`)).json()) as Array<{ id: string }>;
    expect(repos.map((repo) => repo.id)).not.toContain("alice/t5-greedy-action");
    rmSync(workspace, { recursive: true, force: true });
  }, 120_000);
});
