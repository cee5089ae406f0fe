import type { ProgressSink } from "../util/progress.js";
import type { ActionInputs } from "./inputs.js";
import type { ActionUseCases, HubAccess, PlanOutcome, UseCaseOutcome } from "./use-cases.js";

export interface RunUseCaseOptions {
  inputs: ActionInputs;
  useCases: ActionUseCases;
  onProgress: ProgressSink;
  signal?: AbortSignal;
}

/** Calls the one use case the `command` input names, with the options parseInputs already checked. */
export async function runUseCase(
  options: RunUseCaseOptions,
): Promise<UseCaseOutcome & Partial<Pick<PlanOutcome, "matrix">>> {
  const { inputs, useCases } = options;
  const hub: HubAccess =
    inputs.hfToken === undefined ? { hubUrl: inputs.hubUrl } : { hubUrl: inputs.hubUrl, accessToken: inputs.hfToken };
  const common = { hub, onProgress: options.onProgress, ...(options.signal ? { signal: options.signal } : {}) };
  const optional = <K extends "recipe" | "base" | "finetuned" | "to">(...keys: K[]) => {
    const picked: Partial<Record<K, string>> = {};
    for (const key of keys) if (inputs[key] !== undefined) picked[key] = inputs[key];
    return picked;
  };
  const stage = inputs.stage ? { stage: inputs.stage } : {};
  // What every command that writes takes: a dry run uploads nothing; createPr opens a Hub pull request instead.
  const publishing = { dryRun: inputs.dryRun, ...(inputs.createPr ? { createPr: true } : {}) };
  const fromRecipe = () => ({ ...common, recipe: required(inputs.recipe), ...optional("to"), ...publishing });
  switch (inputs.command) {
    case "check":
      return useCases.check({ ...common, ...optional("recipe", "base", "finetuned") });
    case "publish-vector":
      return useCases.publishVector({
        ...common,
        base: required(inputs.base),
        finetuned: required(inputs.finetuned),
        to: required(inputs.to),
        ...publishing,
        ...stage,
      });
    case "merge":
      return useCases.merge({ ...fromRecipe(), ...stage });
    case "greedy":
      return useCases.greedy(fromRecipe());
    case "plan":
      return useCases.plan({
        ...common,
        ...optional("recipe", "base", "finetuned", "to"),
        portions: inputs.portions ?? 1,
      });
  }
}

/** parseInputs guarantees these per command; a miss here is a bug in that guarantee. */
function required(value: string | undefined): string {
  if (value === undefined) throw new Error("parseInputs let a required input through empty");
  return value;
}
