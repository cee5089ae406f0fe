import { bitsOf, firstDifference } from "../tensor/testing/bit-comparison.js";
import { describe, expect, it } from "vitest";
import { InternalError, UsageError } from "../errors.js";
import { createRandom, deriveStream, fillRandom } from "../util/rng.js";
import { addScaled } from "./add-scaled.js";
import { dropAndRescale } from "./testing/drop-and-rescale.js";
import { keepCount, magnitudeThreshold } from "./magnitude-threshold.js";
import { magnitudePrune } from "./testing/magnitude-prune.js";
import {
  dareLinear,
  dareTies,
  findMergeMethod,
  findParameterProblem,
  magnitudePruneMethod,
  mergeMethods,
  recipeParametersOf,
  resolveMethodParameters,
  taskArithmetic,
  ties,
} from "./merge-methods.js";

const f32 = (values: number[]): Float32Array => new Float32Array(values);
const list = (values: Float32Array): number[] => Array.from(values);

/** Seeded, DARE-sized task-vector values (mostly within ±0.002), with repeats to exercise ties. */
function deltas(n: number, seed: number): Float32Array {
  const random = createRandom({ seed, labels: ["methods-spec"] });
  return Float32Array.from({ length: n }, () => {
    const value = (random.nextFloat() - 0.5) * 0.004;
    return random.nextU32() % 8 === 0 ? Math.round(value * 4000) / 4000 : value;
  });
}

describe("magnitude pruning", () => {
  it("keeps the top k by magnitude, ties at the threshold lowest index first", () => {
    // k = round(0.4 · 5) = 2: −3 is largest; 2 and −2 tie for second and the earlier one stays.
    expect(list(magnitudePrune({ values: f32([0.5, -3, 2, -2, 1]), density: 0.4 }))).toEqual([0, -3, 2, 0, 0]);
    expect(list(magnitudePrune({ values: f32([1, 1, 1, 1]), density: 0.5 }))).toEqual([1, 1, 0, 0]);
    expect(list(magnitudePrune({ values: f32([-1, 1, -1, 1]), density: 0.5 }))).toEqual([-1, 1, 0, 0]);
    expect(list(magnitudePrune({ values: f32([0.1, 0.2, 0.3]), density: 1 }))).toEqual(list(f32([0.1, 0.2, 0.3])));
  });

  it("ranks NaN above Infinity so it stays visible", () => {
    const out = magnitudePrune({ values: f32([1, NaN, -Infinity, 2]), density: 0.5 });
    expect(out[0]).toBe(0);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBe(-Infinity);
    expect(out[3]).toBe(0);
  });

  it("keeps round(density · n) elements, at least one", () => {
    expect(keepCount(0.2, 10)).toBe(2);
    expect(keepCount(0.3, 10)).toBe(3); // 0.3 · 10 is 3.0000000000000004 in double
    expect(keepCount(0.01, 10)).toBe(1);
    expect(keepCount(0.2, 0)).toBe(0);
    expect(keepCount(1, 7)).toBe(7);
  });

  it("keeps exactly the first k of a stable sort by magnitude, on data full of ties", () => {
    const random = createRandom({ seed: 3 });
    const values = Float32Array.from({ length: 20_000 }, () => ((random.nextU32() % 64) - 32) / 8);
    for (const density of [0.01, 0.2, 0.5, 0.77, 1]) {
      const k = keepCount(density, values.length);
      const order = [...values.keys()].sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!) || a - b);
      const kept = new Set(order.slice(0, k));
      const expected = values.map((value, i) => (kept.has(i) ? value : 0));
      const actual = magnitudePrune({ values, density });
      expect(firstDifference(bitsOf(actual), bitsOf(expected)), `density ${density}`).toBe(-1);
      const threshold = magnitudeThreshold({ values, k });
      expect(threshold.keepAtThreshold).toBeGreaterThan(0);
    }
  });
});

