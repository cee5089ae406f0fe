import { isTvhubError } from "../errors.js";
import { parseGitHubContext, type EnvMap, type GitHubContext } from "../github/parse-github-context.js";
import type { GitHubLog, GitHubReporter } from "../github/reporter.js";
import { createProgressLogger } from "./create-progress-logger.js";
import { inputNames, parseInputs, secretInputs, type ActionInputs, type RawInputs } from "./inputs.js";
import { defaultOutputs, outputsOf, writeOutputs } from "./outputs.js";
import { renderReport, type ActionRun, type RenderReportOptions } from "./render-report.js";
import { runUseCase } from "./run-use-case.js";
import type { ActionUseCases } from "./use-cases.js";

/** The runner's side of the step: everything the Action reads or writes through @actions/core. */
export interface ActionIo {
  /** The input's trimmed value, "" when not given. */
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  /** Masks the value in every later log line. */
  setSecret(value: string): void;
  setFailed(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  /** Appends markdown to the job summary; does nothing when the runner gives no summary file. */
  appendSummary(markdown: string): Promise<void>;
}

export interface ActionDeps {
  /** The job's environment (GITHUB_*), read once by the entry point. */
  env: EnvMap;
  /** The event payload, the JSON at GITHUB_EVENT_PATH; undefined when there is none. */
  readEvent(): unknown;
  useCases: ActionUseCases;
  createReporter(options: { token: string; baseUrl: string; log: GitHubLog }): GitHubReporter;
  /** Tells a workspace directory from a Hub id in base/finetuned/to. */
  isDirectory?: (path: string) => boolean;
  version: string;
  signal?: AbortSignal;
}

/**
 * One step of the Action: read and check the inputs, run the use case, then report through every channel the
 * runner offers — outputs (always, defaults first), the job summary (always), the PR comment or the post-publish
 * comment, and the step's status.
 */
export async function run(io: ActionIo, deps: ActionDeps): Promise<ActionRun | undefined> {
  writeOutputs(io.setOutput, defaultOutputs());
  const secrets: string[] = [];
  const raw = readRawInputs(io, secrets);
  const redact = (text: string) => redactSecrets(text, secrets);

  let context: GitHubContext;
  let inputs: ActionInputs;
  try {
    context = parseGitHubContext(deps.env, deps.readEvent());
    inputs = parseInputs({
      raw,
      eventName: context.eventName,
      ...(deps.isDirectory ? { isDirectory: deps.isDirectory } : {}),
    });
  } catch (error) {
    const failure = describeError(error, redact);
    const command = raw.command || "(no command)";
    await appendSummary(io, `### tvhub ${command}\n\n❌ **Failed:** ${failure.message}\n`, redact);
    writeOutputs(io.setOutput, {
      ...defaultOutputs(),
      "report-json": JSON.stringify({ tvhub: deps.version, command: raw.command, ok: false, error: failure }),
    });
    io.setFailed(failure.message);
    return undefined;
  }

  const actionRun: ActionRun = { command: inputs.command, label: labelOf(inputs), dryRun: inputs.dryRun };
  if (inputs.stage) actionRun.stage = inputs.stage;
  io.info(
    `tvhub ${inputs.command} ` +
      `${actionRun.label}${inputs.dryRun && isPublishing(inputs) ? " (dry run: nothing will be uploaded)" : ""}`,
  );
  try {
    const outcome = await runUseCase({
      inputs,
      useCases: deps.useCases,
      onProgress: createProgressLogger({ info: (m) => io.info(redact(m)), warning: (m) => io.warning(redact(m)) }),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    actionRun.report = outcome.report;
    if (outcome.matrix) actionRun.matrix = outcome.matrix;
  } catch (error) {
    actionRun.error = describeError(error, redact);
  }

  writeOutputs(io.setOutput, outputsOf({ run: actionRun, version: deps.version }));
  const source: RenderReportOptions["source"] = {
    eventName: context.eventName,
    sha: context.sha,
    commitUrl: `${context.serverUrl}/${context.owner}/${context.repo}/commit/${context.sha}`,
    ...(deps.env.GITHUB_RUN_ID
      ? { runUrl: `${context.serverUrl}/${context.owner}/${context.repo}/actions/runs/${deps.env.GITHUB_RUN_ID}` }
      : {}),
  };
  const render = (audience: "comment" | "summary") =>
    redact(renderReport({ run: actionRun, hubUrl: inputs.hubUrl, audience, version: deps.version, source }));
  await appendSummary(io, render("summary"), redact);
  if (inputs.comment) await postComment({ io, deps, context, inputs, actionRun, body: render("comment"), redact });

  if (actionRun.error) {
    io.setFailed(actionRun.error.message);
  } else if (actionRun.report && !actionRun.report.compatible) {
    const errors = actionRun.report.findings.filter((f) => f.level === "error").length;
    io.setFailed(
      `The models are not compatible (${errors} problem${errors === 1 ? "" : "s"}); the job summary lists each one.`,
    );
  }
  return actionRun;
}

/** Reads every declared input once, masking the secret ones before anything else can print them. */
function readRawInputs(io: ActionIo, secrets: string[]): RawInputs {
  const raw = {} as RawInputs;
  for (const name of inputNames) {
    const value = io.getInput(name);
    if (secretInputs.includes(name) && value !== "") {
      io.setSecret(value);
      secrets.push(value);
    }
    raw[name] = value;
  }
  return raw;
}

interface PostCommentOptions {
  io: ActionIo;
  deps: ActionDeps;
  context: GitHubContext;
  inputs: ActionInputs;
  actionRun: ActionRun;
  body: string;
  redact: (text: string) => string;
}

/**
 * On a pull request: the sticky comment, whatever the outcome (a failed check must replace a stale green one).
 * After a publish on a push to the default branch: links on the merged PR, or on the commit. A comment that
 * cannot be posted (a fork's read-only token, say) is a warning: the step's result is the run's, not the comment's.
 */
async function postComment(options: PostCommentOptions): Promise<void> {
  const { io, deps, context, inputs, actionRun } = options;
  const published = actionRun.report?.published ?? [];
  const onPullRequest = context.prNumber !== undefined;
  const afterPublish = context.isDefaultBranchPush && published.length > 0 && actionRun.stage?.kind !== "portion";
  if (!onPullRequest && !afterPublish) return;
  if (inputs.githubToken === undefined) {
    io.warning(
      'No comment posted: input "github-token" is empty; pass ${{ github.token }} (the default) or set comment: false.',
    );
    return;
  }
  const log: GitHubLog = { info: (m) => io.info(options.redact(m)), warn: (m) => io.warning(options.redact(m)) };
  const reporter = deps.createReporter({ token: inputs.githubToken, baseUrl: context.apiUrl, log });
  const key = markerKey(inputs);
  try {
    const result =
      context.prNumber !== undefined
        ? await reporter.upsertStickyComment({
            owner: context.owner,
            repo: context.repo,
            issueNumber: context.prNumber,
            marker: key,
            body: options.body,
          })
        : await reporter.commentOnCommitOrMergedPr({
            owner: context.owner,
            repo: context.repo,
            sha: context.sha,
            marker: `publish:${key}`,
            body: options.body,
          });
    const where =
      result.target === "pull-request" ? `pull request #${result.number ?? "?"}` : `commit ${context.sha.slice(0, 7)}`;
    io.info(`${result.action === "created" ? "Commented on" : "Updated the comment on"} ${where}: ${result.url}`);
  } catch (error) {
    io.warning(`No comment posted: ${describeError(error, options.redact).message}`);
  }
}

/** One comment per command and subject, so a workflow that checks several recipes keeps one comment each. */
export function markerKey(inputs: ActionInputs): string {
  const subject = inputs.recipe ?? inputs.to ?? inputs.finetuned ?? "";
  return `${inputs.command}:${subject}`.replace(/[^A-Za-z0-9._:/@-]/g, "-").slice(0, 180);
}

function labelOf(inputs: ActionInputs): string {
  if (inputs.recipe !== undefined) return inputs.to === undefined ? inputs.recipe : `${inputs.recipe} → ${inputs.to}`;
  if (inputs.to !== undefined) return `${inputs.finetuned ?? "?"} − ${inputs.base ?? "?"} → ${inputs.to}`;
  return `${inputs.finetuned ?? "?"} against ${inputs.base ?? "?"}`;
}

function isPublishing(inputs: ActionInputs): boolean {
  return inputs.command === "publish-vector" || inputs.command === "merge" || inputs.command === "greedy";
}

function describeError(error: unknown, redact: (text: string) => string): NonNullable<ActionRun["error"]> {
  if (isTvhubError(error)) return { code: error.code, family: error.family, message: redact(error.message) };
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: "UNEXPECTED",
    family: "internal",
    message: redact(
      `tvhub hit an unexpected error (${message.replace(/\s+/g, " ")}); rerun with step debug logging on and report ` +
        "it.",
    ),
  };
}

async function appendSummary(io: ActionIo, markdown: string, redact: (text: string) => string): Promise<void> {
  try {
    await io.appendSummary(markdown);
  } catch (error) {
    io.warning(`Could not write the job summary: ${redact(error instanceof Error ? error.message : String(error))}`);
  }
}

function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("***");
  return out.replace(/\bhf_[A-Za-z0-9]{6,}/g, "hf_***");
}
