import type { Octokit } from "octokit";
import { fitCommentBody } from "./fit-comment-body.js";
import type { CommentResult, UpsertStickyCommentOptions } from "./reporter.js";
import { stickyMarker } from "./sticky-marker.js";
import { upsertMarkedComment } from "./upsert-marked-comment.js";

/** The sticky-comment flow on one octokit client; see GitHubReporter.upsertStickyComment. */
export async function upsertStickyComment(
  options: UpsertStickyCommentOptions & { octokit: Octokit },
): Promise<CommentResult> {
  const { octokit, owner, repo, issueNumber } = options;
  const marker = stickyMarker(options.marker);
  const body = fitCommentBody(`${marker}\n${options.body}`);
  return upsertMarkedComment({ octokit, place: { owner, repo, issueNumber }, marker, body });
}
