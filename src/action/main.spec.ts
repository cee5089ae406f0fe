import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../errors.js";
import { createGitHubReporter } from "../github/create-github-reporter.js";
import { startGitHubServer, type GitHubServer } from "../../test/helpers/github-server.js";
import { run, type ActionDeps, type ActionIo } from "./main.js";
import type { ActionUseCases, PlanOutcome, RunReport, UseCaseOutcome } from "./use-cases.js";
import { joinPatterns } from "../../test/helpers/join-patterns.js";

const githubToken = "ghs_actionSpecToken123456";
const hfToken = "hf_actionSpecHubToken";
const head = "1".repeat(40);
const mergeSha = "2".repeat(40);
let server: GitHubServer;
let prNumber = 100;

beforeAll(async () => {
  server = await startGitHubServer({ token: githubToken });
});
afterAll(async () => {
  await server.close();
});

interface FakeIo extends ActionIo {
  outputs: Record<string, string>;
  outputWrites: string[];
  secrets: string[];
  failed: string[];
  warnings: string[];
  log: string[];
  summary: string;
  /** The order of calls, to check masking happens before anything else. */
  calls: string[];
}

function fakeIo(inputs: Record<string, string>): FakeIo {
  const io: FakeIo = {
    outputs: {},
    outputWrites: [],
    secrets: [],
    failed: [],
    warnings: [],
    log: [],
    summary: "",
    calls: [],
    getInput: (name) => {
      io.calls.push(`get:${name}`);
      return inputs[name] ?? "";
    },
    setOutput: (name, value) => {
      io.calls.push(`out:${name}`);
      io.outputs[name] = value;
      io.outputWrites.push(name);
    },
    setSecret: (value) => {
      io.calls.push("mask");
      io.secrets.push(value);
    },
    setFailed: (message) => void io.failed.push(message),
    info: (message) => void io.log.push(message),
    warning: (message) => void io.warnings.push(message),
    appendSummary: async (markdown) => {
      io.summary += markdown;
    },
  };
  return io;
}

const compatibleReport = (overrides: Partial<RunReport> = {}): RunReport => ({
  kind: "merged-model",
  compatible: true,
  findings: [
    {
      level: "warning",
      subject: "model.embed_tokens.weight",
      message: "the fine-tune grew the vocabulary from 32000 to 32002 rows",
    },
  ],
  inputs: [
    { role: "base", ref: "org/base", repo: "org/base", revision: "a".repeat(40) },
    { role: "finetuned", ref: "org/ft", repo: "org/ft", revision: "b".repeat(40) },
  ],
  outputs: [
    { target: "org/merged", files: [{ path: "model.safetensors", bytes: 2_000_000 }], tensors: 12, dtype: "BF16" },
  ],
  downloadBytes: 4_000_000,
  published: [],
  ...overrides,
});

interface Calls {
  names: string[];
  options: unknown[];
}

function useCases(
  calls: Calls,
  behave: Partial<Record<keyof ActionUseCases, (options: unknown) => Promise<UseCaseOutcome | PlanOutcome>>> = {},
): ActionUseCases {
  const make =
    (name: keyof ActionUseCases) =>
    async (options: unknown): Promise<never> => {
      calls.names.push(name);
      calls.options.push(options);
      const behaviour = behave[name];
      if (!behaviour) return { report: compatibleReport() } as never;
      return (await behaviour(options)) as never;
    };
  return {
    check: make("check"),
    publishVector: make("publishVector"),
    merge: make("merge"),
    greedy: make("greedy"),
    plan: make("plan"),
  };
}

function deps(
  cases: ActionUseCases,
  event: { name: string; payload: unknown; sha?: string; ref?: string },
): ActionDeps {
  return {
    env: {
      GITHUB_EVENT_NAME: event.name,
      GITHUB_REPOSITORY: "acme/models",
      GITHUB_SHA: event.sha ?? mergeSha,
      GITHUB_REF: event.ref ?? "refs/heads/main",
      GITHUB_API_URL: server.url,
      GITHUB_SERVER_URL: "https://github.example",
      GITHUB_RUN_ID: "77",
    },
    readEvent: () => event.payload,
    useCases: cases,
    createReporter: ({ token, baseUrl, log }) =>
      createGitHubReporter({ token, baseUrl, log, writePacing: false, secondMs: 10 }),
    version: "9.9.9",
  };
}