describe("DARE", () => {
  const stream = deriveStream({ seed: 5, labels: ["dare", "w", 0] });

  it("drops where the stream's word is below p·2^32 and divides survivors by fround(1 − p)", () => {
    const values = f32([0.25, -0.5, 1, 3, -7, 0.125, 0.001, 8]);
    const words = fillRandom({ stream, start: 0, out: new Uint32Array(8) });
    const out = dropAndRescale({ values, dropRate: 0.5, stream });
    const expected = list(values).map((value, j) => (words[j]! < 2 ** 31 ? 0 : value * 2));
    expect(list(out)).toEqual(expected);
    expect(expected.filter((value) => value === 0).length).toBeGreaterThan(0);
    expect(expected.filter((value) => value !== 0).length).toBeGreaterThan(0);
    // 1 − 0.3 is not a float32: survivors are divided by fround(0.7), in float32.
    const kept = dropAndRescale({ values: f32([1]), dropRate: 0.3, stream: deriveStream({ seed: 1 }) });
    expect([0, Math.fround(1 / Math.fround(0.7))]).toContain(kept[0]);
  });

  it("drops about p of the elements", () => {
    const values = new Float32Array(200_000).fill(1);
    for (const p of [0.1, 0.9, 0.99]) {
      const out = dropAndRescale({ values, dropRate: p, stream });
      const dropped = out.filter((x) => x === 0).length / values.length;
      expect(Math.abs(dropped - p)).toBeLessThan(0.005);
    }
  });

  it("is the identity at p = 0", () => {
    const values = deltas(1000, 1);
    expect(firstDifference(bitsOf(dropAndRescale({ values, dropRate: 0, stream })), bitsOf(values))).toBe(-1);
  });

  it("gives the same mask in any chunking", () => {
    const values = deltas(10_001, 2);
    const whole = dropAndRescale({ values, dropRate: 0.7, stream });
    const chunked = new Float32Array(values.length);
    for (const [start, end] of [
      [0, 3],
      [3, 4100],
      [4100, 10_001],
    ] as const) {
      dropAndRescale({
        values: values.subarray(start, end),
        dropRate: 0.7,
        stream,
        offset: start,
        out: chunked.subarray(start, end),
      });
    }
    expect(firstDifference(bitsOf(chunked), bitsOf(whole))).toBe(-1);
  });
});

describe("TIES", () => {
  const base = f32([10, 10, 10, 10, 10]);
  const tau1 = f32([1, -2, 3, 0.5, 2]);
  const tau2 = f32([-3, 1, 1, 0.5, -2]);

  it("elects the sign of the sum and averages the agreeing values (density 1)", () => {
    // j0: 1 − 3 = −2 → only −3 agrees. j1: −1 → −2. j2: 4 → mean(3, 1) = 2. j3: mean(0.5, 0.5). j4: sum 0 → no sign →
    // 0.
    const out = ties.merge({ base, taskVectors: [tau1, tau2], weights: [1, 1], parameters: { density: 1, lambda: 1 } });
    expect(list(out)).toEqual([7, 8, 12, 10.5, 10]);
  });

  it("trims each vector to its top-k first and scales the merged vector by λ", () => {
    // k = 2 of 5. τ1 keeps 3 and −2 (−2 and 2 tie; index 1 comes first): [0, −2, 3, 0, 0].
    // τ2 keeps −3 and −2: [−3, 0, 0, 0, −2]. Disjoint mean: [−3, −2, 3, 0, −2]; λ = 0.5.
    const out = ties.merge({
      base,
      taskVectors: [tau1, tau2],
      weights: [1, 1],
      parameters: { density: 0.4, lambda: 0.5 },
    });
    expect(list(out)).toEqual([8.5, 9, 11.5, 10, 9]);
  });

  it("applies per-vector weights before the election, so a negated vector votes the other way", () => {
    // −τ2 = [3, −1, −1, −0.5, 2]. j0: 1 + 3 → mean 2. j1: −2 − 1 → mean −1.5. j2: 3 − 1 → only 3.
    // j3: 0.5 − 0.5 = 0 → no sign. j4: 2 + 2 → 2.
    const out = ties.merge({ base, taskVectors: [tau1, tau2], weights: [1, -1], parameters: { density: 1 } });
    expect(list(out)).toEqual([12, 8.5, 13, 10, 12]);
  });

  it("propagates NaN and opposite infinities as NaN", () => {
    const out = ties.merge({
      base: f32([0, 0]),
      taskVectors: [f32([NaN, Infinity]), f32([1, -Infinity])],
      weights: [1, 1],
      parameters: { density: 1 },
    });
    expect(bitsOf(out)[0]).toBe(0x7fc00000);
    expect(bitsOf(out)[1]).toBe(0x7fc00000);
  });
});

