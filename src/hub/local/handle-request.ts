import type { IncomingMessage, ServerResponse } from "node:http";
import {
  handleCreateBranch,
  handleCreateRepo,
  handleDeleteBranch,
  handleDeleteRepo,
  handleMoveRepo,
  handleUpdateSettings,
  handleWhoami,
} from "./admin-handlers.js";
import {
  handleChangeDiscussion,
  handleCreateDiscussion,
  handleDiscussionDetails,
  handleListDiscussions,
} from "./discussions/discussion-handlers.js";
import type { Exchange, HubContext } from "./hub-context.js";
import { HttpError } from "./http-error.js";
import { publicOrigin, sendError, sendJson } from "./http-io.js";
import { matchRoute, type Route } from "./match-route.js";
import { wantsHtml } from "./pages/match-page-route.js";
import { handlePage } from "./pages/page-handlers.js";
import { handleListCommits, handleListRepos, handlePathsInfo, handleRepoInfo, handleTree } from "./read-handlers.js";
import { handleCreateTag, handleDeleteTag, handleListRefs, handleSuperSquash } from "./refs-handlers.js";
import { serveFile } from "./serve-file.js";
import { handleCommit, handleLfsBatch, handleLfsUpload, handlePreupload } from "./upload-handlers.js";
import { handleValidateYaml } from "./validate-yaml.js";
import { handleCas } from "./xet/cas-handlers.js";
import { handleXetToken } from "./xet/token-handlers.js";

export interface HandleRequestOptions {
  hub: HubContext;
  req: IncomingMessage;
  res: ServerResponse;
  /** Configured public base URL, if any. */
  publicUrl?: string;
  /** The URL the server listens on, used when the Host header is unusable. */
  listenUrl: string;
  /** Called with unexpected (non-HTTP) errors, which the client only sees as a 500. */
  onInternalError: (error: unknown) => void;
}

/** Routes, authenticates and dispatches one request; every failure becomes a Hub-shaped JSON error. */
export async function handleRequest(options: HandleRequestOptions): Promise<void> {
  const { hub, req, res } = options;
  try {
    const target = req.url ?? "/";
    const queryAt = target.indexOf("?");
    const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? "" : target.slice(queryAt + 1));
    const route = matchRoute({ method: req.method ?? "GET", rawPath });
    // Upload hrefs authorize themselves; a token sent there anyway is not needed. CAS calls carry a CAS token instead.
    const caller =
      route.name === "lfsUpload" || route.name === "cas" ? {} : hub.access.authenticate(req.headers.authorization);
    const ex: Exchange = {
      req,
      res,
      route,
      rawPath,
      query,
      origin: publicOrigin(req, options.publicUrl, options.listenUrl),
      caller,
    };
    await dispatch(hub, ex);
  } catch (error) {
    if (res.destroyed || req.socket.destroyed || isConnectionReset(error)) {
      // The client went away (a cancelled download, a killed uploader): there is nobody to answer.
      res.destroy();
      return;
    }
    if (error instanceof HttpError) {
      sendError(req, res, error);
      return;
    }
    options.onInternalError(error);
    sendError(
      req,
      res,
      new HttpError("The local Hub failed on this request; see its log.", { status: 500, code: "HUB_INTERNAL" }),
    );
  }
}

async function dispatch(hub: HubContext, ex: Exchange): Promise<void> {
  const route: Route = ex.route;
  const as = <N extends Route["name"]>(name: N): Exchange<Extract<Route, { name: N }>> => {
    if (route.name !== name) throw new Error(`dispatch: expected ${name}`);
    return ex as Exchange<Extract<Route, { name: N }>>;
  };
  switch (route.name) {
    case "home":
      // A browser gets the home page; API clients keep the JSON greeting.
      if (wantsHtml(ex.req.headers.accept))
        return handlePage(hub, {
          ...ex,
          route: { name: "page", page: { page: "home" }, head: ex.req.method === "HEAD" },
        });
      return sendJson(ex.res, 200, { name: "tvhub local Hub", api: `${ex.origin}/api` });
    case "page":
      return handlePage(hub, as("page"));
    case "whoami":
      return handleWhoami(hub, as("whoami"));
    case "createRepo":
      return handleCreateRepo(hub, as("createRepo"));
    case "deleteRepo":
      return handleDeleteRepo(hub, as("deleteRepo"));
    case "moveRepo":
      return handleMoveRepo(hub, as("moveRepo"));
    case "validateYaml":
      return handleValidateYaml(hub, as("validateYaml"));
    case "updateSettings":
      return handleUpdateSettings(hub, as("updateSettings"));
    case "createBranch":
      return handleCreateBranch(hub, as("createBranch"));
    case "deleteBranch":
      return handleDeleteBranch(hub, as("deleteBranch"));
    case "createTag":
      return handleCreateTag(hub, as("createTag"));
    case "deleteTag":
      return handleDeleteTag(hub, as("deleteTag"));
    case "superSquash":
      return handleSuperSquash(hub, as("superSquash"));
    case "listRepos":
      return handleListRepos(hub, as("listRepos"));
    case "repoInfo":
      return handleRepoInfo(hub, as("repoInfo"));
    case "tree":
      return handleTree(hub, as("tree"));
    case "pathsInfo":
      return handlePathsInfo(hub, as("pathsInfo"));
    case "listCommits":
      return handleListCommits(hub, as("listCommits"));
    case "listRefs":
      return handleListRefs(hub, as("listRefs"));
    case "file":
      return serveFile(hub, as("file"));
    case "preupload":
      return handlePreupload(hub, as("preupload"));
    case "lfsBatch":
      return handleLfsBatch(hub, as("lfsBatch"));
    case "lfsUpload":
      return handleLfsUpload(hub, as("lfsUpload"));
    case "commit":
      return handleCommit(hub, as("commit"));
    case "xetToken":
      return handleXetToken(hub, as("xetToken"));
    case "cas":
      return handleCas(hub, as("cas"));
    case "listDiscussions":
      return handleListDiscussions(hub, as("listDiscussions"));
    case "discussionDetails":
      return handleDiscussionDetails(hub, as("discussionDetails"));
    case "createDiscussion":
      return handleCreateDiscussion(hub, as("createDiscussion"));
    case "changeDiscussion":
      return handleChangeDiscussion(hub, as("changeDiscussion"));
  }
}

function isConnectionReset(error: unknown): boolean {
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
  return code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ECONNABORTED";
}
