/** Breadcrumbs and DELLA, bit for bit against the independent references of test/helpers/reference-methods.ts. */
import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import {
  crumbsReference,
  electReference,
  firstBitDifference,
  magpruneReference,
  sumReference,
} from "../../test/helpers/reference-methods.js";
import { createRandom } from "../util/rng.js";
import {
  breadcrumbs,
  breadcrumbsTies,
  dareLinear,
  dareTies,
  della,
  dellaLinear,
  resolveMethodParameters,
  type MergeInput,
  type MergeMethod,
} from "./merge-methods.js";

/** Values with many exact repeats, so every tie rule is exercised. */
function values(n: number, seed: number, spread = 0.004): Float32Array {
  const random = createRandom({ seed, labels: ["breadcrumbs-della-spec"] });
  return Float32Array.from({ length: n }, () => {
    const x = (random.nextFloat() - 0.5) * spread;
    return random.nextU32() % 4 === 0 ? Math.round(x * 2000) / 2000 : x;
  });
}

// --- specs ---------------------------------------------------------------------------------------------------------

const n = 3 * 256;
const base = values(n, 1, 2);
const taskVectors = [values(n, 2), values(n, 3), values(n, 4)];
const weights = [0.6, 1.3, -0.4];
const random = { seed: 7, tensorName: "model.layers.0.mlp.up_proj.weight" };

/** `method` over the shared base, task vectors and weights, with `more` (random, shape) besides the parameters. */
function mergeShared(method: MergeMethod, parameters: MergeInput["parameters"], more: Partial<MergeInput> = {}) {
  return method.merge({ base, taskVectors, weights, parameters, ...more });
}

/** `method` over one task vector τ at weight 1 onto a zero base, so that the output is what it keeps of τ. */
function mergeOne(
  method: MergeMethod,
  tau: Float32Array,
  parameters: MergeInput["parameters"],
  more: Partial<MergeInput> = {},
) {
  return method.merge({ base: new Float32Array(tau.length), taskVectors: [tau], weights: [1], parameters, ...more });
}

describe("breadcrumbs", () => {
  it("keeps the band below the outliers, ties by index as TIES ranks, on a small example", () => {
    // n = 10: k = 3, o = 2. By |τ|: 9 (j1) and −9 (j4) are the outliers; 5 (j0), 5 (j7) and −5 (j9) are kept; 4 (j6)
    // and below are not.
    const tau = new Float32Array([5, 9, 1, 0, -9, 2, 4, 5, 3, -5]);
    const out = mergeOne(breadcrumbs, tau, { density: 0.3, gamma: 0.2 });
    expect(Array.from(out)).toEqual([5, 0, 0, 0, 0, 0, 0, 5, 0, -5]);
  });

  it.each([
    [0.9, 0.01],
    [0.3, 0.05],
    [0.5, 0],
    [0.99, 0.2],
    [1, 0.5],
  ])("is the sort-based band, then task arithmetic, bit for bit: density %d, gamma %d", (density, gamma) => {
    const expected = sumReference(
      base,
      taskVectors.map((tau) => crumbsReference(tau, density, gamma)),
      weights,
    );
    expect(firstBitDifference(mergeShared(breadcrumbs, { density, gamma }), expected)).toBe(-1);
  });

  it("breadcrumbs_ties is the band, then TIES' election, disjoint mean and λ, bit for bit", () => {
    const sparse = taskVectors.map((tau) => crumbsReference(tau, 0.4, 0.02));
    const out = mergeShared(breadcrumbsTies, { density: 0.4, gamma: 0.02, lambda: 1.5 });
    expect(firstBitDifference(out, electReference(base, sparse, weights, 1.5))).toBe(-1);
  });

  it(
    "lowers the outliers when density + gamma leaves no room, and keeps the largest with gamma 0 (mergekit keeps " +
      "none)",
    () => {
      const tau = new Float32Array([1, 2, 3, 4]);
      expect(Array.from(mergeOne(breadcrumbs, tau, { density: 1, gamma: 0.5 }))).toEqual([1, 2, 3, 4]);
      expect(Array.from(mergeOne(breadcrumbs, tau, { density: 0.5, gamma: 0 }))).toEqual([0, 0, 3, 4]);
    },
  );
});

