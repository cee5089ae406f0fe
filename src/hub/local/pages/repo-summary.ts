import type { Caller } from "../access-control.js";
import type { CardFacts } from "../derive-card-data.js";
import type { HubContext } from "../hub-context.js";
import { repoTypes } from "../names.js";
import type { CommitRecord, FileRecord, RepoKey, RepoRecord } from "../types.js";

/** What a repo is, for the filters and the model tree: the card, `tvhub.json` and `adapter_config.json` say. */
export type RepoKind = "model" | "task-vector" | "adapter" | "merge" | "dataset";

export const kindLabels: Record<RepoKind, string> = {
  model: "model",
  "task-vector": "task vector",
  adapter: "adapter",
  merge: "merge",
  dataset: "dataset",
};

/** One input of a merge: the repo and the λ it was added with, when `tvhub.json` records it. */
export interface MergeInput {
  repo: string;
  lambda?: number;
}

/** A repo at the head of `main`, as every page sees it. */
export interface RepoSummary {
  key: RepoKey;
  id: string;
  private: boolean;
  commit: CommitRecord;
  kind: RepoKind;
  /** Base models, the primary one first: `tvhub.json`'s `base`, then the card's `base_model`. */
  bases: string[];
  /** `base_model_relation`, declared or derived as the API derives it (finetune, adapter, merge, quantized). */
  relation?: string;
  facts: CardFacts;
  /** The card's own tags and library, without the derived `base_model:` ones (the base has its own filter). */
  tags: string[];
  /** Parsed `tvhub.json`, when the repo has a well-formed one. */
  record?: Record<string, unknown>;
  /** A task vector's (or adapter's) fine-tuned model. */
  source?: string;
  inputs: MergeInput[];
  size: number;
}

const maxRecordBytes = 1024 * 1024;
const summaryCache = new WeakMap<HubContext, Map<string, RepoSummary>>();

/** The repo's summary at a commit (cached: commits never change). */
export async function summarizeRepo(hub: HubContext, repo: RepoRecord, commit: CommitRecord): Promise<RepoSummary> {
  let cache = summaryCache.get(hub);
  if (!cache) summaryCache.set(hub, (cache = new Map()));
  const cacheKey = `${repo._id}:${commit.id}:${repo.private}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const facts = await hub.cardFacts(repo, commit);
  const recordFile = commit.files.find((file) => file.path === "tvhub.json");
  const record = recordFile ? await readRecord(hub, recordFile) : undefined;
  const summary = summarize({ repo, commit, facts, ...(record && { record }) });
  if (cache.size >= 4096) cache.delete(cache.keys().next().value as string);
  cache.set(cacheKey, summary);
  return summary;
}

/** Every repo the caller may read, at the head of `main`, models first; the same rule as `GET /api/models`. */
export async function listReadableSummaries(hub: HubContext, caller: Caller): Promise<RepoSummary[]> {
  const summaries: RepoSummary[] = [];
  for (const type of repoTypes) {
    for (const repo of await hub.storage.repos.listRepos(type)) {
      if (!hub.access.canRead(caller, repo)) continue;
      let commit: CommitRecord;
      try {
        commit = await hub.storage.repos.resolveRevision(repo, "main");
      } catch {
        continue; // deleted while listing
      }
      summaries.push(await summarizeRepo(hub, repo, commit));
    }
  }
  return summaries;
}

async function readRecord(hub: HubContext, file: FileRecord): Promise<Record<string, unknown> | undefined> {
  if (file.size > maxRecordBytes) return undefined;
  try {
    const value: unknown = JSON.parse((await hub.storage.objects.readBytes(file.sha256)).toString("utf8"));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

interface SummarizeOptions {
  repo: RepoRecord;
  commit: CommitRecord;
  facts: CardFacts;
  record?: Record<string, unknown>;
}

/** The pure part: kind, bases, relation and inputs from the card facts, the file list and `tvhub.json`. */
export function summarize(options: SummarizeOptions): RepoSummary {
  const { repo, commit, facts, record } = options;
  const card = facts.cardData ?? {};
  const format = typeof record?.format === "string" ? record.format : undefined;
  const recordBase = isObject(record?.base) && typeof record.base.repo === "string" ? record.base.repo : undefined;
  const bases = unique([...(recordBase ? [recordBase] : []), ...strings(card.base_model)]);
  const relation = facts.tags
    .map((tag) => /^base_model:(adapter|merge|quantized|finetune):/.exec(tag)?.[1])
    .find((r) => r !== undefined);
  const paths = new Set(commit.files.map((file) => file.path));
  const kind: RepoKind =
    repo.type === "dataset"
      ? "dataset"
      : format === "tvhub/task-vector"
        ? "task-vector"
        : format === "tvhub/lora-adapter" || paths.has("adapter_config.json") || relation === "adapter"
          ? "adapter"
          : format === "tvhub/merge" || relation === "merge"
            ? "merge"
            : facts.tags.includes("task-vector")
              ? "task-vector"
              : "model";
  const finetuned =
    isObject(record?.finetuned) && typeof record.finetuned.repo === "string" ? record.finetuned.repo : undefined;
  const summary: RepoSummary = {
    key: { type: repo.type, namespace: repo.namespace, name: repo.name },
    id: `${repo.namespace}/${repo.name}`,
    private: repo.private,
    commit,
    kind,
    bases,
    facts,
    tags: facts.tags.filter((tag) => !tag.startsWith("base_model:")),
    inputs: kind === "merge" || isObject(record?.merge) ? mergeInputs(record, bases) : [],
    size: commit.files.reduce((sum, file) => sum + file.size, 0),
  };
  if (relation) summary.relation = relation;
  if (record) summary.record = record;
  if (finetuned) summary.source = finetuned;
  return summary;
}

/**
 * `tvhub.json`'s terms (a merge's, or those of the merge an adapter was made from); otherwise the card's other bases.
 */
function mergeInputs(record: Record<string, unknown> | undefined, bases: readonly string[]): MergeInput[] {
  const terms = Array.isArray(record?.terms)
    ? record.terms
    : isObject(record?.merge) && Array.isArray(record.merge.terms)
      ? record.merge.terms
      : undefined;
  if (terms) {
    return terms.flatMap((term: unknown) => {
      if (!isObject(term)) return [];
      const repo = typeof term.repo === "string" ? term.repo : typeof term.input === "string" ? term.input : undefined;
      if (repo === undefined) return [];
      return [{ repo, ...(typeof term.lambda === "number" && { lambda: term.lambda }) }];
    });
  }
  return bases.slice(1).map((repo) => ({ repo }));
}

function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list
    .filter((item): item is string => typeof item === "string" && item.trim() !== "")
    .map((item) => item.trim());
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
