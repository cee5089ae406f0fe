import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { greedy as runGreedy, type GreedyShortForm } from "../../app/greedy.js";
import { DataError, UsageError } from "../../errors.js";
import { createEndpointEvaluator } from "../../eval/endpoint-evaluator.js";
import { createTfjsEvaluator } from "../../eval/create-tfjs-evaluator.js";
import { parseLambdaGrid, type LambdaGrid } from "../../plan/lambda-grid.js";
import type { ComputableDtype } from "../../tensor/dtype.js";
import type { CliContext } from "../context.js";
import type { CliAppFlags } from "../create-app-context.js";
import { addHubFlags } from "../hub-options.js";
import { parseDtypeFlag } from "../parse-flags.js";
import { runUseCase } from "../run-with-progress.js";
import { printGreedyResult } from "../print-results.js";
import { readRecipe } from "../read-recipe.js";
import { pickDefined } from "../../util/pick-defined.js";

interface GreedyFlags extends CliAppFlags {
  to?: string;
  base?: string;
  start?: string;
  candidate?: string[];
  searchCandidates?: boolean;
  searchLimit?: number;
  evalCommand?: string;
  metric?: string;
  minimize?: boolean;
  evalTimeout?: number;
  grid?: LambdaGrid;
  maxRounds?: number;
  minGain?: number;
  dtype?: ComputableDtype | "auto";
  private?: boolean;
  force?: boolean;
  dryRun?: boolean;
  createPr?: boolean;
  concurrency?: number;
  cacheFile?: string;
  evalCache?: boolean;
  keepCandidates?: boolean;
  verbose?: boolean;
}

/** Flags that describe the search itself: the short form's, which a recipe says in its greedy section instead. */
const shortFormFlags = [
  "base",
  "start",
  "searchCandidates",
  "searchLimit",
  "evalCommand",
  "metric",
  "minimize",
  "evalTimeout",
  "grid",
  "maxRounds",
  "minGain",
  "dtype",
] as const;
const flagNames: Record<(typeof shortFormFlags)[number], string> = {
  base: "--base",
  start: "--start",
  searchCandidates: "--search-candidates",
  searchLimit: "--search-limit",
  evalCommand: "--eval-command",
  metric: "--metric",
  minimize: "--minimize",
  evalTimeout: "--eval-timeout",
  grid: "--grid",
  maxRounds: "--max-rounds",
  minGain: "--min-gain",
  dtype: "--dtype",
};

