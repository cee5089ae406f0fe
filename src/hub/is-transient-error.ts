import { isHubApiError } from "./is-hub-api-error.js";
import { networkCodeOf } from "./to-remote-error.js";

/** A failure worth trying again: a short body, say. Carries the message shown if the retries run out. */
export class TransientError extends Error {
  override readonly name = "TransientError";
}

/** Dropped connections, timeouts, 408/429/5xx: the same request may well succeed a moment later. */
export function isTransientError(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  if (isHubApiError(error)) {
    return error.statusCode === 408 || error.statusCode === 429 || error.statusCode >= 500;
  }
  if (networkCodeOf(error) !== undefined) return true;
  // undici: "fetch failed" (connect/reset), "terminated" (the body stopped mid-stream).
  return error instanceof TypeError && /fetch failed|terminated|other side closed|socket/i.test(error.message);
}
