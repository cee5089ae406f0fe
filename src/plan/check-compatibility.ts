import { DataError } from "../errors.js";
import type { LocatedTensor } from "../safetensors/types.js";
import { isComputable, type Dtype } from "../tensor/dtype.js";
import { formatShape, sameShape } from "../tensor/shape.js";
import { mapAdapter } from "./map-adapter.js";
import { readConfigFields, sameValue, showValue, type ConfigFields } from "./read-config-fields.js";
import type { VocabMode } from "./recipe.js";
import { bufferNamePattern, embeddingNamePattern } from "./tensor-names.js";
import type { InputKind, ResolvedModel } from "./types.js";

/**
 * `error`: arithmetic would be meaningless or impossible; nothing proceeds.
 * `lineage`: the inputs may not share the base (the cards disagree); `--force` proceeds anyway.
 * `warning`: worth knowing, and handled.
 */
export type Severity = "error" | "lineage" | "warning";

export type FindingCode =
  | "CONFIG_MISSING"
  | "ARCHITECTURE_MISMATCH"
  | "MODEL_TYPE_MISMATCH"
  | "SIZE_MISMATCH"
  | "CONTEXT_MISMATCH"
  | "QUANTIZED"
  | "ADAPTER"
  | "ADAPTER_MISMATCH"
  | "ADAPTER_IGNORED"
  | "NO_TENSORS"
  | "MISSING_TENSOR"
  | "EXTRA_TENSOR"
  | "NAME_PREFIX_MISMATCH"
  | "SHAPE_MISMATCH"
  | "VOCAB_MISMATCH"
  | "VOCAB_CONFLICT"
  | "VOCAB_SIZE_FIELD"
  | "DTYPE_DIFFERS"
  | "NOT_COMPUTABLE"
  | "UNSUPPORTED_DTYPE"
  | "NON_FLOAT_COPIED"
  | "BUFFER_DIFFERS"
  | "BASE_MISMATCH"
  | "BASE_CASING"
  | "UNKNOWN_LINEAGE"
  | "LINEAGE_UNVERIFIED"
  | "BASE_REVISION_DIFFERS"
  | "SAME_AS_BASE";

export interface Finding {
  severity: Severity;
  code: FindingCode;
  /** The input it concerns (its ref), or the base's ref for findings about the base itself. */
  input: string;
  /** The tensor or config field it is about, e.g. `model.layers.0.mlp.up_proj.weight` or `rope_scaling`. */
  subject: string;
  /** One sentence: what differs and what to do. */
  message: string;
  /** When one finding covers several tensors (a dtype difference, a vocabulary), all of them. */
  tensors?: string[];
}

/** The check's result; plain data, so `--json` prints it as is. */
export interface CompatibilityReport {
  base: string;
  inputs: string[];
  vocab: VocabMode;
  /** `--force` was given: lineage findings do not block. */
  forced: boolean;
  /** Nothing blocks: no errors, and no lineage findings unless forced. */
  ok: boolean;
  counts: Record<Severity, number>;
  /** Errors first, then lineage, then warnings; inputs in the order given. */
  findings: Finding[];
}

export interface CheckedInput extends ResolvedModel {
  kind: InputKind;
}

export interface CheckCompatibilityOptions {
  /** The base the user gave. */
  base: ResolvedModel;
  /** Other names the Hub knows the base by (a renamed repo redirects from its old name), resolved by the caller. */
  baseAliases?: readonly string[];
  /** Fine-tuned models and published task vectors, in recipe order. */
  inputs: readonly CheckedInput[];
  /** @default "refuse" */
  vocab?: VocabMode;
  /** Let lineage findings pass. Shape and type errors always block. @default false */
  force?: boolean;
  /**
   * Commits of the base, other than `base.revision`, whose weight files the caller found identical to it (same LFS
   * hashes): a task vector computed against one of them applies to this base unchanged.
   */
  sameWeightRevisions?: readonly string[];
}

/**
 * Decides, from configs, cards and safetensors headers only (no weight bytes), whether task arithmetic between
 * the base and each input means anything, and explains every difference it finds.
 */
