import type { RepoKey } from "../types.js";

/** The discussion endpoints under `/api/{type}s/{ns}/{name}/discussions`. */
export type DiscussionRoute =
  | { name: "listDiscussions"; repo: RepoKey }
  | { name: "createDiscussion"; repo: RepoKey }
  | { name: "discussionDetails"; repo: RepoKey; num: number }
  | { name: "changeDiscussion"; repo: RepoKey; num: number; change: DiscussionChange };

export type DiscussionChange = "comment" | "status" | "title" | "merge";

const changes: ReadonlySet<string> = new Set<DiscussionChange>(["comment", "status", "title", "merge"]);

export interface MatchDiscussionRouteOptions {
  method: string;
  repo: RepoKey;
  /** The decoded segments after `discussions`. */
  rest: readonly string[];
  wrongMethod: () => Error;
  notFound: () => Error;
}

export function matchDiscussionRoute(options: MatchDiscussionRouteOptions): DiscussionRoute {
  const { method, repo, rest } = options;
  const allow = (ok: boolean, route: DiscussionRoute): DiscussionRoute => {
    if (!ok) throw options.wrongMethod();
    return route;
  };
  if (rest.length === 0) {
    if (method === "GET") return { name: "listDiscussions", repo };
    if (method === "POST") return { name: "createDiscussion", repo };
    throw options.wrongMethod();
  }
  const [numText = "", change] = rest;
  if (!/^[1-9][0-9]{0,8}$/.test(numText) || rest.length > 2) throw options.notFound();
  const num = Number(numText);
  if (change === undefined) return allow(method === "GET", { name: "discussionDetails", repo, num });
  if (!changes.has(change)) throw options.notFound();
  return allow(method === "POST", { name: "changeDiscussion", repo, num, change: change as DiscussionChange });
}
