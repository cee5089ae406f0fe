import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { distanceScore, makeGreedyProblem, mergeTensors } from "../../../test/helpers/greedy-problem.js";
import { renderMergeCard } from "../../card/render-merge-card.js";
import { UsageError } from "../../errors.js";
import type { Evaluation } from "../../eval/evaluator.js";
import type { EvaluateTerms, GreedyEvent, GreedyResult } from "./greedy-types.js";
import { openEvaluationCache } from "./open-evaluation-cache.js";
import { runGreedy, type RunGreedyOptions } from "./run-greedy.js";
import { tempDirs } from "./testing/temp-dirs.js";

const problem = makeGreedyProblem();
const candidates = ["A", "B", "C", "D"].map((id) => ({ id, label: `org/${id.toLowerCase()}` }));

/** Scores base + terms by minus the squared distance to θ* = base + 0.5·τ_A + 0.3·τ_C, counting calls. */
function knownAnswerEvaluate(): EvaluateTerms & { calls: string[] } {
  const calls: string[] = [];
  const evaluate = async ({ terms, label }: Parameters<EvaluateTerms>[0]): Promise<Evaluation> => {
    calls.push(label);
    const model = mergeTensors(problem.base, problem.vectors, terms);
    return { score: distanceScore(model, problem.target) };
  };
  return Object.assign(evaluate, { calls });
}

async function run(
  options: Partial<RunGreedyOptions> & { evaluate: EvaluateTerms },
): Promise<{ result: GreedyResult; events: GreedyEvent[] }> {
  const events: GreedyEvent[] = [];
  const generator = runGreedy({ start: { id: "base@1", label: "base" }, candidates, ...options });
  for (;;) {
    const step = await generator.next();
    if (step.done) return { result: step.value, events };
    events.push(step.value);
  }
}

const tempDir = tempDirs("tvhub-greedy-");

