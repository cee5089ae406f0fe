import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { merge as runMerge, type MergeResult } from "../../app/merge.js";
import { UsageError } from "../../errors.js";
import { formatPlan } from "../../plan/format-plan.js";
import type { VocabMode } from "../../plan/recipe.js";
import { formatBytes } from "../../util/format-bytes.js";
import type { CliContext } from "../context.js";
import { createAppContext, type CliAppFlags } from "../create-app-context.js";
import { addHubFlags } from "../hub-options.js";
import { parseVocabFlag } from "../parse-flags.js";
import { parseShardFlag, parseShardsFlag, shardStageOf } from "../parse-shard-flags.js";
import { describePublished } from "../describe-published.js";
import { runWithProgress } from "../run-with-progress.js";
import { printShard } from "./publish-vector.js";

interface MergeFlags extends CliAppFlags {
  to?: string;
  private?: boolean;
  dryRun?: boolean;
  force?: boolean;
  vocab?: VocabMode;
  shard?: { index: number; count: number };
  finalize?: boolean;
  shards?: number;
  createPr?: boolean;
}

/** `tvhub merge RECIPE`: runs a recipe and publishes the merged model (or writes it to a folder). */
export function merge(program: Command, context: CliContext): void {
  addHubFlags(
    program
      .command("merge")
      .description("Merge task vectors as a recipe says (task_arithmetic, magnitude_prune, ties, dare_linear, dare_ties) and publish the model with its card in one commit.")
      .argument("<recipe>", "a recipe YAML file (see recipes/README.md)")
      .option("--to <repo|dir>", "publish here instead of the recipe's output.to: a Hub repo org/name, or a folder (./out)")
      .option("--private", "create the repo private")
      .option("--create-pr", "publish as a new pull request on the Hub repo's main branch, for review, instead of committing to main")
      .option("--dry-run", "check and print the plan and the bytes a real run would download; write nothing")
      .option("--force", "proceed past lineage mismatches (never past shape mismatches)")
      .option("--vocab <mode>", "override the recipe's vocab: refuse, or extend (merge the shared rows, take added rows from the fine-tune)", parseVocabFlag)
      .option("--no-cache", "read byte ranges instead of keeping downloads in the Hub cache")
      .option("--shard <i/N>", "one job of a matrix run: compute and commit only this share of the files (tvhub plan RECIPE --shards N lists them)", parseShardFlag)
      .option("--finalize", "after every --shard job: check the shards on the Hub, then write the index, config, tokenizer, tvhub.json and the card")
      .option("--shards <n>", "with --finalize, how many jobs the matrix had (default: the shard records on the Hub say)", parseShardsFlag),
  ).action(async (path: string, flags: MergeFlags) => {
    const stage = shardStageOf(flags);
    const text = await readRecipe(path);
    const appContext = createAppContext(context, flags);
    const result = await runWithProgress(
      context,
      flags,
      runMerge({
        context: appContext,
        recipe: { text, source: path },
        ...(flags.to === undefined ? {} : { to: flags.to }),
        ...(flags.private === undefined ? {} : { private: flags.private }),
        ...(flags.dryRun === undefined ? {} : { dryRun: flags.dryRun }),
        ...(flags.force === undefined ? {} : { force: flags.force }),
        ...(flags.vocab === undefined ? {} : { vocab: flags.vocab }),
        ...(stage === undefined ? {} : { stage }),
        ...(flags.createPr === true && { createPr: true }),
      }),
    );
    if (result.shard) {
      printShard(context, flags, result.shard, appContext.hub.stats());
      return;
    }
    printMergeResult(context, flags, result, appContext.hub.stats());
  });
}

async function readRecipe(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT" ? `Recipe ${path} does not exist; give the path of a recipe YAML file (examples in recipes/).` : `Recipe ${path} cannot be read (${code ?? "error"}); check the path and its permissions.`,
      { code: "RECIPE_UNREADABLE", subject: path, cause: error },
    );
  }
}

/** The shared output of merge and apply: one JSON object with --json, else the plan or a two-line summary. */
export function printMergeResult(context: CliContext, flags: { json?: boolean }, result: MergeResult, stats: { bytesDownloaded: number; bytesUploaded: number }): void {
  const { published, plan } = result;
  if (flags.json) {
    context.stdout.write(
      `${JSON.stringify(
        {
          dryRun: result.dryRun,
          repo: published?.repo ?? null,
          dir: published?.dir ?? null,
          commit: published?.commit ?? null,
          url: published?.url ?? null,
          pullRequest: published?.pullRequest ?? null,
          files: published?.files ?? [],
          copied: result.copied,
          method: plan.method ?? result.recipe.method,
          parameters: plan.parameters ?? {},
          terms: plan.terms.map((term) => {
            const input = plan.inputs[term.input];
            return { kind: term.kind, ref: input?.ref ?? null, repo: input?.repo ?? null, revision: input?.revision ?? null, origin: term.origin, weight: term.weight, lambda: term.lambda };
          }),
          vocab: plan.vocab ?? null,
          warnings: plan.warnings,
          downloadBytes: plan.downloadBytes,
          bytesDownloaded: stats.bytesDownloaded,
          bytesUploaded: stats.bytesUploaded,
          report: result.report,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  if (result.dryRun || !published) {
    const copied = result.copied.length === 0 ? "" : `copied: ${result.copied.map((file) => `${file.path} (from ${file.from.repo})`).join(", ")}\n`;
    context.stdout.write(`${formatPlan({ plan })}${copied}`);
    return;
  }
  const where = describePublished(published);
  context.stdout.write(
    `Published the ${result.recipe.output.lora ? "merge as a LoRA adapter (merged − base)" : "merged model"} to ${where}\n${plan.terms.length} term${plan.terms.length === 1 ? "" : "s"} (${plan.method ?? result.recipe.method}), ${published.files.length} weight file(s) and ${result.copied.length} copied file(s); downloaded ${formatBytes(stats.bytesDownloaded)}, uploaded ${formatBytes(stats.bytesUploaded)}\n`,
  );
}
