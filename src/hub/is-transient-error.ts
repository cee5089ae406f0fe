import { isHubApiError } from "./is-hub-api-error.js";
import { networkCodeOf } from "./to-remote-error.js";

/** A failure worth trying again: a short body, say. Carries the message shown if the retries run out. */
export class TransientError extends Error {
  override readonly name = "TransientError";
}

const retried = Symbol("tvhub.retried");

/** Dropped connections, timeouts, 408/429/5xx: the same request may well succeed a moment later. */
export function isTransientFailure(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  if (isHubApiError(error)) {
    return error.statusCode === 408 || error.statusCode === 429 || error.statusCode >= 500;
  }
  if (networkCodeOf(error) !== undefined) return true;
  // undici: "fetch failed" (connect/reset), "terminated" (the body stopped mid-stream).
  return error instanceof TypeError && /fetch failed|terminated|other side closed|socket/i.test(error.message);
}

/**
 * Worth repeating a whole call (withRetries): a transient failure that the retrying fetch under every Hub call has
 * not already retried. That fetch retries each request's 408/429/5xx answers and failed connections, so what is
 * left is a body that stopped after the answer began, or a short one.
 */
export function isTransientError(error: unknown): boolean {
  if (wasRetried(error) || isHubApiError(error)) return false;
  return isTransientFailure(error);
}

/** Marks an error the retrying fetch gave up on; returns it. */
export function markRetried<T>(error: T): T {
  if (error !== null && typeof error === "object" && Object.isExtensible(error)) {
    Object.defineProperty(error, retried, { value: true });
  }
  return error;
}

export function wasRetried(error: unknown): boolean {
  return error !== null && typeof error === "object" && (error as { [retried]?: boolean })[retried] === true;
}
