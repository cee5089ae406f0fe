import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { check } from "../app/check.js";
import { greedy, type GreedyRunResult } from "../app/greedy.js";
import { IncompatibleError } from "../app/incompatible-error.js";
import { merge } from "../app/merge.js";
import { planPortions } from "../app/plan-portions.js";
import { publishVector } from "../app/publish-vector.js";
import type { PublishedPortion } from "../engine/portion-record.js";
import type { CompatibilityReport } from "../plan/check-compatibility.js";
import type { Plan } from "../plan/types.js";
import { UsageError } from "../errors.js";
import type { EnvMap } from "../github/parse-github-context.js";
import { drain, type ProgressEvent, type ProgressSink } from "../util/progress.js";
import { createAppContext } from "../app/create-app-context.js";
import { parseRetryDelay } from "../hub/index.js";
import { actionVersion } from "./version.js";
import { reportFromPlan } from "./report-from-plan.js";
import type {
  ActionUseCases,
  Finding,
  HubAccess,
  GreedyUseCaseOptions,
  PublishedRepo,
  RunReport,
  UseCaseOutcome,
  ValidationTable,
} from "./use-cases.js";
import { pickDefined } from "../util/pick-defined.js";
import { readTextFile } from "../util/read-text-file.js";

/**
 * Wires the Action's port to the use cases in src/app. A use case this build does not have fails the step with
 * a clear message instead of doing half the work.
 */
export function createUseCases(options: { env: EnvMap } = { env: {} }): ActionUseCases {
  const { env } = options;
  return {
    async check(input) {
      if (input.recipe !== undefined) return unavailable("check with a recipe");
      const context = runnerContext(input, env);
      const result = await check({
        context,
        ...(input.base === undefined ? {} : { base: input.base }),
        inputs: input.finetuned === undefined ? [] : [{ text: input.finetuned, kind: "finetuned" }],
      });
      const inputs = result.inputs.map((i) => ({
        role: i.role,
        ref: i.ref,
        ...(i.repo ? { repo: i.repo } : {}),
        ...(i.revision ? { revision: i.revision } : {}),
      }));
      return {
        report: reportFromPlan({
          kind: "check",
          compatibility: result.report,
          inputs,
          downloadBytes: result.weightBytes,
        }),
      };
    },
    async publishVector(input) {
      const context = runnerContext(input, env);
      return reportPublished({
        hubUrl: context.hub.hubUrl,
        kind: "task-vector",
        to: input.to,
        onProgress: input.onProgress,
        run: publishVector({
          context,
          base: input.base,
          finetuned: input.finetuned,
          to: input.to,
          ...pickDefined(input, ["stage"]),
          ...publishing(input),
        }),
        target: () => input.to,
      });
    },
    async merge(input) {
      const context = runnerContext(input, env);
      const text = await readRecipe(input.recipe);
      return reportPublished({
        hubUrl: context.hub.hubUrl,
        kind: "merged-model",
        to: input.to,
        onProgress: input.onProgress,
        run: merge({
          context,
          recipe: { text, source: input.recipe },
          ...pickDefined(input, ["to", "stage"]),
          ...publishing(input),
        }),
        target: (result) => result.recipe.output.to,
      });
    },
    greedy: (input) => runGreedy(input, env),
    async plan(input) {
      const context = runnerContext(input, env);
      const recipe =
        input.recipe === undefined ? undefined : { text: await readRecipe(input.recipe), source: input.recipe };
      const kind = recipe === undefined ? "task-vector" : "merged-model";
      try {
        const result = await drain(
          planPortions({
            context,
            ...(recipe === undefined ? {} : { recipe }),
            ...pickDefined(input, ["base", "finetuned", "to"]),
            portions: input.portions,
            portionsLabel: 'input "portions"',
          }),
          input.onProgress,
        );
        const report = reportFromPlan({
          kind,
          compatibility: result.report,
          plan: result.plan,
          ...(result.target === undefined ? {} : { target: result.target }),
        });
        return { report, matrix: result.matrix };
      } catch (error) {
        return { report: incompatibleReport(error, kind, input.to), matrix: [] };
      }
    },
  };
}

/**
 * A greedy search from a recipe in the repository, scored by the recipe's command (the bundle carries no tfjs or
 * inference client). Scores are cached under RUNNER_TEMP for the job; the report carries every candidate of every
 * round, and the candidates skipped before the search.
 */
async function runGreedy(input: GreedyUseCaseOptions, env: EnvMap): Promise<UseCaseOutcome> {
  const context = runnerContext(input, env);
  const text = await readRecipe(input.recipe);
  try {
    const result = await drain(
      greedy({
        context,
        recipe: { text, source: input.recipe, dir: dirname(input.recipe) },
        ...pickDefined(input, ["to"]),
        ...publishing(input),
        cacheDir: join(context.workDir, "tvhub-greedy"),
        ...(input.signal ? { signal: input.signal } : {}),
      }),
      input.onProgress,
    );
    const merged = result.merge;
    const report = reportFromPlan({
      kind: "merged-model",
      compatibility: merged?.report ?? result.report,
      ...(merged ? { plan: merged.plan } : {}),
      target: input.to ?? result.recipe.output.to,
      published: publishedRepo(context.hub.hubUrl, merged?.published),
      validation: validationOf(result),
    });
    report.findings.push(...skippedFindings(result));
    if (!merged)
      report.findings.push({
        level: "warning",
        message:
          `No candidate raised the validation score above the start's ${result.search.baseline.score}; ` +
          "nothing was published.",
      });
    return { report };
  } catch (error) {
    return { report: incompatibleReport(error, "merged-model", input.to) };
  }
}

