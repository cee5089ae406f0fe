import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { EvaluationInput, Evaluator } from "../../eval/evaluator.js";
import type { EvaluateTerms, GreedyTerm } from "./greedy-types.js";

export interface MaterializeOptions {
  /** The terms on top of the start model, in order. */
  terms: readonly GreedyTerm[];
  /** An empty folder to write the candidate into, in Hub layout (config.json, weights, tokenizer files). */
  dir: string;
  label: string;
  signal?: AbortSignal;
}

export interface CreateDirectoryEvaluateOptions {
  /** An evaluator that reads a model folder (command, endpoint). */
  evaluator: Evaluator;
  /** Where candidate folders are made; each is removed once scored. */
  workDir: string;
  /** Writes the start plus `terms` into `dir` (the merge executor). */
  materialize: (options: MaterializeOptions) => Promise<void>;
  /** Leave the folders in place, e.g. to debug a scorer. @default false */
  keep?: boolean;
}

/**
 * Writes each candidate to its own fresh folder, scores it and deletes the folder, whether the evaluator
 * succeeded or not: with the runner's cache, each (candidate, λ) is written once and the disk holds one
 * candidate at a time per concurrent evaluation.
 */
export function createDirectoryEvaluate(options: CreateDirectoryEvaluateOptions): EvaluateTerms {
  return async ({ terms, label, signal }) => {
    await mkdir(options.workDir, { recursive: true });
    const dir = await mkdtemp(join(options.workDir, "candidate-"));
    try {
      await options.materialize({ terms, dir, label, ...(signal ? { signal } : {}) });
      signal?.throwIfAborted();
      // `name` tells the evaluator what to call the folder in its messages.
      const input: EvaluationInput & { name: string } = { modelDir: dir, name: label, ...(signal ? { signal } : {}) };
      return await options.evaluator.evaluate(input);
    } finally {
      if (!options.keep) await rm(dir, { recursive: true, force: true });
    }
  };
}
