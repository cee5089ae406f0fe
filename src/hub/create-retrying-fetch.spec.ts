import { describe, expect, it } from "vitest";
import { createRetryingFetch, isCommitRequest } from "./create-retrying-fetch.js";
import type { RetryNotice, RetryPolicy } from "./hub-context.js";
import { wasRetried } from "./is-transient-error.js";

const api = "http://127.0.0.1:9/api/models/alice/m/revision/main";
const commitUrl = "http://127.0.0.1:9/api/models/alice/m/commit/main";

interface Harness {
  fetch: typeof fetch;
  calls: Array<{ url: string; init: RequestInit | undefined }>;
  delays: number[];
  notices: RetryNotice[];
}

/** A retrying fetch over a scripted one: each call takes the next answer (a Response, or an error to throw). */
function harness(
  script: Array<Response | Error | (() => Response)>,
  policy: Partial<RetryPolicy> = {},
  signal?: AbortSignal,
): Harness {
  const calls: Harness["calls"] = [];
  const delays: number[] = [];
  const notices: RetryNotice[] = [];
  let clock = 0;
  const inner: typeof fetch = async (input, init) => {
    calls.push({ url: String(input), init });
    const next = script.shift();
    if (next === undefined) throw new Error("script ran out");
    if (next instanceof Error) throw next;
    return typeof next === "function" ? next() : next;
  };
  const fetch = createRetryingFetch({
    fetch: inner,
    policy: {
      retries: 3,
      baseDelayMs: 100,
      maxDelayMs: 1000,
      now: () => clock,
      sleep: async (ms) => {
        delays.push(ms);
        clock += ms;
      },
      ...policy,
    },
    onRetry: (notice) => notices.push(notice),
    ...(signal === undefined ? {} : { signal }),
  });
  return { fetch, calls, delays, notices };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const reset = (): Error =>
  new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) });
const refused = (): Error =>
  new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
/** A JSON answer whose body stops after a few bytes, as a dropped connection leaves it. */
const cutJson = (): Response =>
  new Response(
    new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"sha": "ab'));
        controller.error(
          new TypeError("terminated", {
            cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
          }),
        );
      },
    }),
    { headers: { "content-type": "application/json" } },
  );

