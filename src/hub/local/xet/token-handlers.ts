import { participantRepo } from "../discussions/discussion-access.js";
import { readableRepo, writableRepo, type Exchange, type HubContext } from "../hub-context.js";
import { sendJson } from "../http-io.js";
import type { Route } from "../match-route.js";
import { casPathPrefix } from "./xet-context.js";

/**
 * `GET /api/{type}s/{ns}/{name}/xet-{read,write}-token/{rev}`: a short-lived CAS token for one repo, with the same
 * access rules as the rest of the Hub (a private repo is a 404 to those who cannot read it; writing needs write
 * access). hf_xet and JS read the JSON body, Python's own code reads the headers, so both carry it. The revision is
 * not checked here: a branch that does not exist fails at commit, and Python sends the literal `None` for a PR.
 */
export async function handleXetToken(
  hub: HubContext,
  ex: Exchange<Extract<Route, { name: "xetToken" }>>,
): Promise<void> {
  const { access } = ex.route;
  // A pull request's uploads (`?create_pr=1`, or to refs/pr/N) need only a signed-in reader, as its LFS uploads do.
  const forPullRequest = ex.query.has("create_pr") || ex.route.revision.startsWith("refs/pr/");
  const repo =
    access === "read"
      ? await readableRepo(hub, ex.caller, ex.route.repo)
      : forPullRequest
        ? (await participantRepo(hub, ex.caller, ex.route.repo)).repo
        : await writableRepo(hub, ex.caller, ex.route.repo);
  const exp = Math.floor(hub.now().getTime() / 1000) + hub.xet.tokenSeconds;
  const accessToken = hub.xet.tokens.issue({
    scope: access,
    repo: { type: repo.type, namespace: repo.namespace, name: repo.name },
    ...(ex.caller.user !== undefined && { user: ex.caller.user }),
    expires: exp,
  });
  const casUrl = `${ex.origin}/${casPathPrefix}`;
  sendJson(
    ex.res,
    200,
    { accessToken, exp, casUrl },
    {
      "X-Xet-Cas-Url": casUrl,
      "X-Xet-Access-Token": accessToken,
      "X-Xet-Token-Expiration": String(exp),
      "Cache-Control": "no-store",
    },
  );
}
