import { resolve as resolvePath } from "node:path";
import { DataError, TvhubError, UsageError } from "../../errors.js";
import type { ModelRef } from "../../hub/index.js";
import type { InputKind } from "../../plan/types.js";
import type { ProgressEvent } from "../../util/progress.js";
import type { AppContext } from "../app-context.js";
import { openInput, type OpenedInput } from "../open-input.js";
import { resolveRef } from "../resolve-ref.js";
import { detectInputKind } from "./detect-input-kind.js";
import { pickDefined } from "../../util/pick-defined.js";
import {
  candidateModelFields,
  screenCandidates,
  type CandidateMetadata,
  type ScreenedCandidates,
  type SkippedCandidate,
} from "./screen-candidates.js";

/** A candidate the user named. */
export interface CandidateSpec {
  /** `org/name`, `org/name@revision` or a folder. */
  text: string;
  /** As a recipe says it (`{ vector: ... }`, `{ finetuned: ... }`); absent: read from the model (detectInputKind). */
  kind?: InputKind;
  /** Where it was named, for messages: `recipes/x.yml: greedy.candidates[2]`, `--candidate 3`. */
  label: string;
}

/** A Hub search for candidates among the models whose card names the base. */
export interface CandidateSearch {
  /** `vector`: published task vectors (tag `task-vector`); `finetuned`: fine-tunes of the base. */
  kind: InputKind;
  /** A substring of the repo name. */
  query?: string;
  /** Only repos of this user or organisation. */
  author?: string;
  /** Tags every candidate must carry, besides the base's. */
  tags?: string[];
  /** At most this many candidates. */
  limit: number;
}

export interface OpenCandidatesOptions {
  context: AppContext;
  /** The base every τ is relative to, opened. */
  base: OpenedInput;
  /** Named candidates, tried first, in order. */
  candidates: readonly CandidateSpec[];
  search?: CandidateSearch;
  /** Repos and folders already in the start model; adding one again is not a new task. */
  inStart: readonly string[];
  /** The run's output repo: a search never offers it, since an earlier run's result holds no new task. */
  target?: string;
  /** Let candidates whose card names another base through (shapes are still checked). @default false */
  force?: boolean;
}

export interface OpenedCandidate {
  /** The search's identity: `org/name@<sha>` or an absolute folder path. */
  id: string;
  /** What tables and the card call it: `org/name`, or the folder as written. */
  label: string;
  kind: InputKind;
  /** A reference that names exactly this version, for the published recipe: `org/name@<sha>` or the folder. */
  ref: string;
  input: OpenedInput;
}

export interface OpenedCandidates {
  /** The candidates the search may try, named ones first, then the Hub's in its order. */
  accepted: OpenedCandidate[];
  /** Skipped with a reason, before any weight was read. */
  skipped: SkippedCandidate[];
  warnings: ScreenedCandidates["warnings"];
  /** How many models the Hub search returned. */
  found: number;
  /** Closes the accepted candidates' inputs. */
  close(): Promise<void>;
}

/** Hub answers about one searched repo that make it unusable, not the run: gone, gated, malformed. */
const skippableCodes = new Set(["HUB_NOT_FOUND", "HUB_TOKEN_REFUSED", "HUB_FILE_NOT_FOUND", "HUB_REVISION_NOT_FOUND"]);
const openConcurrency = 4;

/**
 * Gathers the greedy search's candidates: the named ones (pinned, headers read, kind read from the model), then a
 * Hub search's results, screened first on their cards alone so that a model of another base or architecture is
 * skipped before a single request goes to its files. Every candidate left is screened again with its headers
 * (shapes, vocabulary, dtypes). A named candidate that cannot be read fails the run; a searched one is skipped.
 */
