import type { RecipeInput } from "../../plan/recipe.js";

/**
 * A term of a demo merge: a published task vector, a fine-tune (a LoRA adapter is one: τ is its update), or an
 * analogy over three vectors (A, B, C: vector repos).
 */
export type DemoRecipeTerm =
  | { vector: string; weight: number }
  | { finetuned: string; weight: number }
  | { analogy: { a: string; b: string; c: string }; weight: number };

export interface BuildDemoRecipeOptions {
  /** What the merge is and how its λ was chosen; becomes the recipe's opening comment. */
  comment: readonly string[];
  base: string;
  /** The repo the merge is published to. */
  to: string;
  /** The recipe's global λ. @default 1 */
  scale?: number;
  terms: readonly DemoRecipeTerm[];
}

/**
 * The YAML of a task_arithmetic recipe that `tvhub merge` runs, and that the demo saves next to its results so
 * anyone can run the same merge again. Its text is what the merged model's card quotes.
 */
export async function buildDemoRecipe(options: BuildDemoRecipeOptions): Promise<string> {
  const value: RecipeInput = {
    version: 1,
    base: options.base,
    output: { to: options.to },
    method: "task_arithmetic",
    ...(options.scale === undefined || options.scale === 1 ? {} : { scale: options.scale }),
    vectors: options.terms.map((term) =>
      "vector" in term
        ? { vector: term.vector, weight: term.weight }
        : "finetuned" in term
          ? { finetuned: term.finetuned, weight: term.weight }
          : {
              analogy: { a: { vector: term.analogy.a }, b: { vector: term.analogy.b }, c: { vector: term.analogy.c } },
              weight: term.weight,
            },
    ),
  };
  const comment = options.comment.map((line) => (line === "" ? "#" : `# ${line}`)).join("\n");
  // Imported here, not statically: a static import would load yaml at the start of every CLI command.
  const { stringify } = await import("yaml");
  return `${comment}\n${stringify(value, { lineWidth: 0 })}`;
}
