import type { Recipe } from "../plan/recipe.js";

/** The recipe as the run publishes it: the command's `--to` and `--private` over the recipe's output section. */
export function overrideOutput(recipe: Recipe, overrides: { to?: string; private?: boolean }): Recipe {
  return {
    ...recipe,
    output: {
      ...recipe.output,
      to: overrides.to ?? recipe.output.to,
      private: overrides.private ?? recipe.output.private,
    },
  };
}
