import type { TransferStats } from "./types.js";

/** When and how often a failed request is tried again. */
export interface RetryPolicy {
  /** Tries after the first one. */
  retries: number;
  /** Delay before the first retry; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  /**
   * The longest a Retry-After may ask to wait: a Hub that asks for longer is answered with its own error at once.
   * @default 60000
   */
  maxRetryAfterMs?: number;
  /**
   * The longest one request may take, its retries and their waits included; no retry starts after it.
   * @default 120000
   */
  maxElapsedMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/** One retry about to happen, for a progress line. */
export interface RetryNotice {
  method: string;
  /** The URL without its query (a signed upload URL's signature stays out of logs). */
  url: string;
  /** What failed: `HTTP 503`, `ECONNRESET`, ... */
  reason: string;
  /** The try about to start, counting from 1 for the first request. */
  attempt: number;
  /** Tries in all. */
  attempts: number;
  delayMs: number;
}

/** What every Hub verb needs; built once by `createHubClient` and passed down, never read from the environment. */
export interface HubContext {
  /** Without a trailing slash: the library builds URLs by concatenation. */
  hubUrl: string;
  accessToken?: string;
  /** Retries every request it can replay (createRetryingFetch over `baseFetch`). */
  fetch: typeof fetch;
  /**
   * The caller's fetch without retries, for a verb that wraps it differently (publishFiles counts upload bytes below
   * the retries).
   */
  baseFetch?: typeof fetch;
  /** Aborts what is in flight (the CLI's SIGINT): a publish then cleans up and says what it left. */
  signal?: AbortSignal;
  /** Told when a publish starts and ends, so that an interrupt can wait for its clean-up. */
  onPublishing?: (active: boolean) => void;
  /** The Hub cache (`HF_HUB_CACHE` layout); undefined turns caching off. */
  cacheDir?: string;
  retry: RetryPolicy;
  /** Retries of `fetch` not shown yet; a download drains them into its progress. */
  retryNotices?: RetryNotice[];
  /** Mutable running totals. */
  stats: TransferStats;
  /** `repo@sha` → the branch or tag it was pinned from, so cache writes can record `refs/<branch>`. */
  pins: Map<string, string>;
  /**
   * `repo@sha/path` → the first bytes of a remote file read so far (its safetensors header): a commit's files never
   * change, so the check and the execution of a run fetch (and count) a header once.
   */
  heads?: Map<string, Uint8Array>;
}

/** The library's credential parameter, present only when there is a token. */
export function credentialsOf(hub: HubContext): { accessToken?: string } {
  return hub.accessToken === undefined ? {} : { accessToken: hub.accessToken };
}
