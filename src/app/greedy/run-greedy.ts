import { formatNumber } from "../../card/format-number.js";
import { DataError, InternalError, UsageError } from "../../errors.js";
import type { Evaluation } from "../../eval/evaluator.js";
import { defaultLambdaGrid, lambdaGridValues, type LambdaGrid } from "../../plan/lambda-grid.js";
import { evaluationKey } from "./evaluation-key.js";
import type {
  EvaluateTerms,
  GreedyCandidate,
  GreedyEvent,
  GreedyResult,
  GreedyStopReason,
  GreedyTerm,
  GreedyTrajectoryStep,
  LambdaScore,
} from "./greedy-types.js";
import { openEvaluationCache, type EvaluationCache } from "./open-evaluation-cache.js";

export interface RunGreedyOptions {
  /** The model the search starts from (the fine-tuned target, or the base plus the recipe's vectors). */
  start: {
    /** Its identity in the cache, e.g. `org/t5-ft@<sha>` or a hash of the recipe's base and vectors. */
    id: string;
    /** What labels call it. @default "start" */
    label?: string;
  };
  /**
   * Anything else that decides a score, in the cache key: the evaluator's name, its command or dataset, the
   * output dtype. Change it and every score is computed afresh. @default ""
   */
  scope?: string;
  /** In order; ties are won by the earlier candidate. Ids must be unique. */
  candidates: readonly GreedyCandidate[];
  /** The λ tried for each candidate: a grid or explicit values. @default 0:1:0.05 (the paper's 21 values) */
  grid?: LambdaGrid | readonly number[];
  /** Stop after keeping this many candidates. @default no limit */
  maxRounds?: number;
  /** A round's best candidate is kept only when it raises the score by more than this. @default 0 */
  minGain?: number;
  /** Scores the start plus a list of terms; higher is better. */
  evaluate: EvaluateTerms;
  /** Known scores (an earlier run's), and where new ones go. @default an in-memory cache */
  cache?: EvaluationCache;
  /** Evaluations run at once (a remote endpoint can take several; a GPU script usually one). @default 1 */
  concurrency?: number;
  /** Stops starting evaluations; the ones running are passed the signal and awaited, then the run rejects. */
  signal?: AbortSignal;
}

interface Job {
  candidate: GreedyCandidate;
  lambda: number;
  terms: GreedyTerm[];
  label: string;
  key: string;
}

/**
 * Greedy addition of task vectors (Ilharco et al. 2023, section 6.1): every round tries each remaining candidate
 * at every λ of the grid on top of the current model, takes each candidate's best λ, and keeps the best
 * candidate if it raises the validation score by more than `minGain`; it stops when no candidate does, when all
 * are kept, or after `maxRounds` kept candidates.
 *
 * Deterministic: a candidate's best λ is the highest score, ties going to the smaller |λ| (the smaller edit),
 * then to the earlier grid value; the round's best candidate is the highest score, ties going to the earlier
 * candidate. λ = 0 adds nothing (fround(acc + fround(0·τ)) = acc), so it scores the round's current model
 * without another evaluation. Every evaluation is put in the cache as soon as it finishes, keyed by
 * (scope, start, terms), so a rerun after an interruption evaluates only what is missing.
 *
 * Pure apart from `evaluate` and the cache: it never sees tensors or files.
 */
