import { decodeCursor, encodeCursor, nextPageUrl } from "./cursor.js";
import { findLastCommits } from "./find-last-commits.js";
import { readableRepo, type Exchange, type HubContext } from "./hub-context.js";
import { commitJson, repoInfoJson, treeEntryJson } from "./hub-json.js";
import { badRequest, entryNotFound, revisionNotFound, tooManyItems } from "./http-error.js";
import { boolParam, intParam, nextLink, readBody, readJson, sendJson } from "./http-io.js";
import type { Route } from "./match-route.js";
import { checkFilePath, checkFolderPath, isCommitId } from "./names.js";
import { parseRepoQuery, selectRepos, type RepoListing } from "./select-repos.js";
import { entriesAt, listTree, type TreeEntry } from "./tree.js";
import type { CommitRecord, RepoRecord } from "./types.js";

type RouteOf<N extends Route["name"]> = Extract<Route, { name: N }>;

export async function handleRepoInfo(hub: HubContext, ex: Exchange<RouteOf<"repoInfo">>): Promise<void> {
  const repo = await readableRepo(hub, ex.caller, ex.route.repo);
  const commit = await hub.storage.repos.resolveRevision(repo, ex.route.revision);
  const blobs = boolParam(ex.query, "blobs");
  sendJson(ex.res, 200, repoInfoJson(repo, commit, await hub.cardFacts(repo, commit), { blobs }));
}

export async function handleListRepos(hub: HubContext, ex: Exchange<RouteOf<"listRepos">>): Promise<void> {
  const query = parseRepoQuery(ex.query);
  const limit = intParam(ex.query, "limit", hub.limits.maxPageSize, hub.limits.maxPageSize);
  const cursor = decodeCursor(ex.query.get("cursor"));
  const after =
    cursor && (typeof cursor.value === "string" || typeof cursor.value === "number") && typeof cursor.id === "string"
      ? { value: cursor.value, id: cursor.id }
      : undefined;
  if (cursor && !after)
    throw badRequest("The cursor query parameter is malformed; follow the Link header.", "HUB_BAD_CURSOR");

  const listings: Array<RepoListing & { info: Record<string, unknown> }> = [];
  for (const repo of await hub.storage.repos.listRepos(ex.route.type)) {
    if (!hub.access.canRead(ex.caller, repo)) continue;
    let commit: CommitRecord;
    try {
      commit = await hub.storage.repos.resolveRevision(repo, "main");
    } catch {
      continue; // deleted while listing
    }
    const facts = await hub.cardFacts(repo, commit);
    const info = repoInfoJson(repo, commit, facts);
    const listing: RepoListing & { info: Record<string, unknown> } = {
      id: `${repo.namespace}/${repo.name}`,
      author: repo.namespace,
      tags: facts.tags,
      createdAt: repo.createdAt,
      lastModified: commit.date,
      usedStorage: info.usedStorage as number,
      info,
    };
    if (facts.pipelineTag) listing.pipelineTag = facts.pipelineTag;
    if (facts.libraryName) listing.libraryName = facts.libraryName;
    listings.push(listing);
  }
  const { page, next } = selectRepos({ repos: listings, query, limit, ...(after && { after }) });
  const headers = next
    ? nextLink(
        nextPageUrl({ origin: ex.origin, rawPath: ex.rawPath, query: ex.query, cursor: encodeCursor({ ...next }) }),
      )
    : {};
  sendJson(
    ex.res,
    200,
    page.map((listing) => listing.info),
    headers,
  );
}

export async function handleTree(hub: HubContext, ex: Exchange<RouteOf<"tree">>): Promise<void> {
  const repo = await readableRepo(hub, ex.caller, ex.route.repo);
  const path = checkFolderPath(ex.route.path);
  const expand = boolParam(ex.query, "expand");
  const limit = intParam(ex.query, "limit", hub.limits.maxPageSize, hub.limits.maxPageSize);
  // The cursor pins the commit, so a branch that moves between pages cannot mix two trees.
  const cursor = decodeCursor(ex.query.get("cursor"));
  const pinned = typeof cursor?.commit === "string" ? cursor.commit : undefined;
  const offset =
    typeof cursor?.offset === "number" && Number.isSafeInteger(cursor.offset) && cursor.offset >= 0 ? cursor.offset : 0;
  if (cursor && (pinned === undefined || !isCommitId(pinned)))
    throw badRequest("The cursor query parameter is malformed.", "HUB_BAD_CURSOR");
  const commit = await hub.storage.repos.resolveRevision(repo, pinned ?? ex.route.revision);
  const entries = listTree({ files: commit.files, path, recursive: boolParam(ex.query, "recursive") });
  if (!entries) throw entryNotFound(path, ex.route.revision, commit.id);
  const page = entries.slice(offset, offset + limit);
  const headers =
    offset + limit < entries.length
      ? nextLink(
          nextPageUrl({
            origin: ex.origin,
            rawPath: ex.rawPath,
            query: ex.query,
            cursor: encodeCursor({ commit: commit.id, offset: offset + limit }),
          }),
        )
      : {};
  sendJson(ex.res, 200, await entriesJson(hub, repo, commit, page, expand), headers);
}

