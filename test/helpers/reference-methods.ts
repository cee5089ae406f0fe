/**
 * Independent references for the merge methods added from mergekit, written from the documented definitions
 * (recipes/README.md) with other means than src/arithmetic's kernels: comparison sorts instead of radix thresholds,
 * ranks counted pair by pair, whole random streams drawn at once, one group or pair at a time. The unit specs and the
 * end-to-end merges compare the product's bytes with these, and with mergekit's own formulas where those are
 * written differently (mergekitModelStock, mergekitSlerp: float64, so within float32 precision).
 */
import { deriveStream, fillRandom } from "../../src/util/rng.js";

/** The first index where two float32 arrays differ in their bits (NaN payloads and −0 included), or −1. */
export function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (x.length !== y.length) return Math.min(x.length, y.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** Breadcrumbs' band: in the order (|τ| descending, index ascending), positions [o, o + k) survive. */
export function crumbsReference(tau: Float32Array, density: number, gamma: number): Float32Array {
  const n = tau.length;
  const k = density >= 1 ? n : Math.min(n, Math.max(1, Math.round(density * n)));
  const o = Math.min(Math.round(gamma * n), n - k);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.abs(tau[b]!) - Math.abs(tau[a]!) || a - b);
  const out = new Float32Array(n);
  for (const i of order.slice(o, o + k)) out[i] = tau[i]!;
  return out;
}

/** DELLA's MAGPRUNE of one vector: ranks counted pair by pair in each row, DARE's stream for (seed, tensor, term). */
export function magpruneReference(
  tau: Float32Array,
  rowLength: number,
  density: number,
  epsilon: number,
  seed: number,
  tensor: string,
  term: number,
): Float32Array {
  const n = tau.length;
  const words = fillRandom({
    stream: deriveStream({ seed, labels: ["dare", tensor, term] }),
    start: 0,
    out: new Uint32Array(n),
  });
  const out = new Float32Array(n);
  for (let row = 0; row < n; row += rowLength) {
    for (let x = row; x < row + rowLength; x++) {
      let rank = 0;
      for (let y = row; y < row + rowLength; y++) {
        const smaller = Math.abs(tau[y]!) < Math.abs(tau[x]!) || (Math.abs(tau[y]!) === Math.abs(tau[x]!) && y < x);
        if (smaller) rank++;
      }
      const q = rowLength === 1 ? density : density - epsilon + (rank / (rowLength - 1)) * 2 * epsilon;
      out[x] = words[x]! < (1 - q) * 2 ** 32 ? 0 : Math.fround(tau[x]! / Math.fround(q));
    }
  }
  return out;
}

/** acc = base; acc = fround(acc + fround(λ · fround(λ_i · τ̂_i))) in order. */
export function sumReference(base: Float32Array, sparse: Float32Array[], weights: number[], lambda = 1): Float32Array {
  const out = new Float32Array(base.length);
  for (let j = 0; j < base.length; j++) {
    let acc = base[j]!;
    sparse.forEach(
      (tau, i) =>
        (acc = Math.fround(acc + Math.fround(Math.fround(lambda) * Math.fround(Math.fround(weights[i]!) * tau[j]!)))),
    );
    out[j] = acc;
  }
  return out;
}

/** TIES' election and disjoint mean, then fround(base + fround(λ · τ_m)). */
export function electReference(
  base: Float32Array,
  sparse: Float32Array[],
  weights: number[],
  lambda = 1,
): Float32Array {
  const out = new Float32Array(base.length);
  for (let j = 0; j < base.length; j++) {
    const v = sparse.map((tau, i) => Math.fround(Math.fround(weights[i]!) * tau[j]!));
    const total = v.reduce((s, x) => Math.fround(s + x), 0);
    const agreeing = v.filter((x) => (total > 0 && x > 0) || (total < 0 && x < 0));
    const mean =
      agreeing.length === 0 ? 0 : Math.fround(agreeing.reduce((s, x) => Math.fround(s + x), 0) / agreeing.length);
    out[j] = Math.fround(base[j]! + Math.fround(Math.fround(lambda) * mean));
  }
  return out;
}

/**
 * The indices of each vector of a tensor: everything (`whole`), each slice along the last dimension (`last`, a
 * matrix's rows) or along the first (`first`, its columns); a 0-D or 1-D tensor is one vector.
 */
export function groupsOf(shape: readonly number[], axis: "whole" | "last" | "first"): number[][] {
  const n = shape.reduce((a, b) => a * b, 1);
  const all = Array.from({ length: n }, (_, e) => e);
  if (axis === "whole" || shape.length < 2) return [all];
  if (axis === "last") {
    const length = shape[shape.length - 1]!;
    return Array.from({ length: n / length }, (_, r) => all.slice(r * length, (r + 1) * length));
  }
  const inner = n / shape[0]!;
  return Array.from({ length: inner }, (_, c) => Array.from({ length: shape[0]! }, (_, r) => r * inner + c));
}

export const dot = (a: Float32Array, b: Float32Array, group: number[]) =>
  group.reduce((sum, e) => sum + a[e]! * b[e]!, 0);

export function modelStockReference(
  base: Float32Array,
  taus: Float32Array[],
  weights: number[],
  groups: number[][],
): Float32Array {
  const v = taus.map((tau, i) => Float32Array.from(tau, (x) => Math.fround(Math.fround(weights[i]!) * x)));
  const count = v.length;
  const out = new Float32Array(base.length);
  for (const group of groups) {
    const cosines: number[] = [];
    for (let a = 0; a < count; a++) {
      for (let b = a + 1; b < count; b++) {
        const cos =
          dot(v[a]!, v[b]!, group) /
          Math.max(Math.sqrt(dot(v[a]!, v[a]!, group)) * Math.sqrt(dot(v[b]!, v[b]!, group)), 1e-6);
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
export function mergekitModelStock(base: Float32Array, taus: Float32Array[], groups: number[][]): Float64Array {
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

export function nuslerpReference(
  base: Float32Array,
  [a, b]: Float32Array[],
  weights: number[],
  groups: number[][],
): Float32Array {
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
    for (const e of group)
      out[e] = Math.fround(base[e]! + Math.fround(Math.fround(c1 * a![e]!) + Math.fround(c2 * b![e]!)));
  }
  return out;
}

/**
 * mergekit's nuslerp on task vectors, in float64: normalize each vector, then (sin((1 − t)θ)·v₀ + sin(tθ)·v₁) / sin θ.
 */
export function mergekitSlerp(base: Float32Array, [a, b]: Float32Array[], t: number, groups: number[][]): Float64Array {
  const out = new Float64Array(base.length);
  for (const group of groups) {
    const x = group.map((e) => a![e]!);
    const y = group.map((e) => b![e]!);
    const nx = Math.hypot(...x);
    const ny = Math.hypot(...y);
    const cos = x.reduce((s, xi, k) => s + (xi / nx) * (y[k]! / ny), 0);
    const theta = Math.acos(Math.min(1, Math.max(-1, cos)));
    group.forEach(
      (e, k) =>
        (out[e] = base[e]! + (Math.sin((1 - t) * theta) * x[k]! + Math.sin(t * theta) * y[k]!) / Math.sin(theta)),
    );
  }
  return out;
}
