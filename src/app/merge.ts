import { basename } from "node:path";
import type { PinnedInput } from "../card/card-types.js";
import { renderMergeCard, type GreedyStep } from "../card/render-merge-card.js";
import { checkPullRequestTarget } from "../engine/check-pull-request-target.js";
import { checkStageTarget } from "../engine/check-stage-target.js";
import { checkTarget } from "../engine/check-target.js";
import { executeOnInputs } from "../engine/execute-on-inputs.js";
import { produceOutput, type DescribedOutput } from "../engine/produce-output.js";
import type { PublishedOutput } from "../engine/publish-output.js";
import type { PublishedPortion, PortionStage } from "../engine/portion-record.js";
import { DataError, UsageError } from "../errors.js";
import { baseOnlyFiles, tokenizerFiles, type ModelRef } from "../hub/index.js";
import { buildPlan } from "../plan/build-plan.js";
import type { CompatibilityReport } from "../plan/check-compatibility.js";
import { expandTerms } from "../plan/expand-terms.js";
import { loadRecipe, type LoadedRecipe } from "../plan/load-recipe.js";
import { readConfigFields } from "../plan/read-config-fields.js";
import type { MergeParameters, Recipe, VocabMode } from "../plan/recipe.js";
import type { InputKind, Plan, PlanInput, ResolvedModel } from "../plan/types.js";
import type { Dtype } from "../tensor/dtype.js";
import { elementCount } from "../tensor/shape.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { checkInputs, type CheckedInputs } from "./check-inputs.js";
import { findingLogs } from "./finding-logs.js";
import { IncompatibleError } from "./incompatible-error.js";
import { inputAtTarget } from "./input-at-target.js";
import type { OpenedInput } from "./open-input.js";
import { overrideOutput } from "./override-output.js";
import { publishMergeAdapter } from "./publish-merge-adapter.js";
import { resolveRef } from "./resolve-ref.js";
import { pickDefined } from "../util/pick-defined.js";

export interface MergeOptions {
  context: AppContext;
  /**
   * The recipe: its YAML exactly as read (the card quotes it verbatim) and what messages call it (the path), or one
   * already validated, with the YAML that describes it (`tvhub apply` builds its recipe from flags).
   */
  recipe: { text: string; source: string } | LoadedRecipe;
  /** Overrides the recipe's `output.to`: a Hub repo `org/name` or a folder. */
  to?: string;
  /** Overrides the recipe's `vocab`. */
  vocab?: VocabMode;
  /** Overrides the recipe's `output.private`. */
  private?: boolean;
  /** Check and plan, print what would be read and written; download and write nothing. */
  dryRun?: boolean;
  /** Proceed past lineage mismatches (never shape mismatches). */
  force?: boolean;
  /** The command line that asked for this merge (`tvhub apply ...`); the card records it. */
  command?: string;
  /**
   * One job of a matrix run (its share of the files and its portion record), or the finalize step; absent: the whole
   * run.
   */
  stage?: PortionStage;
  /** The search that chose the terms (`tvhub greedy`): the card shows its scores, tvhub.json its record. */
  search?: MergeSearch;
  /** Publish as a new Hub pull request on the default branch, for review, instead of committing to it. */
  createPr?: boolean;
}

/** What a greedy search adds to the merge it publishes. */
export interface MergeSearch {
  validation: { metric: string; baseline?: number; score: number };
  /** Every candidate of every round, kept or not, and why. */
  trajectory: GreedyStep[];
  /** Candidates left out before any was scored, and why. */
  skipped?: Array<{ candidate: string; reason: string }>;
  /** tvhub.json's `greedy` field, as plain JSON. */
  record: Record<string, unknown>;
}

/** A file published next to the weights and the input it was copied from. */
export interface CopiedFile {
  path: string;
  from: { repo: string; revision: string | null };
}

