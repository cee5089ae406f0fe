import type { GreedyRunResult } from "../app/greedy.js";
import { formatGreedySummary } from "../app/greedy/format-greedy-summary.js";
import type { MergeResult } from "../app/merge.js";
import type { PublishVectorResult } from "../app/publish-vector.js";
import type { PublishedPortion } from "../engine/portion-record.js";
import type { PublishedOutput } from "../engine/publish-output.js";
import type { TransferStats } from "../hub/index.js";
import { formatPlan } from "../plan/format-plan.js";
import { formatBytes } from "../util/format-bytes.js";
import type { CliContext } from "./context.js";
import { describePublished } from "./describe-published.js";

/** What the Hub client counted over a command. */
export type HubStats = TransferStats;

/** "downloaded 1.2 MB, uploaded 0 B": the Hub traffic the summaries end with. */
function transferred(stats: HubStats): string {
  return `downloaded ${formatBytes(stats.bytesDownloaded)}, uploaded ${formatBytes(stats.bytesUploaded)}`;
}

/**
 * Everything the CLI prints on stdout goes through this module: `--json` output as one indented object (what
 * scripts parse), text as the lines a person reads, and a failure as one sentence (and its JSON twin).
 */
export function printJson(context: Pick<CliContext, "stdout">, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export interface PrintErrorOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  code: string;
  /** Already redacted. */
  message: string;
  /** Printed with --debug only, already redacted. */
  stack?: string;
  json: boolean;
}

/**
 * A failure: `tvhub: ...` on stderr, the stack with --debug, and `{"error": {"code", "message"}}` on stdout with
 * --json.
 */
export function printError(options: PrintErrorOptions): void {
  options.stderr.write(`tvhub: ${options.message}\n`);
  if (options.stack !== undefined) options.stderr.write(`${options.stack}\n`);
  if (options.json) printJson(options, { error: { code: options.code, message: options.message } });
}

/** Where a run published, as every `--json` result names it (nulls on a dry run). */
function publishedFields(published: (PublishedOutput & { files: unknown[] }) | undefined) {
  return {
    repo: published?.repo ?? null,
    dir: published?.dir ?? null,
    commit: published?.commit ?? null,
    url: published?.url ?? null,
    pullRequest: published?.pullRequest ?? null,
    files: published?.files ?? [],
  };
}

type MergePlan = MergeResult["plan"];

/** The input a term of the plan reads, as `--json` names it (null where the input has no such field). */
function termInput(plan: MergePlan, term: MergePlan["terms"][number]) {
  const input = plan.inputs[term.input];
  return { ref: input?.ref ?? null, repo: input?.repo ?? null, revision: input?.revision ?? null };
}

/** The shared output of merge and apply: one JSON object with --json, else the plan or a two-line summary. */
export function printMergeResult(
  context: CliContext,
  flags: { json?: boolean },
  result: MergeResult,
  stats: HubStats,
): void {
  const { published, plan } = result;
  if (flags.json) {
    printJson(context, {
      dryRun: result.dryRun,
      ...publishedFields(published),
      copied: result.copied,
      method: plan.method ?? result.recipe.method,
      parameters: plan.parameters ?? {},
      terms: plan.terms.map((term) => ({
        kind: term.kind,
        ...termInput(plan, term),
        origin: term.origin,
        weight: term.weight,
        lambda: term.lambda,
      })),
      vocab: plan.vocab ?? null,
      warnings: plan.warnings,
      downloadBytes: plan.downloadBytes,
      bytesDownloaded: stats.bytesDownloaded,
      bytesUploaded: stats.bytesUploaded,
      report: result.report,
    });
    return;
  }
  if (result.dryRun || !published) {
    const copied =
      result.copied.length === 0
        ? ""
        : `copied: ${result.copied.map((file) => `${file.path} (from ${file.from.repo})`).join(", ")}\n`;
    context.stdout.write(`${formatPlan({ plan })}${copied}`);
    return;
  }
  const where = describePublished(published);
  context.stdout.write(
    `Published the ${result.recipe.output.lora ? "merge as a LoRA adapter (merged − base)" : "merged model"} to ` +
      `${where}\n${plan.terms.length} term${plan.terms.length === 1 ? "" : "s"} ` +
      `(${plan.method ?? result.recipe.method}), ${published.files.length} weight file(s) and ` +
      `${result.copied.length} copied file(s); ${transferred(stats)}\n`,
  );
}

