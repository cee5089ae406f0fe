import type { input, output } from "zod";
import { mergeMethods as arithmeticMethods, type MergeMethodName } from "../arithmetic/merge-methods.js";
import type { RecipeSchema } from "./recipe-schema.js";

/**
 * The merge methods a recipe may name: exactly the arithmetic registry's, in its order, so that a method exists in
 * recipes when (and only when) a kernel exists for it. The names are PEFT's (`magnitude_prune`, `dare_linear`, ...).
 */
export const mergeMethods = arithmeticMethods.map((method) => method.name) as [MergeMethodName, ...MergeMethodName[]];
export type MergeMethod = MergeMethodName;

export const vocabModes = ["refuse", "extend"] as const;
export type VocabMode = (typeof vocabModes)[number];

/** Method parameters after defaults: every key a method reads is present. */
export interface MergeParameters {
  /** ties, magnitude_prune: the fraction of each τ's entries kept, by magnitude. */
  density?: number;
  /** dare_linear, dare_ties: the probability of dropping each entry of τ. */
  drop_rate?: number;
  /** dare_linear, dare_ties: the RNG seed, recorded in the card. */
  seed?: number;
}

/**
 * Which parameters each method reads in a recipe, and their defaults, from the registry (TIES paper: top 20%; DARE
 * paper: p = 0.9). The registry's `lambda` (the scale of the merged vector) is not a recipe parameter: a recipe's
 * `scale` multiplies every weight, which is that λ; a method that draws random numbers takes a `seed` (default 0).
 */
export const methodParameters: Record<MergeMethod, MergeParameters> = Object.fromEntries(
  arithmeticMethods.map((method) => {
    const parameters: MergeParameters = {};
    for (const parameter of method.parameters) {
      if (parameter.name === "density" || parameter.name === "drop_rate") parameters[parameter.name] = parameter.default;
    }
    if (method.random) parameters.seed = 0;
    return [method.name, parameters];
  }),
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
