import {
  findMergeMethod,
  recipeParametersOf,
  type MergeMethod as ArithmeticMethod,
} from "../arithmetic/merge-methods.js";
import { DataError, InternalError } from "../errors.js";
import { planModelLayout } from "../safetensors/plan-model-layout.js";
import type { LocatedTensor } from "../safetensors/types.js";
import { isComputable, type ComputableDtype, type Dtype } from "../tensor/dtype.js";
import { byteLength, formatShape, sameShape } from "../tensor/shape.js";
import { compileOverrides, type CompiledOverride } from "./compile-overrides.js";
import { expandTerms } from "./expand-terms.js";
import { mapAdapter, type AdapterMapping, type AdapterTerm } from "./map-adapter.js";
import { methodParameters, type MergeMethod, type MergeParameters, type Recipe, type VocabMode } from "./recipe.js";
import { readConfigFields } from "./read-config-fields.js";
import { bufferNamePattern, embeddingNamePattern } from "./tensor-names.js";
import type {
  Expression,
  LoraUpdate,
  OutputLayout,
  Plan,
  PlanInput,
  PlannedTensor,
  PlanTerm,
  PlanWarning,
  ResolvedModel,
  TauSource,
  TensorRef,
  VocabExtension,
  WeightedTau,
} from "./types.js";

/** transformers' default `max_shard_size` ("5GB", decimal). */
export const defaultMaxShardSize = 5_000_000_000;

const utf8 = new TextEncoder();

export interface PublishVectorPlanOptions {
  operation: "publish-vector";
  base: ResolvedModel;
  finetuned: ResolvedModel;
  /** Dtype of the stored τ; default: the fine-tuned model's, tensor by tensor. `F32` stores the difference exactly. */
  dtype?: ComputableDtype;
  /** @default "refuse" */
  vocab?: VocabMode;
  /** @default 5_000_000_000 */
  maxShardSize?: number;
}

export interface MergePlanOptions {
  operation: "merge";
  recipe: Recipe;
  /** Every model the recipe names, keyed by the reference exactly as the recipe writes it; the base included. */
  models: Readonly<Record<string, ResolvedModel>>;
}

export type BuildPlanOptions = PublishVectorPlanOptions | MergePlanOptions;

/**
 * The pure heart of a run: from headers and a recipe to every output tensor's dtype, shape and expression, the
 * shard layout, and what execute will read. It assumes the compatibility check passed, and still refuses
 * (DataError) anything it cannot express rather than skipping a tensor.
 */
export function buildPlan(options: BuildPlanOptions): Plan {
  return options.operation === "publish-vector" ? planPublishVector(options) : planMerge(options);
}

/** Integer and bool tensors never enter τ: the task vector leaves them out, and says so. */
function nonFloatOmitted(tensor: { name: string; dtype: string }): Plan["omitted"][number] {
  return {
    name: tensor.name,
    reason: `${tensor.dtype} tensor: never part of τ; applying the vector copies it from the base`,
  };
}