export function checkCompatibility(options: CheckCompatibilityOptions): CompatibilityReport {
  const vocab = options.vocab ?? "refuse";
  const forced = options.force ?? false;
  const { base } = options;
  const findings: Finding[] = [];
  const baseFields = base.config === undefined ? undefined : readConfigFields({ config: base.config });
  const baseTensors = byName(base.tensors);

  checkBase(base, baseFields, options.inputs, findings);
  const extended = new Map<number, string[]>();
  for (const input of options.inputs) {
    const inputFields = input.config === undefined ? undefined : readConfigFields({ config: input.config });
    const context: InputContext = { base, baseFields, baseTensors, input, inputFields, vocab, findings };
    if (input.adapter) {
      checkCard(context, options.baseAliases ?? [], options.sameWeightRevisions ?? []);
      checkAdapter(context);
      continue;
    }
    if (input.kind === "finetuned") checkConfig(context);
    checkCard(context, options.baseAliases ?? [], options.sameWeightRevisions ?? []);
    const rows = checkTensors(context);
    if (rows !== undefined) extended.set(rows, [...(extended.get(rows) ?? []), input.ref]);
  }
  if (vocab === "extend" && extended.size > 1) {
    const described = [...extended].map(([rows, refs]) => `${refs.join(", ")} to ${rows}`).join(" and ");
    findings.push({
      severity: "error",
      code: "VOCAB_CONFLICT",
      input: base.ref,
      subject: "vocab_size",
      message:
        `The inputs extend the vocabulary differently (${described} rows); their added tokens are different ` +
        "tokenizers' tokens, so only inputs that share one extended vocabulary can be merged.",
    });
  }

  const order: Severity[] = ["error", "lineage", "warning"];
  const sorted = order.flatMap((severity) => findings.filter((f) => f.severity === severity));
  const counts = { error: 0, lineage: 0, warning: 0 };
  for (const finding of sorted) counts[finding.severity]++;
  return {
    base: base.ref,
    inputs: options.inputs.map((input) => input.ref),
    vocab,
    forced,
    ok: counts.error === 0 && (counts.lineage === 0 || forced),
    counts,
    findings: sorted,
  };
}

interface InputContext {
  base: ResolvedModel;
  baseFields: ConfigFields | undefined;
  baseTensors: Map<string, LocatedTensor>;
  input: CheckedInput;
  inputFields: ConfigFields | undefined;
  vocab: VocabMode;
  findings: Finding[];
}

function checkBase(
  base: ResolvedModel,
  fields: ConfigFields | undefined,
  inputs: readonly CheckedInput[],
  findings: Finding[],
): void {
  if (base.tensors.length === 0) {
    findings.push({
      severity: "error",
      code: "NO_TENSORS",
      input: base.ref,
      subject: "safetensors",
      message:
        `${base.ref} has no safetensors tensors; tvhub reads model.safetensors or a sharded ` +
        "model.safetensors.index.json, so convert .bin weights to safetensors first.",
    });
  }
  if (fields === undefined) {
    if (inputs.some((input) => input.kind === "finetuned")) {
      findings.push({
        severity: "warning",
        code: "CONFIG_MISSING",
        input: base.ref,
        subject: "config.json",
        message:
          `${base.ref} has no config.json, so architectures and size fields are not compared; the tensor ` +
          "names, shapes and dtypes still are.",
      });
    }
  } else if (fields.quantization !== undefined) {
    findings.push(quantized(base.ref, fields.quantization, "base"));
  }
  const nonFloat = base.tensors.filter((t) => dtypeClass(t.dtype) === "integer");
  if (nonFloat.length > 0) {
    const dtypes = [...new Set(nonFloat.map((t) => t.dtype))].join(", ");
    findings.push({
      severity: "warning",
      code: "NON_FLOAT_COPIED",
      input: base.ref,
      subject: "dtype",
      tensors: nonFloat.map((t) => t.name),
      message:
        `${count(nonFloat.length, "tensor")} of ${base.ref} ${nonFloat.length === 1 ? "is" : "are"} ` +
        `${dtypes} (e.g. ${nonFloat[0]?.name}); integer and bool tensors are copied from the base unchanged and ` +
        "are never part of τ.",
    });
  }
}

