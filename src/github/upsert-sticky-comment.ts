import type { Octokit } from "octokit";
import { fitCommentBody } from "./fit-comment-body.js";
import type { CommentResult, UpsertStickyCommentOptions } from "./reporter.js";
import { findMarkedComment, stickyMarker } from "./sticky-marker.js";

/** The sticky-comment flow on one octokit client; see GitHubReporter.upsertStickyComment. */
export async function upsertStickyComment(
  options: UpsertStickyCommentOptions & { octokit: Octokit },
): Promise<CommentResult> {
  const { octokit, owner, repo, issueNumber } = options;
  const marker = stickyMarker(options.marker);
  const body = fitCommentBody(`${marker}\n${options.body}`);
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const found = await findMarkedComment(pages, marker);
  if (found) {
    const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: found.id, body });
    return { target: "pull-request", number: issueNumber, action: "updated", id: data.id, url: data.html_url };
  }
  const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
  return { target: "pull-request", number: issueNumber, action: "created", id: data.id, url: data.html_url };
}
