import type { LambdaGrid } from "../../plan/lambda-grid.js";
import type { GreedyResult, GreedyTrajectoryStep } from "./greedy-types.js";
import type { SkippedCandidate } from "./screen-candidates.js";

export interface BuildGreedyRecordOptions {
  result: GreedyResult;
  skipped?: readonly SkippedCandidate[];
  /** The evaluator's name (`command(score): ...`, `tfjs:accuracy(...)`). */
  evaluator: string;
  grid: LambdaGrid | readonly number[];
  minGain: number;
  maxRounds?: number;
  /** The start model, as the card names it. */
  start: string;
}

/** The greedy search as tvhub.json's `greedy` field and `--json` report it: plain JSON, every λ of every candidate. */
export interface GreedyRecord {
  start: string;
  evaluator: string;
  grid: LambdaGrid | number[];
  min_gain: number;
  max_rounds: number | null;
  baseline: { score: number; details?: Record<string, number> };
  final: { score: number; details?: Record<string, number> };
  kept: Array<{ candidate: string; lambda: number }>;
  stopped: GreedyResult["stopped"];
  rounds: number;
  evaluations: { run: number; cached: number };
  trajectory: Array<{
    round: number;
    candidate: string;
    lambda: number;
    score: number;
    gain: number;
    kept: boolean;
    reason: string;
    scores: Array<{ lambda: number; score: number }>;
  }>;
  skipped: Array<{ candidate: string; code: string; reason: string }>;
}

export function buildGreedyRecord(options: BuildGreedyRecordOptions): GreedyRecord {
  const { result } = options;
  return {
    start: options.start,
    evaluator: options.evaluator,
    grid: Array.isArray(options.grid) ? [...options.grid] : { ...(options.grid as LambdaGrid) },
    min_gain: options.minGain,
    max_rounds: options.maxRounds ?? null,
    baseline: result.baseline,
    final: result.final,
    kept: result.terms.map((term) => ({ candidate: term.candidate, lambda: term.lambda })),
    stopped: result.stopped,
    rounds: result.rounds,
    evaluations: { run: result.evaluated, cached: result.cached },
    trajectory: result.trajectory.map((step: GreedyTrajectoryStep) => ({
      round: step.round,
      candidate: step.candidateId,
      lambda: step.lambda,
      score: step.score,
      gain: step.gain,
      kept: step.kept,
      reason: step.reason,
      scores: step.scores.map(({ lambda, score }) => ({ lambda, score })),
    })),
    skipped: (options.skipped ?? []).map((skip) => ({ candidate: skip.id, code: skip.code, reason: skip.reason })),
  };
}