function quantized(ref: string, method: string, role: string): Finding {
  return {
    severity: "error",
    code: "QUANTIZED",
    input: ref,
    subject: "quantization_config",
    message:
      `${ref} is quantized (quantization_config, quant_method ${method}); quantized weights are not ` +
      `arithmetic-compatible, so use the unquantized ${role === "base" ? "base" : "fine-tune"} (usually the repo ` +
      "this one was quantized from).",
  };
}

function checkConfig(context: InputContext): void {
  const { base, baseFields, input, inputFields, findings } = context;
  if (inputFields === undefined) {
    findings.push({
      severity: "warning",
      code: "CONFIG_MISSING",
      input: input.ref,
      subject: "config.json",
      message:
        `${input.ref} has no config.json, so its architecture and size fields are not compared with ` +
        `${base.ref}; the tensor names, shapes and dtypes still are.`,
    });
    return;
  }
  if (inputFields.quantization !== undefined) findings.push(quantized(input.ref, inputFields.quantization, "input"));
  if (baseFields === undefined) return;

  if (
    baseFields.architectures !== undefined &&
    inputFields.architectures !== undefined &&
    !sameValue(baseFields.architectures, inputFields.architectures)
  ) {
    findings.push({
      severity: "error",
      code: "ARCHITECTURE_MISMATCH",
      input: input.ref,
      subject: "architectures",
      message:
        `${input.ref} is ${inputFields.architectures.join(", ")} but ${base.ref} is ` +
        `${baseFields.architectures.join(", ")}; task vectors only add up between models of one architecture, so ` +
        "pick a fine-tune of this base.",
    });
  }
  if (
    baseFields.modelType !== undefined &&
    inputFields.modelType !== undefined &&
    baseFields.modelType !== inputFields.modelType
  ) {
    findings.push({
      severity: "error",
      code: "MODEL_TYPE_MISMATCH",
      input: input.ref,
      subject: "model_type",
      message:
        `${input.ref} has model_type ${inputFields.modelType} but ${base.ref} has ${baseFields.modelType}; ` +
        "they are different model families, so pick a fine-tune of this base.",
    });
  }
  for (const [name, field] of inputFields.sizes) {
    const baseField = baseFields.sizes.get(name);
    // vocab_size is judged together with the embedding rows (checkTensors), where vocab: extend can resolve it.
    if (baseField === undefined || baseField.value === field.value || name === "vocab_size") continue;
    // Two defaults differ only because the fields they derive from differ, which is reported already.
    if (field.key === "default" && baseField.key === "default") continue;
    findings.push({
      severity: "error",
      code: "SIZE_MISMATCH",
      input: input.ref,
      subject: name,
      message:
        `${name}${keyNote(name, field.key, baseField.key)} is ${field.value} in ${input.ref} and ` +
        `${baseField.value} in ${base.ref}; the models have different shapes, so ${input.ref} was not fine-tuned ` +
        "from this base.",
    });
  }
  const contextNames = new Set([...baseFields.context.keys(), ...inputFields.context.keys()]);
  for (const name of contextNames) {
    const theirs = inputFields.context.get(name);
    const ours = baseFields.context.get(name);
    if (sameValue(theirs, ours)) continue;
    findings.push({
      severity: "warning",
      code: "CONTEXT_MISMATCH",
      input: input.ref,
      subject: name,
      message:
        `${name} is ${showValue(theirs)} in ${input.ref} and ${showValue(ours)} in ${base.ref}; no tensor ` +
        "shape depends on it, but different position settings (Llama 3 vs 3.1, say) often mean a different base, " +
        `so check which base ${input.ref} was fine-tuned from.`,
    });
  }
}

