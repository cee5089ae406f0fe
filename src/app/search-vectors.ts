import { TvhubError, UsageError } from "../errors.js";
import { parseRepoId, type HubClient, type ModelSummary } from "../hub/index.js";

export interface SearchVectorsOptions {
  hub: HubClient;
  /** Only vectors whose card names this base model (`org/name`). */
  base?: string;
  /** A substring of the vector's repo id. */
  search?: string;
  /**
   * At most this many vectors, in the Hub's order.
   * @default 50
   */
  limit?: number;
}

/** One published task vector, as its card and its `tvhub.json` describe it. */
export interface VectorSummary {
  /** `org/name` of the task-vector repo. */
  repo: string;
  /** The commit the facts were read at. */
  revision: string | null;
  /** The base model τ is relative to. */
  base: string | null;
  /** The fine-tuned model τ was computed from (the source model); known from `tvhub.json` only. */
  finetuned: string | null;
  /** The fine-tune's pinned commit, when the record names it. */
  finetunedRevision: string | null;
  /** safetensors dtype of τ (`BF16`, `F32`, `mixed`); known from `tvhub.json` only. */
  dtype: string | null;
  parameters: number | null;
  /** Bytes of the weight files (shards and index). */
  size: number | null;
  /** ISO 8601 time of the last commit, when the Hub says. */
  lastModified: string | null;
  /** Whether the repo carries a `tvhub.json` record (published by tvhub). */
  record: boolean;
}

export interface SearchVectorsResult {
  /** The Hub tags every result carries (`task-vector`, and `base_model:<base>` with a base). */
  tags: string[];
  vectors: VectorSummary[];
  /** More vectors matched than `limit`. */
  truncated: boolean;
}

const defaultLimit = 50;
const concurrency = 4;
const recordLimit = 4 * 1024 * 1024;

/**
 * Published task vectors (Hub tag `task-vector`, optionally those whose card names a base), each described by
 * its `tvhub.json`: base, source model, dtype, size. A vector published by another tool, without the record,
 * is listed with what its card and file list say.
 */
export async function searchVectors(options: SearchVectorsOptions): Promise<SearchVectorsResult> {
  const { hub } = options;
  const limit = options.limit ?? defaultLimit;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new UsageError(`--limit must be a whole number of at least 1; got ${limit}.`, { code: "BAD_LIMIT" });
  }
  const base = options.base === undefined ? undefined : parseRepoId({ text: options.base, label: "--base" });
  const tags = ["task-vector", ...(base === undefined ? [] : [`base_model:${base}`])];
  const hits: ModelSummary[] = [];
  for await (const hit of hub.searchModels({
    tags,
    ...(options.search === undefined ? {} : { search: options.search }),
    limit: limit + 1,
  })) {
    hits.push(hit);
    if (hits.length > limit) break;
  }
  const truncated = hits.length > limit;
  const shown = hits.slice(0, limit);
  const vectors: VectorSummary[] = new Array<VectorSummary>(shown.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < shown.length) {
      const at = next++;
      const hit = shown[at] as ModelSummary;
      vectors[at] = await describeVector(hub, hit);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, shown.length) }, worker));
  return { tags, vectors: vectors.filter((v): v is VectorSummary => v !== undefined), truncated };
}

async function describeVector(hub: HubClient, hit: ModelSummary): Promise<VectorSummary> {
  const summary: VectorSummary = {
    repo: hit.id,
    revision: hit.sha ?? null,
    base: cardBase(hit.cardData),
    finetuned: null,
    finetunedRevision: null,
    dtype: null,
    parameters: null,
    size: null,
    lastModified: hit.lastModified?.toISOString() ?? null,
    record: false,
  };
  try {
    const sha = hit.sha ?? (await hub.pin({ repo: hit.id })).sha;
    summary.revision = sha;
    const record = parseRecord(
      await hub.readSmallFile({ repo: hit.id, sha, path: "tvhub.json", maxBytes: recordLimit }),
    );
    if (record) return { ...summary, ...record, base: record.base ?? summary.base, record: true };
    const info = await hub.modelInfo({ repo: hit.id, sha });
    const weights = info.files.filter(
      (file) => file.path.endsWith(".safetensors") || file.path.endsWith(".safetensors.index.json"),
    );
    return { ...summary, size: weights.length === 0 ? null : weights.reduce((sum, file) => sum + file.size, 0) };
  } catch (error) {
    // A repo deleted or made private between the listing and this read keeps the facts the listing gave.
    if (error instanceof TvhubError && error.code === "HUB_NOT_FOUND") return summary;
    throw error;
  }
}

type RecordFacts = Pick<VectorSummary, "finetuned" | "finetunedRevision" | "dtype" | "parameters" | "size"> & {
  base: string | null;
};

/** The facts of a `tvhub/task-vector` record; anything else (malformed, another format) is no record. */
function parseRecord(bytes: Uint8Array | null): RecordFacts | undefined {
  if (bytes === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value.format !== "tvhub/task-vector") return undefined;
  const base = isRecord(value.base) && typeof value.base.repo === "string" ? value.base.repo : null;
  const finetuned = isRecord(value.finetuned) ? value.finetuned : {};
  const files = Array.isArray(value.files) ? value.files.filter(isRecord) : [];
  const sizes = files.map((file) => file.size).filter((size): size is number => typeof size === "number");
  return {
    base,
    finetuned: typeof finetuned.repo === "string" ? finetuned.repo : null,
    finetunedRevision: typeof finetuned.revision === "string" ? finetuned.revision : null,
    dtype: typeof value.dtype === "string" ? value.dtype : null,
    parameters: typeof value.parameters === "number" ? value.parameters : null,
    size: sizes.length === 0 ? null : sizes.reduce((sum, size) => sum + size, 0),
  };
}

function cardBase(card: Record<string, unknown> | undefined): string | null {
  const declared = card?.base_model;
  if (typeof declared === "string") return declared;
  if (Array.isArray(declared) && declared.length > 0) return declared.filter((b) => typeof b === "string").join(", ");
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
