/** A discussion or pull request as stored: `discussions/<num>.json` in the repo's folder, rewritten atomically. */
export interface DiscussionRecord {
  num: number;
  title: string;
  /** `draft` is a pull request with no commit yet (opened by create_pull_request); `merged` only for pull requests. */
  status: DiscussionStatus;
  isPullRequest: boolean;
  author: string;
  /** ISO 8601. */
  createdAt: string;
  /** Oldest first; the first is the opening comment (the description). */
  events: DiscussionEvent[];
  /** Pull requests only. */
  pullRequest?: PullRequestState;
}

export type DiscussionStatus = "open" | "closed" | "merged" | "draft";

export interface PullRequestState {
  /** The branch it merges into, as a full ref (`refs/heads/main`). */
  base: string;
  /** The commit `refs/pr/<num>` started from: the merge base. */
  baseCommit: string;
  /** Set once merged: the commit on the base branch. */
  mergeCommitId?: string;
}

export type DiscussionEvent =
  | { id: string; type: "comment"; createdAt: string; author: string; data: { content: string } }
  | { id: string; type: "status-change"; createdAt: string; author: string; data: { status: DiscussionStatus } }
  | { id: string; type: "commit"; createdAt: string; author: string; data: { subject: string; oid: string } }
  | { id: string; type: "title-change"; createdAt: string; author: string; data: { from: string; to: string } };

/** The git ref of a pull request. */
export function pullRequestRef(num: number): string {
  return `refs/pr/${num}`;
}
