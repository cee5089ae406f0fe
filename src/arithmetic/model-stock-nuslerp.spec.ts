/**
 * Model Stock and task-vector SLERP: bit for bit against test/helpers/reference-methods.ts (the documented order, one
 * pair or one group at a time), and close, in float64, to mergekit's own formulas (Model Stock's
 * t·mean(θ_i) + (1 − t)·θ_base; nuslerp's normalize-then-interpolate), which are written differently on purpose.
 */
import { describe, expect, it } from "vitest";
import {
  firstBitDifference,
  groupsOf,
  mergekitModelStock,
  mergekitSlerp,
  modelStockReference,
  nuslerpReference,
} from "../../test/helpers/reference-methods.js";
import { createRandom } from "../util/rng.js";
import { modelStockMethod, nuslerpMethod, resolveMethodParameters } from "./merge-methods.js";
import { slerpFactor } from "./nuslerp.js";

function values(n: number, seed: number, offset = 0): Float32Array {
  const random = createRandom({ seed, labels: ["stock-slerp-spec"] });
  return Float32Array.from({ length: n }, () => (random.nextFloat() - 0.5 + offset) * 0.01);
}

describe("model_stock", () => {
  const rows = 8;
  const columns = 96;
  const n = rows * columns;
  const base = values(n, 1).map((x) => x * 100);
  // Correlated task vectors (a shared direction plus noise), as fine-tunes of one base are.
  const shared = values(n, 2, 0.3);
  const taus = [3, 4, 5].map((seed) => {
    const noise = values(n, seed);
    return shared.map((x, e) => x + noise[e]!);
  });

  it("is the documented order, per tensor and per row (filter_wise), bit for bit", () => {
    for (const filterWise of [false, true]) {
      for (const count of [2, 3]) {
        const weights = [1, 0.8, 1.2].slice(0, count);
        const expected = modelStockReference(
          base,
          taus.slice(0, count),
          weights,
          groupsOf([rows, columns], filterWise ? "last" : "whole"),
        );
        const out = modelStockMethod.merge({
          base,
          taskVectors: taus.slice(0, count),
          weights,
          parameters: { filter_wise: filterWise },
          shape: [rows, columns],
        });
        expect(firstBitDifference(out, expected), `filter_wise ${filterWise}, ${count} vectors`).toBe(-1);
      }
    }
  });

  it("with every weight 1 is mergekit's t·mean(θ_i) + (1 − t)·θ_base, to float32 precision", () => {
    for (const filterWise of [false, true]) {
      const out = modelStockMethod.merge({
        base,
        taskVectors: taus,
        weights: [1, 1, 1],
        parameters: { filter_wise: filterWise },
        shape: [rows, columns],
      });
      const expected = mergekitModelStock(base, taus, groupsOf([rows, columns], filterWise ? "last" : "whole"));
      let worst = 0;
      out.forEach(
        (x, e) => (worst = Math.max(worst, Math.abs(x - expected[e]!) / Math.max(Math.abs(expected[e]!), 1e-3))),
      );
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it("pulls the average towards the base: t is 1 for identical task vectors and 0 for orthogonal ones", () => {
    const same = modelStockMethod.merge({
      base: new Float32Array(4),
      taskVectors: [new Float32Array([1, 2, 3, 4]), new Float32Array([1, 2, 3, 4])],
      weights: [1, 1],
    });
    expect(Array.from(same)).toEqual([1, 2, 3, 4]);
    const orthogonal = modelStockMethod.merge({
      base: new Float32Array([5, 5]),
      taskVectors: [new Float32Array([1, 0]), new Float32Array([0, 1])],
      weights: [1, 1],
    });
    expect(Array.from(orthogonal)).toEqual([5, 5]);
    // Opposite vectors: 1 + (N − 1)·cos θ = 0, and t is defined as 0 (the base).
    const opposite = modelStockMethod.merge({
      base: new Float32Array([5, 5]),
      taskVectors: [new Float32Array([1, 2]), new Float32Array([-1, -2])],
      weights: [1, 1],
    });
    expect(Array.from(opposite)).toEqual([5, 5]);
  });

  it("refuses fewer than two task vectors", () => {
    expect(() =>
      modelStockMethod.merge({ base: new Float32Array(2), taskVectors: [new Float32Array(2)], weights: [1] }),
    ).toThrow(/at least two/);
  });
});

describe("nuslerp", () => {
  const rows = 6;
  const columns = 40;
  const n = rows * columns;
  const base = values(n, 11).map((x) => x * 50);
  const pair = [values(n, 12, 0.2), values(n, 13, -0.1)];
  const settings = [
    { parameters: { nuslerp_flatten: true }, axis: "whole" },
    { parameters: { nuslerp_flatten: false }, axis: "last" },
    { parameters: { nuslerp_flatten: false, nuslerp_row_wise: true }, axis: "first" },
  ] as const;

  it("is the documented order for the whole tensor, each row and each column, bit for bit", () => {
    for (const { parameters, axis } of settings) {
      for (const weights of [
        [1, 1],
        [0.3, 0.7],
        [2, -0.5],
      ]) {
        const out = nuslerpMethod.merge({ base, taskVectors: pair, weights, parameters, shape: [rows, columns] });
        expect(
          firstBitDifference(out, nuslerpReference(base, pair, weights, groupsOf([rows, columns], axis))),
          `${axis} ${weights.join(",")}`,
        ).toBe(-1);
      }
    }
  });

  it("is mergekit's normalize-then-slerp, to float32 precision, and ends at τ₁ and τ₂", () => {
    for (const { parameters, axis } of settings) {
      const out = nuslerpMethod.merge({
        base,
        taskVectors: pair,
        weights: [0.4, 0.6],
        parameters,
        shape: [rows, columns],
      });
      const expected = mergekitSlerp(base, pair, 0.6, groupsOf([rows, columns], axis));
      let worst = 0;
      out.forEach((x, e) => (worst = Math.max(worst, Math.abs(x - expected[e]!))));
      expect(worst, axis).toBeLessThan(1e-6);
    }
    const start = nuslerpMethod.merge({ base, taskVectors: pair, weights: [1, 0] });
    pair[0]!.forEach((x, e) => expect(Math.abs(start[e]! - (base[e]! + x))).toBeLessThan(1e-6));
  });

  it("falls back to lerp for parallel vectors and takes t = 0.5 when the weights cancel", () => {
    const parallel = nuslerpMethod.merge({
      base: new Float32Array(2),
      taskVectors: [new Float32Array([1, 2]), new Float32Array([2, 4])],
      weights: [1, 3],
    });
    expect(Array.from(parallel)).toEqual([Math.fround(0.25 * 1 + 0.75 * 2), Math.fround(0.25 * 2 + 0.75 * 4)]);
    expect(slerpFactor([1, -1])).toBe(0.5);
    expect(slerpFactor([1, 3])).toBe(0.75);
  });

  it("needs nuslerp_flatten: false for nuslerp_row_wise, and exactly two vectors", () => {
    expect(() => resolveMethodParameters({ method: nuslerpMethod, given: { nuslerp_row_wise: true } })).toThrow(
      /nuslerp_row_wise is true, but nuslerp needs nuslerp_flatten: false/,
    );
    expect(() =>
      nuslerpMethod.merge({ base: new Float32Array(1), taskVectors: [new Float32Array(1)], weights: [1] }),
    ).toThrow(/exactly two/);
  });
});