/** `tvhub greedy`: greedy addition of task vectors, scored on validation data, the result published like a merge. */
export function greedy(program: Command, context: CliContext): void {
  addHubFlags(
    program
      .command("greedy")
      .description(
        "Greedy addition: try each candidate task vector at each λ on top of the start model, keep the best one " +
          "while it raises the validation score, and publish the result with the whole search in its card.",
      )
      .argument("[recipe]", "a recipe YAML file with a greedy section (see recipes/greedy.yml); or use the flags below")
      .option(
        "--to <repo|dir>",
        "where to publish: a Hub repo org/name, or a folder (./out); overrides the recipe's output.to",
      )
      .option("--base <ref>", "short form: the base model every task vector is relative to")
      .option("--start <ref>", "short form: the model to start from, e.g. the fine-tuned target (default: the base)")
      .option(
        "--candidate <ref>",
        "short form: a fine-tuned model or published task vector to try; repeatable",
        collect,
      )
      .option(
        "--search-candidates",
        "short form: search the Hub for task vectors of the base (tag task-vector) instead of --candidate",
      )
      .option(
        "--search-limit <n>",
        "short form: try at most this many search results (default 50)",
        parsePositiveInteger,
      )
      .option(
        "--eval-command <cmd>",
        "short form: scores a candidate folder; {model} becomes its path; the last stdout line is a number or a " +
          "JSON object",
      )
      .option(
        "--metric <key>",
        "short form: the key of the score in the JSON object the command prints (default score)",
      )
      .option("--minimize", "short form: lower is better (a loss)")
      .option(
        "--eval-timeout <seconds>",
        "short form: stop a scorer run after this long (default 3600)",
        parsePositiveNumber,
      )
      .option(
        "--grid <start:stop:step>",
        "short form: the λ values tried per candidate (default 0:1:0.05, the paper's 21)",
        parseGridFlag,
      )
      .option("--max-rounds <n>", "short form: stop after keeping this many candidates", parsePositiveInteger)
      .option(
        "--min-gain <x>",
        "short form: keep a candidate only if it raises the score by more than this (default 0)",
        parseNonNegativeNumber,
      )
      .option(
        "--dtype <dtype>",
        "short form: dtype of the merged weights: auto (the base's), bf16, f16, f32 or f64",
        parseDtypeFlag,
      )
      .option("--private", "create the repo private")
      .option(
        "--create-pr",
        "publish as a new pull request on the Hub repo's main branch, for review, instead of committing to main",
      )
      .option("--force", "proceed past lineage mismatches (never past shape mismatches)")
      .option("--dry-run", "run the search, then print the plan of the final merge; publish nothing")
      .option("--concurrency <n>", "evaluations run at once (commands and endpoints; default 1)", parsePositiveInteger)
      .option(
        "--cache-file <path>",
        "keep evaluation scores in this JSON Lines file (default: one per search under HF_HOME/tvhub/greedy)",
      )
      .option("--no-eval-cache", "keep scores in memory only: a rerun evaluates everything again")
      .option("--keep-candidates", "leave each candidate folder on disk after scoring it (to debug a scorer)")
      .option("--verbose", "print the scorer's output")
      .option("--no-cache", "read byte ranges instead of keeping downloads in the Hub cache"),
  ).action(async (path: string | undefined, flags: GreedyFlags, command: Command) => {
    const recipe = path === undefined ? { shortForm: shortFormOf(flags) } : await recipeOf(path, flags);
    const controller = new AbortController();
    const interrupt = (signal: NodeJS.Signals) => () =>
      controller.abort(
        new DataError(
          `Interrupted by ${signal}; the evaluations that finished are cached, so running the same command again ` +
            "continues where this one stopped.",
          { code: "INTERRUPTED" },
        ),
      );
    const onInt = interrupt("SIGINT");
    const onTerm = interrupt("SIGTERM");
    process.once("SIGINT", onInt);
    process.once("SIGTERM", onTerm);
    try {
      const { result, stats } = await runUseCase(context, flags, (appContext) =>
        runGreedy({
          context: appContext,
          recipe,
          ...(path !== undefined && flags.to !== undefined ? { to: flags.to } : {}),
          ...pickDefined(flags, ["private", "force"]),
          ...(flags.createPr === true && { createPr: true }),
          ...(flags.dryRun === undefined ? {} : { dryRun: flags.dryRun }),
          command: commandLine(command, path),
          evaluators: { tfjs: createTfjsEvaluator, endpoint: createEndpointEvaluator },
          ...(flags.evalCache === false
            ? { cacheFile: false as const }
            : flags.cacheFile === undefined
              ? { cacheDir: defaultCacheDir(context.env) }
              : { cacheFile: resolve(flags.cacheFile) }),
          ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
          ...(flags.keepCandidates ? { keepCandidates: true } : {}),
          ...(context.env.HF_TOKEN ? { endpointToken: context.env.HF_TOKEN } : {}),
          ...(flags.verbose && !flags.json
            ? {
                onEvaluatorOutput: ({ stream, line }: { stream: string; line: string }) =>
                  context.stderr.write(`[${stream}] ${line}\n`),
              }
            : {}),
          signal: controller.signal,
        }),
      );
      printGreedyResult(context, flags, result, stats);
    } finally {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    }
  });
}