function planPublishVector(options: PublishVectorPlanOptions): Plan {
  const { base, finetuned } = options;
  if (finetuned.adapter) return planAdapterVector(options);
  const vocab = options.vocab ?? "refuse";
  const theirs = byName(finetuned.tensors);
  rejectExtraTensors(base, finetuned);
  const outputs: PlannedTensor[] = [];
  const omitted: Plan["omitted"] = [];
  const extended: string[] = [];
  let vocabRows: { shared: number; rows: number } | undefined;

  for (const ours of writeOrder(base.tensors)) {
    if (!isComputable(ours.dtype)) {
      omitted.push(nonFloatOmitted(ours));
      continue;
    }
    const other = theirs.get(ours.name);
    if (other === undefined) {
      if (!bufferNamePattern.test(ours.name)) throw missingTensor(finetuned, base, ours.name);
      omitted.push({
        name: ours.name,
        reason: "a buffer the fine-tune does not store: not part of τ; applying the vector copies it from the base",
      });
      continue;
    }
    if (!isComputable(other.dtype)) throw notComputable(finetuned, base, other, ours);
    const finetunedRef: TensorRef = { input: 1, name: ours.name };
    const baseRef: TensorRef = { input: 0, name: ours.name };
    const dtype = options.dtype ?? other.dtype;
    if (sameShape(ours.shape, other.shape)) {
      outputs.push(planned(ours.name, dtype, ours.shape, { op: "taskVector", finetuned: finetunedRef, base: baseRef }));
    } else if (vocab === "extend" && grows(base, ours, other)) {
      const rows = other.shape[0] as number;
      const shared = ours.shape[0] as number;
      vocabRows = checkRows(vocabRows, shared, rows, ours.name, finetuned);
      extended.push(ours.name);
      outputs.push(
        planned(ours.name, dtype, other.shape, {
          op: "taskVectorExtend",
          finetuned: finetunedRef,
          base: baseRef,
          sharedRows: shared,
        }),
      );
    } else {
      throw shapeMismatch(finetuned, base, other, ours, vocab);
    }
  }

  const inputs: PlanInput[] = [inputOf("base", base), inputOf("finetuned", finetuned)];
  const warnings: PlanWarning[] = [];
  if (omitted.length > 0) {
    warnings.push({
      code: "OMITTED",
      message:
        `${omitted.length} tensor${omitted.length === 1 ? " is" : "s are"} not part of τ (e.g. ` +
        `${omitted[0]?.name}: ${omitted[0]?.reason.split(":")[0]}); applying the vector copies them from the ` +
        "base.",
    });
  }
  const vocabExtension: VocabExtension | undefined =
    vocabRows === undefined
      ? undefined
      : { sharedRows: vocabRows.shared, rows: vocabRows.rows, donor: 1, tensors: extended };
  return finish({
    operation: "publish-vector",
    inputs,
    models: [base, finetuned],
    terms: [],
    outputs,
    omitted,
    overrides: [],
    vocab: vocabExtension,
    warnings,
    maxShardSize: options.maxShardSize ?? defaultMaxShardSize,
    prefix: "task_vector",
  });
}

/**
 * τ of a LoRA adapter: each updated weight's τ is the adapter's update (or saved − base for a module it saved in
 * full), in the base's dtype unless --dtype says otherwise, as merge_and_unload writes the base's dtype. Every
 * other tensor has τ = 0 and is omitted.
 */
function planAdapterVector(options: PublishVectorPlanOptions): Plan {
  const { base, finetuned } = options;
  const mapping = mapAdapter({ adapter: finetuned as AdapterModel, base });
  const outputs: PlannedTensor[] = [];
  const omitted: Plan["omitted"] = [];
  for (const ours of writeOrder(base.tensors)) {
    if (!isComputable(ours.dtype)) {
      omitted.push(nonFloatOmitted(ours));
      continue;
    }
    const term = mapping.terms.get(ours.name);
    if (term === undefined) {
      omitted.push({
        name: ours.name,
        reason: "not updated by the adapter: τ = 0; applying the vector copies it from the base",
      });
      continue;
    }
    const baseRef: TensorRef = { input: 0, name: ours.name };
    const expression: Expression =
      term.kind === "lora"
        ? { op: "lora", ...loraUpdate(term, 1, baseRef) }
        : { op: "taskVector", finetuned: { input: 1, name: term.saved }, base: baseRef };
    outputs.push(planned(ours.name, options.dtype ?? ours.dtype, ours.shape, expression));
  }
  // What PEFT ignores (mapping.ignored) the check reports.
  const warnings: PlanWarning[] = [];
  return finish({
    operation: "publish-vector",
    inputs: [inputOf("base", base), inputOf("finetuned", finetuned)],
    models: [base, finetuned],
    terms: [],
    outputs,
    omitted,
    overrides: [],
    vocab: undefined,
    warnings,
    maxShardSize: options.maxShardSize ?? defaultMaxShardSize,
    prefix: "task_vector",
  });
}

type AdapterModel = ResolvedModel & { adapter: NonNullable<ResolvedModel["adapter"]> };

