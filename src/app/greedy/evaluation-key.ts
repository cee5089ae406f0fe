import { createHash } from "node:crypto";
import type { GreedyTerm } from "./greedy-types.js";

export interface EvaluationKeyOptions {
  /** Whatever else decides the score: the evaluator and its data, the base's and start's pinned revisions. */
  scope: string;
  /** The start model's identity, e.g. `org/t5-ft@<sha>`. */
  start: string;
  /** The terms on top of the start model, in the order they are added (the order changes float32 results). */
  terms: readonly GreedyTerm[];
}

/**
 * The cache key of one evaluation: sha256 of the scope, the start and the ordered (candidate, λ) terms. λ goes in
 * as JSON, which prints a double's shortest round-trip form, so two λ share a key exactly when they are equal.
 */
export function evaluationKey(options: EvaluationKeyOptions): string {
  const text = JSON.stringify([
    "tvhub/greedy-evaluation",
    1,
    options.scope,
    options.start,
    options.terms.map((term) => [term.candidate, normalizeZero(term.lambda)]),
  ]);
  return createHash("sha256").update(text).digest("hex");
}

/** −0 and 0 scale a vector to the same model. */
function normalizeZero(value: number): number {
  return value === 0 ? 0 : value;
}
