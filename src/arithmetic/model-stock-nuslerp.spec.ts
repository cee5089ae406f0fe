/**
 * Model Stock and task-vector SLERP: bit for bit against references written here in the documented order (plain
 * loops, one pair or one group at a time), and close, in float64, to mergekit's own formulas (Model Stock's
 * t·mean(θ_i) + (1 − t)·θ_base; nuslerp's normalize-then-interpolate), which are written differently on purpose.
 */
import { describe, expect, it } from "vitest";
import { createRandom } from "../util/rng.js";
import { modelStockMethod, nuslerpMethod, resolveMethodParameters } from "./merge-methods.js";
import { slerpFactor } from "./nuslerp.js";

const bitsOf = (values: Float32Array): Uint32Array => new Uint32Array(values.buffer, values.byteOffset, values.length);

function firstDifference(a: Float32Array, b: Float32Array): number {
  const x = bitsOf(a);
  const y = bitsOf(b);
  if (x.length !== y.length) return Math.min(x.length, y.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

function values(n: number, seed: number, offset = 0): Float32Array {
  const random = createRandom({ seed, labels: ["stock-slerp-spec"] });
  return Float32Array.from({ length: n }, () => (random.nextFloat() - 0.5 + offset) * 0.01);
}

/** The indices of each vector of a [rows, columns] matrix: rows (`last`), columns (`first`) or everything. */
function groupsOf(rows: number, columns: number, axis: "whole" | "last" | "first"): number[][] {
  if (axis === "whole") return [Array.from({ length: rows * columns }, (_, e) => e)];
  if (axis === "last") return Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => r * columns + c));
  return Array.from({ length: columns }, (_, c) => Array.from({ length: rows }, (_, r) => r * columns + c));
}

const dot = (a: Float32Array, b: Float32Array, group: number[]) => group.reduce((sum, e) => sum + a[e]! * b[e]!, 0);

// --- Model Stock ---------------------------------------------------------------------------------------------------

function modelStockReference(base: Float32Array, taus: Float32Array[], weights: number[], groups: number[][]): Float32Array {
  const v = taus.map((tau, i) => Float32Array.from(tau, (x) => Math.fround(Math.fround(weights[i]!) * x)));
  const count = v.length;
  const out = new Float32Array(base.length);
  for (const group of groups) {
    const cosines: number[] = [];
    for (let a = 0; a < count; a++) {
      for (let b = a + 1; b < count; b++) {
        const cos = dot(v[a]!, v[b]!, group) / Math.max(Math.sqrt(dot(v[a]!, v[a]!, group)) * Math.sqrt(dot(v[b]!, v[b]!, group)), 1e-6);
        cosines.push(Math.min(1, Math.max(-1, cos)));
      }
    }
    const c = cosines.reduce((s, x) => s + x, 0) / cosines.length;
    const t = Math.fround(1 + (count - 1) * c === 0 ? 0 : (count * c) / (1 + (count - 1) * c));
    for (const e of group) {
      let sum = 0;
      for (const x of v) sum = Math.fround(sum + x[e]!);
      out[e] = Math.fround(base[e]! + Math.fround(t * Math.fround(sum / count)));
    }
  }
  return out;
}