export async function* openCandidates(options: OpenCandidatesOptions): AsyncGenerator<ProgressEvent, OpenedCandidates> {
  const { context, base } = options;
  const opened: OpenedInput[] = [];
  const closeAll = async (inputs: readonly OpenedInput[]) => {
    await Promise.allSettled(inputs.map((input) => input.close()));
  };
  try {
    // Every reference is parsed before anything is fetched, so a typo fails at once, naming where it was written.
    const refs = options.candidates.map((spec) => ({ spec, ref: resolveRef(context, spec.text, spec.label) }));
    const named: Array<{ meta: CandidateMetadata; input: OpenedInput; ref: string }> = [];
    if (refs.length > 0)
      yield {
        type: "log",
        level: "info",
        message: `Reading ${refs.length} named candidate${refs.length === 1 ? "" : "s"} (headers only)…`,
      };
    const namedInputs = await mapPool(refs, async ({ ref, spec }) => {
      const input = await openInput({ ref, text: spec.text, hub: context.hub });
      opened.push(input);
      return input;
    });
    refs.forEach(({ spec, ref }, i) => {
      const input = namedInputs[i] as OpenedInput;
      const kind = kindOf(spec, input);
      named.push({ meta: metadataOf({ ref, text: spec.text, input, kind }), input, ref: pinnedRef(ref, input) });
    });

    const searched: Array<{ meta: CandidateMetadata; input: OpenedInput; ref: string }> = [];
    const searchSkipped: SkippedCandidate[] = [];
    let found = 0;
    if (options.search) {
      const hits = await searchHub({ ...options, search: options.search });
      found = hits.length;
      yield {
        type: "log",
        level: "info",
        message:
          `The Hub search found ${hits.length} candidate${hits.length === 1 ? "" : "s"} for ` +
          `${base.resolved.repo ?? base.resolved.ref}.`,
      };
      // Cards first: a candidate of another base never has a file opened.
      const byCard = screenCandidates({
        base: base.resolved,
        candidates: hits,
        inStart: options.inStart,
        ...(options.force === undefined ? {} : { force: options.force }),
      });
      searchSkipped.push(...byCard.skipped);
      const inputs = await mapPool(byCard.accepted, async (meta) => {
        try {
          const input = await openInput({
            ref: { kind: "hub", repo: meta.repo as string, revision: meta.revision as string },
            text: meta.label ?? meta.id,
            hub: context.hub,
          });
          opened.push(input);
          return input;
        } catch (error) {
          if (!(error instanceof DataError) && !(error instanceof TvhubError && skippableCodes.has(error.code)))
            throw error;
          searchSkipped.push({
            id: meta.id,
            label: meta.label ?? meta.id,
            code: "UNREADABLE",
            reason: firstSentence(error.message),
          });
          return undefined;
        }
      });
      byCard.accepted.forEach((meta, i) => {
        const input = inputs[i];
        if (input)
          searched.push({
            meta: metadataOf({
              ref: { kind: "hub", repo: meta.repo as string },
              text: meta.label ?? meta.id,
              input,
              kind: meta.kind,
            }),
            input,
            ref: meta.id,
          });
      });
    }

    const all = [...named, ...searched];
    const screened = screenCandidates({
      base: base.resolved,
      candidates: all.map((entry) => entry.meta),
      inStart: options.inStart,
      ...(options.force === undefined ? {} : { force: options.force }),
    });
    const acceptedIds = new Set(screened.accepted.map((meta) => meta.id));
    const accepted: OpenedCandidate[] = [];
    const rejected: OpenedInput[] = [];
    const taken = new Set<string>();
    for (const entry of all) {
      if (acceptedIds.has(entry.meta.id) && !taken.has(entry.meta.id)) {
        taken.add(entry.meta.id);
        accepted.push({
          id: entry.meta.id,
          label: entry.meta.label ?? entry.meta.id,
          kind: entry.meta.kind,
          ref: entry.ref,
          input: entry.input,
        });
      } else rejected.push(entry.input);
    }
    await closeAll(rejected);
    const keep = accepted.map((candidate) => candidate.input);
    return {
      accepted,
      skipped: [...searchSkipped, ...screened.skipped],
      warnings: screened.warnings,
      found,
      close: () => closeAll(keep),
    };
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

/** The kind the recipe gives, checked against the model; or the model's own. */
function kindOf(spec: CandidateSpec, input: OpenedInput): InputKind {
  const detected = detectInputKind(input.resolved);
  if (spec.kind === "finetuned" && detected === "vector") {
    throw new UsageError(
      `${spec.label}: ${spec.text} is a published task vector, not a fine-tuned model; list it as { vector: ` +
        `${spec.text} }.`,
      {
        code: "GREEDY_CANDIDATE_KIND",
        subject: spec.text,
      },
    );
  }
  // A vector published by another tool may carry neither a record nor the tag: the recipe's word is taken.
  return spec.kind ?? detected;
}

function metadataOf(options: { ref: ModelRef; text: string; input: OpenedInput; kind: InputKind }): CandidateMetadata {
  const { input, kind } = options;
  const { resolved } = input;
  const id =
    options.ref.kind === "local"
      ? resolvePath(options.ref.path)
      : `${resolved.repo ?? options.ref.repo}@${resolved.revision ?? ""}`;
  return {
    id,
    label: options.ref.kind === "local" ? options.text : (resolved.repo ?? options.ref.repo),
    kind,
    ...pickDefined(resolved, candidateModelFields),
    tensors: resolved.tensors,
  };
}

function pinnedRef(ref: ModelRef, input: OpenedInput): string {
  if (ref.kind === "local") return ref.path;
  return `${input.resolved.repo ?? ref.repo}@${input.resolved.revision ?? ""}`;
}

async function searchHub(options: OpenCandidatesOptions & { search: CandidateSearch }): Promise<CandidateMetadata[]> {
  const { context, base, search } = options;
  const baseRepo = base.resolved.repo;
  if (baseRepo === undefined) {
    throw new UsageError(
      `A Hub search finds candidates by the base_model their card declares, and the base ${base.resolved.ref} is a ` +
        "folder; list the candidates instead.",
      {
        code: "GREEDY_SEARCH_LOCAL_BASE",
        subject: "candidates",
      },
    );
  }
  const tags = [...(search.kind === "vector" ? ["task-vector"] : []), `base_model:${baseRepo}`, ...(search.tags ?? [])];
  const excluded = new Set([
    baseRepo.toLowerCase(),
    ...(options.target === undefined ? [] : [options.target.toLowerCase()]),
  ]);
  const hits: Array<{ id: string; sha?: string; card?: Record<string, unknown> }> = [];
  for await (const hit of context.hub.searchModels({
    tags: [...new Set(tags)],
    ...(search.query === undefined ? {} : { search: search.query }),
    ...(search.author === undefined ? {} : { author: search.author }),
  })) {
    if (excluded.has(hit.id.toLowerCase())) continue;
    // Searching fine-tunes of the base also finds its published vectors (their card names the base too).
    if (search.kind === "finetuned" && hit.tags.includes("task-vector")) continue;
    hits.push({
      id: hit.id,
      ...(hit.sha === undefined ? {} : { sha: hit.sha }),
      ...(hit.cardData === undefined ? {} : { card: hit.cardData }),
    });
    if (hits.length >= search.limit) break;
  }
  const pinned = await mapPool(hits, async (hit) => hit.sha ?? (await context.hub.pin({ repo: hit.id })).sha);
  return hits.map((hit, i) => ({
    id: `${hit.id}@${pinned[i] as string}`,
    label: hit.id,
    kind: search.kind,
    repo: hit.id,
    revision: pinned[i] as string,
    ...(hit.card === undefined ? {} : { card: hit.card }),
  }));
}

/** `fn` over `items`, a few at a time, results in order; the first failure is thrown once all have settled. */
async function mapPool<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const at = next++;
      try {
        results[at] = await fn(items[at] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(openConcurrency, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

function firstSentence(message: string): string {
  return (message.split("\n")[0] ?? message).trim();
}
