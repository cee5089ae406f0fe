import type { InputKind } from "./types.js";
import type { Recipe, RecipeTermRef } from "./recipe.js";

/** One weighted task vector of a recipe after analogy expansion. */
export interface ExpandedTerm {
  kind: InputKind;
  /** The model reference as the recipe writes it. */
  ref: string;
  /** The recipe's weight with the analogy sign applied; the global scale is not applied yet. */
  weight: number;
  /** Where it comes from, e.g. `vectors[1]` or `vectors[2].analogy.a`. */
  origin: string;
}

export interface ExpandTermsOptions {
  recipe: Pick<Recipe, "vectors">;
}

/**
 * Flattens `vectors` into weighted terms in recipe order. An analogy "a is to b as c is to d" becomes
 * +w·τ_c, +w·τ_b, −w·τ_a in that order (τ_D = τ_C + (τ_B − τ_A)); the order is part of the float32 contract.
 */
export function expandTerms(options: ExpandTermsOptions): ExpandedTerm[] {
  const terms: ExpandedTerm[] = [];
  options.recipe.vectors.forEach((entry, i) => {
    const origin = `vectors[${i}]`;
    if ("analogy" in entry) {
      const { a, b, c } = entry.analogy;
      terms.push(
        { ...refOf(c), weight: entry.weight, origin: `${origin}.analogy.c` },
        { ...refOf(b), weight: entry.weight, origin: `${origin}.analogy.b` },
        // 0 − w, not −w: a zero weight must not become −0, which would print as "−0" in cards.
        { ...refOf(a), weight: 0 - entry.weight, origin: `${origin}.analogy.a` },
      );
    } else if ("vector" in entry) {
      terms.push({ kind: "vector", ref: entry.vector, weight: entry.weight, origin });
    } else {
      terms.push({ kind: "finetuned", ref: entry.finetuned, weight: entry.weight, origin });
    }
  });
  return terms;
}

function refOf(ref: RecipeTermRef): { kind: InputKind; ref: string } {
  return "vector" in ref ? { kind: "vector", ref: ref.vector } : { kind: "finetuned", ref: ref.finetuned };
}
