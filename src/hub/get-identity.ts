import { RemoteError } from "../errors.js";
import { credentialsOf, type HubContext } from "./hub-context.js";
import { isHubApiError } from "./is-hub-api-error.js";
import { loadHubLibrary } from "./load-hub-library.js";
import { toRemoteError } from "./to-remote-error.js";
import type { HubIdentity } from "./types.js";
import { withRetries } from "./with-retries.js";

export interface GetIdentityOptions {
  hub: HubContext;
}

/** The account (and its organisations) the token belongs to; null when there is no token. */
export async function getIdentity(options: GetIdentityOptions): Promise<HubIdentity | null> {
  const { hub } = options;
  const { accessToken } = credentialsOf(hub);
  if (accessToken === undefined) return null;
  const { whoAmI } = await loadHubLibrary();
  try {
    const me = await withRetries({
      policy: hub.retry,
      run: () => whoAmI({ hubUrl: hub.hubUrl, fetch: hub.fetch, accessToken }),
    });
    const orgs = me.type === "user" ? me.orgs.map((org) => org.name) : [];
    const role = me.auth.accessToken?.role;
    return { name: me.name, orgs, ...(role === undefined ? {} : { role }) };
  } catch (error) {
    if (isHubApiError(error) && (error.statusCode === 401 || error.statusCode === 403)) {
      throw new RemoteError(`${hub.hubUrl} refused the token; pass a valid token with --token or HF_TOKEN.`, {
        code: "HUB_TOKEN_REFUSED",
        cause: error,
      });
    }
    throw toRemoteError({ error, repo: "the token's account", hubUrl: hub.hubUrl, accessToken, doing: "looking up" });
  }
}