/** Where an adapter's τ of one base tensor comes from: its LoRA update, saved − base, or nothing (τ = 0). */
function adapterTau(mapping: AdapterMapping, name: string, input: number, baseRef: TensorRef): TauSource {
  const term = mapping.terms.get(name);
  if (term === undefined) return { kind: "zero" };
  if (term.kind === "full") return { kind: "taskVector", finetuned: { input, name: term.saved }, base: baseRef };
  return { kind: "lora", ...loraUpdate(term, input, baseRef) };
}

function loraUpdate(term: Extract<AdapterTerm, { kind: "lora" }>, input: number, baseRef: TensorRef): LoraUpdate {
  const update: LoraUpdate = {
    a: { input, name: term.a },
    b: { input, name: term.b },
    rank: term.rank,
    scale32: Math.fround(term.scale),
    transpose: term.transpose,
  };
  if (term.replaced !== undefined) update.replaced = { saved: { input, name: term.replaced }, base: baseRef };
  return update;
}

function planMerge(options: MergePlanOptions): Plan {
  const { recipe } = options;
  const base = modelFor(options.models, recipe.base, "base");
  const expanded = expandTerms({ recipe });
  const inputs: PlanInput[] = [inputOf("base", base)];
  const models: ResolvedModel[] = [base];
  const inputIndex = new Map<string, number>();
  const terms: PlanTerm[] = expanded.map((term) => {
    const key = `${term.kind}\u0000${term.ref}`;
    let input = inputIndex.get(key);
    if (input === undefined) {
      const model = modelFor(options.models, term.ref, term.origin);
      input = inputs.length;
      inputIndex.set(key, input);
      inputs.push(inputOf(term.kind, model));
      models.push(model);
      if (!model.adapter) rejectExtraTensors(base, model, term.kind);
    }
    const lambda = recipe.scale * term.weight;
    return { kind: term.kind, input, weight: term.weight, lambda, weight32: Math.fround(lambda), origin: term.origin };
  });

  const overrides = compileOverrides({ overrides: recipe.overrides });
  const used = overrides.map(() => [] as string[]);
  const tensorMaps = models.map((model) => byName(model.tensors));
  const adapters = models.map((model) =>
    model.adapter ? mapAdapter({ adapter: model as AdapterModel, base }) : undefined,
  );
  const outputs: PlannedTensor[] = [];
  const extended: string[] = [];
  let vocabRows: { shared: number; rows: number; donor: number } | undefined;
  const parameters = resolveParameters(recipe.method, recipe.parameters);

  for (const ours of writeOrder(base.tensors)) {
    const baseRef: TensorRef = { input: 0, name: ours.name };
    if (!isComputable(ours.dtype)) {
      outputs.push(planned(ours.name, ours.dtype, ours.shape, { op: "copy", source: baseRef }));
      continue;
    }
    const dtype = recipe.output.dtype ?? ours.dtype;
    const overrideIndex = overrides.findIndex((o) => o.matches(ours.name));
    const override: CompiledOverride | undefined = overrides[overrideIndex];
    if (override !== undefined) used[overrideIndex]?.push(ours.name);
    if (override?.override.keep === "base") {
      outputs.push(planned(ours.name, dtype, ours.shape, { op: "copy", source: baseRef }));
      continue;
    }
    const scale = override?.override.scale ?? recipe.scale;
    const params =
      override?.override.parameters === undefined
        ? parameters
        : resolveParameters(recipe.method, recipe.parameters, override.override.parameters);

    let extra: { rows: number; source: TensorRef; term: PlanTerm } | undefined;
    const weighted: WeightedTau[] = [];
    for (const [index, term] of terms.entries()) {
      const model = models[term.input] as ResolvedModel;
      const other = tensorMaps[term.input]?.get(ours.name);
      const weight32 = Math.fround(scale * term.weight);
      const adapter = adapters[term.input];
      if (adapter !== undefined) {
        weighted.push({ term: index, weight32, tau: adapterTau(adapter, ours.name, term.input, baseRef) });
        continue;
      }
      if (other === undefined) {
        // A buffer (GPT-2's causal mask, say) that a fine-tune did not save has not been trained either.
        if (term.kind === "finetuned" && !bufferNamePattern.test(ours.name))
          throw missingTensor(model, base, ours.name);
        weighted.push({ term: index, weight32, tau: { kind: "zero" } });
        continue;
      }
      if (!isComputable(other.dtype)) throw notComputable(model, base, other, ours);
      if (!sameShape(ours.shape, other.shape)) {
        if (recipe.vocab !== "extend" || !grows(base, ours, other))
          throw shapeMismatch(model, base, other, ours, recipe.vocab);
        const rows = other.shape[0] as number;
        if (extra === undefined) {
          extra = { rows, source: { input: term.input, name: ours.name }, term };
        } else if (extra.rows !== rows) {
          throw new DataError(
            `${ours.name} has ${extra.rows} rows in ${inputs[extra.term.input]?.ref} and ${rows} in ${model.ref}: ` +
              "two different extended vocabularies cannot be merged; keep the inputs that share one.",
            { code: "VOCAB_CONFLICT", subject: ours.name },
          );
        }
      }
      const ref: TensorRef = { input: term.input, name: ours.name };
      weighted.push({
        term: index,
        weight32,
        tau:
          term.kind === "vector"
            ? { kind: "vector", tensor: ref }
            : { kind: "taskVector", finetuned: ref, base: baseRef },
      });
    }

    if (extra !== undefined) {
      const shared = ours.shape[0] as number;
      const checked = checkRows(vocabRows, shared, extra.rows, ours.name, models[extra.term.input] as ResolvedModel);
      vocabRows = { ...checked, donor: vocabRows?.donor ?? extra.term.input };
      extended.push(ours.name);
      const shape = [extra.rows, ...ours.shape.slice(1)];
      outputs.push(
        planned(ours.name, dtype, shape, {
          op: "mergeExtend",
          method: recipe.method,
          base: baseRef,
          terms: weighted,
          params,
          sharedRows: shared,
          extraRows: extra.source,
        }),
      );
    } else if (weighted.every((w) => w.tau.kind === "zero")) {
      outputs.push(planned(ours.name, dtype, ours.shape, { op: "copy", source: baseRef }));
    } else {
      outputs.push(
        planned(ours.name, dtype, ours.shape, {
          op: "merge",
          method: recipe.method,
          base: baseRef,
          terms: weighted,
          params,
        }),
      );
    }
  }

  const warnings = mergeWarnings(recipe, terms, inputs, overrides, used, vocabRows);
  return finish({
    operation: "merge",
    inputs,
    models,
    terms,
    method: recipe.method,
    parameters,
    outputs,
    omitted: [],
    overrides: overrides.map((o, i) => ({ pattern: o.pattern, action: o.action, tensors: used[i] ?? [] })),
    vocab:
      vocabRows === undefined
        ? undefined
        : { sharedRows: vocabRows.shared, rows: vocabRows.rows, donor: vocabRows.donor, tensors: extended },
    warnings,
    maxShardSize: recipe.output.max_shard_size,
    prefix: "model",
  });
}