type PublishedResult = Parameters<typeof publishedReport>[3];

/** Runs a publishing use case to its end: the report of what it published, or of why it refused. */
async function reportPublished<R extends PublishedResult>(options: {
  hubUrl: string;
  kind: RunReport["kind"];
  /** The repo the input names, for the refusal's report. */
  to: string | undefined;
  onProgress: ProgressSink;
  run: AsyncGenerator<ProgressEvent, R>;
  /** The repo the result went to. */
  target: (result: R) => string;
}): Promise<UseCaseOutcome> {
  try {
    const result = await drain(options.run, options.onProgress);
    return { report: publishedReport(options.hubUrl, options.kind, options.target(result), result) };
  } catch (error) {
    return { report: incompatibleReport(error, options.kind, options.to) };
  }
}

/**
 * The report of a run that published (or, a portion job, committed its share: then the report lists only that
 * portion's files).
 */
function publishedReport(
  hubUrl: string,
  kind: RunReport["kind"],
  target: string,
  result: {
    report: CompatibilityReport;
    plan: Plan;
    published?: Parameters<typeof publishedRepo>[1];
    portion?: PublishedPortion;
  },
): RunReport {
  const published = result.portion
    ? [publishedPortion(hubUrl, result.portion)]
    : publishedRepo(hubUrl, result.published);
  const report = reportFromPlan({ kind, compatibility: result.report, plan: result.plan, target, published });
  return result.portion ? onlyPortionFiles(report, result.portion) : report;
}

/** How a use case that writes publishes: a dry run uploads nothing; `createPr` opens a Hub pull request instead. */
function publishing(input: { dryRun: boolean; createPr?: boolean }): { dryRun: boolean; createPr?: true } {
  return { dryRun: input.dryRun, ...(input.createPr === true && { createPr: true }) };
}

/** Incompatible inputs are a report the step prints and fails on, not an exception; any other error is rethrown. */
function incompatibleReport(error: unknown, kind: RunReport["kind"], target: string | undefined): RunReport {
  if (!(error instanceof IncompatibleError)) throw error;
  return reportFromPlan({ kind, compatibility: error.report, ...(target === undefined ? {} : { target }) });
}

function validationOf(result: GreedyRunResult): ValidationTable {
  return {
    metric: result.metric,
    baseline: result.search.baseline.score,
    rows: result.search.trajectory.map((step) => ({
      step: step.round,
      candidate: step.candidate,
      lambda: step.lambda,
      score: step.score,
      kept: step.kept,
    })),
  };
}

/** Candidates screened out before the search: a line each in the report, not a failure. */
function skippedFindings(result: GreedyRunResult): Finding[] {
  return result.skipped.map((skip) => ({
    level: "info" as const,
    subject: skip.label,
    message: `Skipped: ${skip.reason}`,
  }));
}

function publishedRepo(
  hubUrl: string,
  published: { repo?: string; commit?: string; url: string; pullRequest?: { num: number; url: string } } | undefined,
): PublishedRepo[] {
  if (!published?.repo || !published.commit) return [];
  const pullRequest = published.pullRequest
    ? { pullRequest: { num: published.pullRequest.num, url: published.pullRequest.url } }
    : {};
  return [
    {
      repo: published.repo,
      url: published.url,
      commitSha: published.commit,
      commitUrl: `${hubUrl}/${published.repo}/commit/${published.commit}`,
      ...pullRequest,
    },
  ];
}

function publishedPortion(hubUrl: string, portion: PublishedPortion): PublishedRepo {
  return {
    repo: portion.repo,
    url: portion.url,
    commitSha: portion.commit,
    commitUrl: `${hubUrl}/${portion.repo}/commit/${portion.commit}`,
  };
}

/** A portion job writes its share of the planned files and its record, not the whole output. */
function onlyPortionFiles(report: RunReport, portion: PublishedPortion): RunReport {
  const sizes = new Map(portion.files.map((file) => [file.path, file.size]));
  return {
    ...report,
    outputs: report.outputs.map((output) => ({
      ...output,
      files: [...sizes].map(([path, bytes]) => ({ path, bytes })),
    })),
  };
}

/** The recipe path is relative to the workspace, where actions/checkout put the repository. */
function readRecipe(path: string): Promise<string> {
  return readTextFile(path, {
    name: `input "recipe": ${path}`,
    whenMissing: " in the workspace; check the path, and that a checkout step ran before this one.",
    code: "ACTION_BAD_INPUT",
    subject: "recipe",
  });
}

function unavailable(command: string): Promise<never> {
  return Promise.reject(
    new UsageError(
      `command "${command}" is not available in this build of the tvhub Action; use a release that includes it.`,
      {
        code: "ACTION_NOT_AVAILABLE",
        subject: "command",
      },
    ),
  );
}

/**
 * The use cases' context on a runner: no Hub cache (a hosted runner's disk is smaller than one 7B model's inputs),
 * so weights are read as byte ranges, and outputs are staged under RUNNER_TEMP.
 */
function runnerContext(input: { hub: HubAccess; signal?: AbortSignal }, env: EnvMap) {
  const retryDelayMs = parseRetryDelay(env.TVHUB_RETRY_DELAY_MS);
  return createAppContext({
    hubUrl: input.hub.hubUrl,
    ...(input.hub.accessToken ? { accessToken: input.hub.accessToken } : {}),
    ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
    // A cancelled job: a publish in flight removes the repo it created and says what it left.
    ...(input.signal === undefined ? {} : { signal: input.signal }),
    workDir: env.RUNNER_TEMP ?? tmpdir(),
    tvhubVersion: actionVersion,
  });
}