/** `tvhub.json` of a merged model: everything needed to redo the merge bit for bit. */
export interface MergeRecord {
  format: "tvhub/merge";
  version: 1;
  base: { repo: string; revision: string | null };
  method: { name: string; parameters: MergeParameters };
  /** The recipe's global λ. */
  scale: number;
  /** In the order they were added. */
  terms: Array<{
    kind: InputKind;
    ref: string;
    repo: string;
    revision: string | null;
    /** Where the term comes from in the recipe, e.g. `vectors[2].analogy.a`. */
    origin: string;
    /** The recipe's weight (analogy sign applied). */
    weight: number;
    /** scale × weight. */
    lambda: number;
    /** fround(lambda): what the kernel multiplied by. */
    lambda32: number;
  }>;
  overrides: Array<{ pattern: string; action: string; tensors: string[] }>;
  vocab: {
    sharedRows: number;
    rows: number;
    donor: { repo: string; revision: string | null };
    tensors: string[];
  } | null;
  dtype: string;
  tensors: number;
  parameters: number;
  files: Array<{ path: string; size: number; sha256?: string }>;
  copied: CopiedFile[];
  /** The recipe YAML verbatim. */
  recipe: string;
  command?: string;
  /** The greedy search that chose the terms, when one did. */
  greedy?: Record<string, unknown>;
  tvhub: string;
}

export interface MergeResult {
  /** The recipe as run: the file's, with `--to`, `--vocab` and `--private` applied. */
  recipe: Recipe;
  source: string;
  report: CompatibilityReport;
  plan: Plan;
  dryRun: boolean;
  /** Files that go next to the weights (config, tokenizer), and where each comes from. */
  copied: CopiedFile[];
  /** Absent on a dry run. */
  published?: PublishedOutput & { files: Array<{ path: string; size: number; sha256?: string }>; record: MergeRecord };
  /** A portion job's commit (then `published` is absent: the finalize step publishes the model). */
  portion?: PublishedPortion;
}

const torchDtypes: Partial<Record<Dtype, string>> = {
  BF16: "bfloat16",
  F16: "float16",
  F32: "float32",
  F64: "float64",
};

/**
 * Findings that describe what tvhub does anyway (a vocabulary mismatch is a warning only under vocab: extend); worth a
 * line for a person watching, not a warning.
 */
const benignFindings = new Set(["NON_FLOAT_COPIED", "DTYPE_DIFFERS", "VOCAB_MISMATCH"]);

/**
 * `tvhub merge`: runs a recipe. Every input is pinned and checked from headers first (a task vector must have been
 * computed against this base), then planned, streamed tensor by tensor in float32 and published with config,
 * tokenizer, `tvhub.json` and a card in one commit.
 */
export async function* merge(options: MergeOptions): AsyncGenerator<ProgressEvent, MergeResult> {
  const { context } = options;
  const resolved = await resolveMerge(options);
  const { recipe, source, target, inputs } = resolved;
  yield {
    type: "log",
    level: "info",
    message: `Checking ${inputs.length} input${inputs.length === 1 ? "" : "s"} against ${recipe.base} (headers only)…`,
  };
  const checked = await checkInputs({
    context,
    base: recipe.base,
    baseLabel: `${source}: base`,
    inputs,
    vocab: recipe.vocab,
    ...(options.force === undefined ? {} : { force: options.force }),
  });
  try {
    const { report } = checked;
    yield* findingLogs(report, benignFindings);
    if (!report.ok) throw new IncompatibleError(report);
    const { plan, inputOf, sideFiles } = yield* planMerge({ context, recipe, inputs, checked });
    const copied = sideFiles.map((file) => ({ path: file.path, from: file.from }));
    if (options.dryRun) return { recipe, source, report, plan, dryRun: true, copied };

    await checkTarget({
      hub: context.hub,
      target,
      produces: "tvhub/merge",
      ...(options.force === undefined ? {} : { force: options.force }),
    });
    const base = plan.inputs[0] as PlanInput;
    const terms = `${plan.terms.length} task vector${plan.terms.length === 1 ? "" : "s"}`;
    const opened = plan.inputs.map(inputOf);
    if (recipe.output.lora) {
      if (options.stage)
        throw new UsageError(
          `${source}: output.lora publishes one adapter file and cannot be split over a matrix (--portion, ` +
            "--finalize); run it as one job.",
          { code: "LORA_WITH_PORTIONS", subject: "output.lora" },
        );
      const adapter = yield* publishMergeAdapter({
        context,
        target,
        recipe,
        plan,
        writeMerged: (dir) =>
          executeOnInputs({
            inputs: opened,
            cache: context.cache,
            plan,
            dir,
            prefix: "model",
            kernels: context.kernels,
          }),
        sideFiles,
        commitTitle: `LoRA adapter of a merge of ${terms} into ${base.repo ?? base.ref}`,
        lora: recipe.output.lora,
      });
      const weightFiles = adapter.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 ?? "" }));
      const record = mergeRecord({
        context,
        recipe,
        loaded: resolved.loaded,
        plan,
        weightFiles,
        copied: [],
        ...(options.command === undefined ? {} : { command: options.command }),
      });
      return { recipe, source, report, plan, dryRun: false, copied: [], published: { ...adapter, record } };
    }
    const output = yield* produceOutput({
      context,
      target,
      ...(options.stage === undefined ? {} : { stage: options.stage }),
      plan,
      inputs: opened,
      prefix: "model",
      statistics: false,
      what: "the merged model",
      sideFiles,
      commitTitle: `Merge ${terms} into ${base.repo ?? base.ref} (${plan.method ?? recipe.method})`,
      ...(recipe.output.private === undefined ? {} : { private: recipe.output.private }),
      ...(options.createPr === true && { createPr: true }),
      describe: (produced) => describeMerge({ options, resolved, checked, plan, copied, weightFiles: produced.files }),
    });
    if (output.kind === "portion")
      return { recipe, source, report, plan, dryRun: false, copied, portion: output.portion };
    return {
      recipe,
      source,
      report,
      plan,
      dryRun: false,
      copied,
      published: { ...output.published, files: output.files, record: output.extra },
    };
  } finally {
    await checked.close();
  }
}