export async function* runGreedy(options: RunGreedyOptions): AsyncGenerator<GreedyEvent, GreedyResult> {
  const grid = gridOf(options.grid);
  const minGain = options.minGain ?? 0;
  const maxRounds = options.maxRounds ?? Number.POSITIVE_INFINITY;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const scope = options.scope ?? "";
  const startLabel = options.start.label ?? "start";
  const { evaluate, signal } = options;
  checkOptions(options, minGain, maxRounds);
  const cache = options.cache ?? (await openEvaluationCache());
  const labelOf = new Map(options.candidates.map((c) => [c.id, c.label ?? c.id]));
  const keyOf = (terms: readonly GreedyTerm[]) => evaluationKey({ scope, start: options.start.id, terms });
  const describe = (terms: readonly GreedyTerm[]) =>
    terms.reduce(
      (text, term) =>
        `${text} ${term.lambda < 0 ? "−" : "+"} ` +
        `${formatNumber(Math.abs(term.lambda))}·${labelOf.get(term.candidate) ?? term.candidate}`,
      startLabel,
    );

  let evaluated = 0;
  let cached = 0;
  /** Runs one evaluation, or finds it in the cache; the cache is written before the result is used. */
  const score = async (job: {
    terms: GreedyTerm[];
    label: string;
    key: string;
  }): Promise<{ evaluation: Evaluation; cached: boolean }> => {
    const hit = cache.get(job.key);
    if (hit) {
      cached++;
      return {
        evaluation: hit.details ? { score: hit.score, details: hit.details } : { score: hit.score },
        cached: true,
      };
    }
    signal?.throwIfAborted();
    const started = performance.now();
    const evaluation = await evaluate({ terms: job.terms, label: job.label, ...(signal ? { signal } : {}) });
    if (typeof evaluation?.score !== "number") {
      throw new DataError(
        `The evaluator returned no numeric score for ${job.label}; it must report one number, higher is better.`,
        {
          code: "GREEDY_NO_SCORE",
          subject: job.label,
        },
      );
    }
    evaluated++;
    await cache.put({
      key: job.key,
      score: evaluation.score,
      ...(evaluation.details ? { details: evaluation.details } : {}),
      label: job.label,
      seconds: Math.round(performance.now() - started) / 1000,
    });
    return { evaluation, cached: false };
  };

  const baselineJob = { terms: [], label: startLabel, key: keyOf([]) };
  const baselineResult = await score(baselineJob);
  const baseline = baselineResult.evaluation;
  yield { type: "greedy-baseline", score: baseline.score, cached: baselineResult.cached };

  const state: GreedyTerm[] = [];
  let current = baseline;
  let remaining = [...options.candidates];
  const trajectory: GreedyTrajectoryStep[] = [];
  let round = 0;
  let stopped: GreedyStopReason = "no-candidates";

  while (remaining.length > 0) {
    if (state.length >= maxRounds) {
      stopped = "max-rounds";
      break;
    }
    round++;
    const jobs: Job[] = remaining.flatMap((candidate) =>
      grid
        .filter((lambda) => lambda !== 0)
        .map((lambda) => {
          const terms = [...state, { candidate: candidate.id, lambda }];
          return { candidate, lambda, terms, label: describe(terms), key: keyOf(terms) };
        }),
    );
    const results = new Map<string, Evaluation>();
    const resultKey = (candidate: GreedyCandidate, lambda: number) => `${lambda}\u0000${candidate.id}`;
    let done = 0;
    for await (const { job, evaluation, cached: fromCache } of runPool({ jobs, run: score, concurrency, signal })) {
      results.set(resultKey(job.candidate, job.lambda), evaluation);
      done++;
      yield {
        type: "greedy-evaluation",
        round,
        candidate: job.candidate.id,
        lambda: job.lambda,
        score: evaluation.score,
        cached: fromCache,
      };
      yield { type: "progress", phase: "evaluate", label: `round ${round}`, done, total: jobs.length, unit: "items" };
    }

    // Each candidate's λ curve, in grid order, with λ = 0 standing for the current model.
    const curves = remaining.map((candidate) => {
      const scores: LambdaScore[] = grid.map((lambda) => {
        const evaluation = lambda === 0 ? current : results.get(resultKey(candidate, lambda));
        if (!evaluation)
          throw new InternalError(`The greedy round has no score for ${candidate.id} at λ ${lambda}.`, {
            code: "GREEDY_MISSING_SCORE",
          });
        return { lambda, score: evaluation.score, ...(evaluation.details ? { details: evaluation.details } : {}) };
      });
      return { candidate, scores, best: bestLambda(scores) };
    });
    let winner = curves[0];
    for (const curve of curves) if (winner && rank(curve.best.score) > rank(winner.best.score)) winner = curve;
    if (!winner) break;
    const gain = rank(winner.best.score) - rank(current.score);
    const keep = gain > minGain && winner.best.lambda !== 0;

    const steps: GreedyTrajectoryStep[] = curves.map((curve) => {
      const label = labelOf.get(curve.candidate.id) ?? curve.candidate.id;
      const kept = keep && curve === winner;
      return {
        round,
        candidate: label,
        candidateId: curve.candidate.id,
        lambda: curve.best.lambda,
        score: curve.best.score,
        gain: rank(curve.best.score) - rank(current.score),
        kept,
        reason: reasonFor({
          curve,
          winner,
          winnerLabel: labelOf.get(winner.candidate.id) ?? winner.candidate.id,
          current: current.score,
          minGain,
          kept,
        }),
        scores: curve.scores,
      };
    });
    trajectory.push(...steps);
    if (!keep) {
      stopped = "no-gain";
      yield { type: "greedy-round", round, steps, score: current.score };
      break;
    }
    const term = { candidate: winner.candidate.id, lambda: winner.best.lambda };
    state.push(term);
    current = { score: winner.best.score, ...(winner.best.details ? { details: winner.best.details } : {}) };
    remaining = remaining.filter((candidate) => candidate !== winner.candidate);
    yield { type: "greedy-round", round, steps, kept: term, score: current.score };
  }

  return { baseline, final: current, terms: state, trajectory, rounds: round, stopped, evaluated, cached };
}

function gridOf(grid: LambdaGrid | readonly number[] | undefined): number[] {
  if (grid === undefined) return lambdaGridValues({ grid: defaultLambdaGrid });
  if (!isValueList(grid)) return lambdaGridValues({ grid });
  if (grid.length === 0 || grid.some((value) => !Number.isFinite(value))) {
    throw new UsageError(`The λ grid must list at least one finite value, not [${grid.join(", ")}].`, {
      code: "GRID_EMPTY",
      subject: "grid",
    });
  }
  return [...new Set(grid)];
}

