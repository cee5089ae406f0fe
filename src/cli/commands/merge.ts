import type { Command } from "commander";
import { merge as runMerge } from "../../app/merge.js";
import type { CliContext } from "../context.js";
import { addHubFlags } from "../hub-options.js";
import { addPublishFlags, addReadFlags, type PublishFlags, type ReadFlags } from "../publish-flags.js";
import { addPortionFlags, portionStageOf, type PortionStageFlags } from "../parse-portion-flags.js";
import { runUseCase } from "../run-with-progress.js";
import { printMergeResult, printOutputResult } from "../print-results.js";
import { readRecipe } from "../read-recipe.js";
import { pickDefined } from "../../util/pick-defined.js";

interface MergeFlags extends Omit<PublishFlags, "maxShardSize">, ReadFlags, PortionStageFlags {
  to?: string;
}

/** `tvhub merge RECIPE`: runs a recipe and publishes the merged model (or writes it to a folder). */
export function merge(program: Command, context: CliContext): void {
  addHubFlags(
    addPortionFlags(
      addReadFlags(
        addPublishFlags(
          program
            .command("merge")
            .description(
              "Merge task vectors as a recipe says (task_arithmetic, magnitude_prune, ties, dare_linear, dare_ties) " +
                "and publish the model with its card in one commit.",
            )
            .argument("<recipe>", "a recipe YAML file (see recipes/README.md)")
            .option(
              "--to <repo|dir>",
              "publish here instead of the recipe's output.to: a Hub repo org/name, or a folder (./out)",
            ),
          { maxShardSize: false },
        ),
        "override the recipe's vocab: refuse, or extend (merge the shared rows, take added rows from the fine-tune)",
      ),
      {
        plan: "tvhub plan RECIPE --portions N",
        finalizeWrites: "the index, config, tokenizer, tvhub.json and the card",
      },
    ),
  ).action(async (path: string, flags: MergeFlags) => {
    const stage = portionStageOf(flags);
    const text = await readRecipe(path);
    const { result, stats } = await runUseCase(context, flags, (appContext) =>
      runMerge({
        context: appContext,
        recipe: { text, source: path },
        ...pickDefined(flags, ["to", "private", "dryRun", "force", "vocab"]),
        ...(stage === undefined ? {} : { stage }),
        ...(flags.createPr === true && { createPr: true }),
      }),
    );
    printOutputResult(context, flags, { result, stats }, printMergeResult);
  });
}
