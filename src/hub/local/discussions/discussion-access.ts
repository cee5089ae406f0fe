import type { Caller } from "../access-control.js";
import { readableRepo, type HubContext } from "../hub-context.js";
import { HttpError } from "../http-error.js";
import type { RepoKey, RepoRecord } from "../types.js";

/**
 * A repo the caller may take part in: anyone signed in who can read it may open discussions and pull requests and
 * comment, as on the Hub; a private repo they cannot read is the usual 404.
 */
export async function participantRepo(
  hub: HubContext,
  caller: Caller,
  key: RepoKey,
): Promise<{ repo: RepoRecord; user: string }> {
  const repo = await readableRepo(hub, caller, key);
  if (caller.user === undefined) {
    throw new HttpError(
      "Discussions and pull requests need a token; pass the access token of a user who can read this repo.",
      {
        status: 401,
        code: "HUB_AUTH_REQUIRED",
      },
    );
  }
  return { repo, user: caller.user };
}
