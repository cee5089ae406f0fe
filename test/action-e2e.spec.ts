/**
 * The bundled Action run as the runner runs it (test/helpers/run-action.ts), against a local Hub (`tvhub hub serve`)
 * and a loopback GitHub API server that the real octokit inside the bundle talks to.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createRepo, deleteRepo, listCommits, listFiles, uploadFiles } from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubServer, type GitHubServer } from "./helpers/github-server.js";
import { downloadBytes } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runBundledAction, type BundledActionResult, type RunBundledActionOptions } from "./helpers/run-action.js";
import { fineTune, tensorsFromConfig, tinyLlamaConfig, writeSynthModel } from "./helpers/synth.js";

const alice = { name: "alice", token: "hf_aliceActionToken01" };
const githubToken = "ghs_actionE2eToken0123456789";
const head = "1".repeat(40);
const mergeSha = "2".repeat(40);

let hub: LocalHubProcess;
let github: GitHubServer;
/** The job's checkout (GITHUB_WORKSPACE): the recipes the merge and plan runs read. */
let workspace: string;

/** A merge of the fine-tune into its base, in output files of 20 kB so that a matrix has files to share. */
const bigRecipe = [
  "version: 1",
  "base: alice/base",
  "output:",
  "  to: alice/merged",
  "  max_shard_size: 20kB",
  "method: task_arithmetic",
  "scale: 0.5",
  "vectors:",
  "  - finetuned: alice/ft",
  "    weight: 1.0",
  "",
].join("\n");

beforeAll(async () => {
  [hub, github] = await Promise.all([startLocalHub({ users: [alice] }), startGitHubServer({ token: githubToken })]);
  const work = mkdtempSync(join(tmpdir(), "tvhub-action-e2e-"));
  const config = tinyLlamaConfig();
  const base = await writeSynthModel({
    dir: join(work, "base"),
    tensors: tensorsFromConfig(config),
    config,
    card: { extra: { license: "apache-2.0" } },
  });
  const ft = await fineTune({ base, dir: join(work, "ft"), baseModel: "alice/base" });
  for (const [repo, model] of [
    ["alice/base", base],
    ["alice/ft", ft],
  ] as const) {
    await createRepo({ repo, hubUrl: hub.url, accessToken: alice.token });
    await uploadFiles({ repo, files: [pathToFileURL(`${model.dir}/`)], hubUrl: hub.url, accessToken: alice.token });
  }
  workspace = join(work, "workspace");
  mkdirSync(join(workspace, "recipes"), { recursive: true });
  writeFileSync(join(workspace, "recipes", "big.yml"), bigRecipe);
});

afterAll(async () => {
  await Promise.all([hub?.stop(), github?.close()]);
});

