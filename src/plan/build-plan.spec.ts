import { describe, expect, it } from "vitest";
import { DataError, InternalError } from "../errors.js";
import type { LocatedTensor } from "../safetensors/types.js";
import { buildPlan } from "./build-plan.js";
import { formatPlan } from "./format-plan.js";
import type { Recipe } from "./recipe.js";
import { loadRecipeSchema } from "./recipe-schema.js";
import { decoderTensorSpecs, locateTensors, type TensorSpec } from "./testing/model-headers.js";
import { readTotalSize, realModel } from "./testing/real-models.js";
import { tinyLlama, tinyLlamaConfig, type TinyLlamaOptions } from "./testing/tiny-llama.js";
import type { Expression, PlannedTensor, ResolvedModel } from "./types.js";
import { joinPatterns } from "../../test/helpers/join-patterns.js";

const sha = (c: string) => c.repeat(40);
const positionIds: TensorSpec = { name: "model.position_ids", dtype: "I64", shape: [1, 32] };

/** The tiny Llama in several shards (so that reads span files), with one integer buffer. */
const tiny = (ref: string, options: TinyLlamaOptions = {}) => tinyLlama(ref, { extraSpecs: [positionIds], ...options });

const base = tiny("org/base", { revision: sha("b") });
const ftA = tiny("org/ft-a", { revision: sha("1") });
const ftB = tiny("org/ft-b", { revision: sha("2") });
const floatNames = base.tensors.filter((t) => t.dtype !== "I64").map((t) => t.name);
const bytesOfModel = (model: ResolvedModel, filter: (t: LocatedTensor) => boolean = () => true) =>
  model.tensors.filter(filter).reduce((n, t) => n + t.end - t.begin, 0);

// Valid recipes only: parsing them with the schema applies the defaults, which is all these plans need.
const recipeSchema = await loadRecipeSchema();

function recipe(body: Record<string, unknown>): Recipe {
  return recipeSchema.parse({ version: 1, base: "org/base", output: { to: "org/out" }, ...body });
}

function output(plan: { outputs: PlannedTensor[] }, name: string): PlannedTensor {
  const found = plan.outputs.find((o) => o.name === name);
  if (found === undefined) throw new Error(`no output ${name}`);
  return found;
}

function mergeOf(expression: Expression): Extract<Expression, { op: "merge" | "mergeExtend" }> {
  if (expression.op !== "merge" && expression.op !== "mergeExtend")
    throw new Error(`expected a merge, got ${expression.op}`);
  return expression;
}

/** The merge term `term` that adds weight32 × (input `input` − the base, input 0) of the tensor `name`. */
function taskVectorTerm(term: number, weight32: number, input: number, name: string) {
  return { term, weight32, tau: { kind: "taskVector", finetuned: { input, name }, base: { input: 0, name } } };
}

