/** What tvhub posts to GitHub: a port the size of the feature, so the Action's tests can pass an object literal. */
export interface GitHubReporter {
  /**
   * Finds the issue or pull-request comment that starts with the hidden marker `<!-- tvhub:<marker> -->` and
   * replaces its body, or creates it: one comment per marker, updated in place on every run.
   */
  upsertStickyComment(options: UpsertStickyCommentOptions): Promise<CommentResult>;
  /**
   * Comments on the merged pull request that brought `sha` in, or on the commit itself when there is none
   * (a direct push). With a marker, a rerun updates its earlier comment instead of adding another.
   */
  commentOnCommitOrMergedPr(options: CommentOnCommitOptions): Promise<CommentResult>;
}

export interface UpsertStickyCommentOptions {
  owner: string;
  repo: string;
  /** The pull request or issue number. */
  issueNumber: number;
  /** Identifies the comment among the issue's comments; letters, digits and `._:/@-` only. */
  marker: string;
  /** Markdown; the marker line is prepended. */
  body: string;
}

export interface CommentOnCommitOptions {
  owner: string;
  repo: string;
  /** The 40-hex commit SHA, e.g. GITHUB_SHA on a push. */
  sha: string;
  body: string;
  /** When set, an earlier comment with this marker on the same target is updated instead of a new one added. */
  marker?: string;
}

export interface CommentResult {
  /** Where the comment went. */
  target: "pull-request" | "commit";
  /** The pull request number when `target` is `pull-request`. */
  number?: number;
  action: "created" | "updated";
  id: number;
  /** The comment's web address. */
  url: string;
}

/** Where the client's notices (rate-limit waits, retries) go. */
export interface GitHubLog {
  info(message: string): void;
  warn(message: string): void;
}