async function hubRepos(): Promise<string[]> {
  const response = await fetch(`${hub.url}/api/models?author=alice`, {
    headers: { authorization: `Bearer ${alice.token}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as Array<{ id: string }>).map((repo) => repo.id).sort();
}

const pullRequest = (number: number): Pick<RunBundledActionOptions, "event" | "sha" | "ref"> => ({
  event: {
    name: "pull_request",
    payload: { number, pull_request: { number, head: { sha: head } }, repository: { default_branch: "main" } },
  },
  sha: mergeSha,
  ref: `refs/pull/${number}/merge`,
});

const push = (sha: string): Pick<RunBundledActionOptions, "event" | "sha" | "ref"> => ({
  event: { name: "push", payload: { after: sha, repository: { default_branch: "main" } } },
  sha,
  ref: "refs/heads/main",
});

const runAction = (inputs: Record<string, string>, event: Pick<RunBundledActionOptions, "event" | "sha" | "ref">) =>
  runBundledAction({ inputs: { "hub-url": hub.url, ...inputs }, ...event, apiUrl: github.url, githubToken, workspace });

function expectEveryOutput(result: BundledActionResult): Record<string, unknown> {
  expect(Object.keys(result.outputs).sort()).toEqual([
    "commit-sha",
    "matrix",
    "pull-request-number",
    "pull-request-url",
    "repo-url",
    "report-json",
  ]);
  expect(result.outputWrites.slice(0, 4)).toEqual(["repo-url", "commit-sha", "report-json", "matrix"]);
  return JSON.parse(result.outputs["report-json"] ?? "") as Record<string, unknown>;
}

describe("the bundled Action with bad inputs", () => {
  it.each([
    [
      { command: "publsh", "hf-token": alice.token },
      'input "command" must be one of check, publish-vector, merge, greedy, plan; got "publsh".',
    ],
    [
      { command: "publish-vector", base: "alice/base", finetuned: "alice/ft", to: "alice/new-tv" },
      'input "hf-token" is required to publish (command publish-vector, dry-run false); pass a write token, e.g. ' +
        "${{ secrets.HF_TOKEN }}.",
    ],
    [
      {
        command: "publish-vector",
        base: "alice/base",
        finetuned: "alice/ft",
        to: "alice/new-tv",
        "hf-token": githubToken,
      },
      'input "hf-token" must be a Hugging Face access token starting with "hf_"; check the secret it comes from.',
    ],
    [
      {
        command: "publish-vector",
        base: "alice/base",
        finetuned: "alice/ft",
        to: "alice/new-tv@main",
        "hf-token": alice.token,
      },
      'input "to": "alice/new-tv@main" names a revision, but a publish target is a repo\'s default branch; use ' +
        "org/name or a local directory such as ./out.",
    ],
    [
      { command: "merge", recipe: "recipes/x.yml", "hf-token": alice.token, "dry-run": "maybe" },
      'input "dry-run" must be true or false; got "maybe".',
    ],
  ])(
    "fails the step for %j with a clear message, sets every output and leaves nothing on the Hub",
    async (inputs, message) => {
      const before = await hubRepos();
      const requestsBefore = github.state.requests.length;
      const result = await runAction(inputs, push("3".repeat(40)));
      expect(result.exitCode).toBe(1);
      expect(result.errors).toEqual([message]);
      const report = expectEveryOutput(result);
      expect(report).toMatchObject({ ok: false, error: { family: "usage", message } });
      expect(result.outputs["repo-url"]).toBe("");
      expect(result.summary).toContain(`❌ **Failed:** ${message.replace(/</g, "&lt;")}`);
      expect(await hubRepos()).toEqual(before);
      expect(github.state.requests.length).toBe(requestsBefore);
      expect(result.masked).toContain(githubToken);
      for (const text of [result.stdout, result.stderr, result.summary, ...Object.values(result.outputs)]) {
        expect(
          text.replaceAll(`::add-mask::${githubToken}`, "").replaceAll(`::add-mask::${alice.token}`, ""),
        ).not.toMatch(new RegExp(`${githubToken}|${alice.token}`));
      }
    },
  );
});

describe("the bundled Action on a pull request", () => {
  it("checks without uploading, and keeps one sticky comment that the next push updates", async () => {
    const before = await hubRepos();
    const inputs = { command: "check", base: "alice/base", finetuned: "alice/ft", "hf-token": alice.token };
    const first = await runAction(inputs, pullRequest(21));
    const report = expectEveryOutput(first);
    expect(report).toMatchObject({ command: "check", dryRun: true });
    expect(first.masked).toEqual(expect.arrayContaining([alice.token, githubToken]));
    expect(first.summary).toContain("### tvhub check · `alice/ft against alice/base`");
    const comments = github.issueComments("acme", "models", 21);
    expect(comments).toHaveLength(1);
    const body = comments[0]?.body ?? "";
    expect(body.startsWith("<!-- tvhub:check:alice/ft -->\n### tvhub check · `alice/ft against alice/base`")).toBe(
      true,
    );
    expect(body).toContain("[workflow run](https://github.example/acme/models/actions/runs/4242)");
    expect(body).toContain(`pull_request at [\`1111111\`](https://github.example/acme/models/commit/${head})`);
    expect(github.state.requests.every((r) => r.auth === "token")).toBe(true);

    // The step's result is the check's: it fails when (and only when) the report says so.
    expect(first.exitCode).toBe(0);
    expect(report).toMatchObject({ ok: true, report: { compatible: true } });
    expect(body).toContain("✅ **Compatible**");
    expect(body).toMatch(/\| base \| \[alice\/base\]\(http:\/\/127\.0\.0\.1:\d+\/alice\/base\) \| \[`[0-9a-f]{7}`\]/);

    const second = await runAction(inputs, { ...pullRequest(21), event: { ...pullRequest(21).event } });
    expect(second.exitCode).toBe(first.exitCode);
    const after = github.issueComments("acme", "models", 21);
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(comments[0]?.id);
    expect(after[0]?.edits).toBe(1);
    expect(second.stdout).toMatch(
      /Updated the comment on pull request #21: http:\/\/127\.0\.0\.1:\d+\/acme\/models\/pull\/21#issuecomment-\d+/,
    );
    expect(await hubRepos()).toEqual(before);
  });
});

