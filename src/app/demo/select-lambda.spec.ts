import { describe, expect, it } from "vitest";
import { selectLambda } from "./select-lambda.js";

describe("selectLambda", () => {
  const points = [
    { lambda: 0, accuracy: 0.2, control: 1 },
    { lambda: 0.3, accuracy: 0.7, control: 0.97 },
    { lambda: 0.6, accuracy: 0.7, control: 0.9 },
    { lambda: 0.9, accuracy: 0.4, control: 0.5 },
  ];

  it("takes the highest score, and the smaller λ of equal scores", () => {
    expect(selectLambda({ points, score: (p) => p.accuracy })?.lambda).toBe(0.3);
    expect(selectLambda({ points: [...points].reverse(), score: (p) => p.accuracy })?.lambda).toBe(0.3);
  });

  it("chooses only among eligible points (negation: the lowest target that keeps the control)", () => {
    expect(
      selectLambda({ points, score: (p) => -p.accuracy, eligible: (p) => p.lambda > 0 && p.control >= 0.95 })?.lambda,
    ).toBe(0.3);
    expect(selectLambda({ points, score: (p) => -p.accuracy, eligible: (p) => p.control >= 0.95 })?.lambda).toBe(0);
  });

  it("returns undefined when nothing is eligible, and skips scores that are not numbers", () => {
    expect(selectLambda({ points, score: (p) => p.accuracy, eligible: () => false })).toBeUndefined();
    expect(selectLambda({ points, score: (p) => (p.lambda === 0.3 ? Number.NaN : p.accuracy) })?.lambda).toBe(0.6);
  });
});