function isValueList(grid: LambdaGrid | readonly number[]): grid is readonly number[] {
  return Array.isArray(grid);
}

function checkOptions(options: RunGreedyOptions, minGain: number, maxRounds: number): void {
  if (!(minGain >= 0) || !Number.isFinite(minGain)) {
    throw new UsageError(`The minimum gain is ${minGain}; give a number ≥ 0 (0 keeps any improvement).`, {
      code: "GREEDY_BAD_MIN_GAIN",
      subject: "min_gain",
    });
  }
  if (!(maxRounds >= 1) || (Number.isFinite(maxRounds) && !Number.isInteger(maxRounds))) {
    throw new UsageError(`The maximum number of rounds is ${maxRounds}; give a whole number ≥ 1.`, {
      code: "GREEDY_BAD_MAX_ROUNDS",
      subject: "max_rounds",
    });
  }
  const seen = new Set<string>();
  for (const candidate of options.candidates) {
    if (seen.has(candidate.id)) {
      throw new UsageError(`The candidate ${candidate.id} is listed twice; list each candidate once.`, {
        code: "GREEDY_DUPLICATE_CANDIDATE",
        subject: candidate.id,
      });
    }
    seen.add(candidate.id);
  }
}

/** NaN (a diverged model) ranks below every number. */
function rank(score: number): number {
  return Number.isNaN(score) ? Number.NEGATIVE_INFINITY : score;
}

/** The highest score; ties to the smaller |λ|, then the earlier grid value. */
function bestLambda(scores: readonly LambdaScore[]): LambdaScore {
  let best = scores[0] as LambdaScore;
  for (const entry of scores) {
    const a = rank(entry.score);
    const b = rank(best.score);
    if (a > b || (a === b && Math.abs(entry.lambda) < Math.abs(best.lambda))) best = entry;
  }
  return best;
}

interface ReasonOptions {
  curve: { candidate: GreedyCandidate; best: LambdaScore };
  winner: { candidate: GreedyCandidate; best: LambdaScore };
  winnerLabel: string;
  current: number;
  minGain: number;
  kept: boolean;
}

function reasonFor(options: ReasonOptions): string {
  const { curve, winner, current, minGain } = options;
  const best = curve.best;
  const gain = rank(best.score) - rank(current);
  const from = `${formatNumber(current)} to ${formatNumber(best.score)}`;
  if (options.kept) return `raised the score from ${from} (${signed(gain)})`;
  if (!(gain > 0)) {
    if (best.lambda === 0) return `no λ in the grid raises the score above ${formatNumber(current)}`;
    if (gain === 0) return `leaves the score at ${formatNumber(current)} at its best λ`;
    return `lowers the score from ${from} even at its best λ`;
  }
  if (curve === winner)
    return `best this round, but ${signed(gain)} is not more than the minimum gain ${formatNumber(minGain)}`;
  if (rank(best.score) === rank(winner.best.score))
    return `tied with ${options.winnerLabel} (${formatNumber(winner.best.score)}), which comes first`;
  if (!(gain > minGain)) return `${signed(gain)} is not more than the minimum gain ${formatNumber(minGain)}`;
  return `${options.winnerLabel} scored higher (${formatNumber(winner.best.score)})`;
}

function signed(value: number): string {
  return `${value < 0 ? "−" : "+"}${formatNumber(Math.abs(value))}`;
}

interface PoolOptions<J, R> {
  jobs: readonly J[];
  run: (job: J) => Promise<R>;
  concurrency: number;
  signal?: AbortSignal | undefined;
}

/**
 * Runs jobs `concurrency` at a time and yields each result as it finishes. After a failure (or an abort) no job
 * starts; the running ones are awaited (their scores reach the cache) before the first error is thrown.
 */
async function* runPool<J, R extends object>(options: PoolOptions<J, R>): AsyncGenerator<R & { job: J }> {
  const { jobs, run, concurrency, signal } = options;
  type Settled = { index: number; ok: true; value: R } | { index: number; ok: false; error: unknown };
  const running = new Map<number, Promise<Settled>>();
  let next = 0;
  let failure: { error: unknown } | undefined;
  try {
    for (;;) {
      while (!failure && !signal?.aborted && running.size < concurrency && next < jobs.length) {
        const index = next++;
        running.set(
          index,
          run(jobs[index] as J).then(
            (value): Settled => ({ index, ok: true, value }),
            (error: unknown): Settled => ({ index, ok: false, error }),
          ),
        );
      }
      if (running.size === 0) break;
      const settled = await Promise.race(running.values());
      running.delete(settled.index);
      if (!settled.ok) {
        failure ??= { error: settled.error };
        continue;
      }
      if (!failure) yield { ...settled.value, job: jobs[settled.index] as J };
    }
  } finally {
    await Promise.allSettled(running.values());
  }
  if (failure) throw failure.error;
  signal?.throwIfAborted();
}
