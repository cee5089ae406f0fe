import { assertCanWrite, readableRepo, type Exchange, type HubContext } from "../hub-context.js";
import { badRequest, HttpError } from "../http-error.js";
import { readOptionalJson, sendJson } from "../http-io.js";
import type { RepoTransaction } from "../repo-store.js";
import type { RepoRecord } from "../types.js";
import { repoIdOf, urlPrefixOf } from "../types.js";
import { participantRepo } from "./discussion-access.js";
import { discussionConflict, discussionNotFound } from "./discussion-errors.js";
import { discussionDetailsJson, discussionJson, eventJson } from "./discussion-json.js";
import { eventOf, listDiscussions, readDiscussion, writeDiscussion } from "./discussion-store.js";
import type { DiscussionRoute } from "./match-discussion-route.js";
import { conflictsOf, mergePullRequest, openDiscussion } from "./pull-requests.js";
import { parseDiscussionQuery, selectDiscussions } from "./select-discussions.js";
import type { DiscussionEvent, DiscussionRecord } from "./types.js";

type RouteOf<N extends DiscussionRoute["name"]> = Extract<DiscussionRoute, { name: N }>;

/** `GET …/discussions?p=&type=&status=&author=`: `{discussions, count, start}`, newest first. */
export async function handleListDiscussions(hub: HubContext, ex: Exchange<RouteOf<"listDiscussions">>): Promise<void> {
  const repo = await readableRepo(hub, ex.caller, ex.route.repo);
  const query = parseDiscussionQuery(ex.query);
  const records = await hub.storage.repos.transact(repo, listDiscussions);
  const { page, count, start } = selectDiscussions(records, query);
  sendJson(ex.res, 200, {
    discussions: page.map((record) => discussionJson(repo, record)),
    count,
    start,
    numClosedDiscussions: 0,
  });
}

export async function handleDiscussionDetails(
  hub: HubContext,
  ex: Exchange<RouteOf<"discussionDetails">>,
): Promise<void> {
  const repo = await readableRepo(hub, ex.caller, ex.route.repo);
  const json = await hub.storage.repos.transact(repo, async (tx) => {
    const record = await readDiscussion(tx, ex.route.num);
    if (!record) throw discussionNotFound(ex.route.num);
    return discussionDetailsJson(repo, record, await conflictsOf(tx, record));
  });
  sendJson(ex.res, 200, json);
}

/** `POST …/discussions {title, description, pullRequest}`: a discussion, or an empty (draft) pull request on main. */
export async function handleCreateDiscussion(
  hub: HubContext,
  ex: Exchange<RouteOf<"createDiscussion">>,
): Promise<void> {
  const { repo, user } = await participantRepo(hub, ex.caller, ex.route.repo);
  const body = await readOptionalJson(ex.req, hub.limits.maxJsonBytes, "discussion request");
  const title = titleOf(body.title);
  const description = typeof body.description === "string" ? body.description : "";
  const { record } = await hub.storage.repos.transact(repo, (tx) =>
    openDiscussion(tx, {
      title,
      description,
      author: user,
      date: hub.now(),
      ...(body.pullRequest === true && { pullRequest: { base: "main" } }),
    }),
  );
  sendJson(ex.res, 200, {
    ...discussionDetailsJson(repo, record, []),
    url: discussionUrl(ex.origin, repo, record.num),
  });
}

/** `POST …/discussions/{num}/comment|title|status|merge`. */
export async function handleChangeDiscussion(
  hub: HubContext,
  ex: Exchange<RouteOf<"changeDiscussion">>,
): Promise<void> {
  const { repo, user } = await participantRepo(hub, ex.caller, ex.route.repo);
  const mayWrite = hub.access.canWrite(ex.caller, repo.namespace);
  const { num, change } = ex.route;
  if (change === "status" || change === "merge") assertCanWrite(hub, ex.caller, repo.namespace);
  const body = await readOptionalJson(ex.req, hub.limits.maxJsonBytes, `${change} request`);
  const date = hub.now();
  const at = date.toISOString();
  const comment = optionalText(body.comment, "comment");

  const update = (
    work: (tx: RepoTransaction, record: DiscussionRecord) => Promise<DiscussionEvent>,
  ): Promise<DiscussionEvent> =>
    hub.storage.repos.transact(repo, async (tx) => {
      const record = await readDiscussion(tx, num);
      if (!record) throw discussionNotFound(num);
      const event = await work(tx, record);
      await writeDiscussion(tx, record);
      return event;
    });

  switch (change) {
    case "comment": {
      if (comment === undefined || comment.trim() === "")
        throw badRequest('A comment needs a non-empty "comment".', "HUB_BAD_BODY");
      const event = await update(async (_tx, record) => {
        const added = eventOf({ type: "comment", createdAt: at, author: user, data: { content: comment } });
        record.events.push(added);
        return added;
      });
      return sendJson(ex.res, 200, { newMessage: eventJson(event) });
    }
    case "title": {
      const title = titleOf(body.title);
      const event = await update(async (_tx, record) => {
        if (!mayWrite && record.author !== user)
          throw forbidden(`Only the author of #${num} and the repo's writers may rename it.`);
        const renamed = eventOf({
          type: "title-change",
          createdAt: at,
          author: user,
          data: { from: record.title, to: title },
        });
        record.title = title;
        record.events.push(renamed);
        return renamed;
      });
      return sendJson(ex.res, 200, { newTitle: eventJson(event) });
    }
    case "status": {
      const status = body.status;
      if (status !== "open" && status !== "closed")
        throw badRequest('The new "status" must be open or closed.', "HUB_BAD_BODY");
      const event = await update(async (_tx, record) => {
        if (record.status === "merged")
          throw discussionConflict(`Pull request #${num} is merged; its status cannot change.`);
        if (record.status === status) throw discussionConflict(`Discussion #${num} is already ${status}.`);
        if (comment !== undefined)
          record.events.push(eventOf({ type: "comment", createdAt: at, author: user, data: { content: comment } }));
        const changed = eventOf({ type: "status-change", createdAt: at, author: user, data: { status } });
        record.status = status;
        record.events.push(changed);
        return changed;
      });
      return sendJson(ex.res, 200, { newStatus: eventJson(event) });
    }
    case "merge": {
      const record = await hub.storage.repos.transact(repo, (tx) =>
        mergePullRequest(tx, { num, author: user, date, ...(comment !== undefined && { comment }) }),
      );
      return sendJson(ex.res, 200, {
        ...discussionJson(repo, record),
        mergeCommitId: record.pullRequest?.mergeCommitId,
      });
    }
  }
}

export function discussionUrl(origin: string, repo: RepoRecord, num: number): string {
  return `${origin}/${urlPrefixOf(repo.type)}${repoIdOf(repo)}/discussions/${num}`;
}

/** Titles are 3 to 200 characters once trimmed, as on the Hub. */
export function titleOf(value: unknown): string {
  const title = typeof value === "string" ? value.trim() : "";
  if (title.length < 3 || title.length > 200)
    throw badRequest("A discussion title must have 3 to 200 characters.", "HUB_BAD_TITLE");
  return title;
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length > 65_536)
    throw badRequest(`"${name}" must be a string of at most 65536 characters.`, "HUB_BAD_BODY");
  return value.trim() === "" ? undefined : value;
}

function forbidden(message: string): HttpError {
  return new HttpError(message, { status: 403, code: "HUB_FORBIDDEN" });
}
