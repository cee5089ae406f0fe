import { urlPrefixOf, type RepoKey } from "../types.js";
import { encodePath } from "./html.js";
import type { UrlKind } from "./sanitize-fragment.js";

/** `/{ns}/{name}` (models) or `/datasets/{ns}/{name}`: the repo's page, and the prefix of its other pages. */
export function repoPageUrl(repo: RepoKey): string {
  return `/${urlPrefixOf(repo.type)}${encodeURIComponent(repo.namespace)}/${encodeURIComponent(repo.name)}`;
}

export function treePageUrl(repo: RepoKey, revision: string, path = ""): string {
  return `${repoPageUrl(repo)}/tree/${encodeURIComponent(revision)}${path === "" ? "" : `/${encodePath(path)}`}`;
}

export function blobPageUrl(repo: RepoKey, revision: string, path: string): string {
  return `${repoPageUrl(repo)}/blob/${encodeURIComponent(revision)}/${encodePath(path)}`;
}

export function commitsPageUrl(repo: RepoKey, revision: string): string {
  return `${repoPageUrl(repo)}/commits/${encodeURIComponent(revision)}`;
}

/** The file's bytes, as clients download them. */
export function resolveUrl(repo: RepoKey, revision: string, path: string): string {
  return `${repoPageUrl(repo)}/resolve/${encodeURIComponent(revision)}/${encodePath(path)}`;
}

/**
 * The page of a repo named by id (`ns/name`), as a card or `tvhub.json` gives it. Empty segments are dropped, so
 * whatever a card says the link stays on this server (`//host` would leave it).
 */
export function modelPageUrl(id: string): string {
  return `/${id
    .split("/")
    .filter((segment) => segment !== "")
    .map(encodeURIComponent)
    .join("/")}`;
}

export interface CardUrlOptions {
  repo: RepoKey;
  /** The commit the card was read at: images load from it, so they match the text. */
  commit: string;
  /** The revision the page was asked for: links to other files stay on it. */
  revision: string;
  /** The folder of the markdown file ("" for the README at the root). */
  dir: string;
}

const allowedSchemes = new Set(["http", "https", "mailto"]);

/**
 * How a card's URLs resolve, as on the Hub: a relative image loads from the repo (`resolve` at the card's commit),
 * a relative link opens the file's page; http(s) and mailto stay as given; any other scheme (`javascript:`,
 * `data:`, `vbscript:`) is dropped. The scheme is read with whitespace and control characters removed, as a browser
 * reads it.
 */
export function cardUrlResolver(options: CardUrlOptions): (url: string, kind: UrlKind) => string | undefined {
  return (url, kind) => {
    const probe = url.replace(/[\u0000-\u0020\u007f]/g, "");
    if (probe === "") return undefined;
    if (probe.startsWith("#")) return probe;
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(probe)?.[1];
    if (scheme !== undefined) return allowedSchemes.has(scheme.toLowerCase()) ? probe : undefined;
    // A browser reads `/\host` as `//host`: both leave this server, so both are external links.
    if (/^[/\\][/\\]/.test(probe)) return `https://${probe.slice(2)}`;
    if (probe.startsWith("/")) return probe;
    const cut = probe.search(/[?#]/);
    const pathPart = cut === -1 ? probe : probe.slice(0, cut);
    const hash = cut !== -1 && probe[cut] === "#" ? probe.slice(cut) : "";
    const path = joinRepoPath(options.dir, pathPart);
    if (path === undefined) return undefined;
    if (path === "") return kind === "image" ? undefined : treePageUrl(options.repo, options.revision);
    return kind === "image"
      ? resolveUrl(options.repo, options.commit, path)
      : `${blobPageUrl(options.repo, options.revision, path)}${hash}`;
  };
}

/** `dir` + a relative path, `.` and `..` applied, percent-escapes decoded; undefined when it climbs out of the repo. */
function joinRepoPath(dir: string, relative: string): string | undefined {
  const segments = dir === "" ? [] : dir.split("/");
  for (const raw of relative.split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      segment = raw;
    }
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (segments.length === 0) return undefined;
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return segments.join("/");
}
