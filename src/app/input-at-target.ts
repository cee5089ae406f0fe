import type { AppContext } from "./app-context.js";
import { resolveRef } from "./resolve-ref.js";

/**
 * The first input that is the Hub repo the run publishes to (repo ids compare case-insensitively): publishing over
 * an input would destroy what the record points at.
 */
export function inputAtTarget<Input extends { text: string; label: string }>(
  context: AppContext,
  targetRepo: string,
  inputs: readonly Input[],
): Input | undefined {
  return inputs.find((input) => {
    const ref = resolveRef(context, input.text, input.label);
    return ref.kind === "hub" && ref.repo.toLowerCase() === targetRepo.toLowerCase();
  });
}