/** A merge's recipe as it runs (the options' overrides applied), its target and its distinct inputs. */
interface ResolvedMerge {
  loaded: LoadedRecipe;
  recipe: Recipe;
  source: string;
  target: ModelRef;
  /** Each input once (a term may name one twice), with what messages call it. */
  inputs: Array<{ text: string; kind: InputKind; label: string }>;
}

/** The resolve stage: reads the recipe, applies the overrides, and refuses a target the run may not publish to. */
async function resolveMerge(options: MergeOptions): Promise<ResolvedMerge> {
  const { context } = options;
  const loaded = "recipe" in options.recipe ? options.recipe : await loadRecipe(options.recipe);
  const { source } = loaded;
  if (loaded.recipe.greedy !== undefined) {
    throw new UsageError(
      `${source} has a greedy section, which describes a search rather than one merge; run it with tvhub greedy ` +
        `${source}, or remove greedy to merge the listed vectors.`,
      {
        code: "RECIPE_IS_GREEDY",
        subject: "greedy",
      },
    );
  }
  const recipe: Recipe = { ...overrideOutput(loaded.recipe, options), vocab: options.vocab ?? loaded.recipe.vocab };
  const targetLabel = options.to === undefined ? `${source}: output.to` : "--to";
  const target = resolveRef(context, recipe.output.to, targetLabel, false);
  checkStageTarget({ stage: options.stage, target, label: targetLabel });
  checkPullRequestTarget({ createPr: options.createPr, stage: options.stage, target, label: targetLabel });
  const unique = new Map<string, { text: string; kind: InputKind; label: string }>();
  for (const term of expandTerms({ recipe })) {
    const key = `${term.kind}\u0000${term.ref}`;
    if (!unique.has(key))
      unique.set(key, { text: term.ref, kind: term.kind, label: `${source}: ${term.origin}.${term.kind}` });
  }
  const inputs = [...unique.values()];
  refuseInputAsTarget(context, target, [{ text: recipe.base, label: `${source}: base` }, ...inputs]);
  return { loaded, recipe, source, target, inputs };
}

interface PlanMergeOptions {
  context: AppContext;
  recipe: Recipe;
  inputs: ReadonlyArray<{ text: string; kind: InputKind }>;
  checked: CheckedInputs;
}

/**
 * The plan stage: the plan from the checked headers, each plan input's opened model, and the files copied beside the
 * weights.
 */
async function* planMerge(
  options: PlanMergeOptions,
): AsyncGenerator<ProgressEvent, { plan: Plan; inputOf: (input: PlanInput) => OpenedInput; sideFiles: SideFile[] }> {
  const { context, recipe, checked } = options;
  const opened = new Map<string, OpenedInput>();
  options.inputs.forEach((input, i) => {
    const found = checked.inputs[i];
    if (found) opened.set(`${input.kind}\u0000${input.text}`, found);
  });
  const models: Record<string, ResolvedModel> = { [recipe.base]: checked.base.resolved };
  for (const [key, input] of opened) models[key.slice(key.indexOf("\u0000") + 1)] ??= input.resolved;
  const plan = buildPlan({ operation: "merge", recipe, models });
  for (const warning of plan.warnings) yield { type: "log", level: "warn", message: warning.message };
  const inputOf = (input: PlanInput): OpenedInput => {
    const found = input.role === "base" ? checked.base : opened.get(`${input.role}\u0000${input.ref}`);
    if (!found)
      throw new DataError(`The plan reads ${input.ref}, which was not opened.`, { code: "MERGE_INPUT_MISSING" });
    return found;
  };
  // Gathered before any weight is read, so a missing tokenizer fails in seconds, not after the download.
  const sideFiles = await gatherSideFiles({ context, plan, recipe, checked, inputOf });
  return { plan, inputOf, sideFiles };
}

