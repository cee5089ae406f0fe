import { DataError } from "../errors.js";
import { assignPortions, type PortionAssignment } from "../plan/assign-portions.js";
import type { CompatibilityReport } from "../plan/check-compatibility.js";
import type { VocabMode } from "../plan/recipe.js";
import type { Plan } from "../plan/types.js";
import type { ComputableDtype } from "../tensor/dtype.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { planTaskVector } from "./plan-task-vector.js";
import { merge, type CopiedFile } from "./merge.js";
import { pickDefined } from "../util/pick-defined.js";

export interface PlanPortionsOptions {
  context: AppContext;
  /** A merge: the recipe's YAML as read and what messages call it (the path). */
  recipe?: { text: string; source: string };
  /** Or a task vector: the fine-tuned model (and its base, else the one its card declares). */
  finetuned?: string;
  base?: string;
  /** The publish target; the recipe's output.to when absent. Only reports name it: the plan does not depend on it. */
  to?: string;
  /** How many jobs the matrix has. */
  portions: number;
  /** How the error for a bad count names the option. @default "--portions" */
  portionsLabel?: string;
  /** Task vectors: the stored dtype. @default the fine-tuned model's */
  dtype?: ComputableDtype;
  /** Task vectors: the largest output file (a merge's recipe says). */
  maxShardSize?: number;
  vocab?: VocabMode;
  force?: boolean;
}

export interface PlanPortionsResult {
  operation: "merge" | "publish-vector";
  report: CompatibilityReport;
  plan: Plan;
  /** Where the jobs publish, when known (`--to`, or the recipe's output.to). */
  target?: string;
  /** Merges: config and tokenizer files the finalize step copies. */
  copied: CopiedFile[];
  /** One entry per job, in order. */
  matrix: PortionAssignment[];
}

/**
 * `tvhub plan --portions N`: the job matrix of a run too large for one machine. Checks and plans from headers only
 * (the same plan every job will make), then splits the output files over N jobs. Downloads no weights.
 */
export async function* planPortions(options: PlanPortionsOptions): AsyncGenerator<ProgressEvent, PlanPortionsResult> {
  const { context } = options;
  const label = options.portionsLabel ?? "--portions";
  if (options.recipe !== undefined) {
    const result = yield* merge({
      context,
      recipe: options.recipe,
      dryRun: true,
      ...pickDefined(options, ["to", "vocab", "force"]),
    });
    return {
      operation: "merge",
      report: result.report,
      plan: result.plan,
      target: result.recipe.output.to,
      copied: result.copied,
      matrix: assignPortions({ layout: result.plan.layout, count: options.portions, label }),
    };
  }
  if (options.finetuned === undefined) {
    throw new DataError("Planning portions needs a recipe, or a fine-tuned model (and its base).", {
      code: "NO_INPUT",
    });
  }
  // The same planning publish-vector does, so every job of the matrix makes this plan.
  const { checked, report, plan } = yield* planTaskVector({
    context,
    ...(options.base === undefined ? {} : { base: options.base }),
    finetuned: options.finetuned,
    ...pickDefined(options, ["dtype", "vocab", "force", "maxShardSize"]),
  });
  try {
    return {
      operation: "publish-vector",
      report,
      plan,
      ...(options.to === undefined ? {} : { target: options.to }),
      copied: [],
      matrix: assignPortions({ layout: plan.layout, count: options.portions, label }),
    };
  } finally {
    await checked.close();
  }
}
