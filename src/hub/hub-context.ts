import type { TransferStats } from "./types.js";

/** When and how often a failed request is tried again. */
export interface RetryPolicy {
  /** Tries after the first one. */
  retries: number;
  /** Delay before the first retry; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** What every Hub verb needs; built once by `createHubClient` and passed down, never read from the environment. */
export interface HubContext {
  /** Without a trailing slash: the library builds URLs by concatenation. */
  hubUrl: string;
  accessToken?: string;
  fetch: typeof fetch;
  /** The Hub cache (`HF_HUB_CACHE` layout); undefined turns caching off. */
  cacheDir?: string;
  retry: RetryPolicy;
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
