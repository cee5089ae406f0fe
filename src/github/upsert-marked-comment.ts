import type { Octokit } from "octokit";
import type { CommentResult } from "./reporter.js";
import { findMarkedComment } from "./sticky-marker.js";

/** Where a comment goes: a pull request (an issue, to the REST API) or a commit. */
export type CommentPlace = { owner: string; repo: string } & ({ issueNumber: number } | { sha: string });

export interface UpsertMarkedCommentOptions {
  octokit: Octokit;
  place: CommentPlace;
  /** The full marker line (stickyMarker's) the body starts with; without one, every run creates a new comment. */
  marker: string | undefined;
  /** The comment as posted, marker line included. */
  body: string;
}

/**
 * Updates the comment an earlier run left on `place` (the first whose body starts with the marker), or creates one:
 * the rerun step pull-request and commit comments share; only the octokit endpoints differ.
 */
export async function upsertMarkedComment(options: UpsertMarkedCommentOptions): Promise<CommentResult> {
  const { place, marker } = options;
  const endpoints = commentEndpoints(options);
  const found = marker === undefined ? undefined : await findMarkedComment(endpoints.list(), marker);
  const { data } = found ? await endpoints.update(found.id) : await endpoints.create();
  const target =
    "issueNumber" in place
      ? { target: "pull-request" as const, number: place.issueNumber }
      : { target: "commit" as const };
  return { ...target, action: found ? "updated" : "created", id: data.id, url: data.html_url };
}

interface CommentEndpoints {
  list(): AsyncIterable<{ data: Array<{ id: number; body?: string | null }> }>;
  update(commentId: number): Promise<{ data: { id: number; html_url: string } }>;
  create(): Promise<{ data: { id: number; html_url: string } }>;
}

/** A pull request's comments are its issue's; a commit's have their own endpoints. */
function commentEndpoints({ octokit, place, body }: UpsertMarkedCommentOptions): CommentEndpoints {
  const { owner, repo } = place;
  if ("issueNumber" in place) {
    const issue = { owner, repo, issue_number: place.issueNumber };
    return {
      list: () => octokit.paginate.iterator(octokit.rest.issues.listComments, { ...issue, per_page: 100 }),
      update: (commentId) => octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body }),
      create: () => octokit.rest.issues.createComment({ ...issue, body }),
    };
  }
  const commit = { owner, repo, commit_sha: place.sha };
  return {
    list: () => octokit.paginate.iterator(octokit.rest.repos.listCommentsForCommit, { ...commit, per_page: 100 }),
    update: (commentId) => octokit.rest.repos.updateCommitComment({ owner, repo, comment_id: commentId, body }),
    create: () => octokit.rest.repos.createCommitComment({ ...commit, body }),
  };
}
