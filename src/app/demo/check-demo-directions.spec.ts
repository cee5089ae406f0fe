import { describe, expect, it } from "vitest";
import { checkDemoDirections } from "./check-demo-directions.js";
import { sampleDemoResults } from "./testing/sample-demo-results.js";

describe("checkDemoDirections", () => {
  it("passes every direction of consistent results, one check per table row", () => {
    const checks = checkDemoDirections({ results: sampleDemoResults() });
    expect(checks.map((c) => c.ok)).toEqual([true, true, true, true]);
    expect(checks.map((c) => c.what)).toEqual([
      "addition rotated + inverted: 75.0% on the union of its tasks, vs rotated alone 52.5%, inverted alone 52.5%",
      "negation −rotated: rotated 20.0% → 9.0%, upright 95.0% (≥ 95% of the base's 98.0%)",
      "analogy → rotated-high: 60.0%, vs base 15.0% and rotated-low alone 30.0%",
      "greedy keeps rotated, inverted and rejects the distractor shifted-labels",
    ]);
  });

  it("fails addition that does not beat a single fine-tune on the union", () => {
    const results = sampleDemoResults();
    const group = results.addition[2];
    if (group) group.singles.rotated = 0.8;
    expect(checkDemoDirections({ results })[0]?.ok).toBe(false);
  });

  it("fails a negation that keeps the target or loses more than 5% of the control", () => {
    const kept = sampleDemoResults();
    const n = kept.negation[0];
    if (n) n.target.negated = 0.2;
    expect(checkDemoDirections({ results: kept })[1]?.ok).toBe(false);
    const lost = sampleDemoResults();
    const m = lost.negation[0];
    if (m) m.control.negated = 0.93;
    expect(checkDemoDirections({ results: lost })[1]?.ok).toBe(false);
    expect(checkDemoDirections({ results: lost, controlFloor: 0.9 })[1]?.ok).toBe(true);
  });

  it("fails an analogy no better than its B term, and a greedy run that keeps the distractor or nothing", () => {
    const analogy = sampleDemoResults();
    analogy.analogy.test.b = 0.6;
    expect(checkDemoDirections({ results: analogy })[2]?.ok).toBe(false);
    const distracted = sampleDemoResults();
    distracted.greedy.kept.push({ task: "shifted-labels", lambda: 0.5 });
    const greedyCheck = checkDemoDirections({ results: distracted })[3];
    expect(greedyCheck?.ok).toBe(false);
    expect(greedyCheck?.what).toContain("keeps the distractor");
    const empty = sampleDemoResults();
    empty.greedy.kept = [];
    expect(checkDemoDirections({ results: empty })[3]?.ok).toBe(false);
  });
});
