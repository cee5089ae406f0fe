import { DataError } from "../errors.js";
import { buildPlan } from "../plan/build-plan.js";
import type { CompatibilityReport } from "../plan/check-compatibility.js";
import type { VocabMode } from "../plan/recipe.js";
import type { Plan } from "../plan/types.js";
import type { ComputableDtype } from "../tensor/dtype.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { checkInputs, type CheckedInputs } from "./check-inputs.js";
import { IncompatibleError } from "./incompatible-error.js";
import type { OpenedInput } from "./open-input.js";
import { findingLogs } from "./finding-logs.js";
import { pickDefined } from "../util/pick-defined.js";

export interface PlanTaskVectorOptions {
  context: AppContext;
  base?: string;
  finetuned: string;
  dtype?: ComputableDtype;
  vocab?: VocabMode;
  force?: boolean;
  maxShardSize?: number;
}

export interface PlannedTaskVector {
  /** The opened inputs; the caller closes them. */
  checked: CheckedInputs;
  finetuned: OpenedInput;
  report: CompatibilityReport;
  plan: Plan;
}

/** Findings that describe what tvhub does anyway; worth a line for a person watching, not a warning. */
const benignFindings = new Set(["NON_FLOAT_COPIED", "DTYPE_DIFFERS"]);

/**
 * Resolve, check from headers and plan τ = θ_ft − θ_base: the part publish-vector and every job of its matrix share,
 * so they all make the same plan. Refuses (IncompatibleError) on a blocking mismatch.
 */
export async function* planTaskVector(
  options: PlanTaskVectorOptions,
): AsyncGenerator<ProgressEvent, PlannedTaskVector> {
  yield {
    type: "log",
    level: "info",
    message: `Checking ${options.finetuned} against ${options.base ?? "its declared base"} (headers only)…`,
  };
  const checked = await checkInputs({
    context: options.context,
    ...(options.base === undefined ? {} : { base: options.base }),
    inputs: [{ text: options.finetuned, kind: "finetuned", label: "--finetuned" }],
    ...pickDefined(options, ["vocab", "force"]),
  });
  try {
    const { report } = checked;
    yield* findingLogs(report, benignFindings);
    if (!report.ok) throw new IncompatibleError(report);
    const finetuned = checked.inputs[0];
    if (!finetuned) throw new DataError("No fine-tuned model was given.", { code: "NO_INPUT" });
    const plan = buildPlan({
      operation: "publish-vector",
      base: checked.base.resolved,
      finetuned: finetuned.resolved,
      ...pickDefined(options, ["dtype", "vocab", "maxShardSize"]),
    });
    return { checked, finetuned, report, plan };
  } catch (error) {
    await checked.close();
    throw error;
  }
}
