import type { CompatibilityReport } from "../plan/check-compatibility.js";
import type { VocabMode } from "../plan/recipe.js";
import type { InputKind } from "../plan/types.js";
import type { AppContext } from "./app-context.js";
import { checkInputs } from "./check-inputs.js";
import { pickDefined } from "../util/pick-defined.js";

export interface CheckOptions {
  context: AppContext;
  base?: string;
  inputs: Array<{ text: string; kind: InputKind }>;
  vocab?: VocabMode;
  force?: boolean;
}

export interface CheckResult {
  report: CompatibilityReport;
  /** Every input with the commit the run pinned (Hub inputs), base first. */
  inputs: Array<{ role: "base" | InputKind; ref: string; repo?: string; revision?: string }>;
  /** Bytes of weights a publish-vector or merge of these inputs would read (each input's tensor data once). */
  weightBytes: number;
}

/** `tvhub check`: configs, cards and safetensors headers only; never a weight byte. */
export async function check(options: CheckOptions): Promise<CheckResult> {
  const checked = await checkInputs({
    context: options.context,
    ...(options.base === undefined ? {} : { base: options.base }),
    inputs: options.inputs.map((input, i) => ({
      ...input,
      label: input.kind === "vector" ? `--vector ${i + 1}` : "--finetuned",
    })),
    ...pickDefined(options, ["vocab", "force"]),
  });
  try {
    const all = [checked.base, ...checked.inputs];
    const inputs = all.map((input, i) => ({
      role: i === 0 ? ("base" as const) : (options.inputs[i - 1]?.kind ?? "finetuned"),
      ref: input.resolved.ref,
      ...(input.resolved.repo === undefined ? {} : { repo: input.resolved.repo }),
      ...(input.resolved.revision === undefined ? {} : { revision: input.resolved.revision }),
    }));
    const weightBytes = all.reduce(
      (sum, input) => sum + input.resolved.tensors.reduce((s, t) => s + (t.end - t.begin), 0),
      0,
    );
    return { report: checked.report, inputs, weightBytes };
  } finally {
    await checked.close();
  }
}
