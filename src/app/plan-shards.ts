import { DataError } from "../errors.js";
import { assignShards, type ShardAssignment } from "../plan/assign-shards.js";
import { buildPlan } from "../plan/build-plan.js";
import type { CompatibilityReport } from "../plan/check-compatibility.js";
import type { VocabMode } from "../plan/recipe.js";
import type { Plan } from "../plan/types.js";
import type { ComputableDtype } from "../tensor/dtype.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { checkInputs } from "./check-inputs.js";
import { IncompatibleError } from "./incompatible-error.js";
import { merge, type CopiedFile } from "./merge.js";

export interface PlanShardsOptions {
  context: AppContext;
  /** A merge: the recipe's YAML as read and what messages call it (the path). */
  recipe?: { text: string; source: string };
  /** Or a task vector: the fine-tuned model (and its base, else the one its card declares). */
  finetuned?: string;
  base?: string;
  /** The publish target; the recipe's output.to when absent. Only reports name it: the plan does not depend on it. */
  to?: string;
  /** How many jobs the matrix has. */
  shards: number;
  /** How the error for a bad count names the option. @default "--shards" */
  shardsLabel?: string;
  /** Task vectors: the stored dtype. @default the fine-tuned model's */
  dtype?: ComputableDtype;
  /** Task vectors: the largest output file (a merge's recipe says). */
  maxShardSize?: number;
  vocab?: VocabMode;
  force?: boolean;
}

export interface PlanShardsResult {
  operation: "merge" | "publish-vector";
  report: CompatibilityReport;
  plan: Plan;
  /** Where the jobs publish, when known (`--to`, or the recipe's output.to). */
  target?: string;
  /** Merges: config and tokenizer files the finalize step copies. */
  copied: CopiedFile[];
  /** One entry per job, in order. */
  matrix: ShardAssignment[];
}

/** As publish-vector words them: what tvhub does anyway is a line for a person watching, not a warning. */
const benignFindings = new Set(["NON_FLOAT_COPIED", "DTYPE_DIFFERS"]);

/**
 * `tvhub plan --shards N`: the job matrix of a run too large for one machine. Checks and plans from headers only
 * (the same plan every job will make), then splits the output files over N jobs. Downloads no weights.
 */
export async function* planShards(options: PlanShardsOptions): AsyncGenerator<ProgressEvent, PlanShardsResult> {
  const { context } = options;
  const label = options.shardsLabel ?? "--shards";
  if (options.recipe !== undefined) {
    const result = yield* merge({
      context,
      recipe: options.recipe,
      dryRun: true,
      ...(options.to === undefined ? {} : { to: options.to }),
      ...(options.vocab === undefined ? {} : { vocab: options.vocab }),
      ...(options.force === undefined ? {} : { force: options.force }),
    });
    return {
      operation: "merge",
      report: result.report,
      plan: result.plan,
      target: result.recipe.output.to,
      copied: result.copied,
      matrix: assignShards({ layout: result.plan.layout, count: options.shards, label }),
    };
  }
  if (options.finetuned === undefined) {
    throw new DataError("Planning shards needs a recipe, or a fine-tuned model (and its base).", { code: "NO_INPUT" });
  }
  yield { type: "log", level: "info", message: `Checking ${options.finetuned} against ${options.base ?? "its declared base"} (headers only)…` };
  const checked = await checkInputs({
    context,
    ...(options.base === undefined ? {} : { base: options.base }),
    inputs: [{ text: options.finetuned, kind: "finetuned", label: "--finetuned" }],
    ...(options.vocab === undefined ? {} : { vocab: options.vocab }),
    ...(options.force === undefined ? {} : { force: options.force }),
  });
  try {
    const { report } = checked;
    for (const finding of report.findings) {
      if (finding.severity === "warning") yield { type: "log", level: benignFindings.has(finding.code) ? "info" : "warn", message: finding.message };
    }
    if (!report.ok) throw new IncompatibleError(report);
    const finetuned = checked.inputs[0];
    if (!finetuned) throw new DataError("No fine-tuned model was given.", { code: "NO_INPUT" });
    // The same options publish-vector plans with, so every job of the matrix makes this plan.
    const plan = buildPlan({
      operation: "publish-vector",
      base: checked.base.resolved,
      finetuned: finetuned.resolved,
      ...(options.dtype === undefined ? {} : { dtype: options.dtype }),
      ...(options.vocab === undefined ? {} : { vocab: options.vocab }),
      ...(options.maxShardSize === undefined ? {} : { maxShardSize: options.maxShardSize }),
    });
    return {
      operation: "publish-vector",
      report,
      plan,
      ...(options.to === undefined ? {} : { target: options.to }),
      copied: [],
      matrix: assignShards({ layout: plan.layout, count: options.shards, label }),
    };
  } finally {
    await checked.close();
  }
}
