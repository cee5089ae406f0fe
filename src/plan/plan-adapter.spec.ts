import { describe, expect, it } from "vitest";
import { planAdapter, targetModules, type AdapterTensor, type PlanAdapterOptions } from "./plan-adapter.js";
import type { Expression, Plan, PlannedTensor } from "./types.js";

/** A publish-vector plan over these tensors (the fields planAdapter reads: outputs and their expressions). */
function planOf(tensors: Array<[string, number[]]>, expression?: (name: string) => Expression): Plan {
  const outputs: PlannedTensor[] = tensors.map(([name, shape]) => ({
    name,
    dtype: "F32",
    shape,
    bytes: 4 * shape.reduce((a, b) => a * b, 1),
    expression: expression?.(name) ?? { op: "taskVector", finetuned: { input: 1, name }, base: { input: 0, name } },
  }));
  return {
    operation: "publish-vector",
    inputs: [],
    terms: [],
    outputs,
    omitted: [],
    overrides: [],
    layout: { files: [] },
  } as unknown as Plan;
}

function plan(tensors: Array<[string, number[]]>, options: Partial<PlanAdapterOptions> = {}) {
  return planAdapter({ plan: planOf(tensors), baseTensorNames: tensors.map(([name]) => name), ...options });
}

const byName = (tensors: AdapterTensor[]) => new Map(tensors.map((t) => [t.tensor.name, t]));

const llama: Array<[string, number[]]> = [
  ["model.embed_tokens.weight", [96, 32]],
  ["model.layers.0.input_layernorm.weight", [32]],
  ["model.layers.0.self_attn.q_proj.weight", [32, 32]],
  ["model.layers.0.self_attn.q_proj.bias", [32]],
  ["model.layers.0.self_attn.k_proj.weight", [16, 32]],
  ["model.layers.0.mlp.down_proj.weight", [32, 48]],
  ["model.norm.weight", [32]],
  ["lm_head.weight", [96, 32]],
];