describe("buildPlan: publish-vector", () => {
  it("τ for every float tensor in the fine-tune's dtype; integer tensors omitted and listed", () => {
    const ft = tiny("org/ft", { dtype: "F16" });
    const plan = buildPlan({ operation: "publish-vector", base, finetuned: ft });
    expect(plan.operation).toBe("publish-vector");
    expect(plan.outputs.map((o) => o.name).sort()).toEqual([...floatNames].sort());
    expect(plan.outputs.every((o) => o.dtype === "F16")).toBe(true);
    expect(output(plan, "model.norm.weight").expression).toEqual({
      op: "taskVector",
      finetuned: { input: 1, name: "model.norm.weight" },
      base: { input: 0, name: "model.norm.weight" },
    });
    expect(plan.omitted).toEqual([
      {
        name: "model.position_ids",
        reason: "I64 tensor: never part of τ; applying the vector copies it from the base",
      },
    ]);
    expect(plan.warnings.map((w) => w.message)).toEqual([
      "1 tensor is not part of τ (e.g. model.position_ids: I64 tensor); applying the vector copies them from the base.",
    ]);
    expect(plan.inputs.map((i) => [i.role, i.ref, i.revision])).toEqual([
      ["base", "org/base", sha("b")],
      ["finetuned", "org/ft", sha("a")],
    ]);
    // Both sides of every float tensor, nothing of the integer buffer.
    const notInteger = (t: LocatedTensor) => t.dtype !== "I64";
    expect(plan.downloadBytes).toBe(bytesOfModel(base, notInteger) + bytesOfModel(ft, notInteger));
    expect(plan.layout.files.map((f) => f.name)).toEqual(["task_vector.safetensors"]);
    expect(plan.layout.index).toBeUndefined();
    expect(plan.layout.totalBytes).toBe(bytesOfModel(ft, notInteger));
    expect(plan.layout.writeBytes).toBeGreaterThan(plan.layout.totalBytes);
  });

  it("--dtype f32 stores every τ in float32; a small max shard size gives shards and an index", () => {
    const plan = buildPlan({ operation: "publish-vector", base, finetuned: ftA, dtype: "F32", maxShardSize: 50_000 });
    expect(new Set(plan.outputs.map((o) => o.dtype))).toEqual(new Set(["F32"]));
    expect(plan.layout.files.length).toBeGreaterThan(1);
    expect(plan.layout.files[0]?.name).toMatch(/^task_vector-00001-of-\d{5}\.safetensors$/);
    expect(plan.layout.index).toBe("task_vector.safetensors.index.json");
    expect(plan.layout.files.flatMap((f) => f.tensors).sort()).toEqual([...floatNames].sort());
    expect(plan.layout.files.every((f) => f.bytes <= 50_000 || f.tensors.length === 1)).toBe(true);
  });

  it("a grown vocabulary needs vocab: extend; then the extra rows are the fine-tune's own (real TAIDE headers)", () => {
    const llama = realModel({ id: "meta-llama--Llama-3.1-8B", weightMapOf: "meta-llama--Llama-3.1-8B" });
    const taide = realModel({
      id: "TLLM--Llama-3.1-TAIDE-LX-8B-Chat",
      weightMapOf: "TLLM--Llama-3.1-TAIDE-LX-8B-Chat",
    });
    expect(() => buildPlan({ operation: "publish-vector", base: llama, finetuned: taide })).toThrow(
      "model.embed_tokens.weight is [188256, 4096] in TLLM/Llama-3.1-TAIDE-LX-8B-Chat but [128256, 4096] in " +
        "meta-llama/Llama-3.1-8B; if the fine-tune added tokens, set vocab: extend (--vocab extend).",
    );
    const plan = buildPlan({ operation: "publish-vector", base: llama, finetuned: taide, vocab: "extend" });
    const embed = output(plan, "model.embed_tokens.weight");
    expect(embed.shape).toEqual([188256, 4096]);
    expect(embed.expression).toEqual({
      op: "taskVectorExtend",
      finetuned: { input: 1, name: "model.embed_tokens.weight" },
      base: { input: 0, name: "model.embed_tokens.weight" },
      sharedRows: 128256,
    });
    expect(output(plan, "lm_head.weight").expression.op).toBe("taskVectorExtend");
    expect(plan.vocab).toEqual({
      sharedRows: 128256,
      rows: 188256,
      donor: 1,
      tensors: ["model.embed_tokens.weight", "lm_head.weight"],
    });
    // Every byte of both sharded models, each tensor once.
    expect(plan.downloadBytes).toBe(
      readTotalSize("meta-llama--Llama-3.1-8B") + readTotalSize("TLLM--Llama-3.1-TAIDE-LX-8B-Chat"),
    );
    expect(plan.inputs.map((i) => [i.readTensors, i.readFiles])).toEqual([
      [291, 4],
      [291, 4],
    ]);
    expect(plan.layout.totalBytes).toBe(readTotalSize("TLLM--Llama-3.1-TAIDE-LX-8B-Chat"));
    expect(plan.layout.files).toHaveLength(4);
    expect(plan.layout.index).toBe("task_vector.safetensors.index.json");
  });

  it("a buffer the fine-tune did not save is omitted from τ and a zero term in a merge (GPT-2 masks)", () => {
    const gpt2 = realModel({ id: "openai-community--gpt2" });
    const noMasks = realModel({
      id: "openai-community--gpt2",
      ref: "org/gpt2-ft",
      mapSpecs: (specs) => specs.filter((s) => !s.name.endsWith(".attn.bias")),
    });
    const plan = buildPlan({ operation: "publish-vector", base: gpt2, finetuned: noMasks });
    expect(plan.omitted).toHaveLength(12);
    expect(plan.omitted[0]?.reason).toMatch(/^a buffer the fine-tune does not store/);
    expect(plan.outputs).toHaveLength(2 + 12 * 13 + 2 - 12);
    const merged = buildPlan({
      operation: "merge",
      recipe: recipe({
        base: "openai-community/gpt2",
        output: { to: "./out" },
        vectors: [{ finetuned: "org/gpt2-ft", weight: 1 }],
      }),
      models: { "openai-community/gpt2": gpt2, "org/gpt2-ft": noMasks },
    });
    expect(output(merged, "h.0.attn.bias").expression).toEqual({
      op: "copy",
      source: { input: 0, name: "h.0.attn.bias" },
    });
    expect(output(merged, "h.0.attn.c_attn.bias").expression.op).toBe("merge");
    expect(merged.layout.files.map((f) => f.name)).toEqual(["model.safetensors"]);
    expect(merged.layout.totalBytes).toBe(548_090_880);
  });

  it("refuses an embedding and a head that grow differently, and a shape too large to hold", () => {
    const odd = {
      ...ftA,
      tensors: ftA.tensors.map((t) =>
        t.name === "model.embed_tokens.weight"
          ? { ...t, shape: [300, 64] }
          : t.name === "lm_head.weight"
            ? { ...t, shape: [310, 64] }
            : t,
      ),
    };
    expect(() => buildPlan({ operation: "publish-vector", base, finetuned: odd, vocab: "extend" })).toThrow(
      "lm_head.weight grows from 256 to 310 rows in org/ft-a, but another vocabulary tensor grows from 256 to 300; " +
        "the embedding and the head must agree, so check the fine-tune.",
    );
    const huge = (model: ResolvedModel): ResolvedModel => ({
      ...model,
      tensors: model.tensors.map((t) => (t.name === "model.norm.weight" ? { ...t, shape: [2 ** 30, 2 ** 30] } : t)),
    });
    try {
      buildPlan({ operation: "publish-vector", base: huge(base), finetuned: huge(ftA) });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).code).toBe("PLAN_TENSOR_TOO_LARGE");
    }
  });

  it("refuses what it cannot express", () => {
    const missing = tiny("org/ft", { drop: (name) => name === "model.norm.weight" });
    expect(() => buildPlan({ operation: "publish-vector", base, finetuned: missing })).toThrow(DataError);
    expect(() => buildPlan({ operation: "publish-vector", base, finetuned: missing })).toThrow(
      "org/ft has no model.norm.weight, which org/base has",
    );
    const quantized = {
      ...ftA,
      tensors: ftA.tensors.map((t) => (t.name.endsWith("up_proj.weight") ? { ...t, dtype: "I8" as const } : t)),
    };
    expect(() => buildPlan({ operation: "publish-vector", base, finetuned: quantized })).toThrow(
      /model\.layers\.0\.mlp\.up_proj\.weight is I8 in org\/ft-a and BF16 in org\/base/,
    );
    const extra = { ...ftA, tensors: [...ftA.tensors, { ...(ftA.tensors[0] as LocatedTensor), name: "score.weight" }] };
    expect(() => buildPlan({ operation: "publish-vector", base, finetuned: extra })).toThrow(
      /org\/ft-a has score\.weight, which org\/base lacks/,
    );
    const reshaped = {
      ...ftA,
      tensors: ftA.tensors.map((t) => (t.name === "model.norm.weight" ? { ...t, shape: [65] } : t)),
    };
    try {
      buildPlan({ operation: "publish-vector", base, finetuned: reshaped, vocab: "extend" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).code).toBe("SHAPE_MISMATCH");
      expect((error as DataError).subject).toBe("model.norm.weight");
    }
  });
});

