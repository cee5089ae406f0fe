import type { Command } from "commander";
import { merge as runMerge } from "../../app/merge.js";
import type { VocabMode } from "../../plan/recipe.js";
import type { CliContext } from "../context.js";
import { createAppContext, type CliAppFlags } from "../create-app-context.js";
import { addHubFlags } from "../hub-options.js";
import { addPublishFlags, addReadFlags } from "../publish-flags.js";
import { addPortionFlags, portionStageOf, type PortionStageFlags } from "../parse-portion-flags.js";
import { runWithProgress } from "../run-with-progress.js";
import { printMergeResult, printPortion } from "../print-results.js";
import { readRecipe } from "../read-recipe.js";
import { pickDefined } from "../../util/pick-defined.js";

interface MergeFlags extends CliAppFlags, PortionStageFlags {
  to?: string;
  private?: boolean;
  dryRun?: boolean;
  force?: boolean;
  vocab?: VocabMode;
  createPr?: boolean;
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
    const appContext = createAppContext(context, flags);
    const result = await runWithProgress(
      context,
      flags,
      runMerge({
        context: appContext,
        recipe: { text, source: path },
        ...pickDefined(flags, ["to", "private", "dryRun", "force", "vocab"]),
        ...(stage === undefined ? {} : { stage }),
        ...(flags.createPr === true && { createPr: true }),
      }),
    );
    if (result.portion) {
      printPortion(context, flags, result.portion, appContext.hub.stats());
      return;
    }
    printMergeResult(context, flags, result, appContext.hub.stats());
  });
}