/**
 * `POST …/paths-info/{rev}`: a JSON body (the JS client) or a form (`paths=a&paths=b&expand=true`, the Python client).
 */
export async function handlePathsInfo(hub: HubContext, ex: Exchange<RouteOf<"pathsInfo">>): Promise<void> {
  const repo = await readableRepo(hub, ex.caller, ex.route.repo);
  const contentType = ex.req.headers["content-type"] ?? "";
  let paths: unknown;
  let expand: boolean;
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    const form = new URLSearchParams(
      (await readBody(ex.req, hub.limits.maxJsonBytes, "paths-info request")).toString("utf8"),
    );
    paths = form.getAll("paths");
    expand = boolParam(form, "expand");
  } else {
    const body = await readJson(ex.req, hub.limits.maxJsonBytes, "paths-info request");
    paths = body.paths;
    expand = body.expand === true;
  }
  if (!Array.isArray(paths) || !paths.every((p): p is string => typeof p === "string")) {
    throw badRequest('The paths-info body needs "paths": an array of strings.', "HUB_BAD_BODY");
  }
  if (paths.length > hub.limits.maxPathsInfoPaths)
    throw tooManyItems("paths-info request", hub.limits.maxPathsInfoPaths);
  paths.forEach(checkFilePath);
  const commit = await hub.storage.repos.resolveRevision(repo, ex.route.revision);
  sendJson(ex.res, 200, await entriesJson(hub, repo, commit, entriesAt(commit.files, paths), expand));
}

export async function handleListCommits(hub: HubContext, ex: Exchange<RouteOf<"listCommits">>): Promise<void> {
  const repo = await readableRepo(hub, ex.caller, ex.route.repo);
  const limit = intParam(ex.query, "limit", 100, hub.limits.maxPageSize);
  const cursor = decodeCursor(ex.query.get("cursor"));
  const pinned = typeof cursor?.commit === "string" ? cursor.commit : undefined;
  const page = intParam(ex.query, "p", 1, Number.MAX_SAFE_INTEGER) - 1;
  const offset =
    typeof cursor?.offset === "number" && Number.isSafeInteger(cursor.offset) && cursor.offset >= 0
      ? cursor.offset
      : page * limit;
  if (cursor && (pinned === undefined || !isCommitId(pinned)))
    throw badRequest("The cursor query parameter is malformed.", "HUB_BAD_CURSOR");
  const head = await hub.storage.repos.resolveRevision(repo, pinned ?? ex.route.revision);
  const chain: CommitRecord[] = [];
  for (let commit: CommitRecord | undefined = head; commit; ) {
    chain.push(commit);
    const parent: string | undefined = commit.parents[0];
    commit = parent === undefined ? undefined : await hub.storage.repos.loadCommit(repo, parent);
  }
  const slice = chain.slice(offset, offset + limit);
  const headers: Record<string, string> = { "X-Total-Count": String(chain.length) };
  if (offset + limit < chain.length) {
    Object.assign(
      headers,
      nextLink(
        nextPageUrl({
          origin: ex.origin,
          rawPath: ex.rawPath,
          query: ex.query,
          cursor: encodeCursor({ commit: head.id, offset: offset + limit }),
        }),
      ),
    );
  }
  sendJson(ex.res, 200, slice.map(commitJson), headers);
}

async function entriesJson(
  hub: HubContext,
  repo: RepoRecord,
  commit: CommitRecord,
  entries: TreeEntry[],
  expand: boolean,
): Promise<Array<Record<string, unknown>>> {
  if (!expand) return entries.map((entry) => treeEntryJson(entry));
  const last = await findLastCommits({
    head: commit,
    targets: entries.map((entry) => ({ path: entry.path, type: entry.type })),
    loadCommit: async (id) => {
      const parent = await hub.storage.repos.loadCommit(repo, id);
      if (!parent) throw revisionNotFound(id);
      return parent;
    },
  });
  return entries.map((entry) => treeEntryJson(entry, last.get(entry.path) ?? commit));
}