const prEvent = (number: number) => ({
  name: "pull_request",
  ref: `refs/pull/${number}/merge`,
  payload: { number, pull_request: { number, head: { sha: head } }, repository: { default_branch: "main" } },
});
const pushEvent = (sha: string, ref = "refs/heads/main") => ({
  name: "push",
  sha,
  ref,
  payload: { repository: { default_branch: "main" }, after: sha },
});

describe("run on a pull request", () => {
  it("plans without uploading, sets every output and posts one sticky comment that a second run updates", async () => {
    const number = prNumber++;
    const calls: Calls = { names: [], options: [] };
    const inputs = { command: "merge", recipe: "recipes/merge.yml", "github-token": githubToken, comment: "true" };
    const first = fakeIo(inputs);
    await run(first, deps(useCases(calls), prEvent(number)));
    expect(calls.names).toEqual(["merge"]);
    expect(calls.options[0]).toMatchObject({
      recipe: "recipes/merge.yml",
      dryRun: true,
      hub: { hubUrl: "https://huggingface.co" },
    });
    expect(first.failed).toEqual([]);
    expect(first.outputs["repo-url"]).toBe("");
    expect(first.outputs["commit-sha"]).toBe("");
    expect(JSON.parse(first.outputs["report-json"] ?? "")).toMatchObject({
      tvhub: "9.9.9",
      command: "merge",
      ok: true,
      dryRun: true,
      report: { downloadBytes: 4_000_000 },
    });
    expect(first.summary).toContain("### tvhub merge · `recipes/merge.yml`");
    expect(first.summary).toContain("dry run: nothing was uploaded");
    expect(first.summary).toContain("**To download:** 4.00 MB of weights.");

    const comments = server.issueComments("acme", "models", number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toMatch(/^<!-- tvhub:merge:recipes\/merge.yml -->\n### tvhub merge/);
    expect(comments[0]?.body).toContain("Planned outputs (dry run, not uploaded)");
    expect(comments[0]?.body).toContain("[org/merged](https://huggingface.co/org/merged)");
    expect(comments[0]?.body).toContain("[workflow run](https://github.example/acme/models/actions/runs/77)");

    const second = fakeIo(inputs);
    await run(
      second,
      deps(
        useCases(calls, { merge: async () => ({ report: compatibleReport({ downloadBytes: 5_000_000 }) }) }),
        prEvent(number),
      ),
    );
    const after = server.issueComments("acme", "models", number);
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(comments[0]?.id);
    expect(after[0]?.edits).toBe(1);
    expect(after[0]?.body).toContain("5.00 MB");
    expect(second.log.some((line) => line.startsWith(`Updated the comment on pull request #${number}`))).toBe(true);
  });

  it("fails the step on an incompatible check but still replaces the comment with the findings", async () => {
    const number = prNumber++;
    const report = compatibleReport({
      kind: "check",
      compatible: false,
      outputs: [],
      findings: [
        {
          level: "error",
          subject: "lm_head.weight",
          message: "shape [32000, 64] in the base but [32000, 128] in org/ft",
        },
      ],
    });
    const io = fakeIo({ command: "check", base: "org/base", finetuned: "org/ft", "github-token": githubToken });
    await run(io, deps(useCases({ names: [], options: [] }, { check: async () => ({ report }) }), prEvent(number)));
    expect(io.failed).toEqual(["The models are not compatible (1 problem); the job summary lists each one."]);
    const body = server.issueComments("acme", "models", number)[0]?.body ?? "";
    expect(body).toContain("❌ **Not compatible:** 1 problem found before downloading any weights.");
    expect(body).toContain("- ❌ `lm_head.weight`: shape [32000, 64] in the base but [32000, 128] in org/ft");
    expect(JSON.parse(io.outputs["report-json"] ?? "").ok).toBe(false);
  });

  it("reports a use case's error in the step, the summary and the comment, never with the token", async () => {
    const number = prNumber++;
    const failing = async () => {
      throw new DataError(`org/ft has no safetensors weights (token ${hfToken} was used).`, { code: "NO_WEIGHTS" });
    };
    const io = fakeIo({
      command: "check",
      base: "org/base",
      finetuned: "org/ft",
      "github-token": githubToken,
      "hf-token": hfToken,
    });
    await run(io, deps(useCases({ names: [], options: [] }, { check: failing }), prEvent(number)));
    expect(io.failed).toEqual(["org/ft has no safetensors weights (token *** was used)."]);
    const body = server.issueComments("acme", "models", number)[0]?.body ?? "";
    expect(body).toContain("❌ **Failed:** org/ft has no safetensors weights (token *** was used).");
    for (const text of [body, io.summary, ...Object.values(io.outputs), ...io.log, ...io.warnings])
      expect(text).not.toContain(hfToken);
    expect(JSON.parse(io.outputs["report-json"] ?? "")).toMatchObject({
      ok: false,
      error: { code: "NO_WEIGHTS", family: "data" },
    });
  });

  it("warns instead of failing when the token may not comment (a fork's read-only token)", async () => {
    const number = prNumber++;
    server.failNext({ method: "POST", status: 403, body: { message: "Resource not accessible by integration" } });
    const io = fakeIo({ command: "check", recipe: "recipes/a.yml", "github-token": githubToken });
    await run(io, deps(useCases({ names: [], options: [] }), prEvent(number)));
    expect(io.failed).toEqual([]);
    expect(io.warnings).toHaveLength(1);
    expect(io.warnings[0]).toMatch(
      joinPatterns(
        /^No comment posted: GitHub denied commenting on acme\/models#\d+ /,
        /\(HTTP 403: Resource not accessible by integration\)/,
      ),
    );
  });

  it("posts nothing with comment: false", async () => {
    const number = prNumber++;
    const io = fakeIo({ command: "check", recipe: "recipes/a.yml", "github-token": githubToken, comment: "false" });
    await run(io, deps(useCases({ names: [], options: [] }), prEvent(number)));
    expect(server.issueComments("acme", "models", number)).toEqual([]);
    expect(io.summary).toContain("### tvhub check");
  });
});

describe("run on a push", () => {
  it("publishes and comments the links on the merged pull request", async () => {
    const sha = "3".repeat(40);
    server.addPullRequest("acme", "models", {
      number: 300,
      headSha: "4".repeat(40),
      merged: true,
      mergeCommitSha: sha,
    });
    const published = {
      repo: "org/merged",
      url: "https://huggingface.co/org/merged",
      commitSha: "c".repeat(40),
      commitUrl: "https://huggingface.co/org/merged/commit/" + "c".repeat(40),
    };
    const calls: Calls = { names: [], options: [] };
    const io = fakeIo({
      command: "merge",
      recipe: "recipes/merge.yml",
      "hf-token": hfToken,
      "github-token": githubToken,
    });
    await run(
      io,
      deps(
        useCases(calls, { merge: async () => ({ report: compatibleReport({ published: [published] }) }) }),
        pushEvent(sha),
      ),
    );
    expect(calls.options[0]).toMatchObject({
      dryRun: false,
      hub: { hubUrl: "https://huggingface.co", accessToken: hfToken },
    });
    expect(io.failed).toEqual([]);
    expect(io.outputs["repo-url"]).toBe("https://huggingface.co/org/merged");
    expect(io.outputs["commit-sha"]).toBe("c".repeat(40));
    const body = server.issueComments("acme", "models", 300)[0]?.body ?? "";
    expect(body).toContain("<!-- tvhub:publish:merge:recipes/merge.yml -->");
    expect(body).toContain("✅ **Published** 1 repo");
    expect(body).toContain(
      `- [org/merged](https://huggingface.co/org/merged) at commit [\`ccccccc\`](${published.commitUrl})`,
    );
    expect(server.commitComments("acme", "models", sha)).toEqual([]);
  });

  it("comments on the commit itself after a direct push", async () => {
    const sha = "5".repeat(40);
    const published = {
      repo: "org/tv",
      url: "https://huggingface.co/org/tv",
      commitSha: "d".repeat(40),
      commitUrl: "https://huggingface.co/org/tv/commit/x",
    };
    const io = fakeIo({
      command: "publish-vector",
      base: "org/base",
      finetuned: "org/ft",
      to: "org/tv",
      "hf-token": hfToken,
      "github-token": githubToken,
    });
    await run(
      io,
      deps(
        useCases(
          { names: [], options: [] },
          {
            publishVector: async () => ({ report: compatibleReport({ kind: "task-vector", published: [published] }) }),
          },
        ),
        pushEvent(sha),
      ),
    );
    expect(server.commitComments("acme", "models", sha).map((c) => c.body.split("\n")[0])).toEqual([
      "<!-- tvhub:publish:publish-vector:org/tv -->",
    ]);
  });

  it("does not comment from a push to another branch", async () => {
    const sha = "6".repeat(40);
    const io = fakeIo({ command: "merge", recipe: "r.yml", "hf-token": hfToken, "github-token": githubToken });
    const published = { repo: "org/m", url: "u", commitSha: "e".repeat(40), commitUrl: "c" };
    await run(
      io,
      deps(
        useCases(
          { names: [], options: [] },
          { merge: async () => ({ report: compatibleReport({ published: [published] }) }) },
        ),
        pushEvent(sha, "refs/heads/feature"),
      ),
    );
    expect(server.commitComments("acme", "models", sha)).toEqual([]);
    expect(io.outputs["commit-sha"]).toBe("e".repeat(40));
  });

  it("outputs the portion matrix of a plan", async () => {
    const file = (n: number) => `model-0000${n}-of-00006.safetensors`;
    const matrix = [1, 2, 3].map((i) => ({
      portion: `${i}/3`,
      files: [file(2 * i - 1), file(2 * i)],
      tensors: 4,
      bytes: 1000,
    }));
    const calls: Calls = { names: [], options: [] };
    const io = fakeIo({ command: "plan", recipe: "recipes/big.yml", portions: "3", "github-token": githubToken });
    await run(
      io,
      deps(useCases(calls, { plan: async () => ({ report: compatibleReport(), matrix }) }), pushEvent("7".repeat(40))),
    );
    expect(calls.options[0]).toMatchObject({ recipe: "recipes/big.yml", portions: 3 });
    expect(JSON.parse(io.outputs.matrix ?? "")).toEqual({ portion: ["1/3", "2/3", "3/3"] });
    expect(io.summary).toContain(
      "| 2/3 | `model-00003-of-00006.safetensors` … `model-00004-of-00006.safetensors` (2) | 4 | 1.00 kB |",
    );
  });
});

describe("run with bad inputs", () => {
  it("masks tokens first, fails with the input's name, sets every output and calls no use case", async () => {
    const calls: Calls = { names: [], options: [] };
    const io = fakeIo({ command: "publsh", "hf-token": hfToken, "github-token": githubToken });
    await run(io, deps(useCases(calls), prEvent(prNumber++)));
    expect(calls.names).toEqual([]);
    expect(io.failed).toEqual([
      'input "command" must be one of check, publish-vector, merge, greedy, plan; got "publsh".',
    ]);
    expect(io.secrets).toEqual([hfToken, githubToken]);
    const firstMask = io.calls.indexOf("mask");
    expect(io.calls.slice(0, firstMask).filter((c) => !c.startsWith("out:") && !c.startsWith("get:"))).toEqual([]);
    expect(io.calls.indexOf("get:hf-token")).toBe(firstMask - 1);
    expect(Object.keys(io.outputs).sort()).toEqual([
      "commit-sha",
      "matrix",
      "pull-request-number",
      "pull-request-url",
      "repo-url",
      "report-json",
    ]);
    expect(io.outputWrites.slice(0, 4)).toEqual(["repo-url", "commit-sha", "report-json", "matrix"]);
    expect(JSON.parse(io.outputs["report-json"] ?? "")).toMatchObject({
      ok: false,
      error: { code: "ACTION_BAD_INPUT" },
    });
    expect(io.summary).toContain('❌ **Failed:** input "command" must be one of');
  });

  it("fails clearly outside a GitHub Actions job", async () => {
    const io = fakeIo({ command: "check", recipe: "r.yml" });
    const d = deps(useCases({ names: [], options: [] }), pushEvent("8".repeat(40)));
    await run(io, { ...d, env: {} });
    expect(io.failed).toEqual(["GITHUB_EVENT_NAME is not set; tvhub's Action must run inside a GitHub Actions job."]);
  });
});