function mergeWarnings(
  recipe: Recipe,
  terms: PlanTerm[],
  inputs: PlanInput[],
  overrides: CompiledOverride[],
  used: string[][],
  vocab: { donor: number } | undefined,
): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  overrides.forEach((override, i) => {
    if ((used[i]?.length ?? 0) > 0) return;
    const shadowed = overrides
      .slice(0, i)
      .some((earlier) => used.some((names) => names.some((name) => override.matches(name) && earlier.matches(name))));
    warnings.push({
      code: "OVERRIDE_UNUSED",
      subject: override.origin,
      message:
        `${override.origin} (${override.pattern}) applies to no ` +
        `tensor${shadowed ? ": an earlier override matches its tensors first" : " of the base"}; check the ` +
        "pattern.",
    });
  });
  if (registered(recipe.method).electsSign) {
    for (const term of terms.filter((t) => t.weight < 0)) {
      warnings.push({
        code: "NEGATION_WITH_SIGN_ELECTION",
        subject: term.origin,
        message:
          `${term.origin} has a negative weight under ${recipe.method}: sign election counts the negated τ ` +
          "as a vote for the opposite sign, so it competes with the other vectors instead of being subtracted; " +
          "use method: task_arithmetic to negate a task.",
      });
    }
  }
  for (const term of terms.filter((t) => t.weight32 === 0)) {
    warnings.push({
      code: "ZERO_WEIGHT",
      subject: term.origin,
      message: `${term.origin} has weight ${term.lambda} after scaling, which is 0 in float32, so it changes nothing.`,
    });
  }
  const seen = new Map<number, PlanTerm>();
  for (const term of terms) {
    const first = seen.get(term.input);
    if (first === undefined) {
      seen.set(term.input, term);
      continue;
    }
    warnings.push({
      code: "DUPLICATE_TERM",
      subject: term.origin,
      message:
        `${inputs[term.input]?.ref} appears in both ${first.origin} and ${term.origin}; its τ is added twice ` +
        `(weights ${first.weight} and ${term.weight}).`,
    });
  }
  if (vocab !== undefined) {
    const donorTerms = terms.filter((t) => t.input === vocab.donor);
    if (donorTerms.some((t) => t.weight < 0)) {
      warnings.push({
        code: "VOCAB_DONOR_NEGATED",
        subject: donorTerms[0]?.origin ?? "vocab",
        message:
          `The added vocabulary rows are copied unchanged from ${inputs[vocab.donor]?.ref}, although its ` +
          "weight is negative; negation applies to the shared rows only.",
      });
    }
  }
  return warnings;
}