describe("runGreedy with a known answer", () => {
  it("keeps A at 0.5, then C at 0.3, and rejects B and the random distractor D", async () => {
    const evaluate = knownAnswerEvaluate();
    const { result, events } = await run({ evaluate });
    expect(result.terms).toEqual([
      { candidate: "A", lambda: 0.5 },
      { candidate: "C", lambda: 0.3 },
    ]);
    expect(result.stopped).toBe("no-gain");
    expect(result.rounds).toBe(3);
    expect(result.final.score).toBeGreaterThan(result.baseline.score);
    // θ* itself, up to float32 rounding of the target.
    expect(result.final.score).toBeGreaterThan(-1e-9);

    const rows = result.trajectory.map((s) => [s.round, s.candidateId, s.lambda, s.kept]);
    expect(rows).toEqual([
      [1, "A", 0.5, true],
      [1, "B", 0, false],
      [1, "C", 0.3, false],
      [1, "D", 0, false],
      [2, "B", 0, false],
      [2, "C", 0.3, true],
      [2, "D", 0, false],
      [3, "B", 0, false],
      [3, "D", 0, false],
    ]);
    const byRound = (round: number, id: string) =>
      result.trajectory.find((s) => s.round === round && s.candidateId === id);
    expect(byRound(1, "A")?.reason).toMatch(/^raised the score from -?[\d.e-]+ to -?[\d.e-]+ \(\+[\d.e-]+\)$/);
    expect(byRound(1, "C")?.reason).toBe(
      "org/a scored higher " +
        `(${byRound(1, "A")?.score !== undefined ? formatForCheck(byRound(1, "A")?.score as number) : ""})`,
    );
    expect(byRound(3, "B")?.reason).toMatch(/^no λ in the grid raises the score above /);
    expect(byRound(3, "D")?.reason).toMatch(/^no λ in the grid raises the score above /);
    // Each row keeps the whole λ curve; λ = 0 is the round's current model.
    expect(byRound(2, "C")?.scores.map((s) => s.lambda)).toHaveLength(21);
    expect(byRound(2, "C")?.scores[0]?.score).toBe(byRound(1, "A")?.score);

    // λ = 0 is never evaluated: a baseline, then 20 λ per remaining candidate per round.
    expect(evaluate.calls).toHaveLength(1 + 20 * (4 + 3 + 2));
    expect(result.evaluated).toBe(evaluate.calls.length);
    expect(evaluate.calls).toContain("base + 0.5·org/a + 0.3·org/c");

    const rounds = events.filter((e) => e.type === "greedy-round");
    expect(rounds.map((e) => e.kept)).toEqual([
      { candidate: "A", lambda: 0.5 },
      { candidate: "C", lambda: 0.3 },
      undefined,
    ]);
    const progress = events.filter((e) => e.type === "progress");
    expect(progress.at(-1)).toEqual({
      type: "progress",
      phase: "evaluate",
      label: "round 3",
      done: 40,
      total: 40,
      unit: "items",
    });
  });

  it("puts the whole trajectory in the merge card", async () => {
    const { result } = await run({ evaluate: knownAnswerEvaluate() });
    const card = await renderMergeCard({
      title: "me/greedy",
      hubUrl: "http://127.0.0.1:9",
      base: { repo: "org/base", revision: "a".repeat(40) },
      method: "task_arithmetic",
      terms: result.terms.map((t) => ({
        kind: "vector" as const,
        input: { repo: `org/${t.candidate.toLowerCase()}`, revision: "b".repeat(40) },
        weight: t.lambda,
      })),
      dtype: "F32",
      trajectory: result.trajectory,
      files: [],
      tvhubVersion: "0.1.0",
    });
    expect(card).toMatch(/\| 1 \| `org\/a` \| 0\.5 \| [^|]+ \| yes \| raised the score from /);
    expect(card).toMatch(/\| 2 \| `org\/c` \| 0\.3 \| [^|]+ \| yes \| raised the score from /);
    expect(card).toMatch(/\| 3 \| `org\/b` \| 0 \| [^|]+ \| no \| no λ in the grid raises the score above /);
    expect(card).toMatch(/\| 3 \| `org\/d` \| 0 \| [^|]+ \| no \| no λ in the grid raises the score above /);
    expect(card).toContain("θ = θ(base) + 0.5·τ₁ + 0.3·τ₂");
  });

  it("finds negative λ (forgetting) when the grid allows it", async () => {
    const target = mergeTensors(problem.base, problem.vectors, [{ candidate: "B", lambda: -0.4 }]);
    const { result } = await run({
      evaluate: async ({ terms }) => ({
        score: distanceScore(mergeTensors(problem.base, problem.vectors, terms), target),
      }),
      grid: { start: -1, stop: 0, step: 0.1 },
    });
    expect(result.terms).toEqual([{ candidate: "B", lambda: -0.4 }]);
  });
});

function formatForCheck(value: number): string {
  return Number(value.toPrecision(6)).toString();
}

