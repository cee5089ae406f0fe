import { formatNumber } from "../../card/format-number.js";
import type { GreedyResult, GreedyStopReason } from "./greedy-types.js";
import type { SkippedCandidate } from "./screen-candidates.js";

export interface FormatGreedySummaryOptions {
  result: GreedyResult;
  /** Candidates screened out before the search. */
  skipped?: readonly SkippedCandidate[];
  /** What the score is, e.g. the evaluator's name. */
  metric?: string;
  /** The search's minimum gain, for the stop line. @default 0 */
  minGain?: number;
}

const stopWords: Record<GreedyStopReason, (minGain: number) => string> = {
  "no-gain": (minGain) => `no remaining candidate raised the score by more than ${formatNumber(minGain)}`,
  "max-rounds": () => "the maximum number of rounds was reached",
  "no-candidates": () => "every candidate was kept",
};

/** The table `tvhub greedy` prints: the score's path, every candidate of every round, what was skipped. */
export function formatGreedySummary(options: FormatGreedySummaryOptions): string {
  const { result } = options;
  const minGain = options.minGain ?? 0;
  const kept = result.terms.length;
  const lines = [
    `Greedy search${options.metric ? ` (${options.metric})` : ""}: ${formatNumber(result.baseline.score)} → ` +
      `${formatNumber(result.final.score)}, ${kept} candidate${kept === 1 ? "" : "s"} kept in ${result.rounds} ` +
      `round${result.rounds === 1 ? "" : "s"}; stopped because ${stopWords[result.stopped](minGain)}.`,
  ];
  if (result.trajectory.length > 0) {
    const rows = [
      ["round", "candidate", "λ", "score", "gain", "kept", "why"],
      ...result.trajectory.map((step) => [
        String(step.round),
        step.candidate,
        formatNumber(step.lambda),
        formatNumber(step.score),
        `${step.gain < 0 ? "−" : "+"}${formatNumber(Math.abs(step.gain))}`,
        step.kept ? "yes" : "no",
        step.reason,
      ]),
    ];
    const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? "")].length))) ?? [];
    lines.push("");
    for (const row of rows) {
      lines.push(
        row
          .map((cell, column) =>
            column === row.length - 1 ? cell : cell + " ".repeat((widths[column] ?? 0) - [...cell].length),
          )
          .join("  ")
          .trimEnd(),
      );
    }
  }
  if (options.skipped && options.skipped.length > 0) {
    lines.push("", `Skipped before the search (${options.skipped.length}):`);
    for (const skip of options.skipped) lines.push(`  ${skip.label}: ${skip.reason}`);
  }
  lines.push("", `Evaluations: ${result.evaluated} run, ${result.cached} from the cache.`);
  return lines.join("\n");
}
