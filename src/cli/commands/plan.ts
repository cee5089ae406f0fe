import { Option, type Command } from "commander";
import { planPortions } from "../../app/plan-portions.js";
import { UsageError } from "../../errors.js";
import { formatMatrix } from "../../plan/format-matrix.js";
import { formatPlan } from "../../plan/format-plan.js";
import type { VocabMode } from "../../plan/recipe.js";
import type { ComputableDtype } from "../../tensor/dtype.js";
import type { CliContext } from "../context.js";
import { createAppContext, type CliAppFlags } from "../create-app-context.js";
import { addHubFlags } from "../hub-options.js";
import { parseDtypeFlag, parseSizeFlag, parseVocabFlag } from "../parse-flags.js";
import { parsePortionsFlag } from "../parse-portion-flags.js";
import { runWithProgress } from "../run-with-progress.js";
import { printJson } from "../print-results.js";
import { readRecipe } from "../read-recipe.js";
import { pickDefined } from "../../util/pick-defined.js";

interface PlanFlags extends CliAppFlags {
  base?: string;
  finetuned?: string;
  to?: string;
  portions: number;
  /** The name of `--portions` before 0.2, a hidden alias. */
  shards?: number;
  dtype?: ComputableDtype | "auto";
  maxShardSize?: number;
  vocab?: VocabMode;
  force?: boolean;
}

/** `tvhub plan`: the plan of a merge or a task vector, split over a job matrix, from headers only. */
export function plan(program: Command, context: CliContext): void {
  addHubFlags(
    program
      .command("plan")
      .description(
        "Plan a merge (RECIPE) or a task vector (--base, --finetuned) from headers only, and split its output files " +
          "over --portions jobs that each compute and commit their share.",
      )
      .argument("[recipe]", "a recipe YAML file; or give --finetuned (and --base) for a task vector")
      .option("--base <ref>", "task vector: the base model (default: the base_model the fine-tune's card declares)")
      .option("--finetuned <ref>", "task vector: the fine-tuned model")
      .option("--to <repo>", "where the jobs publish (default: the recipe's output.to)")
      .option("--portions <n>", "how many jobs share the output files (1 to the number of files)", parsePortionsFlag, 1)
      .addOption(new Option("--shards <n>").argParser(parsePortionsFlag).hideHelp())
      .option("--dtype <dtype>", "task vector: dtype of τ, as publish-vector takes it", parseDtypeFlag)
      .option("--max-shard-size <size>", "task vector: largest output file, as publish-vector takes it", parseSizeFlag)
      .option("--vocab <mode>", "refuse, or extend (as merge and publish-vector take it)", parseVocabFlag)
      .option("--force", "proceed past lineage mismatches (never past shape mismatches)"),
  ).action(async (recipePath: string | undefined, flags: PlanFlags) => {
    if (recipePath !== undefined && (flags.base !== undefined || flags.finetuned !== undefined)) {
      throw new UsageError("A recipe and --base/--finetuned are two ways to name the models; give one of them.", {
        code: "CLI_BAD_FLAGS",
        subject: "--finetuned",
      });
    }
    if (recipePath === undefined && flags.finetuned === undefined) {
      throw new UsageError("tvhub plan needs a recipe file, or --finetuned (and --base) for a task vector.", {
        code: "CLI_BAD_FLAGS",
        subject: "recipe",
      });
    }
    if (recipePath !== undefined && (flags.dtype !== undefined || flags.maxShardSize !== undefined)) {
      throw new UsageError(
        "--dtype and --max-shard-size plan a task vector; a recipe sets output.dtype and output.max_shard_size itself.",
        {
          code: "CLI_BAD_FLAGS",
          subject: flags.dtype !== undefined ? "--dtype" : "--max-shard-size",
        },
      );
    }
    const recipe = recipePath === undefined ? undefined : { text: await readRecipe(recipePath), source: recipePath };
    const result = await runWithProgress(
      context,
      flags,
      planPortions({
        context: createAppContext(context, flags),
        ...(recipe === undefined ? {} : { recipe }),
        ...pickDefined(flags, ["base", "finetuned", "to"]),
        portions: flags.shards ?? flags.portions,
        ...(flags.dtype === undefined || flags.dtype === "auto" ? {} : { dtype: flags.dtype }),
        ...pickDefined(flags, ["maxShardSize", "vocab", "force"]),
      }),
    );
    const { plan: planned, matrix } = result;
    if (flags.json) {
      printJson(context, {
        operation: result.operation,
        target: result.target ?? null,
        portions: matrix.length,
        matrix,
        files: planned.layout.files.map((file) => ({
          path: file.name,
          size: file.fileSize,
          tensors: file.tensors.length,
        })),
        index: planned.layout.index ?? null,
        downloadBytes: planned.downloadBytes,
        writeBytes: planned.layout.writeBytes,
        report: result.report,
      });
      return;
    }
    // Every job must make this plan, so the commands repeat every option that shapes it.
    const shared = `${flags.vocab === undefined ? "" : " --vocab " + `${flags.vocab}`}${
      flags.force === true ? " " + "--force" : ""
    }`;
    const run =
      recipePath !== undefined
        ? `tvhub merge ${recipePath}${flags.to === undefined ? "" : ` --to ${flags.to}`}${shared}`
        : `tvhub publish-vector${flags.base === undefined ? "" : ` --base ${flags.base}`} --finetuned ` +
          `${flags.finetuned ?? ""} --to ` +
          `${flags.to ?? "ORG/NAME"}${flags.dtype === undefined ? "" : " --dtype " + `${flags.dtype.toLowerCase()}`}${
            flags.maxShardSize === undefined ? "" : " " + `--max-shard-size ${flags.maxShardSize}`
          }${shared}`;
    const next =
      matrix.length === 1
        ? `Run it in one job: ${run}\n`
        : `Run the jobs side by side: ${run} --portion 1/${matrix.length}, … --portion ` +
          `${matrix.length}/${matrix.length}\nThen, once all are done: ${run} --finalize --portions ` +
          `${matrix.length}\n`;
    context.stdout.write(`${formatPlan({ plan: planned })}\n${formatMatrix({ matrix })}${next}`);
  });
}