describe("runGreedy stopping rules and ties", () => {
  /** A score that is the sum of fixed gains: candidate → (λ → gain), independent of the state. */
  const additive =
    (gains: Record<string, (lambda: number) => number>): EvaluateTerms =>
    async ({ terms }) => ({
      score: terms.reduce((sum, term) => sum + (gains[term.candidate]?.(term.lambda) ?? 0), 0),
    });
  const peak = (at: number, height: number) => (lambda: number) => height - (lambda - at) ** 2;

  it("stops after maxRounds kept candidates", async () => {
    const { result } = await run({ evaluate: knownAnswerEvaluate(), maxRounds: 1 });
    expect(result.terms).toEqual([{ candidate: "A", lambda: 0.5 }]);
    expect(result.stopped).toBe("max-rounds");
    expect(result.rounds).toBe(1);
  });

  it("keeps a candidate only when it gains more than minGain", async () => {
    const evaluate = additive({ A: peak(0.5, 1), B: peak(0.5, 0.02) });
    const { result } = await run({ evaluate, candidates: [{ id: "A" }, { id: "B" }], minGain: 0.05 });
    expect(result.terms.map((t) => t.candidate)).toEqual(["A"]);
    const b = result.trajectory.find((s) => s.round === 2 && s.candidateId === "B");
    expect(b?.kept).toBe(false);
    expect(b?.reason).toMatch(/^best this round, but \+0\.02 is not more than the minimum gain 0\.05$/);
    expect(result.stopped).toBe("no-gain");
  });

  it("stops when every candidate is kept", async () => {
    const evaluate = additive({ A: peak(0.5, 1), B: peak(0.2, 0.5) });
    const { result } = await run({ evaluate, candidates: [{ id: "A" }, { id: "B" }] });
    expect(result.terms).toEqual([
      { candidate: "A", lambda: 0.5 },
      { candidate: "B", lambda: 0.2 },
    ]);
    expect(result.stopped).toBe("no-candidates");
  });

  it("breaks ties between candidates by order and between λ by the smaller |λ|", async () => {
    const flat = () => 1;
    const evaluate = additive({ X: flat, Y: flat });
    const { result } = await run({ evaluate, candidates: [{ id: "Y" }, { id: "X" }], grid: [0, 0.5, 0.25, 1] });
    expect(result.trajectory[0]).toMatchObject({ candidateId: "Y", lambda: 0.25, kept: true });
    expect(result.trajectory[1]).toMatchObject({
      candidateId: "X",
      lambda: 0.25,
      kept: false,
      reason: "tied with Y (1), which comes first",
    });
  });

  it("explains a candidate that lowers the score at every λ", async () => {
    const evaluate = additive({ A: (l) => -l });
    const { result } = await run({ evaluate, candidates: [{ id: "A" }], grid: [0.5, 1] });
    expect(result.trajectory[0]?.reason).toBe("lowers the score from 0 to -0.5 even at its best λ");
    expect(result.terms).toEqual([]);
  });

  it("ranks a NaN score (a diverged model) below every number", async () => {
    const evaluate = additive({ A: (l) => (l > 0.5 ? Number.NaN : l) });
    const { result } = await run({ evaluate, candidates: [{ id: "A" }], grid: [0.25, 0.5, 0.75] });
    expect(result.terms).toEqual([{ candidate: "A", lambda: 0.5 }]);
  });

  it("refuses duplicate candidates, a negative minGain and a fractional maxRounds before evaluating", async () => {
    const evaluate = knownAnswerEvaluate();
    await expect(run({ evaluate, candidates: [{ id: "A" }, { id: "A" }] })).rejects.toThrow(
      /candidate A is listed twice/,
    );
    await expect(run({ evaluate, minGain: -1 })).rejects.toThrow(UsageError);
    await expect(run({ evaluate, maxRounds: 1.5 })).rejects.toThrow(/whole number ≥ 1/);
    await expect(run({ evaluate, grid: [] })).rejects.toThrow(/at least one finite value/);
    expect(evaluate.calls).toEqual([]);
  });
});

