import { describe, expect, it } from "vitest";
import { findMergeMethod } from "../arithmetic/merge-methods.js";
import { DataError } from "../errors.js";
import type { TensorRef, WeightedTau } from "../plan/types.js";
import { encodeFromF32 } from "../tensor/encode-from-f32.js";
import type { ComputableDtype } from "../tensor/dtype.js";
import { checkFiniteResult } from "./check-finite-result.js";
import { computeJob, type Operand } from "./compute-job.js";
import { createArithmeticKernels } from "../arithmetic/simd/create-arithmetic-kernels.js";
import type { Job, JobKind } from "./plan-jobs.js";
import { joinPatterns } from "../../test/helpers/join-patterns.js";

const kernels = createArithmeticKernels();
const ref = (input: number, name = "w"): TensorRef => ({ input, name }) as TensorRef;
const values = (dtype: ComputableDtype, list: number[]): Operand => ({
  dtype,
  bytes: encodeFromF32({ dtype, values: new Float32Array(list) }),
});

function job(kind: JobKind, dtype: ComputableDtype, count: number, start = 0): Job {
  return {
    tensor: {
      name: "vit.encoder.layer.0.output.dense.weight",
      dtype,
      shape: [count],
      bytes: 0,
      expression: {} as never,
    },
    start,
    end: start + count,
    kind,
  };
}

function merge(terms: Array<Omit<WeightedTau, "tau"> & { tau?: WeightedTau["tau"] }>): JobKind {
  const method = findMergeMethod("task_arithmetic");
  if (!method) throw new Error("no task_arithmetic");
  return {
    op: "merge",
    method,
    base: ref(0),
    terms: terms.map((t, i) => ({ tau: { kind: "vector", tensor: ref(i + 1) }, ...t })) as WeightedTau[],
    parameters: {},
  } as JobKind;
}

/** What the executor does: compute, then check the bytes before they are written. */
function run(j: Job, operands: Operand[]): void {
  checkFiniteResult({ job: j, operands, bytes: computeJob({ job: j, operands, kernels }) });
}

describe("checkFiniteResult", () => {
  it("passes finite results, and NaN or Inf that an input already held (the input's, carried through)", () => {
    expect(() =>
      run(job(merge([{ term: 0, weight32: 0.5 }]), "BF16", 4), [
        values("BF16", [1, 2, 3, 4]),
        values("F32", [1, -1, 0.5, 0]),
      ]),
    ).not.toThrow();
    expect(() =>
      run(job(merge([{ term: 0, weight32: 0.5 }]), "F32", 3), [
        values("F32", [Number.NaN, Infinity, 1]),
        values("F32", [1, 1, 1]),
      ]),
    ).not.toThrow();
  });

  it(
    "a λ too large for float32 (1e39 rounds to Infinity) stops the run naming the tensor, the element and the " +
      "term",
    () => {
      const terms = [
        { term: 0, weight32: 0.5 },
        { term: 1, weight32: Math.fround(1e39) },
      ];
      const operands = [values("F32", [1, 2, 3]), values("F32", [0.1, 0.2, 0.3]), values("BF16", [0, 0.25, 1])];
      const attempt = () => run(job(merge(terms), "F32", 3, 10), operands);
      expect(attempt).toThrow(DataError);
      expect(attempt).toThrow(
        joinPatterns(
          /^vit\.encoder\.layer\.0\.output\.dense\.weight\[10\] would be NaN: /,
          /the λ of term 2 \(λ = Infinity\) is too large for float32; /,
          /nothing was written or published, so use a smaller weight or scale/,
        ),
      );
    },
  );

  it("a sum that overflows names the term that overflowed; so does λ·τ with a finite λ", () => {
    const big = 3e38;
    expect(() =>
      run(
        job(
          merge([
            { term: 0, weight32: 1 },
            { term: 1, weight32: 1 },
          ]),
          "F32",
          1,
        ),
        [values("F32", [big]), values("F32", [1]), values("F32", [big])],
      ),
    ).toThrow(/\[0\] would be Infinity: adding term 2 \(λ = 1\) overflows float32/);
    expect(() =>
      run(job(merge([{ term: 0, weight32: 1e30 }]), "F32", 1), [values("F32", [1]), values("F32", [1e10])]),
    ).toThrow(/λ·τ of term 1 \(λ = 1e\+30\) overflows float32/);
  });

  it("a value the output dtype cannot hold, and a τ that overflows, are refused too", () => {
    // 70000 is finite in float32 but beyond F16's 65504.
    expect(() => run(job({ op: "copy", source: ref(0) }, "F16", 2), [values("F32", [1, 70000])])).toThrow(
      /\[1\] would be Infinity: rounding the float32 result to F16 overflows .*--dtype f32/,
    );
    expect(() =>
      run(job({ op: "taskVector", finetuned: ref(0), base: ref(1) }, "F32", 1), [
        values("F32", [3e38]),
        values("F32", [-3e38]),
      ]),
    ).toThrow(/τ = fine-tuned − base = .* overflows float32/);
  });

  it("looks at every element: BF16 words hold two values, and an odd tail is checked", () => {
    for (const at of [0, 1, 4]) {
      const base = [1, 2, 3, 4, 5].map((v, i) => (i === at ? 3e38 : v));
      const tau = base.map((_, i) => (i === at ? 1 : 0));
      expect(
        () =>
          run(job(merge([{ term: 0, weight32: Math.fround(3e38) }]), "BF16", 5), [
            values("BF16", base),
            values("BF16", tau),
          ]),
        `element ${at}`,
      ).toThrow(new RegExp(`\\[${at}\\] would be Infinity`));
    }
  });
  it(
    "a LoRA update that overflows float32 (finite factors) is refused, alone and as a merge term; non-finite " +
      "factors are the adapter's",
    () => {
      // A 2×1 by 1×2 product with s = 4: row 1 is 4·(1e38·1) = Infinity.
      const lora = { op: "lora", a: ref(1, "a"), b: ref(1, "b"), rank: 1, scale32: 4, transpose: false } as const;
      const factors = [values("F32", [1, 2]), values("F32", [1, 1e38])];
      const alone = job(lora as JobKind, "F32", 4);
      alone.tensor.shape = [2, 2];
      expect(() => run(alone, factors)).toThrow(/\[2\] would be Infinity: the LoRA update s·\(B·A\)/);
      const term = job(
        merge([
          {
            term: 0,
            weight32: 1,
            tau: { kind: "lora", a: ref(1, "a"), b: ref(1, "b"), rank: 1, scale32: 4, transpose: false },
          },
        ]),
        "F32",
        4,
      );
      expect(() => run(term, [values("F32", [0, 0, 0, 0]), ...factors])).toThrow(
        /τ of term 1 \(the adapter's s·\(B·A\)\) overflows float32/,
      );
      expect(() => run(alone, [values("F32", [1, Infinity]), values("F32", [1, 1])])).not.toThrow();
    },
  );
});
