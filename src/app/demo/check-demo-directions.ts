import { controlFloor } from "./demo-setup.js";
import type { DemoCheck, DemoResults } from "./demo-types.js";

export interface CheckDemoDirectionsOptions {
  /** A run's results; `checks` is ignored. */
  results: Omit<DemoResults, "checks" | "files" | "pictures">;
  /** The share of the base's control accuracy a negation must keep. @default 0.95 */
  controlFloor?: number;
}

/**
 * The bar each finding must clear, after the paper (Ilharco et al. 2023) at the scale of the demo: pairs of task
 * vectors keep ≥ 90% of their fine-tunes' accuracy (the paper: ≈ 98%), all tasks together ≥ 80% (eight tasks on
 * ViT-L/14: 91%).
 */
export const demoBars = {
  pairNormalized: 0.9,
  allNormalized: 0.8,
  /** Negation removes a task the base can do: the base has at least this test accuracy on it. */
  negationBaseKnows: 0.4,
  /** …and the negated model keeps at most this share of the base's accuracy above chance. */
  negationKeepsAboveChance: 0.5,
  /** The analogy at least doubles the base's accuracy on its target… */
  analogyOverBase: 2,
  /** …and reaches at least this share of the fine-tune that saw the target. */
  analogyOfOracle: 0.5,
} as const;

/**
 * The paper's findings, on this run's test numbers, each against the bar of demoBars: addition keeps most of the
 * fine-tunes' accuracy (normalized accuracy), negation forgets a task the base knows while the control keeps 95% of
 * the base's accuracy, the analogy gains a task no model was trained on, and greedy addition keeps helpful vectors,
 * rejects the distractor and ends above the best single vector.
 */
export function checkDemoDirections(options: CheckDemoDirectionsOptions): DemoCheck[] {
  const { results } = options;
  const floor = options.controlFloor ?? controlFloor;
  const checks: DemoCheck[] = [];
  const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
  for (const group of results.addition.filter((g) => g.published !== undefined)) {
    const all = group.tasks.length === results.tasks.length && group.tasks.length > 2;
    const bar = all ? demoBars.allNormalized : demoBars.pairNormalized;
    checks.push({
      ok: group.normalizedAccuracy >= bar,
      what:
        `addition ${all ? `of all ${group.tasks.length} tasks` : group.tasks.join(" + ")}: normalized accuracy ` +
        `${group.normalizedAccuracy.toFixed(3)} (bar ${bar}), ${pct(group.accuracy)} on its tasks`,
    });
  }
  const chance = results.chance;
  for (const n of results.negation) {
    const ceiling = chance + demoBars.negationKeepsAboveChance * (n.target.base - chance);
    const knows = n.target.base >= demoBars.negationBaseKnows;
    checks.push({
      ok: knows && n.target.negated <= ceiling && n.control.negated >= floor * n.control.base,
      what:
        `negation −${n.task}: ${n.task} ${pct(n.target.base)} → ${pct(n.target.negated)} (bar ${pct(ceiling)}, half ` +
        "the base's accuracy above chance" +
        `${knows ? "" : `; the base knows it below ${pct(demoBars.negationBaseKnows)}`}), ${results.control} ` +
        `${pct(n.control.base)} → ${pct(n.control.negated)} (bar ${pct(floor * n.control.base)})`,
    });
  }
  const a = results.analogy;
  checks.push({
    ok:
      a.test.analogy >= demoBars.analogyOverBase * a.test.base &&
      a.test.analogy >= demoBars.analogyOfOracle * a.test.oracle,
    what:
      `analogy → ${a.target}: ${pct(a.test.analogy)}, vs base ${pct(a.test.base)} (bar ` +
      `${demoBars.analogyOverBase}×) and the ${a.oracle} fine-tune that saw it ${pct(a.test.oracle)} (bar ½)`,
  });
  const g = results.greedy;
  const distracted = g.kept.some((k) => k.task === g.distractor);
  const single = g.bestSingle;
  checks.push({
    ok: g.kept.length > 0 && !distracted && single !== undefined && g.accuracy > single.accuracy,
    what:
      `greedy keeps ${g.kept.map((k) => k.task).join(", ") || "nothing"}, ${distracted ? "keeps" : "rejects"} the ` +
      `distractor ${g.distractor}, ` +
      `${pct(g.accuracy)} on the ${results.tasks.length} tasks vs the best single vector ` +
      `${single ? `(${single.task}) ${pct(single.accuracy)}` : "(none)"}`,
  });
  return checks;
}
