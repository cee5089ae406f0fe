import { describe, expect, it } from "vitest";
import { defaultSvdParameters, factorTaskVector } from "../arithmetic/low-rank/factor-task-vector.js";
import { createMatrixKernels } from "../arithmetic/low-rank/matrix-kernels.js";
import { roundUp4 } from "../arithmetic/low-rank/randomized-svd.js";
import { createArithmeticKernels } from "../arithmetic/simd/create-arithmetic-kernels.js";
import { decodeToF32 } from "../tensor/decode-to-f32.js";
import type { ComputableDtype } from "../tensor/dtype.js";
import { encodeFromF32 } from "../tensor/encode-from-f32.js";
import { createRandom } from "../util/rng.js";
import { type LoraJob, LoraWorkspace, runLoraJob } from "./lora-job.js";

function job(name: string, shape: [number, number], layout: LoraJob["layout"], dtype: ComputableDtype): LoraJob {
  const random = createRandom({ seed: 3, labels: ["lora-job.spec", name] });
  const count = shape[0] * shape[1];
  const base = Float32Array.from({ length: count }, () => random.nextFloat() - 0.5);
  // A fine-tune of rank ≤ 3 away from the base, so the factors are well defined.
  const u = Array.from({ length: 3 * shape[0] }, () => random.nextFloat() - 0.5);
  const v = Array.from({ length: 3 * shape[1] }, () => random.nextFloat() - 0.5);
  const ft = base.map((x, e) => {
    const [i, j] = [Math.floor(e / shape[1]), e % shape[1]];
    return (
      x + 0.01 * (u[i]! * v[j]! + u[shape[0] + i]! * v[shape[1] + j]! + u[2 * shape[0] + i]! * v[2 * shape[1] + j]!)
    );
  });
  return {
    name,
    shape,
    layout,
    finetuned: { dtype, bytes: encodeFromF32({ dtype, values: ft }) },
    base: { dtype, bytes: encodeFromF32({ dtype, values: base }) },
    policy: { kind: "fixed", rank: 2 },
    svd: defaultSvdParameters,
    dtype: "F32",
  };
}

/** The factors from τ built here: the JavaScript codec, Math.fround(ft − base), laid out (and transposed) by hand. */
function reference(j: LoraJob) {
  const [rows, cols] = j.shape;
  const ft = decodeToF32(j.finetuned);
  const base = decodeToF32(j.base);
  const [m, n] = j.layout === "linear" ? [rows, cols] : [cols, rows];
  const ld = roundUp4(n);
  const matrices = createMatrixKernels({ implementation: "js" });
  matrices.reserve(m * ld);
  const heap = matrices.floats();
  heap.fill(0, 0, m * ld);
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < cols; c++) {
      const tau = Math.fround((ft[i * cols + c] as number) - (base[i * cols + c] as number));
      if (j.layout === "linear") heap[i * ld + c] = tau;
      else heap[c * ld + i] = tau;
    }
  const f = factorTaskVector({
    kernels: matrices,
    rows: m,
    cols: n,
    name: j.name,
    policy: j.policy,
    svd: j.svd,
    dtype: "F32",
  });
  return {
    a: encodeFromF32({ dtype: "F32", values: f.a }),
    b: encodeFromF32({ dtype: "F32", values: f.b }),
    norm: f.norm,
    relativeError: f.relativeError,
  };
}

describe("runLoraJob", () => {
  // Larger jobs first, then smaller ones, then larger again: the workspace's buffers and heap hold values left from
  // the previous tensor, which must not leak into the next.
  const jobs = [
    job("linear-unpadded", [40, 24], "linear", "BF16"),
    job("linear-padded", [18, 10], "linear", "F32"),
    job("conv1d", [12, 30], "conv1d", "F16"),
    job("embedding", [26, 9], "embedding", "BF16"),
    job("linear-larger", [64, 48], "linear", "F16"),
  ];

  it("gives the factors of τ = fround(ft − base) in every layout, however the workspace was used before", () => {
    const workspace = new LoraWorkspace(createArithmeticKernels(), createMatrixKernels());
    for (const j of jobs) {
      const expected = reference(j);
      const result = runLoraJob(structuredClone(j), workspace);
      expect(Buffer.from(result.a).equals(Buffer.from(expected.a)), j.name).toBe(true);
      expect(Buffer.from(result.b).equals(Buffer.from(expected.b)), j.name).toBe(true);
      expect(result.norm, j.name).toBe(expected.norm);
      expect(result.relativeError, j.name).toBe(expected.relativeError);
      expect(result.relativeError, j.name).toBeLessThan(1);
    }
  });

  it("keeps its buffers between tensors and grows them only for a larger one", () => {
    const workspace = new LoraWorkspace(createArithmeticKernels(), createMatrixKernels());
    const first = workspace.floats(1, 100);
    first[0] = 7;
    expect(workspace.floats(1, 50).buffer).toBe(first.buffer);
    expect(workspace.floats(1, 50)[0]).toBe(7);
    expect(workspace.floats(1, 200).buffer).not.toBe(first.buffer);
    expect(workspace.floats(0, 10).buffer).not.toBe(workspace.floats(1, 10).buffer);
  });
});
