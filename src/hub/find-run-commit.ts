import { loadHubLibrary } from "./load-hub-library.js";

/** The trailer that names the run a commit came from: a line of its description, as git trailers are. */
export function runTrailer(runId: string): string {
  return `tvhub-run: ${runId}`;
}

/** A commit description ending in the run's trailer (after the caller's own description, if any). */
export function withRunTrailer(description: string | undefined, runId: string): string {
  const text = description?.trimEnd() ?? "";
  return text === "" ? runTrailer(runId) : `${text}\n\n${runTrailer(runId)}`;
}

/** Whether a commit message carries the run's trailer on a line of its own. */
export function carriesRun(message: string, runId: string): boolean {
  return message.split(/\r?\n/).some((line) => line.trim() === runTrailer(runId));
}

export interface FindRunCommitOptions {
  hubUrl: string;
  fetch: typeof fetch;
  accessToken: string;
  repo: string;
  runId: string;
  /** The branch the commit went to. */
  branch: string;
  /** The head before the commit: commits at and below it are older than the run. */
  since?: string;
  /** Look among pull requests instead (a commit with `create_pr`): the newest few, each by its head. */
  pullRequests?: boolean;
  /**
   * How many commits above `since` to look through: a matrix job's commit may be buried under its siblings'.
   * @default 30
   */
  depth?: number;
}

export interface RunCommit {
  oid: string;
  /** Set when the commit is the head of a pull request. */
  pullRequestNum?: number;
}

/**
 * Finds the commit a run made, by the trailer it put into the description: after a commit request whose answer
 * was lost, this tells "it landed" from "send it again", so a publish never commits twice.
 */
export async function findRunCommit(options: FindRunCommitOptions): Promise<RunCommit | undefined> {
  const { listCommits } = await loadHubLibrary();
  const { hubUrl, fetch, accessToken, repo } = options;
  const depth = options.depth ?? 30;
  const lookAt = async (revision: string, limit: number): Promise<string | undefined> => {
    let seen = 0;
    for await (const commit of listCommits({
      repo,
      revision: encodeURIComponent(revision),
      hubUrl,
      fetch,
      accessToken,
      batchSize: Math.min(limit, 100),
    })) {
      if (commit.oid === options.since) return undefined;
      if (carriesRun(`${commit.title}\n${commit.message}`, options.runId)) return commit.oid;
      if (++seen >= limit) return undefined;
    }
    return undefined;
  };
  if (options.pullRequests !== true) {
    const oid = await lookAt(options.branch, depth);
    return oid === undefined ? undefined : { oid };
  }
  const response = await fetch(`${hubUrl}/api/models/${repo}/refs?include_prs=1`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  if (!response.ok) throw new Error(`listing the refs of ${repo} answered HTTP ${response.status}`);
  const refs = (await response.json()) as { pullRequests?: Array<{ name?: unknown; ref?: unknown }> };
  // Newest first, as the Hub lists them; a pull request this run opened a moment ago is among the first.
  for (const pr of (refs.pullRequests ?? []).slice(0, 5)) {
    const num = Number(pr.name);
    if (typeof pr.ref !== "string" || !Number.isSafeInteger(num)) continue;
    const oid = await lookAt(pr.ref, 1);
    if (oid !== undefined) return { oid, pullRequestNum: num };
  }
  return undefined;
}
