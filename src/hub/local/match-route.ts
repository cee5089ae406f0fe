import { matchDiscussionRoute, type DiscussionRoute } from "./discussions/match-discussion-route.js";
import { badRequest, HttpError } from "./http-error.js";
import type { RepoType } from "./names.js";
import { matchAssetPath, matchPagePath, type PageRoute } from "./pages/match-page-route.js";
import type { RepoKey } from "./types.js";
import { matchCasRoute, type CasRoute } from "./xet/match-cas-route.js";
import { casPathPrefix } from "./xet/xet-context.js";

/** Every endpoint the local Hub answers, with the pieces of the URL it needs. */
export type Route =
  | { name: "home" }
  | { name: "whoami" }
  | { name: "createRepo" }
  | { name: "deleteRepo" }
  | { name: "moveRepo" }
  | { name: "validateYaml" }
  | { name: "listRepos"; type: RepoType }
  | { name: "repoInfo"; repo: RepoKey; revision: string }
  | { name: "tree"; repo: RepoKey; revision: string; path: string }
  | { name: "pathsInfo"; repo: RepoKey; revision: string }
  | { name: "preupload"; repo: RepoKey; revision: string }
  | { name: "commit"; repo: RepoKey; revision: string }
  | { name: "listCommits"; repo: RepoKey; revision: string }
  | { name: "listRefs"; repo: RepoKey }
  | { name: "createBranch"; repo: RepoKey; branch: string }
  | { name: "deleteBranch"; repo: RepoKey; branch: string }
  | { name: "createTag"; repo: RepoKey; revision: string }
  | { name: "deleteTag"; repo: RepoKey; tag: string }
  | { name: "superSquash"; repo: RepoKey; branch: string }
  | { name: "updateSettings"; repo: RepoKey }
  | { name: "lfsBatch"; repo: RepoKey }
  | { name: "lfsUpload"; repo: RepoKey; sha256: string }
  | { name: "xetToken"; repo: RepoKey; access: "read" | "write"; revision: string }
  | { name: "cas"; cas: CasRoute }
  | { name: "file"; repo: RepoKey; revision: string; path: string; raw: boolean; head: boolean }
  /** An HTML page for browsers (pages/), or one of their assets. */
  | { name: "page"; page: PageRoute; head: boolean }
  | DiscussionRoute;

export interface MatchRouteOptions {
  method: string;
  /** The request target's path exactly as sent (still percent-encoded, no query). */
  rawPath: string;
}

const apiTypes: Record<string, RepoType> = { models: "model", datasets: "dataset" };

/**
 * Maps a request to a route. Routing happens on the raw path, then each segment is percent-decoded: the client
 * encodes revisions but not file paths, and a decoded `%2F` must never split a segment. Any `.`/`..` segment,
 * backslash or NUL is refused before a route is chosen, so nothing downstream sees one.
 */
