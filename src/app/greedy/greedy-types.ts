import type { GreedyStep } from "../../card/render-merge-card.js";
import type { Evaluation } from "../../eval/evaluator.js";
import type { ProgressEvent } from "../../util/progress.js";

/** A task vector the greedy search may add: a published vector or a fine-tune whose τ is computed on the fly. */
export interface GreedyCandidate {
  /**
   * The candidate's identity in the cache: a pinned reference (`org/name@<40-hex sha>`) or an absolute path, so
   * that a repo that moved on is a new candidate and its old scores are not reused.
   */
  id: string;
  /** What tables, messages and the card call it, e.g. `org/name`. @default id */
  label?: string;
}

/** One candidate added with its λ; the state of the search is the ordered list of these on top of the start. */
export interface GreedyTerm {
  /** A `GreedyCandidate.id`. */
  candidate: string;
  lambda: number;
}

export interface EvaluateTermsOptions {
  /** The terms to add on top of the start model, in order: the kept ones, then the one being tried. */
  terms: readonly GreedyTerm[];
  /** A readable name for the model, e.g. `start + 0.5·org/a + 0.3·org/c`; evaluators name it in errors. */
  label: string;
  signal?: AbortSignal;
}

/** Scores the start model plus `terms`; higher is better (an `Evaluator` behind a materializer). */
export type EvaluateTerms = (options: EvaluateTermsOptions) => Promise<Evaluation>;

/** One λ of a candidate's grid and the validation score there. */
export interface LambdaScore {
  lambda: number;
  score: number;
  details?: Record<string, number>;
}

/** A candidate in a round: the card's `GreedyStep` plus what tvhub.json records. */
export interface GreedyTrajectoryStep extends GreedyStep {
  /** The candidate's id (the card shows its label in `candidate`). */
  candidateId: string;
  /** `score` minus the score the round started from. */
  gain: number;
  /** Every λ of the grid with its score; λ = 0 is the round's starting model, which is not evaluated again. */
  scores: LambdaScore[];
}

export type GreedyStopReason =
  /** A round's best candidate did not raise the score by more than `minGain`. */
  | "no-gain"
  /** `maxRounds` candidates were kept. */
  | "max-rounds"
  /** Every candidate was kept. */
  | "no-candidates";

export type GreedyEvent =
  | ProgressEvent
  /** The start model's score, before any candidate. */
  | { type: "greedy-baseline"; score: number; cached: boolean }
  /** One (candidate, λ) scored, or found in the cache. */
  | { type: "greedy-evaluation"; round: number; candidate: string; lambda: number; score: number; cached: boolean }
  /** A round is decided: a row per remaining candidate, and the candidate kept, if any. */
  | { type: "greedy-round"; round: number; steps: GreedyTrajectoryStep[]; kept?: GreedyTerm; score: number };

export interface GreedyResult {
  /** The start model's evaluation. */
  baseline: Evaluation;
  /** The evaluation of the final model (the start plus `terms`). */
  final: Evaluation;
  /** The kept candidates with their λ, in the order they were added. */
  terms: GreedyTerm[];
  /** Every candidate of every round, in round order, candidates in the order given. */
  trajectory: GreedyTrajectoryStep[];
  /** Rounds run, including the last one that kept nothing. */
  rounds: number;
  stopped: GreedyStopReason;
  /** Evaluations run in this call. */
  evaluated: number;
  /** Evaluations found in the cache (from an earlier, interrupted run). */
  cached: number;
}