interface DescribeMergeOptions {
  options: MergeOptions;
  resolved: ResolvedMerge;
  checked: CheckedInputs;
  plan: Plan;
  copied: CopiedFile[];
  weightFiles: Array<{ path: string; size: number; sha256: string }>;
}

/**
 * The card stage of a merge: tvhub.json, the card (and a warning when the inputs' licenses differ), the commit's
 * description.
 */
async function* describeMerge(
  describe: DescribeMergeOptions,
): AsyncGenerator<ProgressEvent, DescribedOutput<MergeRecord>> {
  const { options, resolved, checked, plan, copied, weightFiles } = describe;
  const { context, search } = options;
  const { recipe, target, loaded } = resolved;
  const record = mergeRecord({
    context,
    recipe,
    loaded,
    plan,
    weightFiles,
    copied,
    ...(options.command === undefined ? {} : { command: options.command }),
    ...(search === undefined ? {} : { greedy: search.record }),
  });
  const license = commonLicense([checked.base, ...checked.inputs]);
  if (license.conflict)
    yield {
      type: "log",
      level: "warn",
      message:
        `The inputs have different licenses (${license.conflict.join(", ")}); the card names none, so add ` +
        "the right one.",
    };
  const base = plan.inputs[0] as PlanInput;
  const card = await renderMergeCard({
    title: target.kind === "hub" ? target.repo : basename(target.path),
    hubUrl: context.hub.hubUrl,
    base: pinnedInput(base),
    method: plan.method ?? recipe.method,
    methodParameters: { ...(plan.parameters ?? {}) },
    terms: plan.terms.map((term) => ({
      kind: term.kind,
      input: pinnedInput(plan.inputs[term.input] as PlanInput),
      weight: term.lambda,
    })),
    dtype: record.dtype,
    recipeText: loaded.text,
    ...(options.command === undefined ? {} : { command: options.command }),
    overrides: plan.overrides.map(
      (o) => `\`${o.pattern}\`: ${o.action} (${o.tensors.length} tensor${o.tensors.length === 1 ? "" : "s"})`,
    ),
    ...(plan.vocab === undefined ? {} : { vocabularyNote: vocabularyNote(plan) }),
    copiedFiles: copied.map((file) => ({
      path: file.path,
      from: { repo: file.from.repo, ...(file.from.revision === null ? {} : { revision: file.from.revision }) },
    })),
    ...(license.value === undefined ? {} : { license: license.value }),
    ...(search === undefined
      ? {}
      : {
          validation: search.validation,
          trajectory: search.trajectory,
          ...(search.skipped === undefined ? {} : { skipped: search.skipped }),
        }),
    files: weightFiles,
    tvhubVersion: context.tvhubVersion,
  });
  const commitDescription = `${recipe.method} onto ${describePinned(base)} of ${plan.terms
    .map((term) => `${term.lambda}·τ(${describePinned(plan.inputs[term.input] as PlanInput)})`)
    .join(", ")}, ${record.dtype}, made with tvhub ${context.tvhubVersion}.`;
  return { record, card, commitDescription, extra: record };
}

/** Publishing over an input would destroy what the record points at. */
function refuseInputAsTarget(
  context: AppContext,
  target: ModelRef,
  inputs: ReadonlyArray<{ text: string; label: string }>,
): void {
  if (target.kind !== "hub") return;
  const input = inputAtTarget(context, target.repo, inputs);
  if (input !== undefined) {
    throw new UsageError(
      `The output ${target.repo} is also an input of the merge (${input.text}); publish the merged model to another ` +
        "repo.",
      { code: "TARGET_IS_INPUT", subject: target.repo },
    );
  }
}

export interface SideFile {
  path: string;
  bytes: Uint8Array;
  from: { repo: string; revision: string | null };
}

export interface GatherSideFilesOptions {
  context: AppContext;
  plan: Plan;
  recipe: Recipe;
  checked: CheckedInputs;
  inputOf: (input: PlanInput) => OpenedInput;
}

