import { checkCompatibility, type CompatibilityReport } from "../plan/check-compatibility.js";
import type { VocabMode } from "../plan/recipe.js";
import type { InputKind } from "../plan/types.js";
import type { AppContext } from "./app-context.js";
import { declaredBase } from "./declared-base.js";
import { findSameWeightRevisions } from "./find-same-weight-revisions.js";
import { openInput, type OpenedInput } from "./open-input.js";
import { resolveRef } from "./resolve-ref.js";
import { pickDefined } from "../util/pick-defined.js";

export interface CheckInputsOptions {
  context: AppContext;
  /** The base as the user gave it; absent: the first input's card decides. */
  base?: string;
  /** Fine-tuned models or published task vectors, in order. */
  inputs: Array<{ text: string; kind: InputKind; label: string }>;
  vocab?: VocabMode;
  force?: boolean;
  /** How messages name the base reference (`recipes/x.yml: base`). @default "--base" */
  baseLabel?: string;
}

export interface CheckedInputs {
  base: OpenedInput;
  inputs: OpenedInput[];
  report: CompatibilityReport;
  close(): Promise<void>;
}

/** Resolve and check: pins every Hub input, reads configs, cards and headers (no weight bytes), compares them. */
export async function checkInputs(options: CheckInputsOptions): Promise<CheckedInputs> {
  const { context } = options;
  const opened: OpenedInput[] = [];
  const open = async (text: string, label: string) => {
    const input = await openInput({ ref: resolveRef(context, text, label), text, hub: context.hub });
    opened.push(input);
    return input;
  };
  try {
    // Every reference is parsed before anything is fetched, so a typo fails at once, naming its field.
    for (const input of options.inputs) resolveRef(context, input.text, input.label);
    if (options.base !== undefined) resolveRef(context, options.base, options.baseLabel ?? "--base");
    // Opened side by side (each is a few small requests); every one that opened is closed if another fails.
    const givenBase = options.base === undefined ? undefined : open(options.base, options.baseLabel ?? "--base");
    const settled = await Promise.allSettled([
      ...options.inputs.map((input) => open(input.text, input.label)),
      ...(givenBase ? [givenBase] : []),
    ]);
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed) throw failed.reason;
    const inputs = options.inputs.map((_, i) => (settled[i] as PromiseFulfilledResult<OpenedInput>).value);
    const first = inputs[0];
    const base = givenBase
      ? await givenBase
      : await open(first ? declaredBase(first.resolved) : "", options.baseLabel ?? "--base");
    const sameWeightRevisions = await findSameWeightRevisions({
      hub: context.hub,
      base: base.resolved,
      inputs: inputs.map((input) => input.resolved),
    });
    const report = checkCompatibility({
      sameWeightRevisions,
      base: base.resolved,
      inputs: inputs.map((input, i) => ({ ...input.resolved, kind: options.inputs[i]?.kind ?? "finetuned" })),
      ...pickDefined(options, ["vocab", "force"]),
    });
    return { base, inputs, report, close: () => closeAll(opened) };
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

async function closeAll(inputs: OpenedInput[]): Promise<void> {
  await Promise.allSettled(inputs.map((input) => input.close()));
}
