import { UsageError } from "../errors.js";
import { downloadToCache } from "./download-to-cache.js";
import { getIdentity } from "./get-identity.js";
import { getModelInfo } from "./get-model-info.js";
import { createRetryingFetch } from "./create-retrying-fetch.js";
import type { HubContext, RetryNotice, RetryPolicy } from "./hub-context.js";
import { openFile } from "./open-file.js";
import { pinRevision } from "./pin-revision.js";
import { publishFiles } from "./publish-files.js";
import { readSmallFile } from "./read-small-file.js";
import { searchModels } from "./search-models.js";
import type { HubClient } from "./types.js";

export interface CreateHubClientOptions {
  /** e.g. `https://huggingface.co` or a local Hub's `http://127.0.0.1:PORT`; a trailing slash is dropped. */
  hubUrl: string;
  /** An `hf_…` token; reads of public repos need none, publishing needs a write token. */
  accessToken?: string;
  /** Every request goes through it (tests guard it to loopback). @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * The Hub cache, in huggingface_hub's layout (the caller computes it from HF_HUB_CACHE, HF_HOME, ...).
   * Without it nothing is cached and files are read with range requests.
   */
  cacheDir?: string;
  /**
   * Tries after a dropped connection, a 429 or a 5xx.
   * @default 4
   */
  retries?: number;
  /** @default 500 */
  retryDelayMs?: number;
  /** @default 8000 */
  maxRetryDelayMs?: number;
  /** Injected by tests to make backoff instant. */
  sleep?: (ms: number) => Promise<void>;
  /** The longest wait a Retry-After may ask for before the request fails instead. @default 60000 */
  maxRetryAfterMs?: number;
  /** Aborts every request (the CLI's SIGINT); a publish in flight removes what it created and says what it left. */
  signal?: AbortSignal;
  /** Told when a publish starts (true) and ends (false), so that an interrupt can wait for its clean-up. */
  onPublishing?: (active: boolean) => void;
}

/** The HubClient over `@huggingface/hub`: every call carries this client's hubUrl, token and fetch. */
export function createHubClient(options: CreateHubClientOptions): HubClient {
  const hubUrl = options.hubUrl.replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+/.test(hubUrl)) {
    throw new UsageError(
      `The Hub URL "${hubUrl}" is not an http(s) URL; pass one like https://huggingface.co with --hub-url.`,
      {
        code: "HUB_BAD_URL",
        subject: hubUrl,
      },
    );
  }
  const baseFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const retry: RetryPolicy = {
    retries: options.retries ?? 4,
    baseDelayMs: options.retryDelayMs ?? 500,
    maxDelayMs: options.maxRetryDelayMs ?? 8000,
    sleep: options.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms))),
    ...(options.maxRetryAfterMs === undefined ? {} : { maxRetryAfterMs: options.maxRetryAfterMs }),
  };
  const retryNotices: RetryNotice[] = [];
  const hub: HubContext = {
    hubUrl,
    fetch: createRetryingFetch({
      fetch: baseFetch,
      policy: retry,
      // Shown by the next download that drains them; a burst is summed up by its latest few.
      onRetry: (notice) => void (retryNotices.push(notice) > 20 && retryNotices.shift()),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    }),
    baseFetch,
    retry,
    retryNotices,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onPublishing === undefined ? {} : { onPublishing: options.onPublishing }),
    stats: { bytesDownloaded: 0, bytesUploaded: 0 },
    pins: new Map(),
    heads: new Map(),
    ...(options.accessToken === undefined || options.accessToken === "" ? {} : { accessToken: options.accessToken }),
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
  };
  return {
    hubUrl,
    pin: (args) => pinRevision({ hub, ...args }),
    modelInfo: (args) => getModelInfo({ hub, ...args }),
    readSmallFile: (args) => readSmallFile({ hub, ...args }),
    openFile: (args) => openFile({ hub, ...args }),
    downloadToCache: (args) => downloadToCache({ hub, ...args }),
    publish: (args) => publishFiles({ hub, ...args }),
    searchModels: (args) => searchModels({ hub, ...args }),
    whoami: () => getIdentity({ hub }),
    stats: () => ({ ...hub.stats }),
  };
}
