/**
 * A greedy search with a known answer: the score of a model is minus its squared distance to
 * θ* = base + 0.5·τ_A + 0.3·τ_C, so greedy addition must keep A (λ 0.5), then C (λ 0.3), and reject B (an unrelated
 * task vector) and D (random noise with the norm of τ_A).
 */
import { addScaled } from "../../src/arithmetic/add-scaled.js";
import { createRandom } from "../../src/util/rng.js";

export const problemTensors: Array<{ name: string; shape: number[] }> = [
  { name: "encoder.block.0.layer.0.SelfAttention.q.weight", shape: [64, 64] },
  { name: "encoder.block.0.layer.1.DenseReluDense.wi.weight", shape: [128, 64] },
  { name: "encoder.block.0.layer.1.DenseReluDense.wo.weight", shape: [64, 128] },
  { name: "encoder.final_layer_norm.weight", shape: [64] },
];

export type Tensors = Map<string, Float32Array>;

export interface GreedyProblem {
  base: Tensors;
  /** τ by candidate id: A, B, C and D (the distractor). */
  vectors: Map<string, Tensors>;
  /** θ* = base + 0.5·τ_A + 0.3·τ_C, in float32 task-arithmetic order. */
  target: Tensors;
}

export function makeGreedyProblem(seed = 7): GreedyProblem {
  const random = createRandom({ seed, labels: ["greedy-problem"] });
  const gaussian = () => {
    const u = Math.max(random.nextFloat(), Number.MIN_VALUE);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextFloat());
  };
  const fill = (std: number, offset = 0): Tensors =>
    new Map(
      problemTensors.map(({ name, shape }) => [
        name,
        Float32Array.from({ length: elements(shape) }, () => offset + std * gaussian()),
      ]),
    );
  const base = fill(0.02);
  const a = fill(0.002);
  const b = fill(0.003);
  const c = fill(0.002);
  const noise = fill(1);
  const scale = Math.sqrt(sumOfSquares(a) / sumOfSquares(noise));
  const d = new Map([...noise].map(([name, values]) => [name, values.map((v) => Math.fround(v * scale))]));
  const vectors = new Map([
    ["A", a],
    ["B", b],
    ["C", c],
    ["D", d],
  ]);
  const target = mergeTensors(base, vectors, [
    { candidate: "A", lambda: 0.5 },
    { candidate: "C", lambda: 0.3 },
  ]);
  return { base, vectors, target };
}

/** base + Σ λ·τ with task arithmetic's float32 accumulation order. */
export function mergeTensors(
  base: Tensors,
  vectors: ReadonlyMap<string, Tensors>,
  terms: ReadonlyArray<{ candidate: string; lambda: number }>,
): Tensors {
  const out: Tensors = new Map();
  for (const [name, values] of base) {
    const acc = Float32Array.from(values);
    for (const term of terms) {
      const tau = vectors.get(term.candidate)?.get(name);
      if (tau) addScaled({ acc, tau, weight: term.lambda });
    }
    out.set(name, acc);
  }
  return out;
}

/** −Σ (θ − θ*)², in float64: 0 at the target, lower the farther a model is from it. */
export function distanceScore(
  model: ReadonlyMap<string, Float32Array>,
  target: ReadonlyMap<string, Float32Array>,
): number {
  let sum = 0;
  for (const [name, values] of target) {
    const theirs = model.get(name);
    if (!theirs) throw new Error(`no tensor ${name}`);
    for (let i = 0; i < values.length; i++) sum += ((theirs[i] as number) - (values[i] as number)) ** 2;
  }
  return -sum;
}

export function sumOfSquares(tensors: ReadonlyMap<string, Float32Array>): number {
  let sum = 0;
  for (const values of tensors.values()) for (const v of values) sum += v * v;
  return sum;
}

function elements(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