describe("runGreedy cache and resumption", () => {
  it("resumes an interrupted run from the cache file without evaluating anything twice", async () => {
    const dir = await tempDir();
    const path = join(dir, "cache", "evaluations.jsonl");
    const full = knownAnswerEvaluate();
    const reference = (await run({ evaluate: full })).result;

    // Interrupted in round 2.
    const failing = knownAnswerEvaluate();
    let budget = 100;
    const interrupted: EvaluateTerms = async (request) => {
      if (budget-- === 0) throw new Error("the scorer crashed");
      return failing(request);
    };
    await expect(run({ evaluate: interrupted, cache: await openEvaluationCache({ path }) })).rejects.toThrow(
      "the scorer crashed",
    );
    expect(failing.calls).toHaveLength(100);
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(100);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      label: "base",
      key: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    // A crash in the middle of an append leaves half a line: ignored, and the next entry starts on a new line.
    await writeFile(path, `${lines.join("\n")}\n{"key":"ab`);
    const resumed = knownAnswerEvaluate();
    const cache = await openEvaluationCache({ path });
    expect(cache.size).toBe(100);
    expect(cache.skippedLines).toBe(1);
    const { result } = await run({ evaluate: resumed, cache });
    expect(resumed.calls).toHaveLength(full.calls.length - 100);
    expect(result.cached).toBe(100);
    expect(result.terms).toEqual(reference.terms);
    expect(result.trajectory).toEqual(reference.trajectory);

    // Everything is known now.
    const again = knownAnswerEvaluate();
    const reopened = await openEvaluationCache({ path });
    expect(reopened.skippedLines).toBe(1);
    expect((await run({ evaluate: again, cache: reopened })).result.terms).toEqual(reference.terms);
    expect(again.calls).toEqual([]);
  });

  it("keys scores by scope and start, so another evaluator or start model is evaluated afresh", async () => {
    const cache = await openEvaluationCache();
    const grid = [0, 0.3, 0.5];
    await run({ evaluate: knownAnswerEvaluate(), cache, scope: "command: ./score.sh", grid });
    const other = knownAnswerEvaluate();
    await run({ evaluate: other, cache, scope: "command: ./score-v2.sh", grid });
    expect(other.calls.length).toBeGreaterThan(0);
    const otherStart = knownAnswerEvaluate();
    await run({ evaluate: otherStart, cache, scope: "command: ./score.sh", start: { id: "base@2" }, grid });
    expect(otherStart.calls.length).toBeGreaterThan(0);
    const same = knownAnswerEvaluate();
    await run({ evaluate: same, cache, scope: "command: ./score.sh", grid });
    expect(same.calls).toEqual([]);
  });
});

describe("runGreedy concurrency and cancellation", () => {
  it("runs up to `concurrency` evaluations at once and decides exactly as a sequential run", async () => {
    let running = 0;
    let most = 0;
    const inner = knownAnswerEvaluate();
    const evaluate: EvaluateTerms = async (request) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
      return inner(request);
    };
    const { result } = await run({ evaluate, concurrency: 3, candidates: candidates.slice(0, 3), grid: [0, 0.3, 0.5] });
    expect(most).toBe(3);
    const sequential = await run({
      evaluate: knownAnswerEvaluate(),
      candidates: candidates.slice(0, 3),
      grid: [0, 0.3, 0.5],
    });
    expect(result.trajectory).toEqual(sequential.result.trajectory);
  });

  it("waits for running evaluations after a failure, caches them, and throws the first error", async () => {
    const cache = await openEvaluationCache();
    let calls = 0;
    const evaluate: EvaluateTerms = async ({ terms }) => {
      calls++;
      if (terms.length === 1 && terms[0]?.candidate === "B") throw new Error("B broke the scorer");
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { score: -terms.length };
    };
    await expect(
      run({ evaluate, cache, concurrency: 2, grid: [0, 1], candidates: candidates.slice(0, 3) }),
    ).rejects.toThrow("B broke the scorer");
    // The baseline, A (running when B failed) are cached; C never started.
    expect(calls).toBe(3);
    expect(cache.size).toBe(2);
  });

  it("stops on abort and passes the signal to the evaluator", async () => {
    const controller = new AbortController();
    const signals: Array<AbortSignal | undefined> = [];
    const evaluate: EvaluateTerms = async ({ signal }) => {
      signals.push(signal);
      if (signals.length === 3) controller.abort(new Error("interrupted"));
      return { score: 0 };
    };
    await expect(run({ start: { id: "s" }, evaluate, signal: controller.signal })).rejects.toThrow("interrupted");
    expect(signals).toHaveLength(3);
    expect(signals[0]).toBe(controller.signal);
  });

  it("refuses an evaluator that returns no number", async () => {
    const evaluate = (async () => ({ score: "0.9" })) as unknown as EvaluateTerms;
    await expect(run({ evaluate })).rejects.toThrow(/The evaluator returned no numeric score for base;/);
  });
});
