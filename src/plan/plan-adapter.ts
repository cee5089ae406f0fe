import { UsageError } from "../errors.js";
import type { Plan, PlannedTensor, TensorRef } from "./types.js";

/**
 * What happens to embeddings and heads (`lm_head`, `classifier`, `score`), which mergekit-extract-lora saves whole by
 * default.
 */
export type AdapterFullMode = "save" | "lora";

export interface PlanAdapterOptions {
  /** The task vector's plan: one `taskVector` output per float tensor. */
  plan: Plan;
  /**
   * Every tensor name of the base, to write `target_modules` as leaf names where a leaf name means exactly the targeted
   * modules.
   */
  baseTensorNames: readonly string[];
  /**
   * `save` (default): embeddings and heads go to `modules_to_save` as full fine-tuned tensors; `lora`: they are
   * factored too.
   */
  embeddings?: AdapterFullMode;
  /**
   * The base's `config.json` `model_type`: GPT-2's family stores its attention and MLP weights as Conv1D, [in, out].
   */
  modelType?: string;
}

/** One output of the adapter and where it comes from. */
export type AdapterTensor =
  /**
   * τ of a Linear weight [out, in], stored as `lora_A`/`lora_B`; of a transformers Conv1D weight [in, out] (factored as
   * τᵀ, `fan_in_fan_out`); or of an embedding [V, d] (factored as τᵀ, `lora_embedding_A`/`_B`).
   */
  | {
      kind: "lora";
      tensor: PlannedTensor;
      module: string;
      layout: "linear" | "conv1d" | "embedding";
      finetuned: TensorRef;
      base: TensorRef;
    }
  /**
   * The bias of a LoRA-targeted module, stored whole as `base_layer.bias` when it changed (PEFT's `bias: "lora_only"`).
   */
  | { kind: "bias"; tensor: PlannedTensor; module: string; finetuned: TensorRef; base: TensorRef }
  /** A tensor of a module in `modules_to_save`: the fine-tune's own values, which replace the base's. */
  | { kind: "full"; tensor: PlannedTensor; module: string; finetuned: TensorRef };

export interface AdapterPlan {
  tensors: AdapterTensor[];
  /** Modules saved whole, full names, and why (for the card). */
  modulesToSave: Array<{ module: string; reason: string }>;
}

const headLeaves = new Set(["lm_head", "embed_out", "classifier", "score", "output"]);
/**
 * transformers' Conv1D (weight [in, out]): GPT-2 and its relatives, in these modules (references/peft-lora.md §2.2).
 */
const conv1dModelTypes = new Set(["gpt2", "openai-gpt", "imagegpt", "decision_transformer"]);
const conv1dLeaves = new Set(["c_attn", "c_proj", "c_fc", "q_attn"]);

/**
 * Which tensors of τ become LoRA factors and which are saved whole, by mergekit-extract-lora's rules
 * (references/peft-lora.md §5.2): 2-D `weight`s of Linear-shaped modules are factored; embeddings and heads are saved
 * in `modules_to_save` unless `embeddings: lora`; a module with any other tensor (norms, 1-D or >2-D weights,
 * parameters that are not `weight`/`bias`) is saved whole, with every tensor under it. A changed bias of a factored
 * module is stored whole, as PEFT saves trained biases. A vocabulary grown by the fine-tune is refused: PEFT would need
 * the base resized first.
 */