/**
 * The output of a command that writes weights: a portion job's commit and files, as one JSON object or two lines
 * (a matrix job writes only its share), else what `printWhole` prints of the whole run.
 */
export function printOutputResult<Result extends { portion?: PublishedPortion }>(
  context: CliContext,
  flags: { json?: boolean },
  run: { result: Result; stats: HubStats },
  printWhole: (context: CliContext, flags: { json?: boolean }, result: Result, stats: HubStats) => void,
): void {
  const { result, stats } = run;
  const { portion } = result;
  if (!portion) {
    printWhole(context, flags, result, stats);
    return;
  }
  if (flags.json) {
    printJson(context, {
      portion: portion.portion,
      repo: portion.repo,
      commit: portion.commit,
      url: portion.url,
      files: portion.files,
      ...stats,
    });
    return;
  }
  const count = portion.portion.slice(portion.portion.indexOf("/") + 1);
  context.stdout.write(
    `Committed portion ${portion.portion} to ${portion.url} at commit ` +
      `${portion.commit}\n${portion.files.length - 1} weight file(s), ${transferred(stats)}; once all ${count} ` +
      `jobs are done, run the same command with --finalize --portions ${count}\n`,
  );
}

/** publish-vector's output: one JSON object with --json, else the plan or a two-line summary. */
export function printVectorResult(
  context: CliContext,
  flags: { json?: boolean },
  result: PublishVectorResult,
  stats: HubStats,
): void {
  if (flags.json) {
    const { published } = result;
    printJson(context, {
      dryRun: result.dryRun,
      ...publishedFields(published),
      norm: published?.norm ?? null,
      ...(result.adapter ? { adapter: result.adapter } : {}),
      downloadBytes: result.plan.downloadBytes,
      bytesDownloaded: stats.bytesDownloaded,
      bytesUploaded: stats.bytesUploaded,
      report: result.report,
    });
    return;
  }
  if (result.dryRun || !result.published) {
    context.stdout.write(`${formatPlan({ plan: result.plan })}\n`);
    return;
  }
  const { published } = result;
  const where = describePublished(published);
  if (result.adapter) {
    const factored = result.adapter.tensors.filter((t) => t.kind === "lora").length;
    context.stdout.write(
      `Published the LoRA adapter to ${where}\nr = ${result.adapter.r}, ${factored} factored tensor(s), relative ` +
        `error ${result.adapter.overallError.toPrecision(3)}, ${formatBytes(published.files[0]?.size ?? 0)}; ` +
        `${transferred(stats)}\n`,
    );
    return;
  }
  context.stdout.write(
    `Published the task vector to ${where}\n${published.files.length} weight file(s), ‖τ‖ = ` +
      `${published.norm.toPrecision(6)}, ${transferred(stats)}\n`,
  );
}

/** greedy's output: one JSON object with --json, else the search's summary and what was published. */
export function printGreedyResult(
  context: CliContext,
  flags: { json?: boolean },
  result: GreedyRunResult,
  stats: HubStats,
): void {
  const merged = result.merge;
  const published = merged?.published;
  if (flags.json) {
    printJson(context, {
      dryRun: merged?.dryRun ?? false,
      published: Boolean(published),
      ...publishedFields(published),
      metric: result.metric,
      evaluator: result.evaluator,
      inMemory: result.inMemory,
      cacheFile: result.cacheFile,
      candidates: result.candidates,
      greedy: result.record,
      terms:
        merged?.plan.terms.map((term) => ({ kind: term.kind, ...termInput(merged.plan, term), lambda: term.lambda })) ??
        [],
      bytesDownloaded: stats.bytesDownloaded,
      bytesUploaded: stats.bytesUploaded,
      report: result.report,
    });
    return;
  }
  const lines = [
    formatGreedySummary({
      result: result.search,
      skipped: result.skipped,
      metric: result.metric,
      minGain: result.record.min_gain,
    }),
  ];
  if (result.cacheFile) lines.push(`Scores are cached in ${result.cacheFile}.`);
  if (!merged) lines.push("", "No candidate was kept, so nothing was published.");
  else if (merged.dryRun || !published)
    lines.push(
      "",
      `Dry run: the merge of the start and the ${result.search.terms.length} kept candidate(s) was planned, not ` +
        "written.",
      formatPlan({ plan: merged.plan }).trimEnd(),
    );
  else {
    const where = describePublished(published);
    lines.push("", `Published the merged model to ${where}; ${transferred(stats)}.`);
  }
  context.stdout.write(`${lines.join("\n")}\n`);
}
