import { describe, expect, it } from "vitest";
import { checkDemoDirections } from "./check-demo-directions.js";
import { sampleDemoResults } from "./testing/sample-demo-results.js";

describe("checkDemoDirections", () => {
  it("passes every finding of consistent results, one check per table row, each with its bar", () => {
    const checks = checkDemoDirections({ results: sampleDemoResults() });
    expect(checks.map((c) => c.ok)).toEqual([true, true, true, true]);
    expect(checks.map((c) => c.what)).toEqual([
      "addition rotated + inverted: normalized accuracy 0.946 (bar 0.9), 87.5% on its tasks",
      "negation −rotated: rotated 50.0% → 20.0% (bar 30.0%, half the base's accuracy above chance), upright 98.0% → " +
        "95.0% (bar 93.1%)",
      "analogy → rotated-high: 60.0%, vs base 15.0% (bar 2×) and the rotated fine-tune that saw it 96.0% (bar ½)",
      "greedy keeps rotated, inverted, rejects the distractor shifted-labels, 77.0% on the 2 tasks vs the best " +
        "single vector (rotated) 60.0%",
    ]);
  });

  it("fails a pair below 0.9 normalized accuracy, and all tasks below 0.8", () => {
    const results = sampleDemoResults();
    const group = results.addition[2];
    if (group) group.normalizedAccuracy = 0.89;
    expect(checkDemoDirections({ results })[0]?.ok).toBe(false);
    results.tasks = ["rotated", "inverted", "upside"];
    if (group) group.tasks = results.tasks;
    const all = checkDemoDirections({ results })[0];
    expect(all?.ok).toBe(true);
    expect(all?.what).toContain("addition of all 3 tasks: normalized accuracy 0.890 (bar 0.8)");
  });

  it(
    "fails a negation of a task the base does not know, one that keeps more than half of it, or one that costs the " +
      "control more than 5%",
    () => {
      const unknown = sampleDemoResults();
      const u = unknown.negation[0];
      if (u) Object.assign(u.target, { base: 0.35, negated: 0.1 });
      expect(checkDemoDirections({ results: unknown })[1]?.ok).toBe(false);
      expect(checkDemoDirections({ results: unknown })[1]?.what).toContain("the base knows it below 40.0%");
      const kept = sampleDemoResults();
      const n = kept.negation[0];
      if (n) n.target.negated = 0.31;
      expect(checkDemoDirections({ results: kept })[1]?.ok).toBe(false);
      const lost = sampleDemoResults();
      const m = lost.negation[0];
      if (m) m.control.negated = 0.93;
      expect(checkDemoDirections({ results: lost })[1]?.ok).toBe(false);
      expect(checkDemoDirections({ results: lost, controlFloor: 0.9 })[1]?.ok).toBe(true);
    },
  );

  it("fails an analogy below twice the base or half the fine-tune that saw its target", () => {
    const weak = sampleDemoResults();
    weak.analogy.test.base = 0.31;
    expect(checkDemoDirections({ results: weak })[2]?.ok).toBe(false);
    const far = sampleDemoResults();
    far.analogy.test.oracle = 1.21;
    expect(checkDemoDirections({ results: far })[2]?.ok).toBe(false);
  });

  it("fails a greedy run that keeps the distractor or nothing, or ends no better than the best single vector", () => {
    const distracted = sampleDemoResults();
    distracted.greedy.kept.push({ task: "shifted-labels", lambda: 0.5 });
    const greedyCheck = checkDemoDirections({ results: distracted })[3];
    expect(greedyCheck?.ok).toBe(false);
    expect(greedyCheck?.what).toContain("keeps the distractor");
    const empty = sampleDemoResults();
    empty.greedy.kept = [];
    expect(checkDemoDirections({ results: empty })[3]?.ok).toBe(false);
    const flat = sampleDemoResults();
    if (flat.greedy.bestSingle) flat.greedy.bestSingle.accuracy = 0.77;
    expect(checkDemoDirections({ results: flat })[3]?.ok).toBe(false);
  });
});