export function planAdapter(options: PlanAdapterOptions): AdapterPlan {
  const mode = options.embeddings ?? "save";
  const refsOf = (tensor: PlannedTensor) => {
    const e = tensor.expression;
    if (e.op === "taskVector") return { finetuned: e.finetuned, base: e.base };
    throw new UsageError(
      `--lora-rank cannot publish ${tensor.name}: the fine-tune grew the vocabulary, and a PEFT adapter cannot ` +
        "change the base's shapes; publish the dense task vector (without --lora-rank) instead.",
      { code: "LORA_VOCAB_EXTEND", subject: tensor.name },
    );
  };
  const split = (name: string) => {
    const dot = name.lastIndexOf(".");
    return dot < 0 ? { module: "", param: name } : { module: name.slice(0, dot), param: name.slice(dot + 1) };
  };
  const leaf = (module: string) => module.slice(module.lastIndexOf(".") + 1);
  const isEmbedding = (module: string) => /embed|^wte$|^wpe$/.test(leaf(module));
  const isHead = (module: string) => headLeaves.has(leaf(module));
  const isConv1d = (module: string) => conv1dModelTypes.has(options.modelType ?? "") && conv1dLeaves.has(leaf(module));

  // Modules saved whole, found first: everything under one is a full tensor, whatever its shape.
  const full = new Map<string, string>();
  for (const tensor of options.plan.outputs) {
    const { module, param } = split(tensor.name);
    if (module === "") {
      throw new UsageError(
        `--lora-rank cannot publish ${tensor.name}: a parameter outside any module has no place in a PEFT adapter; ` +
          "publish the dense task vector instead.",
        {
          code: "LORA_ROOT_PARAMETER",
          subject: tensor.name,
        },
      );
    }
    const linearWeight = param === "weight" && tensor.shape.length === 2;
    if (linearWeight && isEmbedding(module) && mode === "save")
      full.set(module, "embedding (saved whole, like mergekit-extract-lora)");
    else if (linearWeight && isHead(module) && mode === "save")
      full.set(module, "head (saved whole, like mergekit-extract-lora)");
    else if (!linearWeight && param !== "bias")
      full.set(
        module,
        tensor.shape.length <= 1
          ? "1-D weights (norms): no low-rank form"
          : param === "weight"
            ? `${tensor.shape.length}-D weight: no PEFT LoRA layer reproduces it exactly`
            : `parameter ${param} of the module itself`,
      );
  }
  // The outermost saved module owns a tensor: PEFT cannot wrap a module inside one it already saves whole.
  const underFull = (name: string) => {
    for (let dot = name.indexOf("."); dot > 0; dot = name.indexOf(".", dot + 1))
      if (full.has(name.slice(0, dot))) return name.slice(0, dot);
    return undefined;
  };
  const factored = new Set<string>();
  for (const tensor of options.plan.outputs) {
    const { module, param } = split(tensor.name);
    if (param === "weight" && tensor.shape.length === 2 && underFull(tensor.name) === undefined) factored.add(module);
  }
  const tensors: AdapterTensor[] = [];
  for (const tensor of options.plan.outputs) {
    const refs = refsOf(tensor);
    const owner = underFull(tensor.name);
    const { module, param } = split(tensor.name);
    if (owner !== undefined) tensors.push({ kind: "full", tensor, module: owner, finetuned: refs.finetuned });
    else if (param === "weight")
      tensors.push({
        kind: "lora",
        tensor,
        module,
        layout: isEmbedding(module) ? "embedding" : isConv1d(module) ? "conv1d" : "linear",
        ...refs,
      });
    else if (param === "bias" && factored.has(module)) tensors.push({ kind: "bias", tensor, module, ...refs });
    else {
      // A bias of a module with no factored weight (its weight is not in τ): the module is saved whole.
      full.set(module, "bias of a module without a 2-D weight");
      tensors.push({ kind: "full", tensor, module, finetuned: refs.finetuned });
    }
  }
  const modulesToSave = [...full]
    .filter(([module]) => tensors.some((t) => t.kind === "full" && t.module === module))
    .map(([module, reason]) => ({ module, reason }));
  return { tensors, modulesToSave };
}

/**
 * `target_modules` for the modules that carry LoRA factors: a module's leaf name (`q_proj`) when every module of
 * the base with that leaf name and a 2-D weight is targeted (PEFT matches a list entry as the name or a suffix at a
 * dot), else its full name, so PEFT wraps exactly these modules.
 */
export function targetModules(modules: readonly string[], baseTensorNames: readonly string[]): string[] {
  const leafOf = (module: string) => module.slice(module.lastIndexOf(".") + 1);
  const baseModulesByLeaf = new Map<string, Set<string>>();
  for (const name of baseTensorNames) {
    if (!name.endsWith(".weight")) continue;
    const module = name.slice(0, -".weight".length);
    const set = baseModulesByLeaf.get(leafOf(module)) ?? new Set<string>();
    set.add(module);
    baseModulesByLeaf.set(leafOf(module), set);
  }
  const targeted = new Set(modules);
  const out = new Set<string>();
  for (const module of modules) {
    const leaf = leafOf(module);
    const all = baseModulesByLeaf.get(leaf);
    out.add(all && [...all].every((m) => targeted.has(m)) ? leaf : module);
  }
  return [...out].sort();
}
