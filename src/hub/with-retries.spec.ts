import { HubApiError } from "@huggingface/hub";
import { describe, expect, it } from "vitest";
import type { RetryPolicy } from "./hub-context.js";
import { markRetried, TransientError } from "./is-transient-error.js";
import { loadHubLibrary } from "./load-hub-library.js";
import { retryDelay, withRetries } from "./with-retries.js";

// The library's errors are only ever thrown after a Hub call loaded it, which is when retries recognise them.
await loadHubLibrary();

function policy(delays: number[]): RetryPolicy {
  return { retries: 3, baseDelayMs: 100, maxDelayMs: 250, sleep: async (ms) => void delays.push(ms) };
}

/** withRetries over a call that throws `failureOf(n)` on its n-th call (from 1), and how many calls it made. */
function retryAlwaysFailing(failureOf: (calls: number) => unknown) {
  let calls = 0;
  const result = withRetries({
    policy: policy([]),
    run: async () => {
      calls++;
      throw failureOf(calls);
    },
  });
  return { result, calls: () => calls };
}

describe("withRetries", () => {
  it("retries dropped connections and 5xx with growing delays, then succeeds", async () => {
    const delays: number[] = [];
    const reset = new TypeError("terminated", {
      cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
    });
    const failures: unknown[] = [new TypeError("terminated"), reset, new TransientError("short")];
    const result = await withRetries({
      policy: policy(delays),
      run: async (attempt) => {
        const failure = failures[attempt];
        if (failure !== undefined) throw failure;
        return attempt;
      },
    });
    expect(result).toBe(3);
    expect(delays).toHaveLength(3);
    expect(delays[0]).toBeGreaterThan(74);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[2]).toBeLessThanOrEqual(250);
  });

  it.each([
    ["a 401", new HubApiError("u", 401)],
    ["a 404", new HubApiError("u", 404)],
    ["a 5xx the retrying fetch gave up on", new HubApiError("u", 502)],
    [
      "a connection the retrying fetch gave up on",
      markRetried(new TypeError("fetch failed", { cause: { code: "ECONNRESET" } })),
    ],
  ])("does not retry %s (retried below)", async (_, failure) => {
    const attempt = retryAlwaysFailing(() => failure);
    await expect(attempt.result).rejects.toBe(failure);
    expect(attempt.calls()).toBe(1);
  });

  it("gives up after the policy's retries with the last error", async () => {
    const attempt = retryAlwaysFailing((calls) => new TransientError(`short ${calls}`));
    await expect(attempt.result).rejects.toThrow("short 4");
    expect(attempt.calls()).toBe(4);
  });
});

describe("retryDelay", () => {
  it("doubles up to the cap", () => {
    const p = policy([]);
    expect(retryDelay(p, 0)).toBeLessThanOrEqual(100);
    expect(retryDelay(p, 1)).toBeGreaterThan(149);
    expect(retryDelay(p, 1)).toBeLessThanOrEqual(200);
    expect(retryDelay(p, 5)).toBeLessThanOrEqual(250);
  });
});
