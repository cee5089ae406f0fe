import type { RepoType } from "../names.js";
import type { RepoKey } from "../types.js";

/**
 * The HTML pages, at the paths the Hub's own pages use (`/{ns}/{name}`, `…/tree/{rev}`, `…/blob/{rev}/{path}`,
 * `…/commits/{rev}`).
 */
export type PageRoute =
  | { page: "home" }
  | { page: "repo"; repo: RepoKey }
  | { page: "tree"; repo: RepoKey; revision: string; path: string }
  | { page: "blob"; repo: RepoKey; revision: string; path: string }
  | { page: "commits"; repo: RepoKey; revision: string }
  | { page: "asset"; path: string };

/** First segment of the pages' own files: `-` can start no user, org or repo name, so no repo page can shadow them. */
export const assetSegment = "-";

/**
 * A page for the web path segments after the type prefix (`datasets/` or none), or undefined. The API's web paths
 * (`resolve`, `raw`, the LFS batch) are matched before this, and none of these actions is one of theirs.
 */
export function matchPagePath(type: RepoType, web: readonly string[]): PageRoute | undefined {
  const [namespace, name, action, revision] = web;
  if (namespace === undefined || name === undefined) return undefined;
  const repo: RepoKey = { type, namespace, name };
  if (web.length === 2) return { page: "repo", repo };
  if (revision === undefined) return undefined;
  const path = web.slice(4).join("/");
  if (action === "tree") return { page: "tree", repo, revision, path };
  if (action === "blob" && path !== "") return { page: "blob", repo, revision, path };
  if (action === "commits" && web.length === 4) return { page: "commits", repo, revision };
  return undefined;
}

/** `/-/browse/{file}`: the stylesheet, the icon and KaTeX's stylesheet and fonts. */
export function matchAssetPath(segments: readonly string[]): PageRoute | undefined {
  if (segments[0] !== assetSegment || segments[1] !== "browse" || segments.length < 3) return undefined;
  return { page: "asset", path: segments.slice(2).join("/") };
}

/** Whether a request for `/` wants the home page rather than the API's JSON greeting (a browser says text/html). */
export function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/html\b/i.test(accept);
}
