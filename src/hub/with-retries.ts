import type { RetryPolicy } from "./hub-context.js";
import { isTransientError } from "./is-transient-error.js";

export interface WithRetriesOptions<T> {
  policy: RetryPolicy;
  /** One attempt; `attempt` counts from 0. */
  run: (attempt: number) => Promise<T>;
  /** @default isTransientError */
  isRetryable?: (error: unknown) => boolean;
}

/**
 * Runs `run` until it succeeds, a failure is not retryable, or the policy's retries are spent (exponential backoff).
 */
export async function withRetries<T>(options: WithRetriesOptions<T>): Promise<T> {
  const isRetryable = options.isRetryable ?? isTransientError;
  for (let attempt = 0; ; attempt++) {
    try {
      return await options.run(attempt);
    } catch (error) {
      if (attempt >= options.policy.retries || !isRetryable(error)) throw error;
      await options.policy.sleep(retryDelay(options.policy, attempt));
    }
  }
}

/** Doubling delays, capped, with up to 25% jitter so that parallel readers do not retry in lockstep. */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  const base = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(base * (1 - Math.random() * 0.25));
}
