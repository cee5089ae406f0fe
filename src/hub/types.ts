import type { ByteSource } from "../safetensors/types.js";
import type { ProgressEvent } from "../util/progress.js";

/** What a model reference on the command line or in a recipe names. */
export type ModelRef =
  | {
      kind: "hub";
      /** `org/name` */
      repo: string;
      /** A branch, tag or 40-hex commit; absent means the default branch. */
      revision?: string;
    }
  | {
      kind: "local";
      /** The directory as given, with a leading `~` expanded when a home directory was supplied. */
      path: string;
    };

/** A Hub revision resolved once at the start of a run; everything later reads `sha`. */
export interface PinnedRevision {
  repo: string;
  /** The branch, tag or commit the user asked for (`main` when they named none). */
  requested: string;
  /** 40 lowercase hex digits. */
  sha: string;
}

/** A file of a repo at a pinned commit. */
export interface RepoFile {
  path: string;
  size: number;
  /** Git blob id (sha1) of the file, or of its LFS pointer. */
  oid?: string;
  /** sha256 of the content, for files stored with LFS. */
  lfsSha256?: string;
}

export interface ModelInfo {
  repo: string;
  sha: string;
  private: boolean;
  /** The model card's YAML front matter as the Hub parsed it. */
  cardData?: Record<string, unknown>;
  tags: string[];
  license?: string;
  libraryName?: string;
  pipelineTag?: string;
  files: RepoFile[];
}

/** A file to publish: read from disk (streamed, never loaded whole) or given as bytes. */
export type PublishFile = { path: string; localPath: string } | { path: string; content: Uint8Array };

export interface PublishOptions {
  /** `org/name` */
  repo: string;
  files: PublishFile[];
  commitTitle: string;
  commitDescription?: string;
  /** Visibility when the repo has to be created; an existing repo keeps its own. */
  private?: boolean;
  /** Fail unless the branch head is still this commit (e.g. the one a plan was made against). */
  parentCommit?: string;
  /**
   * For the jobs of a matrix run, which commit disjoint files at the same time: commit on top of whatever the head
   * is when the commit lands (the Hub orders them), and delete nothing. Excludes `parentCommit`.
   * @default false
   */
  concurrent?: boolean;
  /**
   * Files already in the repo that belong to the published set (the shards a matrix run's jobs committed): they are
   * neither sent again nor deleted as left over, and the publish fails if one is not there.
   */
  keep?: string[];
  /**
   * Publish even if the repo holds files tvhub does not write; they are left untouched.
   * @default false
   */
  overwrite?: boolean;
  /**
   * Commit to a new pull request on the default branch (`refs/pr/N`) instead of to the branch itself; the same
   * files and deletions, for a reviewer to merge. Excludes `concurrent`.
   * @default false
   */
  createPullRequest?: boolean;
  /**
   * Delete nothing: the files of an earlier tvhub publish that `files` does not contain stay (an upload of one's
   * own files). By default they are deleted in the same commit, so the repo never mixes two publishes.
   * @default false
   */
  keepOtherFiles?: boolean;
  /**
   * The run's identity, written as a `tvhub-run: <id>` trailer into the commit description: a commit whose answer
   * was lost is recognised by it and not made twice. @default a random UUID
   */
  runId?: string;
}

/** A pull request a publish opened on the Hub. */
export interface PublishedPullRequest {
  num: number;
  /** `<hub>/<org>/<name>/discussions/<num>` */
  url: string;
  /** `refs/pr/<num>`: where the files can be downloaded before the merge. */
  ref: string;
}

export interface PublishResult {
  commitSha: string;
  commitUrl: string;
  repoUrl: string;
  /** True when this call created the repo. */
  created: boolean;
  /** Files of an earlier tvhub publish that the new set no longer contains, deleted in the same commit. */
  deleted: string[];
  /** LFS files the Hub already had, so their bytes were not sent again. */
  alreadyUploaded: string[];
  /** Set when `createPullRequest` was: the commit is the head of this pull request, not of main. */
  pullRequest?: PublishedPullRequest;
}

export interface SearchModelsOptions {
  /** Every tag must match (AND), e.g. `base_model:org/base`. */
  tags?: string[];
  /** Substring of the repo name. */
  search?: string;
  /** The namespace (user or organisation). */
  author?: string;
  limit?: number;
}

export interface ModelSummary {
  /** `org/name` */
  id: string;
  tags: string[];
  cardData?: Record<string, unknown>;
  sha?: string;
  lastModified?: Date;
}

export interface HubIdentity {
  name: string;
  orgs: string[];
  /** The token's role (`read`, `write`, `admin`, `contributor`), when the Hub says. */
  role?: string;
}

export interface TransferStats {
  /** File-content bytes received from the Hub (range reads, cache downloads, small files). */
  bytesDownloaded: number;
  /** LFS bytes sent to the Hub. */
  bytesUploaded: number;
}

export interface RepoFileRef {
  repo: string;
  /** A pinned 40-hex commit. */
  sha: string;
  path: string;
}

/**
 * Everything tvhub asks of a Hub, in its own vocabulary. The adapter over `@huggingface/hub` is
 * `createHubClient`; tests may pass an object literal instead.
 */
export interface HubClient {
  readonly hubUrl: string;
  /** Resolves a branch, tag or commit to its 40-hex commit, once per run. */
  pin(options: { repo: string; revision?: string }): Promise<PinnedRevision>;
  modelInfo(options: { repo: string; sha: string }): Promise<ModelInfo>;
  /** A small file's bytes (config.json, README.md, an index), or null when the commit has no such file. */
  readSmallFile(options: RepoFileRef & { maxBytes?: number }): Promise<Uint8Array | null>;
  /**
   * Random access to a file. Reads the Hub cache copy when there is one; otherwise range requests,
   * unless `download` asks to fetch the whole file into the cache first.
   */
  openFile(options: RepoFileRef & { download?: boolean }): Promise<ByteSource>;
  /** Puts a file into the Hub cache (resuming an interrupted download) and returns its snapshot path. */
  downloadToCache(options: RepoFileRef): AsyncGenerator<ProgressEvent, string>;
  /** Everything in one commit; creates the repo when it is missing. */
  publish(options: PublishOptions): AsyncGenerator<ProgressEvent, PublishResult>;
  searchModels(options: SearchModelsOptions): AsyncIterable<ModelSummary>;
  /** Who the token belongs to; null without a token. */
  whoami(): Promise<HubIdentity | null>;
  /** Running totals for reports and benchmarks. */
  stats(): TransferStats;
}
