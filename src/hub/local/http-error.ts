import { UsageError } from "../../errors.js";

/** The Hub's `X-Error-Code` values that clients branch on (the official client reads `EntryNotFound`). */
export type HubErrorCode = "RepoNotFound" | "RevisionNotFound" | "EntryNotFound" | "GatedRepo";

export interface HttpErrorOptions {
  /** HTTP status to answer with. */
  status: number;
  /** A stable machine-readable code, as every tvhub error has. */
  code: string;
  /** Sent as `X-Error-Code` so clients can tell a missing file from a missing repo. */
  hubCode?: HubErrorCode;
  /** Extra fields of the JSON error body (the Hub's 409 on create names the existing repo's `url`). */
  body?: Record<string, unknown>;
  /** Extra response headers (a missing file's 404 names the commit it was looked up in). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * A request the local Hub refuses. The message is sent to the client as `{"error": message}`, so it must never
 * contain a token or a path on the server's disk.
 */
export class HttpError extends UsageError {
  readonly status: number;
  readonly hubCode?: HubErrorCode;
  readonly body?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(message: string, options: HttpErrorOptions) {
    super(message, { code: options.code, cause: options.cause });
    this.status = options.status;
    if (options.hubCode !== undefined) this.hubCode = options.hubCode;
    if (options.body !== undefined) this.body = options.body;
    if (options.headers !== undefined) this.headers = options.headers;
  }
}

export function badRequest(message: string, code = "HUB_BAD_REQUEST"): HttpError {
  return new HttpError(message, { status: 400, code });
}

/** The same answer for a repo that does not exist and a private repo the caller may not see. */
export function repoNotFound(): HttpError {
  return new HttpError("Repository not found; check the name, or pass a token that can read it.", {
    status: 404,
    code: "HUB_REPO_NOT_FOUND",
    hubCode: "RepoNotFound",
  });
}

export function revisionNotFound(revision: string): HttpError {
  return new HttpError(`Revision "${revision}" not found; use a branch name or a full 40-character commit id.`, {
    status: 404,
    code: "HUB_REVISION_NOT_FOUND",
    hubCode: "RevisionNotFound",
  });
}

/** `commit`, when known, goes out as `X-Repo-Commit`: the Python client then caches the file's absence. */
export function entryNotFound(path: string, revision: string, commit?: string): HttpError {
  return new HttpError(`Entry "${path}" not found at revision "${revision}".`, {
    status: 404,
    code: "HUB_ENTRY_NOT_FOUND",
    hubCode: "EntryNotFound",
    ...(commit !== undefined && { headers: { "X-Repo-Commit": commit } }),
  });
}

/** A list in one request longer than this server takes (the Hub answers 413 too); clients split such requests. */
export function tooManyItems(what: string, limit: number): HttpError {
  return new HttpError(
    `The ${what} lists more than the ${limit} this server takes in one request; send them in batches.`,
    {
      status: 413,
      code: "HUB_TOO_MANY_ITEMS",
    },
  );
}

export function payloadTooLarge(what: string, limit: number): HttpError {
  return new HttpError(`The ${what} is larger than the ${limit}-byte limit of this server; send less per request.`, {
    status: 413,
    code: "HUB_PAYLOAD_TOO_LARGE",
  });
}
