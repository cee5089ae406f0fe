import { writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { RankPolicy, SvdParameters } from "../arithmetic/low-rank/factor-task-vector.js";
import { renderAdapterCard } from "../card/render-adapter-card.js";
import type { PinnedInput } from "../card/card-types.js";
import type { ModelRef } from "../hub/index.js";
import { planAdapter, targetModules, type AdapterFullMode } from "../plan/plan-adapter.js";
import type { Plan, ResolvedModel } from "../plan/types.js";
import type { ComputableDtype } from "../tensor/dtype.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { executeAdapter, type AdapterTensorReport, type ExecuteAdapterResult } from "../engine/execute-adapter.js";
import type { OpenedInput } from "./open-input.js";
import { publishOutput, type PublishedOutput } from "../engine/publish-output.js";
import { inStagingFolder, stagingFor } from "../engine/stage-output.js";

/** `publish-vector --lora-rank` and a recipe's `output.lora`: τ as a PEFT LoRA adapter. */
export interface LoraOptions {
  /** A fixed rank, or `auto` with `maxError`. */
  rank: number | "auto";
  /** `auto`: the largest relative Frobenius error ‖τ − BA‖/‖τ‖ allowed per tensor. */
  maxError?: number;
  /** `auto`: the largest rank allowed. @default min(rows, cols) */
  maxRank?: number;
  /** Embeddings and heads: `save` (modules_to_save, default) or `lora`. */
  embeddings?: AdapterFullMode;
  /** Randomized SVD parameters. @default oversampling 10, 2 iterations, seed 0 */
  svd?: Partial<SvdParameters>;
  /** Factor dtype. @default F32 */
  dtype?: ComputableDtype;
  /** Worker threads. @default os.availableParallelism() */
  threads?: number;
}

export const svdAlgorithm = "randomized SVD (Halko, Martinsson & Tropp 2011; the steps of torch.svd_lowrank)";

export interface PublishAdapterOptions {
  context: AppContext;
  target: ModelRef;
  plan: Plan;
  base: OpenedInput;
  /** The inputs of `plan.inputs`, opened, in order. */
  inputs: readonly OpenedInput[];
  /** What τ is the difference of, for the card: a fine-tune, or a merge's description. */
  source: { label: string; input?: PinnedInput; formula: string; record: Record<string, unknown> };
  lora: LoraOptions;
  commitTitle: string;
  private?: boolean;
  license?: string;
  /** Publish as a new Hub pull request on the default branch instead of committing to it. */
  createPr?: boolean;
}

export interface PublishedAdapter extends PublishedOutput {
  files: Array<{ path: string; size: number; sha256?: string }>;
  tensors: AdapterTensorReport[];
  r: number;
  overallError: number;
}

/**
 * Factors τ of a task-vector plan into a PEFT LoRA adapter and publishes it with its config, card and tvhub.json in one
 * commit.
 */
export async function* publishAdapter(options: PublishAdapterOptions): AsyncGenerator<ProgressEvent, PublishedAdapter> {
  const { context, target, plan, lora } = options;
  const svd: SvdParameters = {
    oversampling: lora.svd?.oversampling ?? 10,
    iterations: lora.svd?.iterations ?? 2,
    seed: lora.svd?.seed ?? 0,
  };
  const policy: RankPolicy =
    lora.rank === "auto"
      ? {
          kind: "auto",
          maxError: lora.maxError ?? 0.1,
          ...(lora.maxRank === undefined ? {} : { maxRank: lora.maxRank }),
        }
      : { kind: "fixed", rank: lora.rank };
  const dtype = lora.dtype ?? "F32";
  const baseResolved: ResolvedModel = options.base.resolved;
  const modelType = typeof baseResolved.config?.model_type === "string" ? baseResolved.config.model_type : undefined;
  const adapter = planAdapter({
    plan,
    baseTensorNames: baseResolved.tensors.map((t) => t.name),
    ...(lora.embeddings === undefined ? {} : { embeddings: lora.embeddings }),
    ...(modelType === undefined ? {} : { modelType }),
  });
  const staging = {
    ...stagingFor(target, context.workDir),
    what: "the adapter",
    // At most the dense τ twice (the spill file and the adapter), plus the card and the records.
    needed: 2 * plan.outputs.reduce((sum, t) => sum + t.bytes, 0) + 1024 * 1024,
  };
  return yield* inStagingFolder(staging, async function* (stageDir) {
    const models = await Promise.all(options.inputs.map((input) => input.openForExecute({ cache: context.cache })));
    let executed: ExecuteAdapterResult;
    try {
      executed = yield* executeAdapter({
        adapter,
        models,
        dir: stageDir,
        kernels: context.kernels,
        policy,
        svd,
        dtype,
        ...(lora.threads === undefined ? {} : { threads: lora.threads }),
      });
    } finally {
      await Promise.allSettled(
        models.filter((model, i) => model !== options.inputs[i]?.model).map((model) => model.close()),
      );
    }
    const ranks = [...executed.ranks.values()];
    const r = ranks.length ? Math.max(...ranks) : 1;
    const rankPattern: Record<string, number> = {};
    for (const [module, rank] of [...executed.ranks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      if (rank !== r) rankPattern[module] = rank;
    const modulesToSave = adapter.modulesToSave.map((m) => m.module);
    const base = pinned(baseResolved);
    const config = {
      alpha_pattern: rankPattern,
      base_model_name_or_path: base.repo,
      // Biases that changed are stored whole under base_layer.bias, the layout PEFT saves for bias "lora_only".
      bias: executed.biasModules.size > 0 ? "lora_only" : "none",
      // PEFT forces it per layer anyway (true for Conv1D, false for nn.Linear); this says what most layers are.
      fan_in_fan_out: executed.conv1d,
      inference_mode: true,
      init_lora_weights: true,
      lora_alpha: r,
      lora_bias: false,
      lora_dropout: 0,
      modules_to_save: modulesToSave.length ? modulesToSave : null,
      peft_type: "LORA",
      r,
      rank_pattern: rankPattern,
      revision: base.revision ?? null,
      target_modules: targetModules(
        [...executed.ranks.keys()],
        baseResolved.tensors.map((t) => t.name),
      ),
      task_type: taskType(baseResolved),
      use_dora: false,
      use_rslora: false,
    };
    const factored = executed.tensors.filter((t) => t.kind === "lora");
    const normSquared = factored.reduce((sum, t) => sum + t.norm ** 2, 0);
    const errorSquared = factored.reduce((sum, t) => sum + (t.relativeError ?? 0) ** 2 * t.norm ** 2, 0);
    const overallError = normSquared > 0 ? Math.sqrt(errorSquared / normSquared) : 0;
    const denseBytes = executed.tensors.reduce((sum, t) => sum + t.denseBytes, 0);
    const rankRule =
      policy.kind === "fixed"
        ? `${policy.rank} (min(${policy.rank}, rows, columns) per tensor)`
        : "auto: the smallest rank per tensor with ‖τ − BA‖/‖τ‖ ≤ " +
          `${policy.maxError}${policy.maxRank ? `, at most ${policy.maxRank}` : ""}`;
    const title = target.kind === "hub" ? target.repo : basename(target.path);
    const files = [executed.file];
    const record = {
      format: "tvhub/lora-adapter",
      version: 1,
      base: { repo: base.repo, revision: base.revision ?? null },
      ...options.source.record,
      lora: {
        rank: lora.rank,
        ...(policy.kind === "auto"
          ? { maxError: policy.maxError, ...(policy.maxRank ? { maxRank: policy.maxRank } : {}) }
          : {}),
        r,
        lora_alpha: r,
        dtype,
        embeddings: lora.embeddings ?? "save",
        svd: { algorithm: svdAlgorithm, ...svd },
        overallError,
        adapterBytes: executed.file.size,
        denseBytes,
      },
      tensors: executed.tensors.map((t) => ({
        name: t.name,
        module: t.module,
        shape: t.shape,
        kind: t.kind,
        ...(t.rank === undefined
          ? {}
          : { rank: t.rank, relativeError: t.relativeError, retainedEnergy: t.retainedEnergy }),
        ...(Number.isNaN(t.norm) ? {} : { norm: t.norm }),
        bytes: t.bytes,
        denseBytes: t.denseBytes,
      })),
      modulesToSave: adapter.modulesToSave,
      omitted: plan.omitted,
      files,
      tvhub: context.tvhubVersion,
    };
    const card = await renderAdapterCard({
      title,
      hubUrl: context.hub.hubUrl,
      base,
      source: options.source,
      rankRule,
      svd: { algorithm: svdAlgorithm, ...svd },
      dtype,
      r,
      targetModules: config.target_modules,
      modulesToSave: adapter.modulesToSave,
      rows: executed.tensors,
      overallError,
      adapterBytes: executed.file.size,
      denseBytes,
      ...(options.license === undefined ? {} : { license: options.license }),
      files,
      tvhubVersion: context.tvhubVersion,
    });
    // PEFT writes its config with sorted keys and an indent of 2.
    await writeFile(join(stageDir, "adapter_config.json"), `${JSON.stringify(config, null, 2)}\n`);
    await writeFile(join(stageDir, "tvhub.json"), `${JSON.stringify(record, null, 2)}\n`);
    await writeFile(join(stageDir, "README.md"), card);
    const published = yield* publishOutput({
      hub: context.hub,
      target,
      stageDir,
      files: [executed.file.path, "adapter_config.json", "tvhub.json", "README.md"],
      commitTitle: options.commitTitle,
      commitDescription:
        `LoRA adapter (r = ${r}, ${rankRule}) of τ = ${options.source.formula}, made with tvhub ` +
        `${context.tvhubVersion}.`,
      ...(options.private === undefined ? {} : { private: options.private }),
      ...(options.createPr === true && { createPr: true }),
    });
    return { ...published, files, tensors: executed.tensors, r, overallError };
  });
}

/**
 * PEFT's task type for the base's architecture, where one fits (it picks the PeftModel wrapper; the keys do not
 * change).
 */
function taskType(model: ResolvedModel): string | null {
  const architectures = model.config?.architectures;
  const architecture = Array.isArray(architectures) && typeof architectures[0] === "string" ? architectures[0] : "";
  // GPT-2 and its relatives name their causal LM head class …LMHeadModel (GPT2LMHeadModel, OpenAIGPTLMHeadModel).
  if (architecture.endsWith("ForCausalLM") || architecture.endsWith("LMHeadModel")) return "CAUSAL_LM";
  if (architecture.endsWith("ForSequenceClassification")) return "SEQ_CLS";
  if (architecture.endsWith("ForTokenClassification")) return "TOKEN_CLS";
  if (architecture.endsWith("ForConditionalGeneration") || architecture.endsWith("ForSeq2SeqLM")) return "SEQ_2_SEQ_LM";
  return null;
}

function pinned(model: { ref: string; repo?: string; revision?: string }): PinnedInput {
  return { repo: model.repo ?? model.ref, ...(model.revision === undefined ? {} : { revision: model.revision }) };
}
