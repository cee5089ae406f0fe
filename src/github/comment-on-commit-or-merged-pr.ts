import type { Octokit } from "octokit";
import { fitCommentBody } from "./fit-comment-body.js";
import type { CommentOnCommitOptions, CommentResult } from "./reporter.js";
import { stickyMarker } from "./sticky-marker.js";
import { upsertMarkedComment } from "./upsert-marked-comment.js";

/** The after-publish comment on one octokit client; see GitHubReporter.commentOnCommitOrMergedPr. */
export async function commentOnCommitOrMergedPr(
  options: CommentOnCommitOptions & { octokit: Octokit },
): Promise<CommentResult> {
  const { octokit, owner, repo, sha } = options;
  const marker = options.marker === undefined ? undefined : stickyMarker(options.marker);
  const { data: pulls } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    owner,
    repo,
    commit_sha: sha,
    per_page: 100,
  });
  const merged = pulls.filter((pull) => pull.merged_at);
  // A commit can sit in several merged pull requests (a stack); the one whose merge produced it is the one to tell.
  const pull = merged.find((p) => p.merge_commit_sha === sha) ?? merged[0];
  const place = pull ? { owner, repo, issueNumber: pull.number } : { owner, repo, sha };
  const body = fitCommentBody(marker === undefined ? options.body : `${marker}\n${options.body}`);
  return upsertMarkedComment({ octokit, place, marker, body });
}
