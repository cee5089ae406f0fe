import type { Command } from "commander";
import { apply as runApply } from "../../app/apply.js";
import type { ComputableDtype } from "../../tensor/dtype.js";
import type { CliContext } from "../context.js";
import { addHubFlags } from "../hub-options.js";
import { parseDtypeFlag } from "../parse-flags.js";
import { addPublishFlags, addReadFlags, type PublishFlags, type ReadFlags } from "../publish-flags.js";
import { runUseCase } from "../run-with-progress.js";
import { printMergeResult } from "../print-results.js";
import { pickDefined } from "../../util/pick-defined.js";

interface ApplyFlags extends PublishFlags, ReadFlags {
  base: string;
  vector: string[];
  to: string;
  dtype?: ComputableDtype | "auto";
}

/** `tvhub apply`: θ = θ_base + Σ weight_i · τ_i, the short form of a task_arithmetic recipe. */
export function apply(program: Command, context: CliContext): void {
  addHubFlags(
    addReadFlags(
      addPublishFlags(
        program
          .command("apply")
          .description(
            "Add published task vectors to a base, θ = θ_base + Σ weight·τ (a negative weight negates), and publish " +
              "the model in one commit.",
          )
          .requiredOption("--base <ref>", "the base model: org/name, org/name@revision or a folder")
          .requiredOption(
            "--vector <ref[:weight]...>",
            "a published task vector and its weight (default 1.0; e.g. org/math-tv:0.5 or org/toxic-tv:-1); " +
              "repeatable, added in order",
            collect,
            [],
          )
          .requiredOption("--to <repo|dir>", "where to publish: a Hub repo org/name, or a folder (./out)")
          .option(
            "--dtype <dtype>",
            "dtype of the merged weights: auto (the base's), bf16, f16, f32 or f64",
            parseDtypeFlag,
          ),
        { maxShardSize: true },
      ),
      "refuse (default), or extend: accept a vector whose fine-tune grew the vocabulary",
    ),
  ).action(async (flags: ApplyFlags) => {
    const { result, stats } = await runUseCase(context, flags, (appContext) =>
      runApply({
        context: appContext,
        base: flags.base,
        vectors: flags.vector,
        to: flags.to,
        ...(flags.dtype === undefined || flags.dtype === "auto" ? {} : { dtype: flags.dtype }),
        ...pickDefined(flags, ["private", "maxShardSize", "dryRun", "force", "vocab"]),
        ...(flags.createPr === true && { createPr: true }),
      }),
    );
    printMergeResult(context, flags, result, stats);
  });
}

/** Repeated `--vector a --vector b` (a variadic option would swallow a following negative weight's dash). */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
