import type { Octokit } from "octokit";
import type { GitHubLog } from "./reporter.js";

export interface CreateOctokitOptions {
  token: string;
  /** The REST API root, `GITHUB_API_URL` on a runner. @default "https://api.github.com" */
  baseUrl?: string;
  /** A replacement for the global fetch (tests, proxies). */
  fetch?: typeof fetch;
  log?: GitHubLog;
  /** How often a request stopped by a rate limit is retried before the error surfaces. @default 2 */
  rateLimitRetries?: number;
  /** A rate limit that asks for a longer wait than this fails at once rather than holding the job. @default 120 */
  maxRetryAfterSeconds?: number;
  /** How many times a request that failed with a server error or a network error is retried. @default 3 */
  serverErrorRetries?: number;
  /** Milliseconds per second of waiting (`retry-after`, backoff); tests shrink it. @default 1000 */
  secondMs?: number;
  /** Keys the client's write and notification pacing; clients that share an id share the pacing. @default "tvhub" */
  throttleId?: string;
  /**
   * GitHub asks integrations to space requests that create content (1 s apart, 3 s for ones that notify people);
   * a run makes one or two, so this costs nothing in a job, but tests that make dozens switch it off.
   * @default true
   */
  writePacing?: boolean;
}

type ThrottleOptions = NonNullable<NonNullable<ConstructorParameters<typeof Octokit>[0]>["throttle"]>;

/** Stands in for a Bottleneck group that runs every job at once. */
const unpaced = {
  key: () => ({
    schedule: (_options: unknown, job: (...args: unknown[]) => unknown, ...args: unknown[]) =>
      Promise.resolve(job(...args)),
  }),
} as unknown as NonNullable<ThrottleOptions["write"]>;

export const defaultGitHubApiUrl = "https://api.github.com";

/**
 * The one place octokit is configured: retries for server and network errors, and bounded retries when GitHub
 * says to slow down (a primary or secondary rate limit), waiting as long as its headers ask. Async because octokit is
 * imported here, on first use: a static import would load it whenever the bundle that holds this module starts.
 */
export async function createOctokit(options: CreateOctokitOptions): Promise<Octokit> {
  const log = options.log ?? { info: () => {}, warn: () => {} };
  const retries = options.rateLimitRetries ?? 2;
  const maxWait = options.maxRetryAfterSeconds ?? 120;
  const secondMs = options.secondMs ?? 1000;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      if (retryCount >= retries || retryAfter > maxWait) {
        log.warn(`GitHub's ${kind} stopped ${request.method} ${request.url}; giving up after ${retryCount} retries.`);
        return false;
      }
      log.warn(
        `GitHub's ${kind} hit ${request.method} ${request.url}; retrying in ${retryAfter} s (retry ` +
          `${retryCount + 1} of ${retries}).`,
      );
      return true;
    };
  const request: { fetch?: typeof fetch } = {};
  if (options.fetch) request.fetch = options.fetch;
  const throttle: ThrottleOptions = {
    id: options.throttleId ?? "tvhub",
    retryAfterBaseValue: secondMs,
    onRateLimit: onLimit("rate limit"),
    onSecondaryRateLimit: onLimit("secondary rate limit"),
  };
  if (options.writePacing === false) Object.assign(throttle, { write: unpaced, notifications: unpaced });
  const { Octokit } = await import("octokit");
  return new Octokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? defaultGitHubApiUrl).replace(/\/+$/, ""),
    userAgent: "tvhub",
    request,
    log: {
      debug: () => {},
      info: (m: string) => log.info(m),
      warn: (m: string) => log.warn(m),
      error: (m: string) => log.warn(m),
    },
    retry: { retries: options.serverErrorRetries ?? 3, retryAfterBaseValue: secondMs },
    throttle,
  });
}
