import type { HubLibrary } from "./load-hub-library.js";

export interface RemoveCreatedRepoOptions {
  repo: string;
  /** The head right after creation: the repo is removed only if it is still there (nobody committed since). */
  headSha: string | undefined;
  deleteRepo: HubLibrary["deleteRepo"];
  modelInfo: HubLibrary["modelInfo"];
  common: { hubUrl: string; fetch: typeof fetch; accessToken: string };
}

/** Deletes a repo this run created and never committed to, unless someone did meanwhile; best effort. */
export async function removeCreatedRepo(options: RemoveCreatedRepoOptions): Promise<boolean> {
  const { repo, common } = options;
  try {
    const head = await options.modelInfo({ ...common, name: repo, revision: "main", additionalFields: ["sha"] });
    if (options.headSha !== undefined && head.sha !== options.headSha) return false;
    await options.deleteRepo({ ...common, repo });
    return true;
  } catch {
    return false;
  }
}