export function matchRoute(options: MatchRouteOptions): Route {
  const { method } = options;
  const segments = collapsePullRequestRevision(decodeSegments(options.rawPath));
  const [first, second, third, fourth, fifth, sixth] = segments;
  const wrongMethod = (): HttpError =>
    new HttpError(`${method} is not supported on this path.`, { status: 405, code: "HUB_METHOD_NOT_ALLOWED" });
  const is = (...methods: string[]): boolean => methods.includes(method);

  if (segments.length === 0) {
    if (is("GET", "HEAD")) return { name: "home" };
    throw wrongMethod();
  }

  if (first === "api") {
    if (second === "whoami-v2" && segments.length === 2) return expect(is("GET"), { name: "whoami" }, wrongMethod);
    if (second === "repos" && third === "create" && segments.length === 3)
      return expect(is("POST"), { name: "createRepo" }, wrongMethod);
    if (second === "repos" && third === "delete" && segments.length === 3)
      return expect(is("DELETE"), { name: "deleteRepo" }, wrongMethod);
    if (second === "repos" && third === "move" && segments.length === 3)
      return expect(is("POST"), { name: "moveRepo" }, wrongMethod);
    if (second === "validate-yaml" && segments.length === 2)
      return expect(is("POST"), { name: "validateYaml" }, wrongMethod);
    const type = second === undefined ? undefined : apiTypes[second];
    if (type !== undefined) {
      if (segments.length === 2) return expect(is("GET"), { name: "listRepos", type }, wrongMethod);
      if (third !== undefined && fourth !== undefined) {
        const repo: RepoKey = { type, namespace: third, name: fourth };
        const rest = segments.slice(5);
        if (segments.length === 4) return expect(is("GET"), { name: "repoInfo", repo, revision: "HEAD" }, wrongMethod);
        if (fifth === "refs" && segments.length === 5)
          return expect(is("GET"), { name: "listRefs", repo }, wrongMethod);
        if (fifth === "discussions") return matchDiscussionRoute({ method, repo, rest, wrongMethod, notFound });
        if (fifth === "settings" && segments.length === 5)
          return expect(is("PUT"), { name: "updateSettings", repo }, wrongMethod);
        if (sixth !== undefined) {
          if (fifth === "tree")
            return expect(
              is("GET"),
              { name: "tree", repo, revision: sixth, path: rest.slice(1).join("/") },
              wrongMethod,
            );
          if (segments.length === 6) {
            switch (fifth) {
              case "revision":
                return expect(is("GET"), { name: "repoInfo", repo, revision: sixth }, wrongMethod);
              case "paths-info":
                return expect(is("POST"), { name: "pathsInfo", repo, revision: sixth }, wrongMethod);
              case "preupload":
                return expect(is("POST"), { name: "preupload", repo, revision: sixth }, wrongMethod);
              case "commit":
                return expect(is("POST"), { name: "commit", repo, revision: sixth }, wrongMethod);
              case "commits":
                return expect(is("GET"), { name: "listCommits", repo, revision: sixth }, wrongMethod);
              case "xet-read-token":
              case "xet-write-token":
                return expect(
                  is("GET"),
                  { name: "xetToken", repo, access: fifth === "xet-read-token" ? "read" : "write", revision: sixth },
                  wrongMethod,
                );
              case "branch":
                if (is("POST")) return { name: "createBranch", repo, branch: sixth };
                if (is("DELETE")) return { name: "deleteBranch", repo, branch: sixth };
                throw wrongMethod();
              case "tag":
                // POST names the revision to tag (the tag is in the body); DELETE names the tag.
                if (is("POST")) return { name: "createTag", repo, revision: sixth };
                if (is("DELETE")) return { name: "deleteTag", repo, tag: sixth };
                throw wrongMethod();
              case "super-squash":
                return expect(is("POST"), { name: "superSquash", repo, branch: sixth }, wrongMethod);
            }
          }
        }
      }
    }
    throw notFound();
  }

  const asset = matchAssetPath(segments);
  if (asset) return expect(is("GET", "HEAD"), { name: "page", page: asset, head: method === "HEAD" }, wrongMethod);

  if (first === casPathPrefix) return { name: "cas", cas: matchCasRoute(method, segments.slice(1)) };

  if (first === "lfs-upload" && segments.length === 5 && second !== undefined) {
    const type = apiTypes[second];
    if (type && third !== undefined && fourth !== undefined && fifth !== undefined) {
      return expect(
        is("PUT"),
        { name: "lfsUpload", repo: { type, namespace: third, name: fourth }, sha256: fifth },
        wrongMethod,
      );
    }
    throw notFound();
  }

  // Web paths: /{ns}/{name}/… for models, /datasets/{ns}/{name}/… for datasets.
  const type: RepoType = first === "datasets" ? "dataset" : "model";
  const web = type === "model" ? segments : segments.slice(1);
  const [namespace, name, action, revision] = web;
  if (namespace === undefined || name === undefined) throw notFound();
  if (name.endsWith(".git") && web.length === 6 && web.slice(2).join("/") === "info/lfs/objects/batch") {
    return expect(is("POST"), { name: "lfsBatch", repo: { type, namespace, name: name.slice(0, -4) } }, wrongMethod);
  }
  if ((action === "resolve" || action === "raw") && revision !== undefined && web.length >= 5) {
    return expect(
      is("GET", "HEAD"),
      {
        name: "file",
        repo: { type, namespace, name },
        revision,
        path: web.slice(4).join("/"),
        raw: action === "raw",
        head: method === "HEAD",
      },
      wrongMethod,
    );
  }
  const page = matchPagePath(type, web);
  if (page) return expect(is("GET", "HEAD"), { name: "page", page, head: method === "HEAD" }, wrongMethod);
  throw notFound();
}

function expect(ok: boolean, route: Route, otherwise: () => HttpError): Route {
  if (!ok) throw otherwise();
  return route;
}

function notFound(): HttpError {
  return new HttpError("No such endpoint on this Hub.", { status: 404, code: "HUB_NO_ROUTE" });
}

/**
 * The JS client puts some revisions in URLs unencoded (`tree/refs/pr/1`, `commits/refs/pr/1`); as the Hub does, a
 * revision segment `refs` followed by `pr/<n>` is read as the one revision `refs/pr/<n>`.
 */
function collapsePullRequestRevision(segments: string[]): string[] {
  const at = segments[0] === "api" ? 5 : segments[0] === "datasets" ? 4 : 3;
  const action = segments[at - 1];
  const revisionActions = segments[0] === "api" ? ["tree", "commits", "revision"] : ["resolve", "raw"];
  if (action === undefined || !revisionActions.includes(action)) return segments;
  if (segments[at] !== "refs" || segments[at + 1] !== "pr" || !/^[1-9][0-9]{0,8}$/.test(segments[at + 2] ?? ""))
    return segments;
  return [...segments.slice(0, at), segments.slice(at, at + 3).join("/"), ...segments.slice(at + 3)];
}

function decodeSegments(rawPath: string): string[] {
  if (!rawPath.startsWith("/")) throw badRequest("The request path must start with /.", "HUB_BAD_PATH");
  const trimmed = rawPath.length > 1 && rawPath.endsWith("/") ? rawPath.slice(1, -1) : rawPath.slice(1);
  if (trimmed === "") return [];
  return trimmed.split("/").map((raw) => {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw badRequest("The request path has a malformed percent-encoding.", "HUB_BAD_PATH");
    }
    if (segment === "" || segment === "." || segment === "..") {
      throw badRequest(
        "The request path has an empty, . or .. segment; give paths relative to the repo root.",
        "HUB_BAD_PATH",
      );
    }
    if (segment.includes("\\") || segment.includes("\0")) {
      throw badRequest("The request path contains a backslash or a NUL byte.", "HUB_BAD_PATH");
    }
    return segment;
  });
}
