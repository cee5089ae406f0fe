/**
 * The error families every layer throws and the two shells (cli, action) map the same way.
 * A message is one sentence for the user: what is wrong and what to do. Never a token.
 */
export type ErrorFamily = "usage" | "data" | "remote" | "internal";

export interface TvhubErrorOptions {
  /** A stable machine-readable code, e.g. `SAFETENSORS_BAD_OFFSETS`. */
  code: string;
  /** The file, repo or field the error is about, when there is one. */
  subject?: string;
  cause?: unknown;
}

export class TvhubError extends Error {
  readonly family: ErrorFamily = "internal";
  readonly code: string;
  readonly subject?: string;

  constructor(message: string, options: TvhubErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    if (options.subject !== undefined) this.subject = options.subject;
  }
}

/** The user asked for something malformed: a bad flag, a bad recipe field, a bad reference. Exit 2. */
export class UsageError extends TvhubError {
  override readonly family = "usage";
}

/** The input data is wrong or incompatible: a malformed file, a shape mismatch, a wrong base. Exit 1. */
export class DataError extends TvhubError {
  override readonly family = "data";
}

/** A remote service (the Hub, GitHub) refused or failed. Exit 1. */
export class RemoteError extends TvhubError {
  override readonly family = "remote";
}

/** A broken invariant: a bug in tvhub. Exit 70. */
export class InternalError extends TvhubError {
  override readonly family = "internal";
}

export function isTvhubError(error: unknown): error is TvhubError {
  return error instanceof TvhubError;
}

/** Exit codes of the CLI by family (sysexits-like for internal errors). */
export const exitCodeOf: Record<ErrorFamily, number> = { usage: 2, data: 1, remote: 1, internal: 70 };
