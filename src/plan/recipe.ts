import type { input, output } from "zod";
import {
  mergeMethods as arithmeticMethods,
  recipeParametersOf,
  type MergeMethodName,
  type ParameterValue,
} from "../arithmetic/merge-methods.js";
import type { RecipeSchema, vocabModes } from "./recipe-schema.js";

export type MergeMethod = MergeMethodName;
/** What a recipe does with vocabulary rows a fine-tune added (the schema's `vocab`). */
export type VocabMode = (typeof vocabModes)[number];

/**
 * Method parameters after defaults: every key the method reads (and `seed` for a random method), from the registry,
 * except a factor left at its default that the registry omits (`lambda` = 1).
 */
export type MergeParameters = Record<string, ParameterValue>;

/** Each method's parameters with their defaults, as a recipe's are resolved against (the registry's, not a copy). */
export const methodParameters: Record<MergeMethod, MergeParameters> = Object.fromEntries(
  arithmeticMethods.map((method) => [
    method.name,
    Object.fromEntries(
      recipeParametersOf(method)
        .filter((parameter) => !parameter.omitWhenDefault)
        .map((parameter) => [parameter.name, parameter.default]),
    ),
  ]),
) as Record<MergeMethod, MergeParameters>;

/** A validated recipe, defaults applied. */
export type Recipe = output<RecipeSchema>;
/** A recipe as written, before defaults. */
export type RecipeInput = input<RecipeSchema>;
export type RecipeTerm = Recipe["vectors"][number];
/** A term of an analogy or a greedy candidate: a published task vector or a fine-tuned model, without a weight. */
export type RecipeTermRef = Extract<RecipeTerm, { analogy: unknown }>["analogy"]["a"];
export type RecipeOverride = Recipe["overrides"][number];
export type GreedySpec = NonNullable<Recipe["greedy"]>;
export type EvaluatorSpec = GreedySpec["evaluator"];
