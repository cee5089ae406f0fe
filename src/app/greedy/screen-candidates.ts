import { checkCompatibility, type Finding, type FindingCode } from "../../plan/check-compatibility.js";
import type { InputKind, ResolvedModel } from "../../plan/types.js";
import type { LocatedTensor } from "../../safetensors/types.js";
import { pickDefined } from "../../util/pick-defined.js";

/**
 * The fields a candidate's metadata shares with the model it resolves to, each given when known: the card is a
 * search result's `cardData` or the README's; config, record and adapter are there once read.
 */
export const candidateModelFields = ["repo", "revision", "config", "card", "record", "adapter"] as const;

/** What is known about a candidate before any weight is read: a search result's card, or open-input's headers. */
export interface CandidateMetadata extends Pick<ResolvedModel, (typeof candidateModelFields)[number]> {
  /** Its identity in the search (a pinned `org/name@<sha>` or a path); `GreedyCandidate.id`. */
  id: string;
  /** What messages call it. @default id */
  label?: string;
  kind: InputKind;
  /** The safetensors headers, once read; without them only config and card are compared. */
  tensors?: LocatedTensor[];
}

/**
 * A check finding, a candidate listed twice or already in the start model, or a searched repo that could not be read.
 */
export type SkipCode = FindingCode | "DUPLICATE" | "IN_START" | "UNREADABLE";

export interface SkippedCandidate {
  id: string;
  label: string;
  code: SkipCode;
  /** One sentence for the summary and the card. */
  reason: string;
}

export interface ScreenCandidatesOptions {
  /** The base every candidate's τ is relative to, resolved (config, card, headers). */
  base: ResolvedModel;
  /** Other names of the base (a renamed repo). */
  baseAliases?: readonly string[];
  candidates: readonly CandidateMetadata[];
  /** Repos (or ids) already in the start model, e.g. the recipe's vectors: adding them again is not a new task. */
  inStart?: readonly string[];
  /**
   * Let a candidate whose card names another base through (`--force`); shape and architecture errors still skip.
   * @default false
   */
  force?: boolean;
}

export interface ScreenedCandidates {
  /** In the order given. */
  accepted: CandidateMetadata[];
  skipped: SkippedCandidate[];
  /** Worth showing, not blocking: unknown lineage, a base casing difference, a context field that differs. */
  warnings: Array<{ id: string; label: string; code: FindingCode; message: string }>;
}

/** Findings that need the candidate's tensors; when they were not read yet they are not judged. */
const tensorCodes = new Set<FindingCode>([
  "NO_TENSORS",
  "MISSING_TENSOR",
  "EXTRA_TENSOR",
  "NAME_PREFIX_MISMATCH",
  "SHAPE_MISMATCH",
  "VOCAB_MISMATCH",
  "VOCAB_CONFLICT",
  "VOCAB_SIZE_FIELD",
  "DTYPE_DIFFERS",
  "NOT_COMPUTABLE",
  "UNSUPPORTED_DTYPE",
  "NON_FLOAT_COPIED",
  "BUFFER_DIFFERS",
  // A card that says library_name: peft is judged once the files are read: an adapter_config.json makes it a LoRA
  // fine-tune.
  "ADAPTER",
  "ADAPTER_MISMATCH",
]);

/**
 * Decides which candidates a greedy search may try, from metadata alone, so that a candidate of another base or
 * architecture is skipped, with its reason, before any of its weights is downloaded. Call it on search results
 * (cards only) and again once the candidates' headers are read: the second pass adds the tensor checks (shapes,
 * vocabulary, dtypes) of `checkCompatibility`, whose messages it reuses.
 */
export function screenCandidates(options: ScreenCandidatesOptions): ScreenedCandidates {
  const { base } = options;
  const accepted: CandidateMetadata[] = [];
  const skipped: SkippedCandidate[] = [];
  const warnings: ScreenedCandidates["warnings"] = [];
  const seen = new Map<string, string>();
  const inStart = new Set((options.inStart ?? []).map((ref) => ref.toLowerCase()));

  for (const candidate of options.candidates) {
    const label = candidate.label ?? candidate.id;
    const skip = (code: SkipCode, reason: string) => skipped.push({ id: candidate.id, label, code, reason });
    const identity =
      candidate.repo === undefined ? candidate.id : `${candidate.repo.toLowerCase()}@${candidate.revision ?? ""}`;
    const first = seen.get(identity) ?? seen.get(candidate.id);
    if (first !== undefined) {
      skip("DUPLICATE", `the same model as ${first}, listed earlier`);
      continue;
    }
    seen.set(identity, label);
    seen.set(candidate.id, label);
    if (
      inStart.has(candidate.id.toLowerCase()) ||
      (candidate.repo !== undefined && inStart.has(candidate.repo.toLowerCase()))
    ) {
      skip("IN_START", "already part of the start model");
      continue;
    }

    const known = candidate.tensors !== undefined;
    const resolved: ResolvedModel & { kind: InputKind } = {
      ref: label,
      kind: candidate.kind,
      // Unread headers stand in as the base's own, so only config and card findings can arise.
      tensors: candidate.tensors ?? base.tensors,
      ...pickDefined(candidate, candidateModelFields),
    };
    const report = checkCompatibility({
      base,
      inputs: [resolved],
      ...(options.baseAliases === undefined ? {} : { baseAliases: options.baseAliases }),
      ...(options.force === undefined ? {} : { force: options.force }),
    });
    const findings = report.findings.filter((f) => f.input === label && (known || !tensorCodes.has(f.code)));
    const blocking = findings.find((f) => blocks(f, options.force ?? false));
    if (blocking) {
      skip(blocking.code, blocking.message);
      continue;
    }
    // A zero task vector can only tie with the current model; trying it costs a grid of evaluations.
    const sameAsBase = findings.find((f) => f.code === "SAME_AS_BASE");
    if (sameAsBase) {
      skip(sameAsBase.code, sameAsBase.message);
      continue;
    }
    for (const finding of findings)
      warnings.push({ id: candidate.id, label, code: finding.code, message: finding.message });
    accepted.push(candidate);
  }
  return { accepted, skipped, warnings };
}

function blocks(finding: Finding, force: boolean): boolean {
  return finding.severity === "error" || (finding.severity === "lineage" && !force);
}