async function recipeOf(path: string, flags: GreedyFlags): Promise<{ text: string; source: string; dir: string }> {
  const given = shortFormFlags.filter((key) => flags[key] !== undefined);
  if (given.length > 0 || flags.candidate !== undefined) {
    const names = [...given.map((key) => flagNames[key]), ...(flags.candidate !== undefined ? ["--candidate"] : [])];
    throw new UsageError(
      `${names.join(", ")} describe${names.length === 1 ? "s" : ""} a search without a recipe, and ${path} already ` +
        "describes one; change the recipe's greedy section, or drop the recipe and use the flags.",
      {
        code: "GREEDY_RECIPE_AND_FLAGS",
        subject: names[0] as string,
      },
    );
  }
  const text = await readRecipe(
    path,
    "; give the path of a recipe YAML file with a greedy section (see recipes/greedy.yml).",
  );
  return { text, source: path, dir: dirname(path) };
}

function shortFormOf(flags: GreedyFlags): GreedyShortForm {
  const missing = [
    flags.base === undefined ? "--base REF" : "",
    flags.evalCommand === undefined ? "--eval-command CMD" : "",
    flags.to === undefined ? "--to REPO|DIR" : "",
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new UsageError(
      `greedy needs a recipe, or ${missing.join(", ")} (with --candidate REF... or --search-candidates); see tvhub ` +
        "greedy --help.",
      {
        code: "GREEDY_USAGE",
        subject: missing[0] as string,
      },
    );
  }
  return {
    base: flags.base as string,
    ...(flags.start === undefined ? {} : { start: flags.start }),
    candidates: flags.candidate ?? [],
    ...(flags.searchCandidates || flags.searchLimit !== undefined
      ? { search: flags.searchLimit === undefined ? {} : { limit: flags.searchLimit } }
      : {}),
    evaluator: {
      command: flags.evalCommand as string,
      ...(flags.metric === undefined ? {} : { metric: flags.metric }),
      ...(flags.minimize ? { direction: "minimize" as const } : {}),
      ...(flags.evalTimeout === undefined ? {} : { timeoutSeconds: flags.evalTimeout }),
    },
    ...pickDefined(flags, ["grid", "maxRounds", "minGain"]),
    to: flags.to as string,
    ...(flags.private ? { private: true } : {}),
    ...(flags.dtype === undefined || flags.dtype === "auto" ? {} : { dtype: flags.dtype }),
  };
}

/** `HF_HOME/tvhub/greedy`: beside the Hub cache, where a rerun finds it; one file per search scope. */
function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const hfHome = env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "huggingface");
  return join(hfHome, "tvhub", "greedy");
}

/** The command line for the card, without the token or Hub settings. */
function commandLine(command: Command, path: string | undefined): string {
  // Also without --create-pr: where the files go does not change them, so a pull request's card matches a direct
  // publish.
  const skip = new Set([
    "token",
    "hubUrl",
    "json",
    "quiet",
    "verbose",
    "cacheFile",
    "evalCache",
    "cache",
    "keepCandidates",
    "concurrency",
    "createPr",
  ]);
  const parts = ["tvhub greedy", ...(path === undefined ? [] : [quote(path)])];
  for (const option of command.options) {
    const key = option.attributeName();
    if (skip.has(key)) continue;
    const source = command.getOptionValueSource(key);
    if (source !== "cli") continue;
    const value = command.getOptionValue(key) as unknown;
    const flag = option.long ?? "";
    if (Array.isArray(value)) for (const item of value) parts.push(`${flag} ${quote(String(item))}`);
    else if (value === true) parts.push(flag);
    else if (typeof value === "object" && value !== null && "step" in value)
      parts.push(
        `${flag} ` +
          `${quote(`${(value as LambdaGrid).start}:${(value as LambdaGrid).stop}:${(value as LambdaGrid).step}`)}`,
      );
    else parts.push(`${flag} ${quote(String(value))}`);
  }
  return parts.join(" ");
}

/** POSIX shell quoting, only where a reader would need it. */
function quote(text: string): string {
  return /^[\w@%+=:,./~-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Repeated `--candidate a --candidate b` (no default, so --help shows none). */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseGridFlag(value: string): LambdaGrid {
  try {
    return parseLambdaGrid({ text: value, subject: "--grid" });
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError("give a whole number ≥ 1.");
  return n;
}

function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("give a number > 0.");
  return n;
}

function parseNonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError("give a number ≥ 0.");
  return n;
}
