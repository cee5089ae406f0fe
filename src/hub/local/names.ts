import { badRequest } from "./http-error.js";

/** The repo kinds this server stores; spaces need a runtime it does not have. */
export type RepoType = "model" | "dataset";

export const repoTypes: readonly RepoType[] = ["model", "dataset"];

/** First path segments the router owns, so no user, org or repo namespace may take them. */
export const reservedNamespaces: ReadonlySet<string> = new Set([
  "api",
  "models",
  "datasets",
  "spaces",
  "buckets",
  "lfs-upload",
  "docs",
  "settings",
  "organizations",
]);

const namePattern = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$/;

/** Hub-style names (users, orgs and repos): letters, digits, `-`, `_`, `.`; no `--` or `..`; at most 96 chars. */
export function isValidName(name: string): boolean {
  return namePattern.test(name) && !name.includes("--") && !name.includes("..") && !name.toLowerCase().endsWith(".git");
}

export function isValidNamespace(name: string): boolean {
  return isValidName(name) && !reservedNamespaces.has(name.toLowerCase());
}

const branchPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Branch names are single path-safe segments (they name a file under refs/heads); never a commit id or HEAD. */
export function isValidBranch(name: string): boolean {
  return (
    branchPattern.test(name) &&
    !name.includes("..") &&
    !name.endsWith(".lock") &&
    !name.endsWith(".") &&
    name !== "HEAD" &&
    !isCommitId(name)
  );
}

export function isCommitId(text: string): boolean {
  return /^[0-9a-f]{40}$/.test(text);
}

export function isSha256(text: string): boolean {
  return /^[0-9a-f]{64}$/.test(text);
}

/** Longest file path, in UTF-8 bytes, a commit may write (git's own limit is the filesystem's). */
export const maxFilePathBytes = 1024;

/**
 * Checks a path inside a repo. File paths never become disk paths here (storage is content-addressed), but a
 * Hub client would write them to disk on download, so anything that could climb out of a folder is refused.
 */
export function checkFilePath(path: string): string {
  const reason = filePathProblem(path);
  if (reason) throw badRequest(`Invalid path ${JSON.stringify(path)}: ${reason}.`, "HUB_BAD_PATH");
  return path;
}

function filePathProblem(path: string): string | undefined {
  if (path.length === 0) return "it is empty";
  if (Buffer.byteLength(path) > maxFilePathBytes) return `it is longer than ${maxFilePathBytes} bytes`;
  if (path.includes("\0")) return "it contains a NUL byte";
  if (path.includes("\\")) return "it contains a backslash; use / between folders";
  if (/[\u0000-\u001f\u007f]/.test(path)) return "it contains a control character";
  if (path.startsWith("/")) return "it is absolute; give it relative to the repo root";
  if (/^[A-Za-z]:/.test(path)) return "it starts with a drive letter";
  if (/[#?%]/.test(path)) return "it contains #, ? or %, which Hub URLs cannot carry unambiguously";
  const segments = path.split("/");
  for (const segment of segments) {
    if (segment === "") return "it has an empty folder name (// or a trailing /)";
    if (segment === "." || segment === "..") return "it contains a . or .. segment";
    if (segment === ".git") return "it writes inside .git";
    if (Buffer.byteLength(segment) > 255) return "a folder or file name is longer than 255 bytes";
  }
  return undefined;
}

/** Like checkFilePath but allows the empty path (the repo root) for tree listings. */
export function checkFolderPath(path: string): string {
  return path === "" ? path : checkFilePath(path);
}