/** ` (n_embd / d_model)`: the legacy keys the two configs give a size field under, if either uses one. */
function keyNote(name: string, theirs: string, ours: string): string {
  // A size field's key is its canonical name, one of that field's legacy names, or `default`.
  const legacy = [...new Set([theirs, ours])].filter((key) => key !== "default" && key !== name);
  return legacy.length === 0 ? "" : ` (${legacy.join(" / ")})`;
}

function checkCard(context: InputContext, aliases: readonly string[], sameWeights: readonly string[]): void {
  const { base, input, findings } = context;
  if (input.card?.library_name === "peft" && !input.adapter) {
    findings.push({
      severity: "error",
      code: "ADAPTER",
      input: input.ref,
      subject: "library_name",
      message:
        `${input.ref} is a PEFT adapter (library_name: peft), not full weights; merge it into its base first ` +
        "(peft's merge_and_unload), publish that model, and use it here.",
    });
  }
  if (
    input.repo !== undefined &&
    base.repo !== undefined &&
    sameRepo(input.repo, base.repo) &&
    input.revision === base.revision
  ) {
    findings.push({
      severity: "warning",
      code: "SAME_AS_BASE",
      input: input.ref,
      subject: "ref",
      message: `${input.ref} is the base itself at the same commit, so its task vector is zero; check the reference.`,
    });
  }

  const record = isRecord(input.record) && isRecord(input.record.base) ? input.record.base : undefined;
  const recordBase = typeof record?.repo === "string" ? record.repo : undefined;
  const adapterBase = input.adapter?.config.baseModel;
  const declared =
    recordBase !== undefined
      ? [recordBase]
      : [
          ...new Set([
            ...(adapterBase === undefined ? [] : declaredBases({ base_model: adapterBase })),
            ...declaredBases(input.card),
          ]),
        ];
  const given = base.repo === undefined ? [] : [base.repo, ...aliases];
  const what = input.kind === "vector" ? "task vector" : "fine-tune";
  if (declared.length === 0) {
    findings.push({
      severity: "warning",
      code: "UNKNOWN_LINEAGE",
      input: input.ref,
      subject: "base_model",
      message:
        `${input.ref} declares no base_model in its card, so tvhub cannot confirm it is a ${what} of ` +
        `${base.ref}; the shape checks still apply.`,
    });
    return;
  }
  if (given.length === 0) {
    findings.push({
      severity: "warning",
      code: "LINEAGE_UNVERIFIED",
      input: input.ref,
      subject: "base_model",
      message:
        `${input.ref} declares base_model ${declared.join(", ")}, and the base ${base.ref} is a local ` +
        "directory, so tvhub cannot tell whether they are the same model; the shape checks still apply.",
    });
    return;
  }
  if (declared.some((d) => given.includes(d))) {
    checkRecordRevision(context, record, sameWeights);
    return;
  }
  const casing = declared.find((d) => given.some((g) => sameRepo(d, g)));
  if (casing !== undefined) {
    findings.push({
      severity: "warning",
      code: "BASE_CASING",
      input: input.ref,
      subject: "base_model",
      message:
        `${input.ref} declares base_model ${casing}, which differs from ${base.repo} only in letter case; ` +
        "the Hub treats repo ids case-insensitively, so it is the same repo.",
    });
    checkRecordRevision(context, record, sameWeights);
    return;
  }
  const parents = declaredBases(base.card);
  const grandparent = declared.find((d) => parents.some((p) => sameRepo(p, d)));
  const note =
    grandparent !== undefined
      ? ` (${grandparent} is the parent of ${base.repo}, so τ would also undo ${base.repo}'s own fine-tuning)`
      : "";
  findings.push({
    severity: "lineage",
    code: "BASE_MISMATCH",
    input: input.ref,
    subject: "base_model",
    message:
      `${input.ref} declares base_model ${declared.join(", ")}, not ${base.repo}${note}; a task vector ` +
      `against another base is noise, so use that base, or --force if you know ${base.repo} holds the same ` +
      "weights.",
  });
}

/**
 * A task vector records the commit of the base it was computed against. Another commit may hold other weights, and
 * τ added to weights it was not computed against is noise: a lineage finding, unless the caller found the weight
 * files of both commits identical.
 */
