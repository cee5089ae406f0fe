import type { DemoCheck, DemoResults } from "./demo-types.js";

export interface CheckDemoDirectionsOptions {
  /** A run's results; `checks` is ignored. */
  results: Omit<DemoResults, "checks">;
  /** The share of the base's control accuracy a negation must keep. @default 0.95 */
  controlFloor?: number;
}

/**
 * The directions the paper reports, on this run's test numbers: adding task vectors beats every single fine-tune
 * on the union of the tasks, negation lowers the target while the control keeps 95% of the base's accuracy, the
 * analogy beats the base and its B term alone on a task no model saw, and greedy addition rejects the distractor.
 */
export function checkDemoDirections(options: CheckDemoDirectionsOptions): DemoCheck[] {
  const { results } = options;
  const floor = options.controlFloor ?? 0.95;
  const checks: DemoCheck[] = [];
  const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
  for (const group of results.addition.filter((g) => g.published !== undefined)) {
    const singles = Object.entries(group.singles);
    const ok = singles.every(([, accuracy]) => group.accuracy > accuracy);
    checks.push({
      ok,
      what: `addition ${group.tasks.join(" + ")}: ${pct(group.accuracy)} on the union of its tasks, vs ${singles.map(([task, accuracy]) => `${task} alone ${pct(accuracy)}`).join(", ")}`,
    });
  }
  for (const n of results.negation) {
    checks.push({
      ok: n.target.negated < n.target.base && n.control.negated >= floor * n.control.base,
      what: `negation −${n.task}: ${n.task} ${pct(n.target.base)} → ${pct(n.target.negated)}, ${results.control} ${pct(n.control.negated)} (≥ ${floor * 100}% of the base's ${pct(n.control.base)})`,
    });
  }
  const a = results.analogy;
  checks.push({
    ok: a.test.analogy > a.test.base && a.test.analogy > a.test.b,
    what: `analogy → ${a.target}: ${pct(a.test.analogy)}, vs base ${pct(a.test.base)} and ${a.b} alone ${pct(a.test.b)}`,
  });
  const g = results.greedy;
  checks.push({
    ok: g.kept.length > 0 && !g.kept.some((k) => k.task === g.distractor),
    what: `greedy keeps ${g.kept.map((k) => k.task).join(", ") || "nothing"} and ${g.kept.some((k) => k.task === g.distractor) ? "keeps" : "rejects"} the distractor ${g.distractor}`,
  });
  return checks;
}
