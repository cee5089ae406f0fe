import { describe, expect, it } from "vitest";
import { makeGreedyProblem, mergeTensors } from "../../../test/helpers/greedy-problem.js";
import { DataError } from "../../errors.js";
import type { EvaluationInput, Evaluator } from "../../eval/evaluator.js";
import { decodeToF32 } from "../../tensor/decode-to-f32.js";
import { encodeFromF32 } from "../../tensor/encode-from-f32.js";
import { createInMemoryEvaluate } from "./create-in-memory-evaluate.js";

const problem = makeGreedyProblem(3);
const names = [...problem.base.keys()];

function recording(): Evaluator & { inputs: EvaluationInput[] } {
  const inputs: EvaluationInput[] = [];
  return {
    name: "recording",
    inputs,
    evaluate: async (input) => {
      inputs.push(input);
      return { score: inputs.length };
    },
  };
}

describe("createInMemoryEvaluate", () => {
  it("hands the evaluator base + Σ λ·τ in task arithmetic's float32 order, in memory, named by the label", async () => {
    const evaluator = recording();
    const before = Float32Array.from(problem.base.get(names[0] as string) as Float32Array);
    const evaluate = createInMemoryEvaluate({
      evaluator,
      start: { tensors: problem.base, config: { model_type: "vit" } },
      vectors: problem.vectors,
    });
    const terms = [
      { candidate: "A", lambda: 0.5 },
      { candidate: "C", lambda: 0.3 },
    ];
    expect(await evaluate({ terms, label: "start + 0.5·A + 0.3·C" })).toEqual({ score: 1 });
    const input = evaluator.inputs[0];
    expect(input?.modelDir).toBeUndefined();
    expect(input).toMatchObject({ name: "start + 0.5·A + 0.3·C", config: { model_type: "vit" } });
    const expected = mergeTensors(problem.base, problem.vectors, terms);
    for (const name of names) expect(input?.tensors?.get(name)).toEqual(expected.get(name));
    // The start model is never modified.
    expect(problem.base.get(names[0] as string)).toEqual(before);
  });

  it("rounds each tensor once to the dtype it would be published in", async () => {
    const evaluator = recording();
    const dtypes = new Map(names.map((name) => [name, "BF16" as const]));
    const evaluate = createInMemoryEvaluate({
      evaluator,
      start: { tensors: problem.base, config: {} },
      vectors: problem.vectors,
      dtypes,
    });
    await evaluate({ terms: [{ candidate: "B", lambda: 0.7 }], label: "x" });
    const merged = mergeTensors(problem.base, problem.vectors, [{ candidate: "B", lambda: 0.7 }]).get(
      names[1] as string,
    ) as Float32Array;
    const rounded = decodeToF32({ dtype: "BF16", bytes: encodeFromF32({ dtype: "BF16", values: merged }) });
    expect(evaluator.inputs[0]?.tensors?.get(names[1] as string)).toEqual(rounded);
    expect(rounded).not.toEqual(merged);
  });

  it("treats a tensor a vector omits as a zero delta, and refuses vectors that do not fit", async () => {
    const evaluator = recording();
    const partial = new Map([
      ["P", new Map([[names[0] as string, problem.vectors.get("A")?.get(names[0] as string) as Float32Array]])],
    ]);
    const evaluate = createInMemoryEvaluate({
      evaluator,
      start: { tensors: problem.base, config: {} },
      vectors: partial,
    });
    await evaluate({ terms: [{ candidate: "P", lambda: 1 }], label: "x" });
    expect(evaluator.inputs[0]?.tensors?.get(names[1] as string)).toEqual(problem.base.get(names[1] as string));
    await expect(evaluate({ terms: [{ candidate: "Q", lambda: 1 }], label: "start + Q" })).rejects.toThrow(
      /start \+ Q: no task vector was loaded for Q/,
    );
    const wrong = new Map([["W", new Map([[names[0] as string, new Float32Array(3)]])]]);
    const bad = createInMemoryEvaluate({ evaluator, start: { tensors: problem.base, config: {} }, vectors: wrong });
    await expect(bad({ terms: [{ candidate: "W", lambda: 1 }], label: "x" })).rejects.toThrow(DataError);
  });
});