describe("the bundled Action on a push to the default branch", () => {
  it("publishes the task vector and comments the links on the merged pull request", async () => {
    const sha = "4".repeat(40);
    github.addPullRequest("acme", "models", { number: 30, headSha: "5".repeat(40), merged: true, mergeCommitSha: sha });
    const result = await runAction(
      {
        command: "publish-vector",
        base: "alice/base",
        finetuned: "alice/ft",
        to: "alice/ft-tv",
        "hf-token": alice.token,
      },
      push(sha),
    );
    const report = expectEveryOutput(result);
    expect(report).toMatchObject({
      ok: true,
      command: "publish-vector",
      report: { kind: "task-vector", compatible: true },
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs["repo-url"]).toBe(`${hub.url}/alice/ft-tv`);
    expect(result.outputs["commit-sha"]).toMatch(/^[0-9a-f]{40}$/);
    expect(await hubRepos()).toContain("alice/ft-tv");
    // The committed worker script beside the bundle gives the runner's cores to the computing and the hashing.
    expect(result.stdout).toMatch(/Computing on \d+ worker threads?, hashing and writing on another\./);
    const body = github.issueComments("acme", "models", 30)[0]?.body ?? "";
    expect(body).toContain("<!-- tvhub:publish:publish-vector:alice/ft-tv -->");
    expect(body).toContain(`[alice/ft-tv](${hub.url}/alice/ft-tv) at commit`);
    expect(body).toContain(result.outputs["commit-sha"]?.slice(0, 7));
  });

  it(
    "with create-pr, opens a Hub pull request for review instead of pushing to main, and reports its link " +
      "everywhere",
    async () => {
      const sha = "a".repeat(40);
      github.addPullRequest("acme", "models", {
        number: 31,
        headSha: "b".repeat(40),
        merged: true,
        mergeCommitSha: sha,
      });
      const result = await runAction(
        {
          command: "publish-vector",
          base: "alice/base",
          finetuned: "alice/ft",
          to: "alice/ft-tv-review",
          "hf-token": alice.token,
          "create-pr": "true",
        },
        push(sha),
      );
      const report = expectEveryOutput(result);
      expect(result.exitCode).toBe(0);
      expect(report).toMatchObject({
        ok: true,
        report: { published: [{ repo: "alice/ft-tv-review", pullRequest: { num: 1 } }] },
      });
      const prUrl = `${hub.url}/alice/ft-tv-review/discussions/1`;
      expect(result.outputs["pull-request-url"]).toBe(prUrl);
      expect(result.outputs["pull-request-number"]).toBe("1");
      // main holds only what the repo was created with; the published files wait on refs/pr/1 for review.
      expect(await filesOf("alice/ft-tv-review")).toEqual([".gitattributes"]);
      const record = JSON.parse(
        Buffer.from(
          await downloadBytes({
            hubUrl: hub.url,
            token: alice.token,
            repo: "alice/ft-tv-review",
            path: "tvhub.json",
            revision: "refs/pr/1",
          }),
        ).toString("utf8"),
      ) as { format: string };
      expect(record.format).toBe("tvhub/task-vector");
      const details = (await (await fetch(`${hub.url}/api/models/alice/ft-tv-review/discussions/1`)).json()) as {
        status: string;
        events: Array<{ type: string; data: { oid?: string } }>;
      };
      expect(details.status).toBe("open");
      expect(details.events.find((event) => event.type === "commit")?.data.oid).toBe(result.outputs["commit-sha"]);
      expect(result.summary).toContain(`[pull request #1 on alice/ft-tv-review](${prUrl})`);
      const body = github.issueComments("acme", "models", 31)[0]?.body ?? "";
      expect(body).toContain(`[pull request #1](${prUrl})`);
    },
  );
});

async function filesOf(repo: string): Promise<string[]> {
  const paths: string[] = [];
  for await (const entry of listFiles({ repo, recursive: true, hubUrl: hub.url, accessToken: alice.token }))
    if (entry.type === "file") paths.push(entry.path);
  return paths.sort();
}

async function commitCount(repo: string): Promise<number> {
  let count = 0;
  for await (const _commit of listCommits({ repo, hubUrl: hub.url, accessToken: alice.token })) count++;
  return count;
}

/** Every file at the repo's head, downloaded with the official client. */
async function snapshot(repo: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const path of await filesOf(repo))
    files.set(path, Buffer.from(await downloadBytes({ hubUrl: hub.url, token: alice.token, repo, path })));
  return files;
}

