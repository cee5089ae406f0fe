import type { IncomingMessage, ServerResponse } from "node:http";
import type { AccessControl, Caller } from "./access-control.js";
import type { CardFacts } from "./derive-card-data.js";
import { HttpError, repoNotFound } from "./http-error.js";
import type { Route } from "./match-route.js";
import type { HubStorage } from "./open-storage.js";
import type { CommitRecord, RepoKey, RepoRecord } from "./types.js";
import type { UploadSigner } from "./upload-signer.js";
import type { XetContext } from "./xet/xet-context.js";

/** Size limits; every body and line the server reads is bounded by one of these. */
export interface HubLimits {
  /** Files at least this large are sent through LFS (preupload says so, and inline files above it are refused). */
  lfsThreshold: number;
  /** Largest LFS object accepted. */
  maxObjectBytes: number;
  /** Largest JSON body (create repo with files, paths-info, preupload, LFS batch). */
  maxJsonBytes: number;
  /** Longest line of an NDJSON commit (one base64 inline file plus framing). */
  maxCommitLineBytes: number;
  /** Most operations in one commit. */
  maxCommitOperations: number;
  /** Most files in one preupload request (the Python client sends 256 at a time, the JS client 100). */
  maxPreuploadFiles: number;
  /** Most objects in one LFS batch request (the clients send at most 256). */
  maxLfsBatchObjects: number;
  /** Most paths in one paths-info request. */
  maxPathsInfoPaths: number;
  /** Most items per page of a listing. */
  maxPageSize: number;
}

export const defaultLimits: HubLimits = {
  lfsThreshold: 10 * 1024 * 1024,
  maxObjectBytes: 50 * 1000 ** 3,
  maxJsonBytes: 16 * 1024 * 1024,
  maxCommitLineBytes: 16 * 1024 * 1024,
  maxCommitOperations: 50_000,
  maxPreuploadFiles: 1000,
  maxLfsBatchObjects: 1000,
  maxPathsInfoPaths: 10_000,
  maxPageSize: 1000,
};

/** What every handler shares: storage, the access rules, the upload signer, limits and the clock. */
export interface HubContext {
  storage: HubStorage;
  access: AccessControl;
  signer: UploadSigner;
  /** Xet uploads: the xorb store and CAS tokens. */
  xet: XetContext;
  limits: HubLimits;
  now: () => Date;
  /** Card data and tags of a commit (cached: commits never change). */
  cardFacts: (repo: RepoRecord, commit: CommitRecord) => Promise<CardFacts>;
}

/** One request, routed and authenticated. */
export interface Exchange<R extends Route = Route> {
  req: IncomingMessage;
  res: ServerResponse;
  route: R;
  rawPath: string;
  query: URLSearchParams;
  /** Public origin for absolute URLs (Link, upload hrefs, repo URLs). */
  origin: string;
  caller: Caller;
}

/** A repo the caller may read; otherwise the 404 every missing repo gets (private repos stay secret). */
export async function readableRepo(hub: HubContext, caller: Caller, key: RepoKey): Promise<RepoRecord> {
  const repo = await hub.storage.repos.getRepo(key);
  if (!repo || !hub.access.canRead(caller, repo)) throw repoNotFound();
  return repo;
}

/** A repo the caller may write: 404 if they cannot see it, 401 if anonymous, 403 if it is someone else's. */
export async function writableRepo(hub: HubContext, caller: Caller, key: RepoKey): Promise<RepoRecord> {
  const repo = await readableRepo(hub, caller, key);
  assertCanWrite(hub, caller, repo.namespace);
  return repo;
}

export function assertCanWrite(hub: HubContext, caller: Caller, namespace: string): void {
  if (caller.user === undefined) {
    throw new HttpError(
      `Writing to "${namespace}" needs a token; pass the access token of a user who may write there.`,
      {
        status: 401,
        code: "HUB_AUTH_REQUIRED",
      },
    );
  }
  if (!hub.access.canWrite(caller, namespace)) {
    throw new HttpError(
      `User "${caller.user}" may not write to the namespace "${namespace}"; ask an owner or an org member.`,
      {
        status: 403,
        code: "HUB_FORBIDDEN",
      },
    );
  }
}
