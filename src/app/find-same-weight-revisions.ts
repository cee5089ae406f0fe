import { isTvhubError } from "../errors.js";
import type { HubClient, RepoFile } from "../hub/index.js";
import type { ResolvedModel } from "../plan/types.js";

export interface FindSameWeightRevisionsOptions {
  hub: HubClient;
  /** The base as this run pinned it. */
  base: ResolvedModel;
  /** Inputs whose `tvhub.json` may record another commit of the base (published task vectors). */
  inputs: readonly ResolvedModel[];
}

/**
 * The commits of the base that task vectors were computed against, other than the pinned one, whose weight files are
 * byte for byte the pinned commit's (same paths, same LFS sha256). A base repo gains commits that touch only its card
 * or tokenizer; a vector computed before such a commit still applies, and the check should not call it suspect.
 */
export async function findSameWeightRevisions(options: FindSameWeightRevisionsOptions): Promise<string[]> {
  const { hub, base } = options;
  if (base.repo === undefined || base.revision === undefined) return [];
  const repo = base.repo;
  const recorded = new Set<string>();
  for (const input of options.inputs) {
    const record = input.record?.base;
    if (typeof record !== "object" || record === null || Array.isArray(record)) continue;
    const { repo: recordRepo, revision } = record as Record<string, unknown>;
    if (typeof recordRepo !== "string" || recordRepo.toLowerCase() !== repo.toLowerCase()) continue;
    if (typeof revision === "string" && /^[0-9a-f]{40}$/.test(revision) && revision !== base.revision)
      recorded.add(revision);
  }
  if (recorded.size === 0) return [];
  const ours = fingerprint((await hub.modelInfo({ repo, sha: base.revision })).files);
  if (ours === undefined) return [];
  const same: string[] = [];
  for (const revision of recorded) {
    try {
      if (fingerprint((await hub.modelInfo({ repo, sha: revision })).files) === ours) same.push(revision);
    } catch (error) {
      // A commit the Hub no longer serves cannot be compared; the check then reports the difference.
      if (!isTvhubError(error) || error.family === "internal") throw error;
    }
  }
  return same;
}

/** The weight files with their content hashes, or undefined when some file has no hash to compare. */
function fingerprint(files: readonly RepoFile[]): string | undefined {
  const weights = files.filter(
    (file) =>
      !file.path.includes("/") && (file.path.endsWith(".safetensors") || file.path.endsWith(".safetensors.index.json")),
  );
  if (weights.length === 0) return undefined;
  const parts: string[] = [];
  for (const file of weights) {
    const hash = file.lfsSha256 ?? file.oid;
    if (hash === undefined) return undefined;
    parts.push(`${file.path}\u0000${file.size}\u0000${hash}`);
  }
  return parts.sort().join("\n");
}