/** mergekit's Model Stock on the weights themselves, in float64: t·mean(θ_i) + (1 − t)·θ_base per group. */
function mergekitModelStock(base: Float32Array, taus: Float32Array[], groups: number[][]): Float64Array {
  const thetas = taus.map((tau) => Float64Array.from(tau, (x, e) => base[e]! + x));
  const out = new Float64Array(base.length);
  for (const group of groups) {
    const offsets = thetas.map((theta) => group.map((e) => theta[e]! - base[e]!));
    const cosines: number[] = [];
    for (let a = 0; a < offsets.length; a++) {
      for (let b = a + 1; b < offsets.length; b++) {
        const [x, y] = [offsets[a]!, offsets[b]!];
        const norm = Math.hypot(...x) * Math.hypot(...y);
        cosines.push(x.reduce((s, xi, k) => s + xi * y[k]!, 0) / Math.max(norm, 1e-6));
      }
    }
    const c = cosines.reduce((s, x) => s + x, 0) / cosines.length;
    const n = thetas.length;
    const t = (n * c) / (1 + (n - 1) * c);
    for (const e of group) out[e] = t * (thetas.reduce((s, theta) => s + theta[e]!, 0) / n) + (1 - t) * base[e]!;
  }
  return out;
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
        const expected = modelStockReference(base, taus.slice(0, count), weights, groupsOf(rows, columns, filterWise ? "last" : "whole"));
        const out = modelStockMethod.merge({ base, taskVectors: taus.slice(0, count), weights, parameters: { filter_wise: filterWise }, shape: [rows, columns] });
        expect(firstDifference(out, expected), `filter_wise ${filterWise}, ${count} vectors`).toBe(-1);
      }
    }
  });

  it("with every weight 1 is mergekit's t·mean(θ_i) + (1 − t)·θ_base, to float32 precision", () => {
    for (const filterWise of [false, true]) {
      const out = modelStockMethod.merge({ base, taskVectors: taus, weights: [1, 1, 1], parameters: { filter_wise: filterWise }, shape: [rows, columns] });
      const expected = mergekitModelStock(base, taus, groupsOf(rows, columns, filterWise ? "last" : "whole"));
      let worst = 0;
      out.forEach((x, e) => (worst = Math.max(worst, Math.abs(x - expected[e]!) / Math.max(Math.abs(expected[e]!), 1e-3))));
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it("pulls the average towards the base: t is 1 for identical task vectors and 0 for orthogonal ones", () => {
    const same = modelStockMethod.merge({ base: new Float32Array(4), taskVectors: [new Float32Array([1, 2, 3, 4]), new Float32Array([1, 2, 3, 4])], weights: [1, 1] });
    expect(Array.from(same)).toEqual([1, 2, 3, 4]);
    const orthogonal = modelStockMethod.merge({ base: new Float32Array([5, 5]), taskVectors: [new Float32Array([1, 0]), new Float32Array([0, 1])], weights: [1, 1] });
    expect(Array.from(orthogonal)).toEqual([5, 5]);
    // Opposite vectors: 1 + (N − 1)·cos θ = 0, and t is defined as 0 (the base).
    const opposite = modelStockMethod.merge({ base: new Float32Array([5, 5]), taskVectors: [new Float32Array([1, 2]), new Float32Array([-1, -2])], weights: [1, 1] });
    expect(Array.from(opposite)).toEqual([5, 5]);
  });

  it("refuses fewer than two task vectors", () => {
    expect(() => modelStockMethod.merge({ base: new Float32Array(2), taskVectors: [new Float32Array(2)], weights: [1] })).toThrow(/at least two/);
  });
});

// --- nuslerp -------------------------------------------------------------------------------------------------------

function nuslerpReference(base: Float32Array, [a, b]: Float32Array[], weights: number[], groups: number[][]): Float32Array {
  const [w1, w2] = weights.map(Math.fround) as [number, number];
  const t = Math.abs(w1 + w2) < 1e-6 ? 0.5 : w2 / (w1 + w2);
  const out = new Float32Array(base.length);
  for (const group of groups) {
    const normA = Math.max(Math.sqrt(dot(a!, a!, group)), 1e-7);
    const normB = Math.max(Math.sqrt(dot(b!, b!, group)), 1e-7);
    const theta = Math.acos(Math.min(1, Math.max(-1, dot(a!, b!, group) / (normA * normB))));
    const parallel = Math.abs(Math.sin(theta)) < 1e-8;
    const c1 = Math.fround(parallel ? 1 - t : Math.sin((1 - t) * theta) / Math.sin(theta));
    const c2 = Math.fround(parallel ? t : Math.sin(t * theta) / Math.sin(theta));
    for (const e of group) out[e] = Math.fround(base[e]! + Math.fround(Math.fround(c1 * a![e]!) + Math.fround(c2 * b![e]!)));
  }
  return out;
}

/** mergekit's nuslerp on task vectors, in float64: normalize each vector, then (sin((1 − t)θ)·v₀ + sin(tθ)·v₁) / sin θ. */
function mergekitSlerp(base: Float32Array, [a, b]: Float32Array[], t: number, groups: number[][]): Float64Array {
  const out = new Float64Array(base.length);
  for (const group of groups) {
    const x = group.map((e) => a![e]!);
    const y = group.map((e) => b![e]!);
    const nx = Math.hypot(...x);
    const ny = Math.hypot(...y);
    const cos = x.reduce((s, xi, k) => s + (xi / nx) * (y[k]! / ny), 0);
    const theta = Math.acos(Math.min(1, Math.max(-1, cos)));
    group.forEach((e, k) => (out[e] = base[e]! + (Math.sin((1 - t) * theta) * x[k]! + Math.sin(t * theta) * y[k]!) / Math.sin(theta)));
  }
  return out;
}

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
      for (const weights of [[1, 1], [0.3, 0.7], [2, -0.5]]) {
        const out = nuslerpMethod.merge({ base, taskVectors: pair, weights, parameters, shape: [rows, columns] });
        expect(firstDifference(out, nuslerpReference(base, pair, weights, groupsOf(rows, columns, axis))), `${axis} ${weights.join(",")}`).toBe(-1);
      }
    }
  });

  it("is mergekit's normalize-then-slerp, to float32 precision, and ends at τ₁ and τ₂", () => {
    for (const { parameters, axis } of settings) {
      const out = nuslerpMethod.merge({ base, taskVectors: pair, weights: [0.4, 0.6], parameters, shape: [rows, columns] });
      const expected = mergekitSlerp(base, pair, 0.6, groupsOf(rows, columns, axis));
      let worst = 0;
      out.forEach((x, e) => (worst = Math.max(worst, Math.abs(x - expected[e]!))));
      expect(worst, axis).toBeLessThan(1e-6);
    }
    const start = nuslerpMethod.merge({ base, taskVectors: pair, weights: [1, 0] });
    pair[0]!.forEach((x, e) => expect(Math.abs(start[e]! - (base[e]! + x))).toBeLessThan(1e-6));
  });

  it("falls back to lerp for parallel vectors and takes t = 0.5 when the weights cancel", () => {
    const parallel = nuslerpMethod.merge({ base: new Float32Array(2), taskVectors: [new Float32Array([1, 2]), new Float32Array([2, 4])], weights: [1, 3] });
    expect(Array.from(parallel)).toEqual([Math.fround(0.25 * 1 + 0.75 * 2), Math.fround(0.25 * 2 + 0.75 * 4)]);
    expect(slerpFactor([1, -1])).toBe(0.5);
    expect(slerpFactor([1, 3])).toBe(0.75);
  });

  it("needs nuslerp_flatten: false for nuslerp_row_wise, and exactly two vectors", () => {
    expect(() => resolveMethodParameters({ method: nuslerpMethod, given: { nuslerp_row_wise: true } })).toThrow(/nuslerp_row_wise is true, but nuslerp needs nuslerp_flatten: false/);
    expect(() => nuslerpMethod.merge({ base: new Float32Array(1), taskVectors: [new Float32Array(1)], weights: [1] })).toThrow(/exactly two/);
  });
});
