import { RemoteError } from "../errors.js";
import { credentialsOf, type HubContext } from "./hub-context.js";
import { isHubApiError } from "./is-hub-api-error.js";
import { loadHubLibrary } from "./load-hub-library.js";
import { toRemoteError } from "./to-remote-error.js";
import type { PinnedRevision } from "./types.js";
import { withRetries } from "./with-retries.js";

export interface PinRevisionOptions {
  hub: HubContext;
  /** `org/name` */
  repo: string;
  /** A branch, tag or commit. @default "main" */
  revision?: string;
}

const commitPattern = /^[0-9a-f]{40}$/;

/** Resolves a revision to the commit it points at now, so that the rest of the run reads one immutable snapshot. */
export async function pinRevision(options: PinRevisionOptions): Promise<PinnedRevision> {
  const { hub, repo } = options;
  const requested = options.revision ?? "main";
  const { modelInfo } = await loadHubLibrary();
  let sha: unknown;
  try {
    const info = await withRetries({
      policy: hub.retry,
      run: () =>
        modelInfo({
          name: repo,
          revision: requested,
          additionalFields: ["sha"],
          hubUrl: hub.hubUrl,
          fetch: hub.fetch,
          ...credentialsOf(hub),
        }),
    });
    sha = info.sha;
  } catch (error) {
    if (isHubApiError(error) && error.statusCode === 404 && options.revision !== undefined) {
      if (await exists(hub, repo)) {
        throw new RemoteError(
          `${repo} has no branch, tag or commit "${requested}" on ${hub.hubUrl}; check the revision after @.`,
          {
            code: "HUB_REVISION_NOT_FOUND",
            subject: `${repo}@${requested}`,
            cause: error,
          },
        );
      }
    }
    throw toRemoteError({ error, repo, hubUrl: hub.hubUrl, accessToken: hub.accessToken, doing: "resolving" });
  }
  if (typeof sha !== "string" || !commitPattern.test(sha)) {
    throw new RemoteError(
      `${hub.hubUrl} did not say which commit ${repo}@${requested} is; check that --hub-url points at a Hugging ` +
        "Face Hub.",
      {
        code: "HUB_BAD_RESPONSE",
        subject: repo,
      },
    );
  }
  if (requested !== sha) hub.pins.set(`${repo}@${sha}`, requested);
  return { repo, requested, sha };
}

/** Tells "no such revision" from "no such repo" after a 404, which the Hub's status alone does not. */
async function exists(hub: HubContext, repo: string): Promise<boolean> {
  try {
    const { repoExists } = await loadHubLibrary();
    return await repoExists({ repo, hubUrl: hub.hubUrl, fetch: hub.fetch, ...credentialsOf(hub) });
  } catch {
    return false;
  }
}