interface FinishOptions {
  operation: Plan["operation"];
  inputs: PlanInput[];
  /** Parallel to `inputs`. */
  models: ResolvedModel[];
  terms: PlanTerm[];
  method?: MergeMethod;
  parameters?: MergeParameters;
  outputs: PlannedTensor[];
  omitted: Plan["omitted"];
  overrides: Plan["overrides"];
  vocab: VocabExtension | undefined;
  warnings: PlanWarning[];
  maxShardSize: number;
  prefix: string;
}

/**
 * Counts what execute reads (each input tensor once, even when two references pin the same commit) and lays out files.
 */
function finish(options: FinishOptions): Plan {
  const { inputs, models, outputs } = options;
  const maps = models.map((model) => byName(model.tensors));
  const identities = models.map(identityOf);
  const read = new Set<string>();
  const files = inputs.map(() => new Set<string>());
  let downloadBytes = 0;
  const visit = (ref: TensorRef): void => {
    const tensor = maps[ref.input]?.get(ref.name);
    const input = inputs[ref.input];
    if (tensor === undefined || input === undefined)
      throw new InternalError(`The plan reads ${ref.name} from input ${ref.input}, which does not have it.`, {
        code: "PLAN_BAD_REF",
      });
    const key = `${identities[ref.input]}\u0000${ref.name}`;
    if (read.has(key)) return;
    read.add(key);
    const bytes = tensor.end - tensor.begin;
    downloadBytes += bytes;
    input.readBytes += bytes;
    input.readTensors += 1;
    files[ref.input]?.add(tensor.file);
  };
  for (const output of outputs) for (const ref of refsOf(output.expression)) visit(ref);
  inputs.forEach((input, i) => {
    input.readFiles = files[i]?.size ?? 0;
  });

  // The writer's own layout function, so that the plan's files are the files execute writes, header bytes included.
  const model = planModelLayout({ tensors: outputs, maxShardSize: options.maxShardSize, prefix: options.prefix });
  const layout: OutputLayout = {
    files: model.files.map(({ file, layout: fileLayout }) => ({
      name: file,
      tensors: fileLayout.tensors.map((t) => t.name),
      bytes: fileLayout.dataSize,
      fileSize: fileLayout.fileSize,
    })),
    maxShardSize: options.maxShardSize,
    totalBytes: model.totalSize,
    writeBytes:
      model.files.reduce((sum, f) => sum + f.layout.fileSize, 0) +
      (model.index === undefined ? 0 : utf8.encode(model.index.text).length),
  };
  if (model.index !== undefined) layout.index = model.index.file;
  const plan: Plan = {
    operation: options.operation,
    inputs,
    terms: options.terms,
    outputs,
    omitted: options.omitted,
    overrides: options.overrides,
    layout,
    downloadBytes,
    warnings: options.warnings,
  };
  if (options.method !== undefined) plan.method = options.method;
  if (options.parameters !== undefined) plan.parameters = options.parameters;
  if (options.vocab !== undefined) plan.vocab = options.vocab;
  return plan;
}

