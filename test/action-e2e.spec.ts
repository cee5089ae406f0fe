/**
 * The bundled Action run as the runner runs it (test/helpers/run-action.ts), against a local Hub (`tvhub hub serve`)
 * and a loopback GitHub API server that the real octokit inside the bundle talks to.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubServer, type GitHubServer } from "./helpers/github-server.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runBundledAction, type BundledActionResult, type RunBundledActionOptions } from "./helpers/run-action.js";
import { fineTune, tensorsFromConfig, tinyLlamaConfig, writeSynthModel } from "./helpers/synth.js";

const alice = { name: "alice", token: "hf_aliceActionToken01" };
const githubToken = "ghs_actionE2eToken0123456789";
const head = "1".repeat(40);
const mergeSha = "2".repeat(40);

let hub: LocalHubProcess;
let github: GitHubServer;

beforeAll(async () => {
  [hub, github] = await Promise.all([startLocalHub({ users: [alice] }), startGitHubServer({ token: githubToken })]);
  const work = mkdtempSync(join(tmpdir(), "tvhub-action-e2e-"));
  const config = tinyLlamaConfig();
  const base = await writeSynthModel({ dir: join(work, "base"), tensors: tensorsFromConfig(config), config, card: { extra: { license: "apache-2.0" } } });
  const ft = await fineTune({ base, dir: join(work, "ft"), baseModel: "alice/base" });
  for (const [repo, model] of [["alice/base", base], ["alice/ft", ft]] as const) {
    await createRepo({ repo, hubUrl: hub.url, accessToken: alice.token });
    await uploadFiles({ repo, files: [pathToFileURL(`${model.dir}/`)], hubUrl: hub.url, accessToken: alice.token });
  }
});

afterAll(async () => {
  await Promise.all([hub?.stop(), github?.close()]);
});

async function hubRepos(): Promise<string[]> {
  const response = await fetch(`${hub.url}/api/models?author=alice`, { headers: { authorization: `Bearer ${alice.token}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as Array<{ id: string }>).map((repo) => repo.id).sort();
}

const pullRequest = (number: number): Pick<RunBundledActionOptions, "event" | "sha" | "ref"> => ({
  event: { name: "pull_request", payload: { number, pull_request: { number, head: { sha: head } }, repository: { default_branch: "main" } } },
  sha: mergeSha,
  ref: `refs/pull/${number}/merge`,
});

const push = (sha: string): Pick<RunBundledActionOptions, "event" | "sha" | "ref"> => ({
  event: { name: "push", payload: { after: sha, repository: { default_branch: "main" } } },
  sha,
  ref: "refs/heads/main",
});

const runAction = (inputs: Record<string, string>, event: Pick<RunBundledActionOptions, "event" | "sha" | "ref">) =>
  runBundledAction({ inputs: { "hub-url": hub.url, ...inputs }, ...event, apiUrl: github.url, githubToken });

function expectEveryOutput(result: BundledActionResult): Record<string, unknown> {
  expect(Object.keys(result.outputs).sort()).toEqual(["commit-sha", "matrix", "repo-url", "report-json"]);
  expect(result.outputWrites.slice(0, 4)).toEqual(["repo-url", "commit-sha", "report-json", "matrix"]);
  return JSON.parse(result.outputs["report-json"] ?? "") as Record<string, unknown>;
}

describe("the bundled Action with bad inputs", () => {
  it.each([
    [{ command: "publsh", "hf-token": alice.token }, 'input "command" must be one of check, publish-vector, merge, greedy, plan; got "publsh".'],
    [{ command: "publish-vector", base: "alice/base", finetuned: "alice/ft", to: "alice/new-tv" }, 'input "hf-token" is required to publish (command publish-vector, dry-run false); pass a write token, e.g. ${{ secrets.HF_TOKEN }}.'],
    [{ command: "publish-vector", base: "alice/base", finetuned: "alice/ft", to: "alice/new-tv", "hf-token": githubToken }, 'input "hf-token" must be a Hugging Face access token starting with "hf_"; check the secret it comes from.'],
    [{ command: "publish-vector", base: "alice/base", finetuned: "alice/ft", to: "alice/new-tv@main", "hf-token": alice.token }, 'input "to": "alice/new-tv@main" names a revision, but a publish target is a repo\'s default branch; use org/name or a local directory such as ./out.'],
    [{ command: "merge", recipe: "recipes/x.yml", "hf-token": alice.token, "dry-run": "maybe" }, 'input "dry-run" must be true or false; got "maybe".'],
  ])("fails the step for %j with a clear message, sets every output and leaves nothing on the Hub", async (inputs, message) => {
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
      expect(text.replaceAll(`::add-mask::${githubToken}`, "").replaceAll(`::add-mask::${alice.token}`, "")).not.toMatch(
        new RegExp(`${githubToken}|${alice.token}`),
      );
    }
  });
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
    expect(body.startsWith("<!-- tvhub:check:alice/ft -->\n### tvhub check · `alice/ft against alice/base`")).toBe(true);
    expect(body).toContain("[workflow run](https://github.example/acme/models/actions/runs/4242)");
    expect(body).toContain(`pull_request at [\`1111111\`](https://github.example/acme/models/commit/${head})`);
    expect(github.state.requests.every((r) => r.auth === "token")).toBe(true);

    // The step's result is the check's: it fails when (and only when) the report says so.
    expect(first.exitCode).toBe(report.ok === true ? 0 : 1);
    const error = report.error as { code?: string } | undefined;
    if (error?.code === "ACTION_NOT_AVAILABLE") {
      // This build has no check use case wired yet: the failure is reported, and still in the sticky comment.
      expect(body).toContain('❌ **Failed:** command "check" is not available in this build of the tvhub Action');
    } else {
      expect(report).toMatchObject({ ok: true, report: { compatible: true } });
      expect(body).toContain("✅ **Compatible**");
      expect(body).toMatch(/\| base \| \[alice\/base\]\(http:\/\/127\.0\.0\.1:\d+\/alice\/base\) \| \[`[0-9a-f]{7}`\]/);
    }

    const second = await runAction(inputs, { ...pullRequest(21), event: { ...pullRequest(21).event } });
    expect(second.exitCode).toBe(first.exitCode);
    const after = github.issueComments("acme", "models", 21);
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(comments[0]?.id);
    expect(after[0]?.edits).toBe(1);
    expect(second.stdout).toMatch(/Updated the comment on pull request #21: http:\/\/127\.0\.0\.1:\d+\/acme\/models\/pull\/21#issuecomment-\d+/);
    expect(await hubRepos()).toEqual(before);
  });
});

describe("the bundled Action on a push to the default branch", () => {
  it("publishes the task vector and comments the links on the merged pull request", async () => {
    const sha = "4".repeat(40);
    github.addPullRequest("acme", "models", { number: 30, headSha: "5".repeat(40), merged: true, mergeCommitSha: sha });
    const result = await runAction(
      { command: "publish-vector", base: "alice/base", finetuned: "alice/ft", to: "alice/ft-tv", "hf-token": alice.token },
      push(sha),
    );
    const report = expectEveryOutput(result);
    const error = report.error as { code?: string } | undefined;
    if (error?.code === "ACTION_NOT_AVAILABLE") {
      // Waits for src/app's publish-vector: until then the step fails clearly and publishes nothing.
      expect(result.exitCode).toBe(1);
      expect(result.errors).toEqual(['command "publish-vector" is not available in this build of the tvhub Action; use a release that includes it.']);
      expect(await hubRepos()).not.toContain("alice/ft-tv");
      expect(github.issueComments("acme", "models", 30)).toEqual([]);
      return;
    }
    expect(result.exitCode).toBe(0);
    expect(result.outputs["repo-url"]).toBe(`${hub.url}/alice/ft-tv`);
    expect(result.outputs["commit-sha"]).toMatch(/^[0-9a-f]{40}$/);
    expect(await hubRepos()).toContain("alice/ft-tv");
    const body = github.issueComments("acme", "models", 30)[0]?.body ?? "";
    expect(body).toContain("<!-- tvhub:publish:publish-vector:alice/ft-tv -->");
    expect(body).toContain(`[alice/ft-tv](${hub.url}/alice/ft-tv) at commit`);
    expect(body).toContain(result.outputs["commit-sha"]?.slice(0, 7));
  });
});
