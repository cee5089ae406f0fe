import { mergeMethods, recipeParametersOf } from "../arithmetic/merge-methods.js";
import { UsageError } from "../errors.js";
import { buildRecipeJsonSchema } from "./build-recipe-json-schema.js";
import { describeIssues } from "./describe-issues.js";
import type { Recipe } from "./recipe.js";
import { loadRecipeSchema } from "./recipe-schema.js";

export interface ParseRecipeOptions {
  /** The recipe as parsed YAML or JSON (or built in code, e.g. by `tvhub apply` from its flags). */
  value: unknown;
  /** What messages call it: the file path, or a flag name. */
  source: string;
}

/** How many problems one error message lists; the rest are counted. */
const maxListed = 5;

/**
 * Validates a recipe against the schema and applies defaults. Unknown keys are errors, so a typo never becomes a
 * silently ignored setting; every problem names its field path (`vectors[2].weight: expected a number, got "high"`).
 */
export async function parseRecipe(options: ParseRecipeOptions): Promise<Recipe> {
  const { value, source } = options;
  if (value === null || value === undefined) {
    throw new UsageError(
      `${source} is empty; a recipe needs at least version: 1, base, output and vectors (see recipes/README.md).`,
      {
        code: "RECIPE_INVALID",
        subject: source,
      },
    );
  }
  const recipeSchema = await loadRecipeSchema();
  const result = recipeSchema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  knownKeys ??= await buildRecipeJsonSchema();
  const schema = knownKeys;
  const lines = describeIssues({
    issues: result.error.issues,
    hintForKey: (path, key) => hintForKey(schema, path, key),
  });
  const listed = lines.slice(0, maxListed).join("; ");
  const more = lines.length > maxListed ? `; and ${lines.length - maxListed} more` : "";
  throw new UsageError(`${source} is not a valid recipe: ${listed}${more}.`, {
    code: "RECIPE_INVALID",
    subject: source,
  });
}

/** Names from mergekit configs and from other parts of a recipe, mapped to where they belong in a tvhub recipe. */
const synonyms: Record<string, string> = {
  merge_method: "method",
  models: "vectors",
  base_model: "base",
  lambda: "scale",
  p: "drop_rate",
  model: "finetuned or vector",
  out_dtype: "output.dtype",
  tokenizer_source: "vocab",
  tokenizer: "vocab",
  filter: "glob or regex",
  weights: "weight",
};

/** Keys that belong one level down: `dtype` at the top level means `output.dtype`, `density` `parameters.density`. */
const misplaced: Record<string, string> = {
  dtype: "output.dtype",
  to: "output.to",
  private: "output.private",
  max_shard_size: "output.max_shard_size",
  ...Object.fromEntries(
    mergeMethods
      .flatMap((method) => recipeParametersOf(method).map((p) => p.name))
      .filter((name) => !(name in synonyms))
      .map((name) => [name, `parameters.${name}`]),
  ),
  candidates: "greedy.candidates",
  evaluator: "greedy.evaluator",
  grid: "greedy.grid",
};

/** The recipe's JSON Schema, built for the first invalid recipe: the keys it allows are what a typo is compared to. */
let knownKeys: Record<string, unknown> | undefined;

function hintForKey(schema: Record<string, unknown>, path: readonly PropertyKey[], key: string): string | undefined {
  if (key === "normalize") return "remove it: tvhub never normalizes weights, so a negative weight always negates";
  const moved = path.length === 0 ? misplaced[key] : undefined;
  if (moved !== undefined) return `did you mean ${moved}?`;
  if (synonyms[key] !== undefined) return `did you mean ${synonyms[key]}?`;
  const known = keysAt(schema, path);
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= Math.max(1, Math.floor(candidate.length / 3)) && (best === undefined || distance < best.distance)) {
      best = { key: candidate, distance };
    }
  }
  return best === undefined ? undefined : `did you mean ${best.key}?`;
}

/** The property names the JSON Schema allows at a path (every union branch's). */
function keysAt(schema: Record<string, unknown>, path: readonly PropertyKey[]): string[] {
  let nodes = expand([schema]);
  for (const part of path) {
    const next: Array<Record<string, unknown>> = [];
    for (const node of nodes) {
      if (typeof part === "number") {
        if (isRecord(node.items)) next.push(node.items);
      } else {
        const properties = node.properties;
        if (isRecord(properties) && isRecord(properties[String(part)]))
          next.push(properties[String(part)] as Record<string, unknown>);
      }
    }
    nodes = expand(next);
  }
  return [...new Set(nodes.flatMap((node) => (isRecord(node.properties) ? Object.keys(node.properties) : [])))];
}

function expand(nodes: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const visit = (node: Record<string, unknown>): void => {
    out.push(node);
    for (const key of ["anyOf", "oneOf", "allOf"]) {
      const branches = node[key];
      if (Array.isArray(branches)) for (const branch of branches) if (isRecord(branch)) visit(branch);
    }
  };
  nodes.forEach(visit);
  return out;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