describe("planAdapter", () => {
  it(
    "factors Linear weights, saves embeddings, heads and norms whole, and stores a factored module's bias as its " +
      "bias",
    () => {
      const { tensors, modulesToSave } = plan(llama);
      const t = byName(tensors);
      expect(t.get("model.layers.0.self_attn.q_proj.weight")).toMatchObject({
        kind: "lora",
        module: "model.layers.0.self_attn.q_proj",
        layout: "linear",
      });
      expect(t.get("model.layers.0.mlp.down_proj.weight")).toMatchObject({ kind: "lora", layout: "linear" });
      expect(t.get("model.layers.0.self_attn.q_proj.bias")).toMatchObject({
        kind: "bias",
        module: "model.layers.0.self_attn.q_proj",
      });
      expect(t.get("model.embed_tokens.weight")).toMatchObject({ kind: "full", module: "model.embed_tokens" });
      expect(t.get("lm_head.weight")).toMatchObject({ kind: "full", module: "lm_head" });
      expect(t.get("model.layers.0.input_layernorm.weight")).toMatchObject({
        kind: "full",
        module: "model.layers.0.input_layernorm",
      });
      expect(modulesToSave.map((m) => m.module).sort()).toEqual([
        "lm_head",
        "model.embed_tokens",
        "model.layers.0.input_layernorm",
        "model.norm",
      ]);
      expect(modulesToSave.find((m) => m.module === "model.norm")!.reason).toMatch(/1-D/);
      // Every tensor of the plan is placed once, in the plan's order.
      expect(tensors.map((x) => x.tensor.name)).toEqual(llama.map(([name]) => name));
    },
  );

  it("with embeddings: lora, factors embeddings (τᵀ, lora_embedding) and heads (Linear) too", () => {
    const t = byName(plan(llama, { embeddings: "lora" }).tensors);
    expect(t.get("model.embed_tokens.weight")).toMatchObject({ kind: "lora", layout: "embedding" });
    expect(t.get("lm_head.weight")).toMatchObject({ kind: "lora", layout: "linear" });
    expect(
      plan(llama, { embeddings: "lora" })
        .modulesToSave.map((m) => m.module)
        .sort(),
    ).toEqual(["model.layers.0.input_layernorm", "model.norm"]);
  });

  it("marks GPT-2's Conv1D weights (model_type gpt2) for τᵀ, and only in that family", () => {
    const gpt2: Array<[string, number[]]> = [
      ["transformer.wte.weight", [96, 32]],
      ["transformer.wpe.weight", [64, 32]],
      ["transformer.h.0.attn.c_attn.weight", [32, 96]],
      ["transformer.h.0.attn.c_attn.bias", [96]],
      ["transformer.h.0.attn.c_proj.weight", [32, 32]],
      ["transformer.h.0.mlp.c_fc.weight", [32, 128]],
      ["transformer.h.0.mlp.c_proj.weight", [128, 32]],
      ["transformer.h.0.ln_1.weight", [32]],
      ["transformer.h.0.ln_1.bias", [32]],
    ];
    const t = byName(plan(gpt2, { modelType: "gpt2", embeddings: "lora" }).tensors);
    for (const name of [
      "transformer.h.0.attn.c_attn.weight",
      "transformer.h.0.attn.c_proj.weight",
      "transformer.h.0.mlp.c_fc.weight",
      "transformer.h.0.mlp.c_proj.weight",
    ]) {
      expect(t.get(name), name).toMatchObject({ kind: "lora", layout: "conv1d" });
    }
    expect(t.get("transformer.h.0.attn.c_attn.bias")).toMatchObject({ kind: "bias" });
    expect(t.get("transformer.wte.weight")).toMatchObject({ kind: "lora", layout: "embedding" });
    expect(t.get("transformer.wpe.weight")).toMatchObject({ kind: "lora", layout: "embedding" });
    // The ln_1 module is saved whole: its bias goes with its weight.
    expect(t.get("transformer.h.0.ln_1.bias")).toMatchObject({ kind: "full", module: "transformer.h.0.ln_1" });
    // The same names in another family are nn.Linear.
    expect(byName(plan(gpt2, { modelType: "llama" }).tensors).get("transformer.h.0.attn.c_attn.weight")).toMatchObject({
      layout: "linear",
    });
  });

  it(
    "saves the outermost module whole when a module holds a tensor with no LoRA form, with everything under " + "it",
    () => {
      const { tensors, modulesToSave } = plan([
        ["vision.patch.weight", [8, 3, 4, 4]],
        ["vision.patch.proj.weight", [8, 8]],
        ["layers.0.relative_bias", [8, 8]],
        ["layers.0.q.weight", [8, 8]],
      ]);
      const t = byName(tensors);
      expect(t.get("vision.patch.weight")).toMatchObject({ kind: "full", module: "vision.patch" });
      expect(t.get("vision.patch.proj.weight")).toMatchObject({ kind: "full", module: "vision.patch" });
      expect(t.get("layers.0.relative_bias")).toMatchObject({ kind: "full", module: "layers.0" });
      expect(t.get("layers.0.q.weight")).toMatchObject({ kind: "full", module: "layers.0" });
      expect(modulesToSave.find((m) => m.module === "vision.patch")!.reason).toMatch(/4-D weight/);
      expect(modulesToSave.find((m) => m.module === "layers.0")!.reason).toMatch(
        /parameter relative_bias of the module itself/,
      );
    },
  );

  it("saves a module whole when only its bias changed", () => {
    const { tensors, modulesToSave } = plan([["encoder.dense.bias", [8]]]);
    expect(tensors[0]).toMatchObject({ kind: "full", module: "encoder.dense" });
    expect(modulesToSave).toEqual([{ module: "encoder.dense", reason: "bias of a module without a 2-D weight" }]);
  });

  it("refuses a parameter outside any module and a grown vocabulary, naming the tensor", () => {
    expect(() => plan([["scale", [4]]])).toThrow(/--lora-rank cannot publish scale: a parameter outside any module/);
    const grown = planOf([["model.embed_tokens.weight", [100, 32]]], (name) => ({
      op: "taskVectorExtend",
      finetuned: { input: 1, name },
      base: { input: 0, name },
      sharedRows: 96,
    }));
    expect(() => planAdapter({ plan: grown, baseTensorNames: [] })).toThrow(
      /model\.embed_tokens\.weight: the fine-tune grew the vocabulary/,
    );
  });
});

describe("targetModules", () => {
  it("uses a leaf name only where it means exactly the targeted modules", () => {
    const names = ["a.0.q.weight", "a.1.q.weight", "a.0.k.weight", "a.1.k.weight", "a.0.norm.weight"];
    expect(targetModules(["a.0.q", "a.1.q", "a.0.k"], names)).toEqual(["a.0.k", "q"]);
  });
});