function checkRecordRevision(
  context: InputContext,
  record: Record<string, unknown> | undefined,
  sameWeights: readonly string[],
): void {
  const { base, input, findings } = context;
  const revision = typeof record?.revision === "string" ? record.revision : undefined;
  if (
    revision === undefined ||
    base.revision === undefined ||
    revision === base.revision ||
    sameWeights.includes(revision)
  )
    return;
  findings.push({
    severity: "lineage",
    code: "BASE_REVISION_DIFFERS",
    input: input.ref,
    subject: "base.revision",
    message:
      `${input.ref} was computed against ${base.repo}@${revision.slice(0, 12)}, and this run reads ` +
      `${base.repo}@${base.revision.slice(0, 12)}, whose weights differ or could not be compared; pin the base ` +
      `to ${base.repo}@${revision.slice(0, 12)}, or --force if you know the weights did not change.`,
  });
}

function declaredBases(card: Record<string, unknown> | undefined): string[] {
  const value = card?.base_model;
  const list =
    typeof value === "string"
      ? [value]
      : Array.isArray(value)
        ? value.filter((v): v is string => typeof v === "string")
        : [];
  return list
    .map((text) =>
      text
        .trim()
        .replace(/^https?:\/\/(www\.)?(huggingface\.co|hf\.co)\//, "")
        .replace(/\/+$/, ""),
    )
    .filter((text) => text.length > 0);
}

function sameRepo(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

type DtypeClass = "float" | "integer" | "unsupported";

function dtypeClass(dtype: Dtype): DtypeClass {
  if (isComputable(dtype)) return "float";
  return dtype.startsWith("F8") ? "unsupported" : "integer";
}

/**
 * A LoRA adapter against the base, from headers: every target exists with B's rows × A's columns as its shape
 * (mapAdapter's checks, each refusal a finding), and what PEFT would ignore said as a warning.
 */
function checkAdapter(context: InputContext): void {
  const { base, input, findings } = context;
  try {
    const mapping = mapAdapter({
      adapter: input as CheckedInput & { adapter: NonNullable<CheckedInput["adapter"]> },
      base,
    });
    for (const name of mapping.ignored) {
      findings.push({
        severity: "warning",
        code: "ADAPTER_IGNORED",
        input: input.ref,
        subject: name,
        message:
          `${input.ref} saves ${name}, a lora_B bias, without lora_bias: true; PEFT ignores it on load, and ` +
          "so does tvhub.",
      });
    }
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    findings.push({
      severity: "error",
      code: "ADAPTER_MISMATCH",
      input: input.ref,
      subject: error.subject ?? "adapter",
      message: error.message,
    });
  }
}

/** Compares tensors one by one; returns the input's vocabulary rows when it grows the base's vocabulary. */
function checkTensors(context: InputContext): number | undefined {
  const { base, baseTensors, input, findings } = context;
  if (input.tensors.length === 0) {
    findings.push({
      severity: "error",
      code: "NO_TENSORS",
      input: input.ref,
      subject: "safetensors",
      message:
        `${input.ref} has no safetensors tensors; tvhub reads model.safetensors or a sharded ` +
        "model.safetensors.index.json, so convert .bin weights to safetensors first.",
    });
    return undefined;
  }
  const theirs = byName(input.tensors);
  const missing = base.tensors.filter((t) => !theirs.has(t.name)).map((t) => t.name);
  const extra = input.tensors.filter((t) => !baseTensors.has(t.name)).map((t) => t.name);
  const explained = checkPrefix(context, missing, extra);

  const dtypePairs = new Map<string, string[]>();
  const notComputable = new Map<string, string[]>();
  const unsupported = new Map<string, string[]>();
  const vocabTensors: Array<{ name: string; rows: number; baseRows: number }> = [];
  // Grouped findings first: "224 tensors are I8" says more than the first of 448 extra tensors would.
  const perTensor: Finding[] = [];

  for (const ours of base.tensors) {
    const other = theirs.get(ours.name);
    if (other === undefined) continue;
    const ourClass = dtypeClass(ours.dtype);
    const theirClass = dtypeClass(other.dtype);
    if (ourClass === "unsupported" || theirClass === "unsupported") {
      const key = ourClass === "unsupported" ? ours.dtype : other.dtype;
      unsupported.set(key, [...(unsupported.get(key) ?? []), ours.name]);
      continue;
    }
    if (ourClass !== theirClass || (input.kind === "vector" && theirClass === "integer")) {
      const key = `${other.dtype}/${ours.dtype}`;
      notComputable.set(key, [...(notComputable.get(key) ?? []), ours.name]);
      continue;
    }
    if (ourClass === "integer") {
      if (!sameShape(ours.shape, other.shape) || ours.dtype !== other.dtype) {
        findings.push({
          severity: "warning",
          code: "BUFFER_DIFFERS",
          input: input.ref,
          subject: ours.name,
          message:
            `${ours.name} is ${other.dtype} ${formatShape(other.shape)} in ${input.ref} and ${ours.dtype} ` +
            `${formatShape(ours.shape)} in ${base.ref}; integer tensors are copied from the base, so the output ` +
            "keeps the base's.",
        });
      }
      continue;
    }
    if (!sameShape(ours.shape, other.shape)) {
      if (isVocabTensor(context, ours, other)) {
        vocabTensors.push({ name: ours.name, rows: other.shape[0] as number, baseRows: ours.shape[0] as number });
      } else {
        perTensor.push({
          severity: "error",
          code: "SHAPE_MISMATCH",
          input: input.ref,
          subject: ours.name,
          message:
            `${ours.name} is ${formatShape(other.shape)} in ${input.ref} but ${formatShape(ours.shape)} in ` +
            `${base.ref}; tensors of different shapes cannot be subtracted, so ${input.ref} is not a ` +
            `${input.kind === "vector" ? "task vector" : "fine-tune"} of this base.`,
        });
      }
    }
    if (input.kind === "finetuned" && ours.dtype !== other.dtype) {
      const key = `${other.dtype}/${ours.dtype}`;
      dtypePairs.set(key, [...(dtypePairs.get(key) ?? []), ours.name]);
    }
  }

  for (const name of missing) {
    if (explained.has(name) || input.kind === "vector") continue;
    perTensor.push(
      bufferNamePattern.test(name) ? bufferFinding(context, name, "lacks") : missingFinding(context, name),
    );
  }
  for (const name of extra) {
    if (explained.has(name)) continue;
    perTensor.push(bufferNamePattern.test(name) ? bufferFinding(context, name, "adds") : extraFinding(context, name));
  }
  // Each map groups tensors by "theirs/ours" dtype (or by the one unsupported dtype): one finding per group.
  const dtypeFindings = (
    severity: Finding["severity"],
    code: FindingCode,
    groups: Map<string, string[]>,
    message: (dtypes: string[], names: string[]) => string,
  ) => {
    for (const [key, tensors] of groups) {
      findings.push({
        severity,
        code,
        input: input.ref,
        subject: "dtype",
        tensors,
        message: message(key.split("/"), tensors),
      });
    }
  };
  dtypeFindings(
    "warning",
    "DTYPE_DIFFERS",
    dtypePairs,
    ([theirDtype, ourDtype], names) =>
      `${count(names.length, "tensor")} of ${input.ref} ${names.length === 1 ? "is" : "are"} ${theirDtype} ` +
      `where ${base.ref} has ${ourDtype} (e.g. ${names[0]}); both are decoded to float32 for the arithmetic, ` +
      "so this is fine.",
  );
  dtypeFindings("error", "NOT_COMPUTABLE", notComputable, ([theirDtype, ourDtype], names) =>
    input.kind === "vector"
      ? `${input.ref} holds ${count(names.length, `${theirDtype} tensor`)} (e.g. ${names[0]}); a task vector ` +
        "only holds float tensors, so it was not written by tvhub or is damaged."
      : `${count(names.length, "tensor")} ${names.length === 1 ? "is" : "are"} ${theirDtype} in ${input.ref} ` +
        `but ${ourDtype} in ${base.ref} (e.g. ${names[0]}); a float tensor cannot be subtracted from an ` +
        "integer one (quantized weights?), so use unquantized weights.",
  );
  dtypeFindings(
    "error",
    "UNSUPPORTED_DTYPE",
    unsupported,
    ([dtype], names) =>
      `${count(names.length, "tensor")} (e.g. ${names[0]}) ${names.length === 1 ? "is" : "are"} ${dtype}, ` +
      "an 8-bit float format tvhub does not do arithmetic on; use a BF16, F16 or F32 copy of the model.",
  );
  findings.push(...perTensor);
  return checkVocab(context, vocabTensors);
}

function isVocabTensor(context: InputContext, ours: LocatedTensor, other: LocatedTensor): boolean {
  if (ours.shape.length === 0 || ours.shape.length !== other.shape.length) return false;
  if (!sameShape(ours.shape.slice(1), other.shape.slice(1))) return false;
  const baseVocab = context.baseFields?.sizes.get("vocab_size")?.value;
  return baseVocab !== undefined ? ours.shape[0] === baseVocab : embeddingNamePattern.test(ours.name);
}

function checkVocab(
  context: InputContext,
  tensors: Array<{ name: string; rows: number; baseRows: number }>,
): number | undefined {
  const { base, input, findings, vocab, baseFields, inputFields } = context;
  const theirVocab = inputFields?.sizes.get("vocab_size")?.value;
  const ourVocab = baseFields?.sizes.get("vocab_size")?.value;
  if (tensors.length === 0) {
    if (theirVocab !== undefined && ourVocab !== undefined && theirVocab !== ourVocab) {
      findings.push({
        severity: "warning",
        code: "VOCAB_SIZE_FIELD",
        input: input.ref,
        subject: "vocab_size",
        message:
          `vocab_size is ${theirVocab} in ${input.ref} and ${ourVocab} in ${base.ref}, yet the embedding ` +
          "shapes agree; the output keeps the base's config, so check which tokenizer goes with it.",
      });
    }
    return undefined;
  }
  const names = tensors.map((t) => t.name);
  const rows = Math.max(...tensors.map((t) => t.rows));
  const baseRows = Math.min(...tensors.map((t) => t.baseRows));
  const listed = names.join(", ");
  const mismatch = (severity: "error" | "warning", message: string) =>
    findings.push({
      severity,
      code: "VOCAB_MISMATCH",
      input: input.ref,
      subject: "vocab_size",
      tensors: names,
      message,
    });
  if (tensors.some((t) => t.rows < t.baseRows)) {
    mismatch(
      "error",
      `${input.ref} has ${Math.min(...tensors.map((t) => t.rows))} vocabulary rows where ${base.ref} has ` +
        `${baseRows} (${listed}); its vocabulary shrank, and vocab: extend only handles a fine-tune that added ` +
        "tokens, so use a fine-tune with the base's vocabulary.",
    );
    return undefined;
  }
  const added = rows - baseRows;
  if (vocab === "extend") {
    mismatch(
      "warning",
      `${input.ref} has ${rows} vocabulary rows where ${base.ref} has ${baseRows} (${listed}); with vocab: ` +
        `extend the ${baseRows} shared rows take part in the arithmetic and the ${added} added rows, with the ` +
        `tokenizer, come from ${input.ref}.`,
    );
    return rows;
  }
  mismatch(
    "error",
    `${input.ref} has ${rows} vocabulary rows where ${base.ref} has ${baseRows} (${listed}): the fine-tune ` +
      `added ${added} tokens; set vocab: extend in the recipe (--vocab extend on the command line) to merge the ` +
      `${baseRows} shared rows and take the ${added} added rows from the fine-tune.`,
  );
  return undefined;
}

/** One finding for a whole checkpoint saved under another prefix (`transformer.h.0...` vs `h.0...`). */
function checkPrefix(context: InputContext, missing: string[], extra: string[]): Set<string> {
  const explained = new Set<string>();
  if (missing.length === 0 || extra.length === 0) return explained;
  const missingSet = new Set(missing);
  const extraSet = new Set(extra);
  const votes = new Map<string, number>();
  const vote = (key: string): void => {
    votes.set(key, (votes.get(key) ?? 0) + 1);
  };
  for (const name of extra)
    for (const prefix of prefixesOf(name)) if (missingSet.has(name.slice(prefix.length))) vote(`+${prefix}`);
  for (const name of missing)
    for (const prefix of prefixesOf(name)) if (extraSet.has(name.slice(prefix.length))) vote(`-${prefix}`);
  const [best] = [...votes].sort((a, b) => b[1] - a[1]);
  if (best === undefined || best[1] < Math.max(2, missing.length / 2)) return explained;
  const adds = best[0].startsWith("+");
  const prefix = best[0].slice(1);
  for (const name of adds ? extra : missing) {
    const stripped = name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
    if (stripped !== undefined && (adds ? missingSet : extraSet).has(stripped)) {
      explained.add(name);
      explained.add(stripped);
    }
  }
  const { input, base } = context;
  context.findings.push({
    severity: "error",
    code: "NAME_PREFIX_MISMATCH",
    input: input.ref,
    subject: prefix,
    tensors: [...explained].filter((name) => name.startsWith(prefix)),
    message:
      `${input.ref} names its tensors ${adds ? "with" : "without"} the prefix "${prefix}" that ${base.ref} ` +
      `${adds ? "lacks" : "uses"} (${best[1]} tensors); it was saved from another model class, so re-save it ` +
      "with the base's class (e.g. the same AutoModelFor... ) and use that.",
  });
  return explained;
}

function prefixesOf(name: string): string[] {
  const prefixes: string[] = [];
  for (let i = name.indexOf("."); i !== -1 && prefixes.length < 3; i = name.indexOf(".", i + 1))
    prefixes.push(name.slice(0, i + 1));
  return prefixes;
}

function missingFinding(context: InputContext, name: string): Finding {
  const { base, input } = context;
  const tiedHint =
    /(^|\.)lm_head\.weight$/.test(name) && context.inputFields?.tieWordEmbeddings === true
      ? ` (its config ties the head to the input embeddings, the base's does not)`
      : "";
  return {
    severity: "error",
    code: "MISSING_TENSOR",
    input: input.ref,
    subject: name,
    message:
      `${input.ref} has no ${name}, which ${base.ref} has${tiedHint}; a fine-tune of this base has every ` +
      "base tensor, so check the base or the fine-tune.",
  };
}

function extraFinding(context: InputContext, name: string): Finding {
  const { base, input } = context;
  const tiedHint =
    /(^|\.)lm_head\.weight$/.test(name) && context.baseFields?.tieWordEmbeddings === true
      ? ` (the base ties its head to the input embeddings; this ${input.kind === "vector" ? "vector" : "fine-tune"} ` +
        "stores an untied one)"
      : "";
  return {
    severity: "error",
    code: "EXTRA_TENSOR",
    input: input.ref,
    subject: name,
    message:
      `${input.ref} has ${name}, which ${base.ref} lacks${tiedHint}; the output follows the base's layout ` +
      `and has nowhere to put it, so check the base or the ${input.kind === "vector" ? "vector" : "fine-tune"}.`,
  };
}

function bufferFinding(context: InputContext, name: string, verb: "lacks" | "adds"): Finding {
  const { base, input } = context;
  return {
    severity: "warning",
    code: "BUFFER_DIFFERS",
    input: input.ref,
    subject: name,
    message:
      `${input.ref} ${verb} ${name}, a buffer rather than a trained weight; the output takes it from ` +
      `${base.ref}${verb === "adds" ? " (which has none, so it is left out)" : ""}.`,
  };
}

function byName(tensors: readonly LocatedTensor[]): Map<string, LocatedTensor> {
  return new Map(tensors.map((t) => [t.name, t]));
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
