import { UsageError } from "../errors.js";

/** The facts about the workflow run that tvhub acts on, parsed once from the runner's variables and event payload. */
export interface GitHubContext {
  /** `GITHUB_EVENT_NAME`, e.g. `pull_request`, `push`, `workflow_dispatch`. */
  eventName: string;
  owner: string;
  repo: string;
  /**
   * The commit the run is about: the pull request's head commit on pull-request events (GITHUB_SHA is then a
   * throwaway merge commit), else `GITHUB_SHA`.
   */
  sha: string;
  /** Set on pull-request events. */
  prNumber?: number;
  /** The repository's default branch, from the event payload; empty when the payload does not say. */
  defaultBranch: string;
  /** `GITHUB_REF`, e.g. `refs/heads/main` or `refs/pull/12/merge`. */
  ref: string;
  /** A push to the default branch: the event on which tvhub publishes. */
  isDefaultBranchPush: boolean;
  /** `GITHUB_SERVER_URL` (default https://github.com), for links in reports. */
  serverUrl: string;
  /** `GITHUB_API_URL` (default https://api.github.com). */
  apiUrl: string;
}

export type EnvMap = Readonly<Record<string, string | undefined>>;

const pullRequestEvents = new Set(["pull_request", "pull_request_target"]);

/**
 * Parses `GITHUB_*` variables and the event payload (the JSON at `GITHUB_EVENT_PATH`, already read by the caller).
 * Pure: the caller passes the environment in, so nothing below the composition root reads the environment itself.
 */
export function parseGitHubContext(env: EnvMap, event: unknown): GitHubContext {
  const payload = isRecord(event) ? event : {};
  const eventName = required(env, "GITHUB_EVENT_NAME");
  const repository = required(env, "GITHUB_REPOSITORY");
  const [owner, repo, ...rest] = repository.split("/");
  if (!owner || !repo || rest.length > 0) {
    throw new UsageError(`GITHUB_REPOSITORY must look like owner/name; got "${repository}".`, {
      code: "GITHUB_BAD_REPOSITORY",
      subject: "GITHUB_REPOSITORY",
    });
  }
  const ref = env.GITHUB_REF ?? "";
  const repositoryPayload = record(payload.repository);
  const defaultBranch = str(repositoryPayload.default_branch) ?? str(repositoryPayload.master_branch) ?? "";
  const pullRequest = record(payload.pull_request);
  const isPullRequest = pullRequestEvents.has(eventName);
  const prNumber = isPullRequest ? (num(pullRequest.number) ?? num(payload.number) ?? prNumberFromRef(ref)) : undefined;
  if (isPullRequest && prNumber === undefined) {
    throw new UsageError(`The ${eventName} event payload names no pull request number; check GITHUB_EVENT_PATH.`, {
      code: "GITHUB_NO_PR_NUMBER",
      subject: "GITHUB_EVENT_PATH",
    });
  }
  const headSha = isPullRequest ? str(record(pullRequest.head).sha) : undefined;
  const sha = headSha ?? env.GITHUB_SHA ?? str(payload.after) ?? "";
  if (!/^[0-9a-f]{40}$/i.test(sha)) {
    throw new UsageError(`GITHUB_SHA must be a 40-character commit SHA; got "${sha}".`, {
      code: "GITHUB_BAD_SHA",
      subject: "GITHUB_SHA",
    });
  }
  const context: GitHubContext = {
    eventName,
    owner,
    repo,
    sha: sha.toLowerCase(),
    defaultBranch,
    ref,
    isDefaultBranchPush: eventName === "push" && defaultBranch !== "" && ref === `refs/heads/${defaultBranch}`,
    serverUrl: trimSlash(env.GITHUB_SERVER_URL || "https://github.com"),
    apiUrl: trimSlash(env.GITHUB_API_URL || "https://api.github.com"),
  };
  if (prNumber !== undefined) context.prNumber = prNumber;
  return context;
}

function required(env: EnvMap, name: string): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw new UsageError(`${name} is not set; tvhub's Action must run inside a GitHub Actions job.`, {
      code: "GITHUB_ENV_MISSING",
      subject: name,
    });
  }
  return value;
}

function prNumberFromRef(ref: string): number | undefined {
  const match = /^refs\/pull\/(\d+)\//.exec(ref);
  return match ? Number(match[1]) : undefined;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