describe("della", () => {
  const shape = [3, 256];

  it.each([
    [0.5, 0.15],
    [0.3, 0.29],
    [0.8, 0.2],
    [0.6, 0],
  ])("keeps by rank within each row and divides by the keep probability, bit for bit: %d ± %d", (density, epsilon) => {
    const sparse = taskVectors.map((tau, i) =>
      magpruneReference(tau, 256, density, epsilon, random.seed, random.tensorName, i),
    );
    const linear = mergeShared(dellaLinear, { density, epsilon, lambda: 0.75 }, { random, shape });
    expect(firstBitDifference(linear, sumReference(base, sparse, weights, 0.75)), "linear").toBe(-1);
    const elected = mergeShared(della, { density, epsilon, lambda: 1.2 }, { random, shape });
    expect(firstBitDifference(elected, electReference(base, sparse, weights, 1.2)), "ties").toBe(-1);
  });

  it("treats a 1-D tensor as one row, and a row of one entry with the density itself", () => {
    const parameters = { density: 0.4, epsilon: 0.1 };
    const bias = { seed: 3, tensorName: "bias" };
    const sparse = taskVectors.map((tau, i) => magpruneReference(tau, n, 0.4, 0.1, 3, "bias", i));
    const out = mergeShared(dellaLinear, parameters, { random: bias });
    expect(firstBitDifference(out, sumReference(base, sparse, weights))).toBe(-1);
    const single = taskVectors.map((tau, i) => magpruneReference(tau, 1, 0.4, 0.1, 3, "bias", i));
    const column = mergeShared(dellaLinear, parameters, { random: bias, shape: [n, 1] });
    expect(firstBitDifference(column, sumReference(base, single, weights))).toBe(-1);
  });

  it("at epsilon 0 is DARE with drop_rate 1 − density on the same streams, bit for bit", () => {
    const parameters = { density: 0.25, epsilon: 0 };
    const dare = mergeShared(dareLinear, { drop_rate: 0.75 }, { random });
    expect(firstBitDifference(mergeShared(dellaLinear, parameters, { random, shape }), dare)).toBe(-1);
    const dareElected = mergeShared(dareTies, { drop_rate: 0.75, lambda: 0.5 }, { random });
    const dellaElected = mergeShared(della, { ...parameters, lambda: 0.5 }, { random, shape });
    expect(firstBitDifference(dellaElected, dareElected)).toBe(-1);
  });

  it("keeps about density of the entries, more of the large ones than of the small ones", () => {
    const big = values(64 * 1024, 9);
    const out = mergeOne(dellaLinear, big, { density: 0.5, epsilon: 0.3 }, { random, shape: [64, 1024] });
    const kept = out.filter((x) => x !== 0).length / big.length;
    expect(Math.abs(kept - 0.5)).toBeLessThan(0.01);
    const magnitudes = Array.from(big, Math.abs).sort((a, b) => a - b);
    const median = magnitudes[magnitudes.length / 2]!;
    let keptLarge = 0;
    let keptSmall = 0;
    big.forEach((x, j) =>
      Math.abs(x) > median ? (keptLarge += out[j] !== 0 ? 1 : 0) : (keptSmall += out[j] !== 0 ? 1 : 0),
    );
    expect(keptLarge).toBeGreaterThan(keptSmall * 1.5);
  });

  it("refuses a density ± epsilon outside (0, 1], as mergekit does", () => {
    expect(() => resolveMethodParameters({ method: della, given: { density: 0.1, epsilon: 0.1 } })).toThrow(UsageError);
    expect(() => resolveMethodParameters({ method: della, given: { density: 0.9, epsilon: 0.2 } })).toThrow(
      /parameters\.epsilon is 0\.2, but della needs density − epsilon above 0 and density \+ epsilon at most 1/,
    );
    expect(resolveMethodParameters({ method: dellaLinear, given: { density: 0.9, epsilon: 0.1 } })).toEqual({
      density: 0.9,
      epsilon: 0.1,
      lambda: 1,
    });
  });
});