/**
 * config.json (with torch_dtype and vocab_size brought in line with the weights), generation and processor configs
 * from the base, and the tokenizer from the base, or, when the vocabulary was extended, from the input that added
 * the rows (for a published vector: the fine-tune its tvhub.json names).
 */
export async function gatherSideFiles(options: GatherSideFilesOptions): Promise<SideFile[]> {
  const { plan, recipe, checked } = options;
  const base = checked.base;
  const baseFrom = fromOf(base);
  const files: SideFile[] = [];
  const configBytes = base.files.includes("config.json") ? await base.readFile("config.json") : null;
  if (configBytes)
    files.push({
      path: "config.json",
      bytes: adjustConfig({ bytes: configBytes, base, plan, recipe }),
      from: baseFrom,
    });
  for (const path of baseOnlyFiles) {
    const bytes = base.files.includes(path) ? await base.readFile(path) : null;
    if (bytes) files.push({ path, bytes, from: baseFrom });
  }
  if (plan.vocab === undefined) {
    for (const path of tokenizerFiles) {
      const bytes = base.files.includes(path) ? await base.readFile(path) : null;
      if (bytes) files.push({ path, bytes, from: baseFrom });
    }
    return files;
  }
  const donorInput = plan.inputs[plan.vocab.donor] as PlanInput;
  const donor = options.inputOf(donorInput);
  const own = await readTokenizer(donor.files, (path) => donor.readFile(path));
  if (own.length > 0) return [...files, ...own.map((file) => ({ ...file, from: fromOf(donor) }))];
  const source = donorInput.role === "vector" ? await recordedFinetune(options.context, donor) : undefined;
  if (source) {
    const theirs = await readTokenizer(source.files, source.read);
    if (theirs.length > 0) return [...files, ...theirs.map((file) => ({ ...file, from: source.from }))];
  }
  throw new DataError(
    `The added vocabulary rows come from ${donorInput.ref}, which has no tokenizer ` +
      `files${donorInput.role === "vector" ? " (nor does the fine-tune its tvhub.json names)" : ""}; the merged ` +
      "model would hold rows no tokenizer maps to, so use the fine-tune that added the " +
      `tokens${donorInput.role === "vector" ? " (finetuned: ...) instead of its vector" : ""}.`,
    { code: "VOCAB_NO_TOKENIZER", subject: donorInput.ref },
  );
}

async function readTokenizer(
  files: readonly string[],
  read: (path: string) => Promise<Uint8Array | null>,
): Promise<Array<{ path: string; bytes: Uint8Array }>> {
  const found: Array<{ path: string; bytes: Uint8Array }> = [];
  for (const path of tokenizerFiles) {
    const bytes = files.includes(path) ? await read(path) : null;
    if (bytes) found.push({ path, bytes });
  }
  return found;
}

/** The fine-tune a published task vector was computed from, when it is on the Hub at a recorded commit. */
async function recordedFinetune(
  context: AppContext,
  vector: OpenedInput,
): Promise<
  | { files: string[]; read: (path: string) => Promise<Uint8Array | null>; from: { repo: string; revision: string } }
  | undefined
> {
  const finetuned = vector.resolved.record?.finetuned;
  if (typeof finetuned !== "object" || finetuned === null || Array.isArray(finetuned)) return undefined;
  const { repo, revision } = finetuned as Record<string, unknown>;
  if (typeof repo !== "string" || typeof revision !== "string" || !/^[0-9a-f]{40}$/.test(revision)) return undefined;
  const info = await context.hub.modelInfo({ repo, sha: revision });
  return {
    files: info.files.map((file) => file.path),
    read: (path) => context.hub.readSmallFile({ repo, sha: revision, path }),
    from: { repo, revision },
  };
}

function adjustConfig(options: { bytes: Uint8Array; base: OpenedInput; plan: Plan; recipe: Recipe }): Uint8Array {
  const { base, plan, recipe } = options;
  const config = base.resolved.config;
  if (config === undefined) return options.bytes;
  const dtypes = [...new Set(plan.outputs.filter((t) => torchDtypes[t.dtype] !== undefined).map((t) => t.dtype))];
  const dtype = recipe.output.dtype !== undefined && dtypes.length === 1 ? torchDtypes[dtypes[0] as Dtype] : undefined;
  const changes: Record<string, unknown> = {};
  if (dtype !== undefined) {
    if ("torch_dtype" in config || !("dtype" in config)) changes.torch_dtype = dtype;
    if ("dtype" in config) changes.dtype = dtype;
  }
  if (plan.vocab !== undefined) {
    const key = readConfigFields({ config }).sizes.get("vocab_size")?.key;
    changes[key === undefined || key === "default" ? "vocab_size" : key] = plan.vocab.rows;
  }
  if (Object.entries(changes).every(([key, value]) => config[key] === value)) return options.bytes;
  return new TextEncoder().encode(`${JSON.stringify({ ...config, ...changes }, null, 2)}\n`);
}