describe("the registry's methods", () => {
  const n = 4099;
  const base = deltas(n, 10).map((x) => x * 100);
  const taskVectors = [deltas(n, 11), deltas(n, 12), deltas(n, 13)];
  const weights = [0.5, -0.3, 1.1];
  const random = { seed: 42, tensorName: "model.layers.3.self_attn.q_proj.weight" };

  it("task_arithmetic is the recipe-order float32 accumulation", () => {
    const expected = base.slice();
    taskVectors.forEach((tau, i) => addScaled({ acc: expected, tau, weight: weights[i]! }));
    const out = taskArithmetic.merge({ base, taskVectors, weights });
    expect(firstDifference(bitsOf(out), bitsOf(expected))).toBe(-1);
  });

  it("magnitude_prune is magnitudePrune of each vector, then task arithmetic", () => {
    const expected = base.slice();
    taskVectors.forEach((tau, i) =>
      addScaled({ acc: expected, tau: magnitudePrune({ values: tau, density: 0.3 }), weight: weights[i]! }),
    );
    const out = magnitudePruneMethod.merge({ base, taskVectors, weights, parameters: { density: 0.3 } });
    expect(firstDifference(bitsOf(out), bitsOf(expected))).toBe(-1);
  });

  it("dare_linear is dropAndRescale on the (seed, tensor, index) streams, then task arithmetic", () => {
    const expected = base.slice();
    taskVectors.forEach((tau, i) => {
      const stream = deriveStream({ seed: 42, labels: ["dare", random.tensorName, i] });
      addScaled({ acc: expected, tau: dropAndRescale({ values: tau, dropRate: 0.6, stream }), weight: weights[i]! });
    });
    const out = dareLinear.merge({ base, taskVectors, weights, parameters: { drop_rate: 0.6 }, random });
    expect(firstDifference(bitsOf(out), bitsOf(expected))).toBe(-1);
  });

  it("dare_linear at p = 0 is task arithmetic, and dare_ties at p = 0 is ties at density 1, bit for bit", () => {
    const plain = taskArithmetic.merge({ base, taskVectors, weights });
    expect(
      firstDifference(
        bitsOf(dareLinear.merge({ base, taskVectors, weights, parameters: { drop_rate: 0 }, random })),
        bitsOf(plain),
      ),
    ).toBe(-1);
    const elected = ties.merge({ base, taskVectors, weights, parameters: { density: 1, lambda: 0.8 } });
    const dared = dareTies.merge({ base, taskVectors, weights, parameters: { drop_rate: 0, lambda: 0.8 }, random });
    expect(firstDifference(bitsOf(dared), bitsOf(elected))).toBe(-1);
  });

  it("DARE methods are deterministic: same seed same bytes, other seed or tensor other bytes", () => {
    for (const method of [dareLinear, dareTies]) {
      const once = method.merge({ base, taskVectors, weights, random });
      const again = method.merge({ base, taskVectors, weights, random });
      expect(firstDifference(bitsOf(again), bitsOf(once))).toBe(-1);
      const otherSeed = method.merge({ base, taskVectors, weights, random: { ...random, seed: 43 } });
      expect(firstDifference(bitsOf(otherSeed), bitsOf(once))).not.toBe(-1);
      const otherTensor = method.merge({
        base,
        taskVectors,
        weights,
        random: { ...random, tensorName: "lm_head.weight" },
      });
      expect(firstDifference(bitsOf(otherTensor), bitsOf(once))).not.toBe(-1);
    }
  });

  it("elementwise methods give the same bytes chunk by chunk, in any order, as on the whole tensor", () => {
    for (const method of mergeMethods.filter((m) => m.granularity === "elementwise")) {
      const whole = method.merge({ base, taskVectors, weights, random });
      const chunked = new Float32Array(n);
      // Chunks processed back to front, with interleaved work on another tensor in between.
      for (const [start, end] of [
        [4000, n],
        [1, 4000],
        [0, 1],
      ] as const) {
        method.merge({
          base: base.slice(0, 7),
          taskVectors: taskVectors.map((t) => t.slice(0, 7)),
          weights,
          random: { ...random, tensorName: "other" },
        });
        method.merge({
          base: base.subarray(start, end),
          taskVectors: taskVectors.map((t) => t.subarray(start, end)),
          weights,
          random,
          offset: start,
          out: chunked.subarray(start, end),
        });
      }
      expect(firstDifference(bitsOf(chunked), bitsOf(whole)), method.name).toBe(-1);
    }
  });

  it("leave their inputs untouched", () => {
    const copies = taskVectors.map((t) => t.slice());
    for (const method of mergeMethods) {
      const count = method.terms?.max ?? taskVectors.length;
      method.merge({
        base,
        taskVectors: taskVectors.slice(0, count),
        weights: weights.slice(0, count),
        random,
        shape: [4099],
      });
    }
    taskVectors.forEach((t, i) => expect(firstDifference(bitsOf(t), bitsOf(copies[i]!))).toBe(-1));
  });
});

