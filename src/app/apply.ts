import { UsageError } from "../errors.js";
import { parseRecipe } from "../plan/parse-recipe.js";
import type { RecipeInput, VocabMode } from "../plan/recipe.js";
import type { ComputableDtype } from "../tensor/dtype.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { merge, type MergeResult } from "./merge.js";
import { resolveRef } from "./resolve-ref.js";
import { pickDefined } from "../util/pick-defined.js";

export interface ApplyOptions {
  context: AppContext;
  base: string;
  /** Published task vectors as `REF` or `REF:WEIGHT` (weight 1.0 when absent; negative negates), in the order added. */
  vectors: string[];
  /** `org/name` or a folder. */
  to: string;
  /** Default: the base's dtype. */
  dtype?: ComputableDtype;
  private?: boolean;
  maxShardSize?: number;
  vocab?: VocabMode;
  dryRun?: boolean;
  force?: boolean;
  /**
   * Publish as a new Hub pull request on the default branch, for review; the card's command line leaves it out, so the
   * files match a direct publish.
   */
  createPr?: boolean;
}

/** A `--vector` value: the reference and its weight. */
export interface VectorArgument {
  ref: string;
  weight: number;
}

const numberPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * `REF[:WEIGHT]`. Repo ids and revisions contain no colons, so a colon always starts the weight; a folder whose
 * name has a colon is written with its weight (`./run:3:1`).
 */
export function parseVectorArgument(text: string, label = "--vector"): VectorArgument {
  const colon = text.lastIndexOf(":");
  if (colon === -1) return { ref: text, weight: 1 };
  const ref = text.slice(0, colon);
  const weightText = text.slice(colon + 1);
  const weight = Number(weightText);
  if (!numberPattern.test(weightText) || !Number.isFinite(weight)) {
    throw new UsageError(
      `${label} "${text}": the weight after the last colon must be a number such as 0.5, -1 or 1e-1, got ` +
        `"${weightText}".`,
      {
        code: "APPLY_BAD_WEIGHT",
        subject: label,
      },
    );
  }
  if (ref.length === 0)
    throw new UsageError(
      `${label} "${text}" names no task vector before the colon; write REF:WEIGHT, e.g. org/math-tv:0.5.`,
      { code: "APPLY_BAD_WEIGHT", subject: label },
    );
  return { ref, weight };
}

/**
 * `tvhub apply`: θ = θ_base + Σ weight_i · τ_i for published task vectors, the short form of a task_arithmetic
 * recipe. The card records the command line and the equivalent recipe, so `tvhub merge` can redo it.
 */
export async function* apply(options: ApplyOptions): AsyncGenerator<ProgressEvent, MergeResult> {
  if (options.vectors.length === 0)
    throw new UsageError("apply needs at least one --vector REF[:WEIGHT].", {
      code: "APPLY_NO_VECTOR",
      subject: "--vector",
    });
  const vectors = options.vectors.map((text, i) => ({ text, ...parseVectorArgument(text, `--vector ${i + 1}`) }));
  // The recipe names the commits, so the one the card quotes redoes exactly this merge whatever the repos do next.
  const { context } = options;
  const parsed = [
    { text: options.base, ref: resolveRef(context, options.base, "--base") },
    ...vectors.map((v, i) => ({ text: v.ref, ref: resolveRef(context, v.ref, `--vector ${i + 1}`) })),
  ];
  resolveRef(context, options.to, "--to", false);
  const [base, ...refs] = await Promise.all(
    parsed.map(async ({ text, ref }) => {
      if (ref.kind === "local") return text;
      const pinned = await context.hub.pin(
        ref.revision === undefined ? { repo: ref.repo } : { repo: ref.repo, revision: ref.revision },
      );
      return `${pinned.repo}@${pinned.sha}`;
    }),
  );
  const value: RecipeInput = {
    version: 1,
    base: base as string,
    output: {
      to: options.to,
      ...(options.private ? { private: true } : {}),
      ...(options.dtype === undefined ? {} : { dtype: options.dtype.toLowerCase() }),
      ...(options.maxShardSize === undefined ? {} : { max_shard_size: options.maxShardSize }),
    },
    method: "task_arithmetic",
    vectors: vectors.map((v, i) => ({ vector: refs[i] as string, weight: v.weight })),
    ...(options.vocab === undefined ? {} : { vocab: options.vocab }),
  };
  const source = "tvhub apply";
  const recipe = await parseRecipe({ value, source });
  const { stringify } = await import("yaml");
  const text =
    "# The recipe tvhub apply ran, every input pinned to the commit it read; tvhub merge runs it " +
    `again.\n${stringify(value, { lineWidth: 0 })}`;
  const command = [
    "tvhub apply",
    `--base ${quote(options.base)}`,
    ...vectors.map((v) => `--vector ${quote(v.text)}`),
    `--to ${quote(options.to)}`,
    ...(options.dtype === undefined ? [] : [`--dtype ${options.dtype.toLowerCase()}`]),
    ...(options.maxShardSize === undefined ? [] : [`--max-shard-size ${options.maxShardSize}`]),
    ...(options.vocab === undefined ? [] : [`--vocab ${options.vocab}`]),
    ...(options.private ? ["--private"] : []),
    ...(options.force ? ["--force"] : []),
  ].join(" ");
  return yield* merge({
    context: options.context,
    recipe: { recipe, text, source },
    command,
    ...pickDefined(options, ["dryRun", "force"]),
    ...(options.createPr === true && { createPr: true }),
  });
}

/** POSIX shell quoting, only where a reader would need it. */
function quote(text: string): string {
  return /^[\w@%+=:,./~-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
