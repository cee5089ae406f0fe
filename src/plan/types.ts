import type { LocatedTensor } from "../safetensors/types.js";
import type { Dtype } from "../tensor/dtype.js";
import type { LoraConfig } from "./parse-lora-config.js";
import type { ModelConfig } from "./read-config-fields.js";
import type { MergeMethod, MergeParameters, VocabMode } from "./recipe.js";

/**
 * One input after `resolve` and the header reads of `check`: everything the check and the plan look at,
 * and nothing that needs a weight byte.
 */
export interface ResolvedModel {
  /** The reference as the user wrote it (`org/ft`, `org/ft@v2`, `./models/ft`); messages and plans name it so. */
  ref: string;
  /** The Hub repo id (`org/name`) for Hub inputs; absent for local directories. */
  repo?: string;
  /** The 40-hex commit the run pinned; absent for local directories. */
  revision?: string;
  /** The parsed `config.json`; absent when the model has none (task-vector repos, some local folders). */
  config?: ModelConfig;
  /** The model card's YAML front matter (`base_model`, `library_name`, ...). */
  card?: Record<string, unknown>;
  /** A task-vector repo's parsed `tvhub.json` (`base.repo`, `base.revision`, ...). */
  record?: Record<string, unknown>;
  /** Every tensor of every file, from the safetensors headers. */
  tensors: LocatedTensor[];
  /**
   * A PEFT LoRA adapter (`adapter_config.json`, `adapter_model.safetensors`): a fine-tune whose τ is the adapter's
   * update; `tensors` are the adapter file's.
   */
  adapter?: { config: LoraConfig };
}

/** What an input contributes: a published task vector, or a fine-tuned model whose τ is computed on the fly. */
export type InputKind = "finetuned" | "vector";

/** A tensor of one plan input: `input` indexes `Plan.inputs`. */
export interface TensorRef {
  input: number;
  name: string;
}

/** Where a merge term's τ for one tensor comes from. */
export type TauSource =
  /** A stored task-vector tensor, decoded to float32. */
  | { kind: "vector"; tensor: TensorRef }
  /** `fround(ft − base)`, computed while merging. */
  | { kind: "taskVector"; finetuned: TensorRef; base: TensorRef }
  /** The vector omits this tensor because its delta is identically zero; kept so every term stays in place. */
  | { kind: "zero" }
  /** A LoRA adapter's update of this tensor, `fround(s32 · (B·A))` (docs/adapters.md). */
  | ({ kind: "lora" } & LoraUpdate);

/**
 * A LoRA module's update of one weight: `a` (`rank × in`) and `b` (`out × rank`) are read whole, the delta is
 * `fround(scale32 · (B·A))`, transposed for a Conv1D or an embedding; with `replaced` (PEFT saved the module's own
 * weight too) it is `fround(fround(saved − base) + delta)`.
 */
export interface LoraUpdate {
  a: TensorRef;
  b: TensorRef;
  rank: number;
  /** `Math.fround(alpha / r)` or `Math.fround(alpha / √r)`. */
  scale32: number;
  transpose: boolean;
  replaced?: { saved: TensorRef; base: TensorRef };
}

/** One term of a merge for one tensor. */
export interface WeightedTau {
  /** Index into `Plan.terms`. */
  term: number;
  /** `Math.fround(scale × weight)` for this tensor, the λ the kernel multiplies by. */
  weight32: number;
  tau: TauSource;
}

/**
 * How execute computes one output tensor. Every float operation is float32 with one rounding to the output
 * dtype at the end (DESIGN.md "Arithmetic semantics").
 */
