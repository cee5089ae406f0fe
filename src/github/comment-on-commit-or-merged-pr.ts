import type { Octokit } from "octokit";
import { fitCommentBody } from "./fit-comment-body.js";
import type { CommentOnCommitOptions, CommentResult } from "./reporter.js";
import { findMarkedComment, stickyMarker } from "./sticky-marker.js";
import { upsertStickyComment } from "./upsert-sticky-comment.js";

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
  if (pull) {
    if (options.marker !== undefined) {
      return upsertStickyComment({
        octokit,
        owner,
        repo,
        issueNumber: pull.number,
        marker: options.marker,
        body: options.body,
      });
    }
    const { data } = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: pull.number,
      body: fitCommentBody(options.body),
    });
    return { target: "pull-request", number: pull.number, action: "created", id: data.id, url: data.html_url };
  }
  const body = fitCommentBody(marker === undefined ? options.body : `${marker}\n${options.body}`);
  if (marker !== undefined) {
    const pages = octokit.paginate.iterator(octokit.rest.repos.listCommentsForCommit, {
      owner,
      repo,
      commit_sha: sha,
      per_page: 100,
    });
    const found = await findMarkedComment(pages, marker);
    if (found) {
      const { data } = await octokit.rest.repos.updateCommitComment({ owner, repo, comment_id: found.id, body });
      return { target: "commit", action: "updated", id: data.id, url: data.html_url };
    }
  }
  const { data } = await octokit.rest.repos.createCommitComment({ owner, repo, commit_sha: sha, body });
  return { target: "commit", action: "created", id: data.id, url: data.html_url };
}
