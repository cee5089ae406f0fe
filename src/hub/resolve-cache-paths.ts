import { join } from "node:path";
import { DataError } from "../errors.js";

/**
 * Where one model repo lives in the Hub cache, in huggingface_hub's layout, so that either tool reuses the other's
 * files.
 */
export interface CachePaths {
  /** `<cacheDir>/models--<ns>--<name>` */
  repoDir: string;
  /** `blobs/<etag>`: the content, named by sha256 (LFS) or git blob sha1. */
  blob(etag: string): string;
  /** Where a blob is written before it is complete and verified. */
  incomplete(etag: string): string;
  /** `snapshots/<sha>/<path>`: a relative symlink to the blob. */
  snapshot(sha: string, path: string): string;
  /** `refs/<branch>`: holds the commit the branch pointed at. */
  ref(revision: string): string;
  /** `.no_exist/<sha>/<path>`: an empty marker that the commit has no such file. */
  noExist(sha: string, path: string): string;
  /** tvhub's own cross-process lock for one blob (huggingface_hub's `.lock` files are flock-based, so not reused). */
  lock(etag: string): string;
}

export interface ResolveCachePathsOptions {
  cacheDir: string;
  /** `org/name` */
  repo: string;
}

export function resolveCachePaths(options: ResolveCachePathsOptions): CachePaths {
  // huggingface_hub's repo_folder_name (`@huggingface/hub` has the same rule as getRepoFolderName).
  const folder = ["models", ...options.repo.split("/")].join("--");
  const repoDir = join(options.cacheDir, folder);
  return {
    repoDir,
    blob: (etag) => join(repoDir, "blobs", safeSegment(etag, "etag")),
    incomplete: (etag) => join(repoDir, "blobs", `${safeSegment(etag, "etag")}.incomplete`),
    snapshot: (sha, path) => join(repoDir, "snapshots", safeSegment(sha, "commit"), ...safeRelativePath(path)),
    ref: (revision) => join(repoDir, "refs", ...safeRelativePath(revision)),
    noExist: (sha, path) => join(repoDir, ".no_exist", safeSegment(sha, "commit"), ...safeRelativePath(path)),
    lock: (etag) => join(options.cacheDir, ".locks", folder, `${safeSegment(etag, "etag")}.tvhub.lock`),
  };
}

/** The Hub quotes ETags and may mark them weak; the cache names blobs by the bare hash. */
export function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

function safeSegment(segment: string, what: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(segment) || segment === "." || segment === "..") {
    throw new DataError(`The ${what} "${segment}" cannot name a file in the Hub cache; check --hub-url.`, {
      code: "HUB_CACHE_BAD_NAME",
      subject: segment,
    });
  }
  return segment;
}

/** Repo paths come from the Hub and are joined onto the cache dir: refuse anything that could escape it. */
function safeRelativePath(path: string): string[] {
  const segments = path.split("/");
  const bad =
    path.length === 0 ||
    path.includes("\\") ||
    path.includes("\0") ||
    segments.some((segment) => segment === "" || segment === "." || segment === "..");
  if (bad) {
    throw new DataError(
      `The repo path "${path}" is not a safe relative path, so tvhub will not write it into the Hub cache.`,
      {
        code: "HUB_CACHE_BAD_PATH",
        subject: path,
      },
    );
  }
  return segments;
}