export type Expression =
  /** The source's values, re-encoded when the output dtype differs (integer and bool tensors never do). */
  | { op: "copy"; source: TensorRef }
  /** `fround(ft − base)` element-wise. */
  | { op: "taskVector"; finetuned: TensorRef; base: TensorRef }
  /** A LoRA adapter's update (TauSource "lora"). */
  | ({ op: "lora" } & LoraUpdate)
  /**
   * A fine-tune that grew the vocabulary: rows below `sharedRows` are `ft − base`, rows from `sharedRows` on are
   * the fine-tune's own values (as if the base had zero rows there), so `base + τ` reproduces the fine-tune.
   */
  | { op: "taskVectorExtend"; finetuned: TensorRef; base: TensorRef; sharedRows: number }
  /**
   * `acc = base; for each term in order: acc = method(acc, weight32 · τ)` — for task arithmetic
   * `acc = fround(acc + fround(weight32 · τ))`. The order of `terms` is the contract.
   */
  | { op: "merge"; method: MergeMethod; base: TensorRef; terms: WeightedTau[]; params: MergeParameters }
  /**
   * The merge above over the first `sharedRows` rows (each input's leading rows), then rows from `sharedRows` on
   * copied from `extraRows`: the fine-tune (or its vector) that grew the vocabulary.
   */
  | {
      op: "mergeExtend";
      method: MergeMethod;
      base: TensorRef;
      terms: WeightedTau[];
      params: MergeParameters;
      sharedRows: number;
      extraRows: TensorRef;
    };

export interface PlannedTensor {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Output bytes (element count × dtype size). */
  bytes: number;
  expression: Expression;
}

export type PlanOperation = "publish-vector" | "merge";

export interface PlanInput {
  role: "base" | InputKind;
  ref: string;
  repo?: string;
  /** The pinned commit execute reads. */
  revision?: string;
  /** Bytes of tensor data execute reads from this input (each tensor once). */
  readBytes: number;
  /** How many of its tensors execute reads. */
  readTensors: number;
  /** How many of its files execute touches. */
  readFiles: number;
}

/** A term of a merge after analogy expansion, in recipe order. */
export interface PlanTerm {
  kind: InputKind;
  /** Index into `Plan.inputs`. */
  input: number;
  /** The weight as the recipe gives it, analogy signs applied, before the global scale. */
  weight: number;
  /** `scale × weight`: the λ the card reports for this term. */
  lambda: number;
  /** `Math.fround(lambda)`: what the kernel multiplies by, except where an override changes the scale. */
  weight32: number;
  /** Where the term comes from in the recipe, e.g. `vectors[2]` or `vectors[3].analogy.a`. */
  origin: string;
}

export interface OutputFile {
  /** e.g. `model-00001-of-00004.safetensors`. */
  name: string;
  /** Tensor names in header order, which is the order the writer streams their bytes. */
  tensors: string[];
  /** Tensor data bytes (header excluded). */
  bytes: number;
  /** The whole file: length prefix, header and data. */
  fileSize: number;
}

export interface OutputLayout {
  files: OutputFile[];
  /** The index file (`model.safetensors.index.json`) when there is more than one file. */
  index?: string;
  maxShardSize: number;
  /** Sum of tensor data bytes over all files (the index's `total_size`). */
  totalBytes: number;
  /** Everything written: every file with its header, plus the index. */
  writeBytes: number;
}

export interface PlanWarning {
  code: string;
  message: string;
  subject?: string;
}

export interface OverrideUse {
  /** `glob *embed_tokens*` or `regex ^lm_head`. */
  pattern: string;
  /** `keep base`, `scale 0.5`, `parameters density=0.5`. */
  action: string;
  /** Output tensors it applied to (first match wins). */
  tensors: string[];
}

/** A vocabulary the output grows to (`vocab: extend`): publish writes `vocab_size` and the tokenizer from `donor`. */
export interface VocabExtension {
  /** Rows every input shares with the base. */
  sharedRows: number;
  /** Rows of the output. */
  rows: number;
  /** Index into `Plan.inputs` of the input whose extra rows (and tokenizer) the output takes. */
  donor: number;
  tensors: string[];
}

export interface Plan {
  operation: PlanOperation;
  inputs: PlanInput[];
  /** Merge terms in recipe order; empty for publish-vector. */
  terms: PlanTerm[];
  /** Merge method and its resolved parameters; absent for publish-vector. */
  method?: MergeMethod;
  parameters?: MergeParameters;
  /** Output tensors in the base's order; `layout.files[].tensors` is the order their bytes are written in. */
  outputs: PlannedTensor[];
  /** Input tensors left out of the output, with why (publish-vector: integer and bool tensors). */
  omitted: Array<{ name: string; reason: string }>;
  overrides: OverrideUse[];
  vocab?: VocabExtension;
  layout: OutputLayout;
  /** Tensor bytes execute reads over all inputs (an input read twice under two names counts once). */
  downloadBytes: number;
  warnings: PlanWarning[];
}

export type { VocabMode };
