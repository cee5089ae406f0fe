import { checkCompatibility, type CompatibilityReport } from "../plan/check-compatibility.js";
import type { VocabMode } from "../plan/recipe.js";
import type { InputKind } from "../plan/types.js";
import type { AppContext } from "./app-context.js";
import { declaredBase } from "./declared-base.js";
import { openInput, type OpenedInput } from "./open-input.js";
import { resolveRef } from "./resolve-ref.js";

export interface CheckInputsOptions {
  context: AppContext;
  /** The base as the user gave it; absent: the first input's card decides. */
  base?: string;
  /** Fine-tuned models or published task vectors, in order. */
  inputs: Array<{ text: string; kind: InputKind; label: string }>;
  vocab?: VocabMode;
  force?: boolean;
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
    const inputs: OpenedInput[] = [];
    for (const input of options.inputs) inputs.push(await open(input.text, input.label));
    const first = inputs[0];
    const baseText = options.base ?? (first ? declaredBase(first.resolved) : "");
    const base = await open(baseText, "--base");
    const report = checkCompatibility({
      base: base.resolved,
      inputs: inputs.map((input, i) => ({ ...input.resolved, kind: options.inputs[i]?.kind ?? "finetuned" })),
      ...(options.vocab === undefined ? {} : { vocab: options.vocab }),
      ...(options.force === undefined ? {} : { force: options.force }),
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
