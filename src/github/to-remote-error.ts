import { RemoteError, TvhubError } from "../errors.js";

export interface ToRemoteErrorOptions {
  error: unknown;
  /** What tvhub was doing, as a gerund phrase: "listing the comments of acme/widgets#12". */
  doing: string;
  /** The API base URL, named when GitHub could not be reached. */
  baseUrl: string;
  /** Secrets to keep out of the message, whatever the server echoed. */
  secrets: readonly string[];
}

/** Turns an octokit failure into a one-line RemoteError that says what to do; never carries a token. */
export function toRemoteError(options: ToRemoteErrorOptions): TvhubError {
  const { error, doing } = options;
  if (error instanceof TvhubError) return error;
  const status = statusOf(error);
  const detail = clean(detailOf(error), options.secrets);
  const hasResponse =
    typeof error === "object" && error !== null && "response" in error && error.response !== undefined;
  const make = (message: string, code: string) =>
    new RemoteError(message, { code, subject: options.baseUrl, cause: error });
  if (!hasResponse) {
    return make(
      `Could not reach GitHub at ${options.baseUrl} while ${doing} (${detail}); check GITHUB_API_URL and the ` +
        "runner's network.",
      "GITHUB_UNREACHABLE",
    );
  }
  const http = `HTTP ${status}${detail ? `: ${detail}` : ""}`;
  if (status === 401) {
    return make(
      `GitHub rejected the token while ${doing} (${http}); check that the GitHub token is valid and not expired.`,
      "GITHUB_UNAUTHORIZED",
    );
  }
  if (status === 429 || (status === 403 && /rate limit/i.test(detail))) {
    return make(
      `GitHub's rate limit stopped tvhub while ${doing}, even after waiting and retrying (${http}); rerun the job ` +
        "later.",
      "GITHUB_RATE_LIMITED",
    );
  }
  if (status === 403) {
    return make(
      `GitHub denied ${doing} (${http}); give the token write access, e.g. "permissions: { pull-requests: write, ` +
        `contents: write }" in the workflow (a pull request from a fork gets a read-only token).`,
      "GITHUB_FORBIDDEN",
    );
  }
  if (status === 404) {
    return make(
      `GitHub found nothing while ${doing} (${http}); check the repository and that the token can see it.`,
      "GITHUB_NOT_FOUND",
    );
  }
  if (status === 422) {
    return make(
      `GitHub refused the request while ${doing} (${http}); the comment may be too long or the target gone.`,
      "GITHUB_UNPROCESSABLE",
    );
  }
  return make(
    `GitHub failed while ${doing} (${http}); rerun the job, and report it if it keeps failing.`,
    "GITHUB_FAILED",
  );
}

function statusOf(error: unknown): number {
  if (typeof error === "object" && error !== null && "status" in error && typeof error.status === "number")
    return error.status;
  return 0;
}

function detailOf(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const data = "response" in error ? (error.response as { data?: unknown } | undefined)?.data : undefined;
    if (typeof data === "object" && data !== null && "message" in data && typeof data.message === "string")
      return data.message;
    if (error instanceof Error) return error.message;
  }
  return String(error);
}

/** One line, bounded, without any secret or anything shaped like a GitHub or Hub token. */
function clean(text: string, secrets: readonly string[]): string {
  let out = text.replace(/\s+/g, " ").trim();
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("***");
  out = out.replace(/\b(gh[pousr]_[A-Za-z0-9]{8,}|github_pat_[A-Za-z0-9_]{8,}|hf_[A-Za-z0-9]{6,})/g, "***");
  out = out.replace(/[.;]+$/, "");
  return out.length > 200 ? `${out.slice(0, 197)}...` : out;
}
