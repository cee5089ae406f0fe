import { describe, expect, it } from "vitest";
import { buildGreedyRecord } from "./build-greedy-record.js";
import { formatGreedySummary } from "./format-greedy-summary.js";
import type { EvaluateTerms, GreedyResult } from "./greedy-types.js";
import { runGreedy } from "./run-greedy.js";

async function result(): Promise<GreedyResult> {
  const gains: Record<string, (lambda: number) => number> = { A: (l) => 0.1 - (l - 0.5) ** 2, B: (l) => -l };
  const evaluate: EvaluateTerms = async ({ terms }) => ({
    score: 0.8 + terms.reduce((sum, t) => sum + (gains[t.candidate]?.(t.lambda) ?? 0), 0),
    details: { terms: terms.length },
  });
  const generator = runGreedy({
    start: { id: "s" },
    candidates: [
      { id: "A", label: "org/a" },
      { id: "B", label: "org/b" },
    ],
    grid: [0, 0.5, 1],
    evaluate,
  });
  for (;;) {
    const step = await generator.next();
    if (step.done) return step.value;
  }
}

describe("formatGreedySummary", () => {
  it(
    "prints the score's path, an aligned row per candidate and round, what was skipped and the evaluation " + "count",
    async () => {
      const text = formatGreedySummary({
        result: await result(),
        metric: "command(score): ./score.sh {model}",
        skipped: [
          {
            id: "org/x@1",
            label: "org/x",
            code: "BASE_MISMATCH",
            reason: "org/x declares base_model other/base, not org/base.",
          },
        ],
      });
      expect(text).toBe(
        [
          "Greedy search (command(score): ./score.sh {model}): 0.8 → 0.9, 1 candidate kept in 2 rounds; stopped " +
            "because no remaining candidate raised the score by more than 0.",
          "",
          "round  candidate  λ    score  gain  kept  why",
          "1      org/a      0.5  0.9    +0.1  yes   raised the score from 0.8 to 0.9 (+0.1)",
          "1      org/b      0    0.8    +0    no    no λ in the grid raises the score above 0.8",
          "2      org/b      0    0.9    +0    no    no λ in the grid raises the score above 0.9",
          "",
          "Skipped before the search (1):",
          "  org/x: org/x declares base_model other/base, not org/base.",
          "",
          "Evaluations: 7 run, 0 from the cache.",
        ].join("\n"),
      );
    },
  );
});

describe("buildGreedyRecord", () => {
  it("records every candidate's λ curve, the kept terms and the skipped candidates as plain JSON", async () => {
    const record = buildGreedyRecord({
      result: await result(),
      evaluator: "command(score): ./score.sh {model}",
      grid: { start: 0, stop: 1, step: 0.5 },
      minGain: 0,
      start: "org/base",
      skipped: [{ id: "org/x@1", label: "org/x", code: "BASE_MISMATCH", reason: "other base" }],
    });
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
    expect(record).toMatchObject({
      start: "org/base",
      grid: { start: 0, stop: 1, step: 0.5 },
      max_rounds: null,
      kept: [{ candidate: "A", lambda: 0.5 }],
      stopped: "no-gain",
      rounds: 2,
      evaluations: { run: 7, cached: 0 },
      skipped: [{ candidate: "org/x@1", code: "BASE_MISMATCH", reason: "other base" }],
    });
    expect(record.baseline).toEqual({ score: 0.8, details: { terms: 0 } });
    expect(record.trajectory[0]?.scores.map((s) => s.lambda)).toEqual([0, 0.5, 1]);
    expect(record.trajectory[0]?.candidate).toBe("A");
  });
});