describe("registry", () => {
  it("lists each method once, with defaults inside their own ranges", () => {
    const names = mergeMethods.map((method) => method.name);
    expect(names).toEqual([
      "task_arithmetic",
      "magnitude_prune",
      "ties",
      "dare_linear",
      "dare_ties",
      "breadcrumbs",
      "breadcrumbs_ties",
      "della",
      "della_linear",
      "model_stock",
      "nuslerp",
    ]);
    for (const method of mergeMethods) {
      expect(findMergeMethod(method.name)).toBe(method);
      expect(Object.keys(resolveMethodParameters({ method }))).toEqual(method.parameters.map((p) => p.name));
      expect(findParameterProblem(method, {}, recipeParametersOf(method)), method.name).toBeUndefined();
      expect(method.reference).toMatch(/^https:\/\/(arxiv\.org\/abs\/|doi\.org\/)/);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(findMergeMethod("slerp")).toBeUndefined();
  });

  it("names the recipe path of a bad parameter", () => {
    expect(() => resolveMethodParameters({ method: ties, given: { density: 0 }, path: "method.parameters" })).toThrow(
      /method\.parameters\.density is 0, but ties needs it in \(0, 1\]/,
    );
    expect(() => resolveMethodParameters({ method: dareLinear, given: { drop_rate: 1 } })).toThrow(UsageError);
    expect(() => resolveMethodParameters({ method: ties, given: { lambda: Infinity } })).toThrow(UsageError);
    expect(() => resolveMethodParameters({ method: taskArithmetic, given: { density: 0.5 } })).toThrow(
      /parameters\.density is not a parameter of the task_arithmetic method; it takes none/,
    );
    expect(resolveMethodParameters({ method: ties, given: { density: 0.5 } })).toEqual({ density: 0.5, lambda: 1 });
  });

  it("asks for a seed where there is randomness, and whole tensors where there is ranking", () => {
    const input = { base: f32([0]), taskVectors: [f32([1])], weights: [1] };
    expect(() => dareTies.merge(input)).toThrow(UsageError);
    expect(() => ties.merge({ ...input, offset: 5 })).toThrow(InternalError);
    expect(() => taskArithmetic.merge({ ...input, weights: [1, 2] })).toThrow(InternalError);
  });
});