describe("createRetryingFetch", () => {
  it("retries dropped connections and 5xx with growing, jittered delays, and says so before each wait", async () => {
    const h = harness([reset(), json({ error: "busy" }, 503), json({ error: "down" }, 502), json({ sha: "abc" })]);
    const response = await h.fetch(api);
    expect(await response.json()).toEqual({ sha: "abc" });
    expect(h.calls).toHaveLength(4);
    expect(h.delays).toHaveLength(3);
    expect(h.delays[0]).toBeGreaterThan(74);
    expect(h.delays[0]).toBeLessThanOrEqual(100);
    expect(h.delays[2]).toBeGreaterThan(299);
    expect(h.delays[2]).toBeLessThanOrEqual(400);
    expect(h.notices.map((notice) => [notice.reason, notice.attempt, notice.attempts])).toEqual([
      ["ECONNRESET", 2, 4],
      ["HTTP 503", 3, 4],
      ["HTTP 502", 4, 4],
    ]);
  });

  it("waits as long as a 429's Retry-After asks, in seconds or as an HTTP date", async () => {
    const h = harness([
      json({}, 429, { "retry-after": "3" }),
      json({}, 503, { "retry-after": new Date(100 + 3000 + 2000).toUTCString() }),
      json({ ok: 1 }),
    ]);
    expect((await h.fetch(api)).status).toBe(200);
    expect(h.delays[0]).toBe(3000);
    // The date is 5 s after the start, read at 3.1 s (the clock advanced by the first wait): about 2 s more.
    expect(h.delays[1]).toBeGreaterThanOrEqual(1000);
    expect(h.delays[1]).toBeLessThanOrEqual(2100);
  });

  it("answers with the 429 at once when Retry-After asks for longer than it will wait", async () => {
    const h = harness([json({ error: "slow down" }, 429, { "retry-after": "3600" })]);
    const response = await h.fetch(api);
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ error: "slow down" });
    expect(h.calls).toHaveLength(1);
  });

  it("gives the last answer or error back after its tries, the error marked as retried", async () => {
    const answers = harness([json({}, 500), json({}, 500), json({}, 500), json({ error: "still down" }, 500)]);
    const response = await answers.fetch(api);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "still down" });
    expect(answers.calls).toHaveLength(4);

    const errors = harness([reset(), reset(), reset(), reset()]);
    const error = await errors.fetch(api).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(wasRetried(error)).toBe(true);
    expect(errors.calls).toHaveLength(4);
  });

  it("stops once a request has taken the longest time it may, its waits included", async () => {
    const h = harness([json({}, 503), json({}, 503), json({}, 503), json({}, 503)], {
      baseDelayMs: 600,
      maxElapsedMs: 1000,
    });
    expect((await h.fetch(api)).status).toBe(503);
    // The first wait (450–600 ms) fits in 1000 ms, the second (750–1000 ms more) does not: it is not taken.
    expect(h.calls).toHaveLength(2);
  });

  it("retries a JSON answer cut short, and hands other bodies over as they stream", async () => {
    const h = harness([cutJson, json({ sha: "abc" })]);
    expect(await (await h.fetch(api)).json()).toEqual({ sha: "abc" });
    expect(h.calls).toHaveLength(2);

    const bytes = harness([
      () => new Response(new Uint8Array([1, 2, 3]), { headers: { "content-type": "application/octet-stream" } }),
    ]);
    const response = await bytes.fetch("http://127.0.0.1:9/alice/m/resolve/main/model.safetensors");
    expect(response.bodyUsed).toBe(false);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("sends a Blob body again whole, and never retries a body that streams", async () => {
    const blob = new Blob([new Uint8Array(1000).fill(7)]);
    const h = harness([reset(), new Response(null, { status: 200 })]);
    await h.fetch("http://127.0.0.1:9/lfs/upload/abc", { method: "PUT", body: blob });
    expect(h.calls.map((call) => call.init?.body)).toEqual([blob, blob]);

    const stream = harness([reset()]);
    const body = new ReadableStream({ start: (controller) => controller.close() });
    await expect(
      stream.fetch("http://127.0.0.1:9/lfs/upload/abc", { method: "PUT", body, duplex: "half" } as RequestInit),
    ).rejects.toThrow("fetch failed");
    expect(stream.calls).toHaveLength(1);
  });

  it("sends a commit again only when the Hub cannot have applied it: a refused connection or a 429", async () => {
    const init = { method: "POST", body: '{"key":"header"}' };
    for (const answer of [reset(), json({ error: "gateway" }, 502)]) {
      const h = harness([answer, json({ commitOid: "abc" })]);
      const outcome = await h.fetch(commitUrl, init).then(
        (response) => response.status,
        (error: unknown) => error,
      );
      expect(h.calls).toHaveLength(1);
      if (typeof outcome !== "number") expect(wasRetried(outcome)).toBe(false);
      else expect(outcome).toBe(502);
    }
    const h = harness([refused(), json({}, 429, { "retry-after": "1" }), json({ commitOid: "abc" })]);
    expect(await (await h.fetch(commitUrl, init)).json()).toEqual({ commitOid: "abc" });
    expect(h.calls).toHaveLength(3);
  });

  it("stops waiting and sends nothing more once aborted", async () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const fetch = createRetryingFetch({
      fetch: async (input) => {
        calls.push(String(input));
        return json({}, 503);
      },
      policy: { retries: 3, baseDelayMs: 100, maxDelayMs: 100, sleep: () => new Promise(() => {}) },
      onRetry: () => controller.abort(new Error("SIGINT")),
      signal: controller.signal,
    });
    await expect(fetch(api)).rejects.toThrow("SIGINT");
    expect(calls).toHaveLength(1);
  });

  it("gives each request its own signal, so a run's reads pile no listeners on the run's signal", async () => {
    const controller = new AbortController();
    const signals = new Set<AbortSignal>();
    const fetch = createRetryingFetch({
      fetch: async (input, init) => {
        // Node's Request adds an abort listener to the signal it is given (undici warns past 1500 of them).
        const request = new Request(input, init);
        if (init?.signal) signals.add(init.signal);
        return new Response(request.url);
      },
      policy: { retries: 0, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} },
      signal: controller.signal,
    });
    for (let i = 0; i < 3; i++) await fetch(api);
    expect(signals.size).toBe(3);
    expect(signals.has(controller.signal)).toBe(false);
    controller.abort(new Error("SIGINT"));
    expect([...signals].every((signal) => signal.aborted)).toBe(true);
  });

  it("does not retry what the caller aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const h = harness([new DOMException("aborted", "AbortError")]);
    await expect(h.fetch(api, { signal: controller.signal })).rejects.toThrow("aborted");
    expect(h.calls).toHaveLength(1);
  });
});

describe("isCommitRequest", () => {
  it("names the commit endpoint and nothing else", () => {
    expect(isCommitRequest("POST", commitUrl)).toBe(true);
    expect(isCommitRequest("POST", "http://127.0.0.1:9/api/models/alice/m/commit/main?create_pr=1")).toBe(true);
    expect(isCommitRequest("POST", "http://127.0.0.1:9/api/datasets/alice/d/commit/refs%2Fpr%2F1")).toBe(true);
    expect(isCommitRequest("GET", commitUrl)).toBe(false);
    expect(isCommitRequest("POST", "http://127.0.0.1:9/api/models/alice/m/preupload/main")).toBe(false);
    expect(isCommitRequest("POST", "http://127.0.0.1:9/api/models/alice/m/commits/main")).toBe(false);
  });
});