describe("buildPlan: merge", () => {
  const models = { "org/base": base, "org/ft-a": ftA, "org/ft-b": ftB };
  /** Plans the merge of the recipe `body` completes (onto org/base, to org/out) over `models` and `more`. */
  const planMerge = (body: Record<string, unknown>, more: Record<string, ResolvedModel> = {}) =>
    buildPlan({ operation: "merge", recipe: recipe(body), models: { ...models, ...more } });

  it("a negation recipe gives weight −λ, rounded to float32 once", () => {
    const plan = planMerge({ scale: 0.3, vectors: [{ finetuned: "org/ft-a", weight: -1 }] });
    expect(plan.terms).toEqual([
      { kind: "finetuned", input: 1, weight: -1, lambda: -0.3, weight32: Math.fround(-0.3), origin: "vectors[0]" },
    ]);
    expect(Math.fround(-0.3)).not.toBe(-0.3);
    const merge = mergeOf(output(plan, "model.layers.1.mlp.down_proj.weight").expression);
    expect(merge).toEqual({
      op: "merge",
      method: "task_arithmetic",
      base: { input: 0, name: "model.layers.1.mlp.down_proj.weight" },
      terms: [taskVectorTerm(0, Math.fround(-0.3), 1, "model.layers.1.mlp.down_proj.weight")],
      params: {},
    });
    expect(output(plan, "model.layers.1.mlp.down_proj.weight").dtype).toBe("BF16");
    expect(plan.warnings).toEqual([]);
  });

  it("the global scale multiplies in float64 and rounds once: fround(scale × weight)", () => {
    const plan = planMerge({ scale: 0.1, vectors: [{ finetuned: "org/ft-a", weight: 0.7 }] });
    expect(plan.terms[0]?.weight32).toBe(Math.fround(0.1 * 0.7));
    expect(plan.terms[0]?.lambda).toBe(0.1 * 0.7);
  });

  it("an analogy expands to +c, +b, −a in that order; each distinct model is one input", () => {
    const ftC = tiny("org/ft-c", { revision: sha("3") });
    const plan = planMerge(
      {
        vectors: [
          { finetuned: "org/ft-b", weight: 0.2 },
          {
            analogy: { a: { finetuned: "org/ft-a" }, b: { finetuned: "org/ft-b" }, c: { finetuned: "org/ft-c" } },
            weight: 0.5,
          },
        ],
      },
      { "org/ft-c": ftC },
    );
    expect(plan.terms.map((t) => [t.origin, plan.inputs[t.input]?.ref, t.weight, t.weight32])).toEqual([
      ["vectors[0]", "org/ft-b", 0.2, Math.fround(0.2)],
      ["vectors[1].analogy.c", "org/ft-c", 0.5, 0.5],
      ["vectors[1].analogy.b", "org/ft-b", 0.5, 0.5],
      ["vectors[1].analogy.a", "org/ft-a", -0.5, -0.5],
    ]);
    expect(plan.inputs.map((i) => i.ref)).toEqual(["org/base", "org/ft-b", "org/ft-c", "org/ft-a"]);
    const merge = mergeOf(output(plan, "model.norm.weight").expression);
    expect(merge.terms.map((t) => [t.term, t.weight32])).toEqual([
      [0, Math.fround(0.2)],
      [1, 0.5],
      [2, 0.5],
      [3, -0.5],
    ]);
    expect(plan.warnings.map((w) => w.code)).toEqual(["DUPLICATE_TERM"]);
    expect(plan.warnings[0]?.message).toBe(
      "org/ft-b appears in both vectors[0] and vectors[1].analogy.b; its τ is added twice (weights 0.2 and 0.5).",
    );
    // ft-b is read once although two terms use it.
    expect(plan.downloadBytes).toBe(
      4 * bytesOfModel(base, (t) => t.dtype !== "I64") + bytesOfModel(base, (t) => t.dtype === "I64"),
    );
  });

  it("a published vector that omits a tensor contributes a zero term; a tensor no term touches is copied", () => {
    const vectorTensors = locateTensors({
      specs: decoderTensorSpecs(tinyLlamaConfig, "F32").filter((s) => s.name.includes("layers.0.")),
      prefix: "task_vector",
    });
    const vector: ResolvedModel = { ref: "org/tv", repo: "org/tv", revision: sha("c"), tensors: vectorTensors };
    const plan = planMerge(
      {
        vectors: [
          { vector: "org/tv", weight: 1 },
          { finetuned: "org/ft-a", weight: 1 },
        ],
      },
      { "org/tv": vector },
    );
    const norm = mergeOf(output(plan, "model.norm.weight").expression);
    expect(norm.terms.map((t) => t.tau.kind)).toEqual(["zero", "taskVector"]);
    expect(mergeOf(output(plan, "model.layers.0.mlp.up_proj.weight").expression).terms[0]?.tau).toEqual({
      kind: "vector",
      tensor: { input: 1, name: "model.layers.0.mlp.up_proj.weight" },
    });

    const only = planMerge({ vectors: [{ vector: "org/tv", weight: 1 }] }, { "org/tv": vector });
    expect(output(only, "model.norm.weight").expression).toEqual({
      op: "copy",
      source: { input: 0, name: "model.norm.weight" },
    });
    expect(output(only, "model.layers.0.mlp.up_proj.weight").expression.op).toBe("merge");
    // The vector's stored tensors plus every base tensor.
    expect(only.downloadBytes).toBe(bytesOfModel(vector) + bytesOfModel(base));
    expect(only.inputs[1]).toMatchObject({
      role: "vector",
      readTensors: vectorTensors.length,
      readBytes: bytesOfModel(vector),
    });
  });

  it("integer tensors are copied in their own dtype; float tensors take output.dtype", () => {
    const plan = planMerge({
      output: { to: "org/out", dtype: "f32" },
      vectors: [{ finetuned: "org/ft-a", weight: 1 }],
    });
    expect(output(plan, "model.position_ids")).toMatchObject({
      dtype: "I64",
      shape: [1, 32],
      expression: { op: "copy", source: { input: 0, name: "model.position_ids" } },
    });
    expect(output(plan, "model.norm.weight")).toMatchObject({ dtype: "F32", bytes: 64 * 4 });
  });

  it("overrides: keep base copies, scale and parameters replace the recipe's, the first match wins", () => {
    const plan = planMerge({
      method: "ties",
      parameters: { density: 0.3 },
      scale: 0.5,
      vectors: [{ finetuned: "org/ft-a", weight: 1 }],
      overrides: [
        { glob: "*embed_tokens*", keep: "base" },
        { regex: "^model\\.layers\\.0\\.", scale: 2 },
        { glob: "model.layers.0.*", scale: 3 },
        { glob: "*.mlp.*", parameters: { density: 0.9 } },
        { glob: "*nothing*", keep: "base" },
      ],
    });
    expect(output(plan, "model.embed_tokens.weight").expression).toEqual({
      op: "copy",
      source: { input: 0, name: "model.embed_tokens.weight" },
    });
    const layer0 = mergeOf(output(plan, "model.layers.0.mlp.up_proj.weight").expression);
    expect(layer0.terms[0]?.weight32).toBe(2);
    expect(layer0.params).toEqual({ density: 0.3 });
    const layer1 = mergeOf(output(plan, "model.layers.1.mlp.up_proj.weight").expression);
    expect(layer1.terms[0]?.weight32).toBe(0.5);
    expect(layer1.params).toEqual({ density: 0.9 });
    expect(mergeOf(output(plan, "lm_head.weight").expression).params).toEqual({ density: 0.3 });
    expect(plan.parameters).toEqual({ density: 0.3 });
    expect(plan.overrides.map((o) => [o.pattern, o.action, o.tensors.length])).toEqual([
      ["glob *embed_tokens*", "keep base", 1],
      ["regex ^model\\.layers\\.0\\.", "scale 2", 9],
      ["glob model.layers.0.*", "scale 3", 0],
      ["glob *.mlp.*", "parameters density=0.9", 3],
      ["glob *nothing*", "keep base", 0],
    ]);
    expect(plan.warnings.map((w) => w.message)).toEqual([
      "overrides[2] (glob model.layers.0.*) applies to no tensor: an earlier override matches its tensors first; " +
        "check the pattern.",
      "overrides[4] (glob *nothing*) applies to no tensor of the base; check the pattern.",
    ]);
  });

  it("method parameters get their defaults, and DARE its seed", () => {
    const dare = planMerge({ method: "dare_ties", vectors: [{ finetuned: "org/ft-a", weight: 1 }] });
    expect(dare.method).toBe("dare_ties");
    expect(dare.parameters).toEqual({ drop_rate: 0.9, seed: 0 });
    const seeded = planMerge({
      method: "dare_linear",
      parameters: { seed: 7 },
      vectors: [{ finetuned: "org/ft-a", weight: 1 }],
    });
    expect(mergeOf(output(seeded, "model.norm.weight").expression).params).toEqual({ drop_rate: 0.9, seed: 7 });
    const magnitude = planMerge({ method: "magnitude_prune", vectors: [{ finetuned: "org/ft-a", weight: 1 }] });
    expect(magnitude.parameters).toEqual({ density: 0.2 });
  });

  it("warns about negation under sign election, zero weights, and a negated vocabulary donor", () => {
    const ties = planMerge({
      method: "ties",
      vectors: [
        { finetuned: "org/ft-a", weight: 1 },
        { finetuned: "org/ft-b", weight: -1 },
      ],
    });
    expect(ties.warnings.map((w) => [w.code, w.subject])).toEqual([["NEGATION_WITH_SIGN_ELECTION", "vectors[1]"]]);
    const zero = planMerge({ vectors: [{ finetuned: "org/ft-a", weight: 1e-50 }] });
    expect(zero.warnings.map((w) => w.code)).toEqual(["ZERO_WEIGHT"]);
    const grown = tiny("org/ft-grown", { vocab: 300 });
    const donor = planMerge(
      { vocab: "extend", vectors: [{ finetuned: "org/ft-grown", weight: -0.5 }] },
      { "org/ft-grown": grown },
    );
    expect(donor.warnings.map((w) => w.code)).toEqual(["VOCAB_DONOR_NEGATED"]);
  });

  it("vocab: extend merges the shared rows and takes the added rows from the fine-tune that grew them", () => {
    const grown = tiny("org/ft-grown", { vocab: 300, revision: sha("9") });
    const plan = planMerge(
      {
        vocab: "extend",
        vectors: [
          { finetuned: "org/ft-a", weight: 0.5 },
          { finetuned: "org/ft-grown", weight: 0.5 },
        ],
      },
      { "org/ft-grown": grown },
    );
    const embed = output(plan, "model.embed_tokens.weight");
    expect(embed.shape).toEqual([300, 64]);
    expect(embed.bytes).toBe(300 * 64 * 2);
    expect(embed.expression).toEqual({
      op: "mergeExtend",
      method: "task_arithmetic",
      base: { input: 0, name: "model.embed_tokens.weight" },
      terms: [
        taskVectorTerm(0, 0.5, 1, "model.embed_tokens.weight"),
        taskVectorTerm(1, 0.5, 2, "model.embed_tokens.weight"),
      ],
      params: {},
      sharedRows: 256,
      extraRows: { input: 2, name: "model.embed_tokens.weight" },
    });
    expect(output(plan, "lm_head.weight").shape).toEqual([300, 64]);
    expect(output(plan, "model.norm.weight").shape).toEqual([64]);
    expect(plan.vocab).toEqual({
      sharedRows: 256,
      rows: 300,
      donor: 2,
      tensors: ["model.embed_tokens.weight", "lm_head.weight"],
    });

    expect(() => planMerge({ vectors: [{ finetuned: "org/ft-grown", weight: 1 }] }, { "org/ft-grown": grown })).toThrow(
      joinPatterns(
        /model\.embed_tokens\.weight is \[300, 64\] in org\/ft-grown but \[256, 64\] in org\/base; /,
        /if the fine-tune added tokens, set vocab: extend/,
      ),
    );
    const other = tiny("org/ft-other", { vocab: 310 });
    expect(() =>
      planMerge(
        {
          vocab: "extend",
          vectors: [
            { finetuned: "org/ft-grown", weight: 1 },
            { finetuned: "org/ft-other", weight: 1 },
          ],
        },
        { "org/ft-grown": grown, "org/ft-other": other },
      ),
    ).toThrow(
      /300 rows in org\/ft-grown and 310 in org\/ft-other: two different extended vocabularies cannot be merged/,
    );
  });

  it("downloadBytes over sharded inputs counts each input tensor once, even under two references", () => {
    const llama = realModel({
      id: "meta-llama--Llama-3.1-8B",
      weightMapOf: "meta-llama--Llama-3.1-8B",
      revision: sha("b"),
    });
    const ft = {
      ...realModel({
        id: "meta-llama--Llama-3.1-8B",
        ref: "org/llama-ft",
        weightMapOf: "meta-llama--Llama-3.1-8B",
        revision: sha("f"),
      }),
      repo: "org/llama-ft",
    };
    const sameFt = { ...ft, ref: "org/llama-ft@v1" };
    const plan = buildPlan({
      operation: "merge",
      recipe: recipe({
        base: "meta-llama/Llama-3.1-8B",
        output: { to: "org/out" },
        vectors: [
          { finetuned: "org/llama-ft", weight: 0.5 },
          { finetuned: "org/llama-ft@v1", weight: 0.25 },
        ],
      }),
      models: { "meta-llama/Llama-3.1-8B": llama, "org/llama-ft": ft, "org/llama-ft@v1": sameFt },
    });
    const total = readTotalSize("meta-llama--Llama-3.1-8B");
    expect(plan.downloadBytes).toBe(2 * total);
    expect(plan.inputs.map((i) => [i.ref, i.readBytes, i.readFiles])).toEqual([
      ["meta-llama/Llama-3.1-8B", total, 4],
      ["org/llama-ft", total, 4],
      ["org/llama-ft@v1", 0, 0],
    ]);
    expect(plan.layout.totalBytes).toBe(total);
    expect(plan.layout.files.length).toBeGreaterThanOrEqual(4);
    expect(plan.layout.files.every((f) => f.bytes <= 5_000_000_000)).toBe(true);
    expect(plan.layout.index).toBe("model.safetensors.index.json");

    const text = formatPlan({ plan });
    expect(text).toContain("Plan: merge (task_arithmetic) of 2 terms onto meta-llama/Llama-3.1-8B\n");
    expect(text).toContain("  outputs:  291 tensors (291 merged)\n");
    expect(text).toContain("  download: 32.1 GB of tensor data from 2 inputs");
    expect(text).toContain("  write:    16.1 GB (16.1 GB of tensor data, plus headers and the index)\n");
    expect(text).toContain("  files:    4 + model.safetensors.index.json (max 5.00 GB each)\n");
    expect(text).toContain(
      `  base       meta-llama/Llama-3.1-8B (${"b".repeat(12)})  291 tensors from 4 files, 16.1 GB\n`,
    );
    expect(text).toContain(`  finetuned  org/llama-ft@v1 (${"f".repeat(12)})          nothing to read\n`);
    expect(text).toContain("  vectors[0]  +0.5 × τ of org/llama-ft\n");
    expect(text).toContain("  vectors[1]  +0.25 × τ of org/llama-ft@v1\n");
  });

  it("refuses inputs it cannot express, naming the tensor", () => {
    const missing = tiny("org/ft-missing", { drop: (name) => name === "lm_head.weight" });
    expect(() =>
      planMerge({ vectors: [{ finetuned: "org/ft-missing", weight: 1 }] }, { "org/ft-missing": missing }),
    ).toThrow("org/ft-missing has no lm_head.weight, which org/base has; run tvhub check for the full report.");
    const extra = { ...ftA, tensors: [...ftA.tensors, { ...(ftA.tensors[0] as LocatedTensor), name: "score.weight" }] };
    expect(() => planMerge({ vectors: [{ vector: "org/ft-a", weight: 1 }] }, { "org/ft-a": extra })).toThrow(
      joinPatterns(
        /org\/ft-a has score\.weight, which org\/base lacks; /,
        /the output follows the base's layout, so a vector with extra tensors cannot be used/,
      ),
    );
    expect(() => planMerge({ vectors: [{ finetuned: "org/unknown", weight: 1 }] })).toThrow(InternalError);
    const noBase = { "org/ft-a": ftA };
    expect(() =>
      buildPlan({
        operation: "merge",
        recipe: recipe({ vectors: [{ finetuned: "org/ft-a", weight: 1 }] }),
        models: noBase,
      }),
    ).toThrow(/no headers for base "org\/base"/);
  });

  it("formats a plan with overrides, vocabulary and warnings for --dry-run", () => {
    const grown = tiny("org/ft-grown", { vocab: 300 });
    const vector: ResolvedModel = {
      ref: "./tv",
      tensors: locateTensors({ specs: decoderTensorSpecs(tinyLlamaConfig, "F32").slice(1, 4), prefix: "task_vector" }),
    };
    const plan = planMerge(
      {
        vocab: "extend",
        method: "dare_linear",
        parameters: { seed: 3 },
        vectors: [
          { finetuned: "org/ft-grown", weight: 0.5 },
          { vector: "./tv", weight: -0.25 },
        ],
        overrides: [{ glob: "*norm*", keep: "base" }],
      },
      { "org/ft-grown": grown, "./tv": vector },
    );
    const text = formatPlan({ plan, maxFiles: 2 });
    expect(text.split("\n")[0]).toBe("Plan: merge (dare_linear, drop_rate 0.9, seed 3) of 2 terms onto org/base");
    expect(text).toContain("  vectors[1]  −0.25 × task vector ./tv (negation)");
    expect(text).toContain("  vector     ./tv");
    expect(text).toContain("overrides:\n  glob *norm*: keep base (5 tensors)\n");
    expect(text).toContain(
      "vocabulary: 256 shared rows + 44 added rows from org/ft-grown (model.embed_tokens.weight, lm_head.weight); " +
        "the tokenizer comes from org/ft-grown\n",
    );
    expect(text).toMatch(/copied/);
    const publish = formatPlan({
      plan: buildPlan({ operation: "publish-vector", base, finetuned: ftA, maxShardSize: 30_000 }),
      maxFiles: 3,
    });
    expect(publish.split("\n")[0]).toBe("Plan: task vector of org/ft-a against org/base");
    expect(publish).toContain("  omitted:  1 tensor (not part of τ)\n");
    expect(publish).toMatch(/ {12}\.\.\. \d+ more\n/);
    expect(publish).toContain("warnings:\n  OMITTED  1 tensor is not part of τ");
  });
});
