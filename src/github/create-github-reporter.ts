import { commentOnCommitOrMergedPr } from "./comment-on-commit-or-merged-pr.js";
import { createOctokit, defaultGitHubApiUrl, type CreateOctokitOptions } from "./create-octokit.js";
import type { GitHubReporter } from "./reporter.js";
import { toRemoteError } from "./to-remote-error.js";
import { upsertStickyComment } from "./upsert-sticky-comment.js";
import { rememberAsync } from "../util/remember-async.js";

export type CreateGitHubReporterOptions = CreateOctokitOptions;

/** The GitHubReporter over octokit; every failure surfaces as a one-line RemoteError without the token. */
export function createGitHubReporter(options: CreateGitHubReporterOptions): GitHubReporter {
  // Built by the first call: a run that posts nothing never loads octokit.
  const octokitOf = rememberAsync(() => createOctokit(options));
  const baseUrl = (options.baseUrl ?? defaultGitHubApiUrl).replace(/\/+$/, "");
  const secrets = [options.token];
  const guard = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toRemoteError({ error, doing, baseUrl, secrets });
    }
  };
  return {
    upsertStickyComment: (o) =>
      guard(`commenting on ${o.owner}/${o.repo}#${o.issueNumber}`, async () =>
        upsertStickyComment({ ...o, octokit: await octokitOf() }),
      ),
    commentOnCommitOrMergedPr: (o) =>
      guard(`commenting on commit ${o.sha.slice(0, 7)} of ${o.owner}/${o.repo}`, async () =>
        commentOnCommitOrMergedPr({ ...o, octokit: await octokitOf() }),
      ),
  };
}
