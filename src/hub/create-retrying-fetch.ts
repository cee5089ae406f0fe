import type { RetryNotice, RetryPolicy } from "./hub-context.js";
import { isTransientFailure, markRetried } from "./is-transient-error.js";
import { parseRetryAfter } from "./parse-retry-after.js";
import { networkCodeOf, scrubSecrets } from "./to-remote-error.js";
import { retryDelay } from "./with-retries.js";

export interface CreateRetryingFetchOptions {
  fetch: typeof fetch;
  policy: RetryPolicy;
  onRetry?: (notice: RetryNotice) => void;
  /** Aborts every request and every wait between tries. */
  signal?: AbortSignal;
}

/** HTTP answers worth asking again: a timeout, rate limiting, the server's own failures. */
const retryableStatuses = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * A fetch that tries a request again, with exponential backoff and jitter, when the connection fails (reset,
 * refused, timed out, a JSON answer cut short) or the Hub answers 408, 429 or 5xx, honouring Retry-After. It is
 * bounded by the policy's tries, by a longest Retry-After and by a total time per request; after that the last
 * answer (or error) is the caller's. Only a request whose body can be sent again is retried (a string, bytes, a
 * Blob: a file's Blob is re-read from disk), and a commit only when the Hub cannot have applied it (refused
 * connection, 429): whether a commit whose answer was lost landed is for publishFiles to find out, never for a
 * blind resend. An error it gave up on is marked, so that callers do not retry it a second time.
 */
export function createRetryingFetch(options: CreateRetryingFetchOptions): typeof fetch {
  const { policy } = options;
  const now = policy.now ?? Date.now;
  const maxRetryAfterMs = policy.maxRetryAfterMs ?? 60_000;
  const maxElapsedMs = policy.maxElapsedMs ?? 120_000;
  return async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const url = input instanceof Request ? input.url : String(input);
    const signal = joinSignals(init?.signal ?? undefined, options.signal);
    const request: RequestInit = { ...init, ...(signal === undefined ? {} : { signal }) };
    const replayable = isReplayable(input, init?.body);
    const commit = isCommitRequest(method, url);
    const startedAt = now();
    const attempts = policy.retries + 1;
    for (let attempt = 0; ; attempt++) {
      const backoffMs = retryDelay(policy, attempt);
      // Whether another try may follow this one, after `delayMs`.
      const mayWait = (delayMs: number): boolean =>
        attempt < policy.retries && now() - startedAt + delayMs <= maxElapsedMs;
      /** The failure worth another try, or the answer for the caller; throws what is not worth one. */
      const once = async (): Promise<Response | { reason: string; delayMs: number }> => {
        let response: Response;
        try {
          response = await options.fetch(input, request);
        } catch (error) {
          const mayRetry =
            replayable &&
            !signal?.aborted &&
            isTransientFailure(error) &&
            (!commit || networkCodeOf(error) === "ECONNREFUSED");
          if (!mayRetry) throw error;
          if (!mayWait(backoffMs)) throw markRetried(error);
          return { reason: reasonOf(error), delayMs: backoffMs };
        }
        if (retryableStatuses(response.status) && replayable && (!commit || response.status === 429)) {
          const waitMs = parseRetryAfter(response.headers.get("retry-after"), now());
          const delayMs = Math.max(backoffMs, waitMs ?? 0);
          if ((waitMs !== undefined && waitMs > maxRetryAfterMs) || !mayWait(delayMs)) return response;
          await response.body?.cancel().catch(() => {});
          return { reason: `HTTP ${response.status}`, delayMs };
        }
        if (!response.ok || !replayable || commit || !isJson(response)) return response;
        // A JSON answer is small: read it here, so that one cut short is retried like a dropped connection.
        try {
          return await buffered(response);
        } catch (error) {
          if (signal?.aborted || !isTransientFailure(error)) throw error;
          if (!mayWait(backoffMs)) throw markRetried(error);
          return { reason: reasonOf(error), delayMs: backoffMs };
        }
      };
      const outcome = await once();
      if (outcome instanceof Response) return outcome;
      options.onRetry?.({
        method,
        url: scrubSecrets(url.replace(/[?#].*$/, "")),
        reason: outcome.reason,
        attempt: attempt + 2,
        attempts,
        delayMs: outcome.delayMs,
      });
      await sleepUnlessAborted(policy.sleep, outcome.delayMs, signal);
    }
  };
}

/**
 * `POST /api/{models,datasets,spaces}/{repo}/commit/{revision}`: the one request the Hub applies only once per send.
 */
export function isCommitRequest(method: string, url: string): boolean {
  if (method !== "POST") return false;
  try {
    return /^\/api\/(models|datasets|spaces)\/.+\/commit\/[^/]+$/.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

function isReplayable(input: Parameters<typeof fetch>[0], body: RequestInit["body"]): boolean {
  if (input instanceof Request && input.body !== null) return false;
  return (
    body === undefined ||
    body === null ||
    typeof body === "string" ||
    body instanceof Blob ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof URLSearchParams ||
    body instanceof FormData
  );
}

function isJson(response: Response): boolean {
  return /json/i.test(response.headers.get("content-type") ?? "");
}

async function buffered(response: Response): Promise<Response> {
  const bytes = await response.arrayBuffer();
  const copy = new Response(bytes, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // The library builds error messages and next-page links from it.
  Object.defineProperty(copy, "url", { value: response.url });
  return copy;
}

function reasonOf(error: unknown): string {
  const code = networkCodeOf(error);
  if (code !== undefined) return code;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Always a signal of the request's own: Node's fetch adds an abort listener to the signal it is given, so passing
 * the run's one signal to every request of a long run piled them up (undici's MaxListenersExceededWarning, printed
 * dozens of times by npm run demo); AbortSignal.any follows its sources without adding listeners to them.
 */
function joinSignals(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  const sources = [a, b].filter((signal) => signal !== undefined);
  return sources.length === 0 ? undefined : AbortSignal.any(sources);
}

async function sleepUnlessAborted(
  sleep: (ms: number) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (signal === undefined) return sleep(ms);
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