describe("the bundled Action scaled out over a job matrix", () => {
  const recipe = "recipes/big.yml";
  const portions = ["1/3", "2/3", "3/3"];

  it("plan gives the matrix; three portion jobs side by side, then finalize, publish the files one merge job " +
    "publishes, byte for byte", async () => {
    // The single job first, on a push of a merged pull request: it publishes and comments the links.
    const sha = "6".repeat(40);
    github.addPullRequest("acme", "models", { number: 40, headSha: "7".repeat(40), merged: true, mergeCommitSha: sha });
    const single = await runAction({ command: "merge", recipe, "hf-token": alice.token }, push(sha));
    expect(single.errors).toEqual([]);
    expect(single.exitCode).toBe(0);
    expect(single.outputs["repo-url"]).toBe(`${hub.url}/alice/merged`);
    const comment = github.issueComments("acme", "models", 40)[0]?.body ?? "";
    expect(comment).toContain("<!-- tvhub:publish:merge:recipes/big.yml -->");
    expect(comment).toContain(`[alice/merged](${hub.url}/alice/merged) at commit`);
    const one = await snapshot("alice/merged");
    expect([...one.keys()].filter((path) => path.endsWith(".safetensors")).length).toBeGreaterThanOrEqual(6);
    await deleteRepo({ repo: "alice/merged", hubUrl: hub.url, accessToken: alice.token });

    const planned = await runAction(
      { command: "plan", recipe, portions: "3", "hf-token": alice.token },
      push("8".repeat(40)),
    );
    expect(planned.errors).toEqual([]);
    expect(planned.exitCode).toBe(0);
    expect(JSON.parse(planned.outputs.matrix ?? "")).toEqual({ portion: portions });
    const plan = expectEveryOutput(planned) as { matrix: Array<{ portion: string; files: string[] }> };
    expect(plan.matrix.flatMap((job) => job.files)).toEqual(
      [...one.keys()].filter((path) => path.endsWith(".safetensors")),
    );
    expect(planned.summary).toContain("#### Portion matrix");
    expect(await hubRepos()).not.toContain("alice/merged");

    const jobs = await Promise.all(
      portions.map((portion) =>
        runAction({ command: "merge", recipe, portion, "hf-token": alice.token }, push("8".repeat(40))),
      ),
    );
    for (const [i, job] of jobs.entries()) {
      expect(job.errors).toEqual([]);
      expect(job.exitCode).toBe(0);
      expect(job.outputs["commit-sha"]).toMatch(/^[0-9a-f]{40}$/);
      expect(job.summary).toContain(`### tvhub merge (portion ${i + 1}/3)`);
      const report = expectEveryOutput(job) as { report: { outputs: Array<{ files: Array<{ path: string }> }> } };
      expect(report.report.outputs[0]?.files.map((file) => file.path)).toEqual([
        ...(plan.matrix[i]?.files ?? []),
        `.tvhub/portion-${i + 1}-of-3.json`,
      ]);
    }
    // A portion job comments nothing; the finalize job does.
    expect(github.commitComments("acme", "models", "8".repeat(40))).toEqual([]);

    const finalized = await runAction(
      { command: "merge", recipe, finalize: "true", portions: "3", "hf-token": alice.token },
      push("8".repeat(40)),
    );
    expect(finalized.errors).toEqual([]);
    expect(finalized.exitCode).toBe(0);
    expect(finalized.outputs["repo-url"]).toBe(`${hub.url}/alice/merged`);
    expect(finalized.summary).toContain("### tvhub merge (finalize 3 portions)");
    expect(github.commitComments("acme", "models", "8".repeat(40))[0]?.body).toContain(
      `[alice/merged](${hub.url}/alice/merged) at commit`,
    );
    const many = await snapshot("alice/merged");
    expect([...many.keys()]).toEqual([...one.keys()]);
    for (const [path, bytes] of one) expect(Buffer.compare(many.get(path) ?? Buffer.alloc(0), bytes), path).toBe(0);
    expect(await commitCount("alice/merged")).toBe(5);
  }, 240_000);

  it("finalize with a portion missing fails, naming the portion, and commits nothing", async () => {
    const to = "alice/merged-gap";
    const jobs = await Promise.all(
      ["1/3", "3/3"].map((portion) =>
        runAction({ command: "merge", recipe, to, portion, "hf-token": alice.token }, push("9".repeat(40))),
      ),
    );
    for (const job of jobs) expect(job.exitCode).toBe(0);
    const before = await commitCount(to);
    const planned = expectEveryOutput(
      await runAction({ command: "plan", recipe, portions: "3" }, push("9".repeat(40))),
    ) as { matrix: Array<{ files: string[] }> };

    const failed = await runAction(
      { command: "merge", recipe, to, finalize: "true", portions: "3", "hf-token": alice.token },
      push("9".repeat(40)),
    );
    const message =
      `${to} is missing portion 2/3 (${planned.matrix[1]?.files.join(", ") ?? ""}); run that job of ` +
      "the matrix again, then finalize.";
    expect(failed.exitCode).toBe(1);
    expect(failed.errors).toEqual([message]);
    expect(expectEveryOutput(failed)).toMatchObject({
      ok: false,
      error: { code: "PORTIONS_MISSING", family: "data", message },
    });
    expect(failed.outputs["commit-sha"]).toBe("");
    expect(failed.summary).toContain(`❌ **Failed:** ${message}`);
    expect(await commitCount(to)).toBe(before);
    expect(await filesOf(to)).not.toContain("tvhub.json");
  }, 180_000);
});
