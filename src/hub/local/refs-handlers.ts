import { listPullRequestRefs } from "./discussions/pull-requests.js";
import { readableRepo, writableRepo, type Exchange, type HubContext } from "./hub-context.js";
import { badRequest } from "./http-error.js";
import { readOptionalJson, sendJson } from "./http-io.js";
import type { Route } from "./match-route.js";

type RouteOf<N extends Route["name"]> = Extract<Route, { name: N }>;

/** `GET …/refs`: branches and tags, each `{name, ref, targetCommit}`; `converts` is always empty here. */
export async function handleListRefs(hub: HubContext, ex: Exchange<RouteOf<"listRefs">>): Promise<void> {
  const repo = await readableRepo(hub, ex.caller, ex.route.repo);
  const [branches, tags] = await Promise.all([hub.storage.repos.listBranches(repo), hub.storage.repos.listTags(repo)]);
  sendJson(ex.res, 200, {
    branches: branches.map((branch) => ({
      name: branch.name,
      ref: `refs/heads/${branch.name}`,
      targetCommit: branch.commit,
    })),
    tags: tags.map((tag) => ({ name: tag.name, ref: `refs/tags/${tag.name}`, targetCommit: tag.commit })),
    converts: [],
    // Asked for with include_prs=1; the Python client needs the key then.
    ...(ex.query.has("include_prs") && { pullRequests: await hub.storage.repos.transact(repo, listPullRequestRefs) }),
  });
}

/** `POST …/tag/{revision}` `{tag, message?}`: the URL names what is tagged, the body names the tag. */
export async function handleCreateTag(hub: HubContext, ex: Exchange<RouteOf<"createTag">>): Promise<void> {
  const repo = await writableRepo(hub, ex.caller, ex.route.repo);
  const body = await readOptionalJson(ex.req, hub.limits.maxJsonBytes, "tag request");
  if (typeof body.tag !== "string" || body.tag === "")
    throw badRequest('The tag request needs "tag": the name of the tag.', "HUB_BAD_BODY");
  await hub.storage.repos.createTag({ repo, tag: body.tag, revision: ex.route.revision });
  sendJson(ex.res, 200, {});
}

export async function handleDeleteTag(hub: HubContext, ex: Exchange<RouteOf<"deleteTag">>): Promise<void> {
  const repo = await writableRepo(hub, ex.caller, ex.route.repo);
  await hub.storage.repos.deleteTag({ repo, tag: ex.route.tag });
  sendJson(ex.res, 200, {});
}

/** `POST …/super-squash/{branch}` `{message?}`: the branch becomes one commit with its current files. */
export async function handleSuperSquash(hub: HubContext, ex: Exchange<RouteOf<"superSquash">>): Promise<void> {
  const repo = await writableRepo(hub, ex.caller, ex.route.repo);
  const body = await readOptionalJson(ex.req, hub.limits.maxJsonBytes, "super-squash request");
  const message =
    typeof body.message === "string" && body.message.trim() !== ""
      ? body.message.trim()
      : `Super-squash branch '${ex.route.branch}'`;
  const [title = "", ...rest] = message.split("\n");
  const commit = await hub.storage.repos.superSquash({
    repo,
    branch: ex.route.branch,
    title: title.slice(0, 1000),
    description: rest.join("\n").trim(),
    author: ex.caller.user ?? "",
    date: hub.now(),
  });
  sendJson(ex.res, 200, { commitId: commit.id });
}