/** Every input tensor an expression reads. */
export function refsOf(expression: Expression): TensorRef[] {
  switch (expression.op) {
    case "copy":
      return [expression.source];
    case "taskVector":
    case "taskVectorExtend":
      return [expression.finetuned, expression.base];
    case "lora":
      return loraRefs(expression);
    case "merge":
    case "mergeExtend": {
      const refs: TensorRef[] = [expression.base];
      for (const { tau } of expression.terms) {
        if (tau.kind === "vector") refs.push(tau.tensor);
        else if (tau.kind === "taskVector") refs.push(tau.finetuned, tau.base);
        else if (tau.kind === "lora") refs.push(...loraRefs(tau));
      }
      if (expression.op === "mergeExtend") refs.push(expression.extraRows);
      return refs;
    }
  }
}

/** What a LoRA update reads: A and B whole, then the saved weight and the base when PEFT saved the module too. */
export function loraRefs(update: LoraUpdate): TensorRef[] {
  return update.replaced ? [update.a, update.b, update.replaced.saved, update.replaced.base] : [update.a, update.b];
}

/**
 * The recipe's parameters, overrides on top, over the registry's defaults; a factor the registry omits at its default
 * stays out.
 */
function resolveParameters(
  method: MergeMethod,
  ...layers: Array<Readonly<Record<string, MergeParameters[string] | undefined>> | undefined>
): MergeParameters {
  const resolved: MergeParameters = { ...methodParameters[method] };
  for (const parameter of recipeParametersOf(registered(method))) {
    for (const layer of layers) {
      const value = layer?.[parameter.name];
      if (value !== undefined) resolved[parameter.name] = value;
    }
  }
  return resolved;
}

function registered(name: MergeMethod): ArithmeticMethod {
  const method = findMergeMethod(name);
  if (method === undefined)
    throw new InternalError(`The recipe names merge method ${name}, which the registry lacks.`, {
      code: "PLAN_UNKNOWN_METHOD",
    });
  return method;
}

function planned(name: string, dtype: Dtype, shape: readonly number[], expression: Expression): PlannedTensor {
  const bytes = byteLength(dtype, shape);
  if (bytes === undefined)
    throw new DataError(`${name} has shape ${formatShape(shape)}, too large to hold; the header is damaged.`, {
      code: "PLAN_TENSOR_TOO_LARGE",
      subject: name,
    });
  return { name, dtype, shape: [...shape], bytes, expression };
}

function inputOf(role: PlanInput["role"], model: ResolvedModel): PlanInput {
  const input: PlanInput = { role, ref: model.ref, readBytes: 0, readTensors: 0, readFiles: 0 };
  if (model.repo !== undefined) input.repo = model.repo;
  if (model.revision !== undefined) input.revision = model.revision;
  return input;
}

/** Two references to one repo at one commit read the same bytes. */
function identityOf(model: ResolvedModel): string {
  return model.repo !== undefined && model.revision !== undefined
    ? `hub:${model.repo.toLowerCase()}@${model.revision}`
    : `ref:${model.ref}`;
}

function modelFor(models: Readonly<Record<string, ResolvedModel>>, ref: string, origin: string): ResolvedModel {
  const model = Object.hasOwn(models, ref) ? models[ref] : undefined;
  if (model === undefined)
    throw new InternalError(
      `The plan was given no headers for ${origin} "${ref}"; resolve every recipe input before planning.`,
      { code: "PLAN_INPUT_MISSING", subject: ref },
    );
  return model;
}

