import type { HubApiError } from "@huggingface/hub";
import { RemoteError, TvhubError, UsageError } from "../errors.js";
import { isHubApiError, isInvalidApiResponseError } from "./is-hub-api-error.js";

export interface ToRemoteErrorOptions {
  error: unknown;
  /** `org/name` (or `org/name@sha:path`) the call was about; every message names it. */
  repo: string;
  hubUrl: string;
  /** Scrubbed from any text that came from elsewhere (a server message, a library error). */
  accessToken?: string;
  /** What tvhub was doing, as a phrase the repo follows, e.g. `pinning`, `reading config.json of`, `publishing to`. */
  doing: string;
  /**
   * Whether the call needed write access, which changes what a refused token should be replaced with.
   * @default "read"
   */
  access?: "read" | "write";
}

/** Network failures that Node's fetch reports as a TypeError whose `cause` carries the code. */
const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/**
 * Turns whatever a Hub call threw into a TvhubError whose message is one sentence that names the repo,
 * says what to do, and never contains the token. The original error stays reachable as `cause`.
 */
export function toRemoteError(options: ToRemoteErrorOptions): TvhubError {
  const { error, repo, hubUrl, doing } = options;
  if (error instanceof TvhubError) return error;
  const scrub = (text: string): string => scrubSecrets(text, options.accessToken);
  const hasToken = options.accessToken !== undefined;
  const tokenAdvice =
    options.access === "write"
      ? "pass a write token with --token or HF_TOKEN"
      : `pass a token that can read ${repo} with --token or HF_TOKEN`;

  if (isHubApiError(error)) {
    const status = error.statusCode;
    const make = (message: string, code: string): RemoteError =>
      new RemoteError(message, { code, subject: repo, cause: error });
    const detail = serverDetail(error, scrub);
    const failed = `${capitalize(doing)} ${repo} on ${hubUrl} failed`;
    if (status === 404 || (status === 401 && !hasToken)) {
      return hasToken
        ? make(
            `${repo} was not found on ${hubUrl} (or the token cannot see it); check the name and the token.`,
            "HUB_NOT_FOUND",
          )
        : make(
            `${repo} was not found on ${hubUrl}; check the name, or pass --token if it is private.`,
            "HUB_NOT_FOUND",
          );
    }
    if (status === 401 || status === 403) {
      return make(`${failed}: the token was refused; ${tokenAdvice}.`, "HUB_TOKEN_REFUSED");
    }
    if (status === 409) return make(`${failed}: conflict${detail}; rerun, or pick another repo name.`, "HUB_CONFLICT");
    if (status === 412) return make(`${repo} changed on ${hubUrl} during the run; rerun.`, "HUB_CHANGED");
    if (status === 429)
      return make(`${failed}: the Hub is rate-limiting requests; wait a few minutes and rerun.`, "HUB_RATE_LIMITED");
    if (status >= 500)
      return make(`${failed}: the Hub answered HTTP ${status}${detail}; rerun later.`, "HUB_SERVER_ERROR");
    return make(
      `${failed} with HTTP ${status}${detail}; check that --hub-url points at a Hugging Face Hub.`,
      "HUB_REFUSED",
    );
  }

  if (error instanceof TypeError && /must start with 'hf_'/.test(error.message)) {
    return new UsageError(
      `The Hub token does not start with "hf_", so it cannot be used for ${repo}; pass a valid token with --token ` +
        "or HF_TOKEN.",
      {
        code: "HUB_BAD_TOKEN",
        subject: repo,
      },
    );
  }

  const code = networkCodeOf(error);
  if (code !== undefined || (error instanceof TypeError && /fetch failed|terminated|network/i.test(error.message))) {
    const cause = (error as { cause?: unknown }).cause;
    const reason = code ?? (cause instanceof Error && cause.message.length > 0 ? scrub(cause.message) : undefined);
    return new RemoteError(
      `${capitalize(doing)} ${repo} on ${hubUrl} failed: could not reach the ` +
        `Hub${reason === undefined ? "" : ` (${reason})`}; check --hub-url and the network, then rerun.`,
      { code: "HUB_UNREACHABLE", subject: repo, cause: error },
    );
  }

  if (isInvalidApiResponseError(error)) {
    return new RemoteError(
      `${capitalize(doing)} ${repo} on ${hubUrl} failed: unexpected response (${scrub(error.message)}); check that ` +
        "--hub-url points at a Hugging Face Hub.",
      {
        code: "HUB_BAD_RESPONSE",
        subject: repo,
        cause: error,
      },
    );
  }

  const message = error instanceof Error ? error.message : String(error);
  return new RemoteError(`${capitalize(doing)} ${repo} on ${hubUrl} failed (${scrub(message)}); rerun.`, {
    code: "HUB_FAILED",
    subject: repo,
    cause: error,
  });
}

/** The code of a network failure, looking through `cause` chains (undici wraps the socket error). */
export function networkCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && networkCodes.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The server's own explanation, when it sent one as JSON, as a parenthesised clause. */
function serverDetail(error: HubApiError, scrub: (text: string) => string): string {
  const data = error.data as { error?: unknown; message?: unknown } | undefined;
  const text = typeof data?.error === "string" ? data.error : typeof data?.message === "string" ? data.message : "";
  const oneLine = scrub(text)
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.;]+$/, "");
  if (oneLine.length === 0) return "";
  return ` (${oneLine.length > 200 ? `${oneLine.slice(0, 197)}...` : oneLine})`;
}

/** Removes the token, anything shaped like a Hub token, and query strings (signed upload URLs) from text. */
export function scrubSecrets(text: string, accessToken?: string): string {
  let out = text;
  if (accessToken !== undefined && accessToken.length > 0) out = out.split(accessToken).join("***");
  return out.replace(/hf_[A-Za-z0-9._-]{6,}/g, "hf_***").replace(/(https?:\/\/[^\s?]+)\?\S*/g, "$1");
}

function capitalize(text: string): string {
  return text.length === 0 ? text : text[0]?.toUpperCase() + text.slice(1);
}