interface MergeRecordOptions {
  context: AppContext;
  recipe: Recipe;
  loaded: LoadedRecipe;
  plan: Plan;
  weightFiles: Array<{ path: string; size: number; sha256?: string }>;
  copied: CopiedFile[];
  command?: string;
  greedy?: Record<string, unknown>;
}

function mergeRecord(options: MergeRecordOptions): MergeRecord {
  const { plan, recipe } = options;
  const base = plan.inputs[0] as PlanInput;
  const dtypes = [...new Set(plan.outputs.filter((t) => torchDtypes[t.dtype] !== undefined).map((t) => t.dtype))];
  const donor = plan.vocab === undefined ? undefined : (plan.inputs[plan.vocab.donor] as PlanInput);
  return {
    format: "tvhub/merge",
    version: 1,
    base: { repo: base.repo ?? base.ref, revision: base.revision ?? null },
    method: { name: plan.method ?? recipe.method, parameters: { ...(plan.parameters ?? {}) } },
    scale: recipe.scale,
    terms: plan.terms.map((term) => {
      const input = plan.inputs[term.input] as PlanInput;
      return {
        kind: term.kind,
        ref: input.ref,
        repo: input.repo ?? input.ref,
        revision: input.revision ?? null,
        origin: term.origin,
        weight: term.weight,
        lambda: term.lambda,
        lambda32: term.weight32,
      };
    }),
    overrides: plan.overrides,
    vocab:
      plan.vocab === undefined || donor === undefined
        ? null
        : {
            sharedRows: plan.vocab.sharedRows,
            rows: plan.vocab.rows,
            donor: { repo: donor.repo ?? donor.ref, revision: donor.revision ?? null },
            tensors: plan.vocab.tensors,
          },
    dtype: dtypes.length === 1 ? (dtypes[0] as string) : "mixed",
    tensors: plan.outputs.length,
    parameters: plan.outputs.reduce((sum, t) => sum + (elementCount(t.shape) ?? 0), 0),
    files: options.weightFiles,
    copied: options.copied,
    recipe: options.loaded.text,
    ...pickDefined(options, ["command", "greedy"]),
    tvhub: options.context.tvhubVersion,
  };
}

function vocabularyNote(plan: Plan): string {
  const vocab = plan.vocab;
  if (vocab === undefined) return "";
  const donor = plan.inputs[vocab.donor] as PlanInput;
  const added = vocab.rows - vocab.sharedRows;
  return (
    `the ${vocab.sharedRows} rows the base has were merged like every other tensor; the ${added} added ` +
    `row${added === 1 ? "" : "s"} (${vocab.sharedRows}–${vocab.rows - 1}) of ` +
    `${vocab.tensors.map((t) => `\`${t}\``).join(", ")} were copied unchanged from ${describePinned(donor)}, and ` +
    `the tokenizer and \`vocab_size\` ${vocab.rows} come from it.`
  );
}

/** One license when every input that declares one agrees; the conflicting ones otherwise. */
function commonLicense(inputs: readonly OpenedInput[]): { value?: string; conflict?: string[] } {
  const licenses = [
    ...new Set(
      inputs
        .map((input) => input.resolved.card?.license)
        .filter((l): l is string => typeof l === "string" && l.length > 0),
    ),
  ];
  if (licenses.length === 1) return { value: licenses[0] as string };
  return licenses.length > 1 ? { conflict: licenses } : {};
}

function fromOf(input: OpenedInput): { repo: string; revision: string | null } {
  return { repo: input.resolved.repo ?? input.resolved.ref, revision: input.resolved.revision ?? null };
}

function pinnedInput(input: PlanInput): PinnedInput {
  return { repo: input.repo ?? input.ref, ...(input.revision === undefined ? {} : { revision: input.revision }) };
}

function describePinned(input: PlanInput): string {
  return input.revision === undefined ? input.ref : `${input.repo ?? input.ref}@${input.revision.slice(0, 12)}`;
}