/** The base's own order: by file, then by position in the file, which is how its writer laid the tensors out. */
function writeOrder(tensors: readonly LocatedTensor[]): LocatedTensor[] {
  return [...tensors].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.begin - b.begin));
}

function byName(tensors: readonly LocatedTensor[]): Map<string, LocatedTensor> {
  return new Map(tensors.map((t) => [t.name, t]));
}

/**
 * Whether `other` is `ours` with rows added: a vocabulary tensor (its rows are the base's vocab_size, or, without a
 * config, its name is an embedding's or a head's) whose other dimensions agree.
 */
function grows(base: ResolvedModel, ours: LocatedTensor, other: LocatedTensor): boolean {
  const vocab =
    base.config === undefined ? undefined : readConfigFields({ config: base.config }).sizes.get("vocab_size")?.value;
  const isVocab = vocab !== undefined ? ours.shape[0] === vocab : embeddingNamePattern.test(ours.name);
  return (
    isVocab &&
    ours.shape.length > 0 &&
    other.shape.length === ours.shape.length &&
    (other.shape[0] as number) > (ours.shape[0] as number) &&
    sameShape(ours.shape.slice(1), other.shape.slice(1))
  );
}

function checkRows(
  known: { shared: number; rows: number } | undefined,
  shared: number,
  rows: number,
  name: string,
  model: ResolvedModel,
): { shared: number; rows: number } {
  if (known !== undefined && (known.shared !== shared || known.rows !== rows)) {
    throw new DataError(
      `${name} grows from ${shared} to ${rows} rows in ${model.ref}, but another vocabulary tensor grows from ` +
        `${known.shared} to ${known.rows}; the embedding and the head must agree, so check the fine-tune.`,
      { code: "VOCAB_CONFLICT", subject: name },
    );
  }
  return { shared, rows };
}

function rejectExtraTensors(base: ResolvedModel, model: ResolvedModel, kind: string = "finetuned"): void {
  const ours = byName(base.tensors);
  const extra = model.tensors.find((t) => !ours.has(t.name) && !bufferNamePattern.test(t.name));
  if (extra === undefined) return;
  throw new DataError(
    `${model.ref} has ${extra.name}, which ${base.ref} lacks; the output follows the base's layout, so a ` +
      `${kind === "vector" ? "vector" : "fine-tune"} with extra tensors cannot be used (run tvhub check for the ` +
      "full report).",
    {
      code: "EXTRA_TENSOR",
      subject: extra.name,
    },
  );
}

function missingTensor(model: ResolvedModel, base: ResolvedModel, name: string): DataError {
  return new DataError(`${model.ref} has no ${name}, which ${base.ref} has; run tvhub check for the full report.`, {
    code: "MISSING_TENSOR",
    subject: name,
  });
}

function notComputable(
  model: ResolvedModel,
  base: ResolvedModel,
  other: LocatedTensor,
  ours: LocatedTensor,
): DataError {
  return new DataError(
    `${ours.name} is ${other.dtype} in ${model.ref} and ${ours.dtype} in ${base.ref}; arithmetic needs float ` +
      "tensors on both sides (F64, F32, F16 or BF16), so use unquantized weights.",
    {
      code: "NOT_COMPUTABLE",
      subject: ours.name,
    },
  );
}

function shapeMismatch(
  model: ResolvedModel,
  base: ResolvedModel,
  other: LocatedTensor,
  ours: LocatedTensor,
  vocab: VocabMode,
): DataError {
  const hint =
    vocab === "refuse" && grows(base, ours, other)
      ? "; if the fine-tune added tokens, set vocab: extend (--vocab extend)"
      : "; run tvhub check for the full report";
  return new DataError(
    `${ours.name} is ${formatShape(other.shape)} in ${model.ref} but ${formatShape(ours.shape)} in ${base.ref}${hint}.`,
    {
      code: hint.includes("vocab") ? "VOCAB_MISMATCH" : "SHAPE_MISMATCH",
      subject: ours.name,
    },
  );
}
