import { HttpError, revisionNotFound } from "../http-error.js";
import { applyChanges, type NewCommit, type RepoTransaction, type TreeChange } from "../repo-store.js";
import type { CommitRecord } from "../types.js";
import { discussionConflict, discussionNotFound } from "./discussion-errors.js";
import { eventOf, listDiscussions, nextDiscussionNumber, readDiscussion, writeDiscussion } from "./discussion-store.js";
import { mergeTrees } from "./merge-trees.js";
import { pullRequestRef, type DiscussionEvent, type DiscussionRecord } from "./types.js";

export interface OpenDiscussionOptions {
  title: string;
  description: string;
  author: string;
  date: Date;
  /** A pull request: the branch it targets (its ref starts at the branch's head, or at `parentCommit`). */
  pullRequest?: { base: string; parentCommit?: string; commit?: { meta: NewCommit; changes: readonly TreeChange[] } };
}

/**
 * Opens discussion N (the repo's next number). A pull request gets `refs/pr/N`, written before the record: at the
 * branch head for an empty (draft) pull request, or at a first commit made of `changes` on top of it.
 */
export async function openDiscussion(
  tx: RepoTransaction,
  options: OpenDiscussionOptions,
): Promise<{ record: DiscussionRecord; commit?: CommitRecord }> {
  const num = await nextDiscussionNumber(tx);
  const at = options.date.toISOString();
  const events: DiscussionEvent[] = [
    eventOf({ type: "comment", createdAt: at, author: options.author, data: { content: options.description } }),
  ];
  const record: DiscussionRecord = {
    num,
    title: options.title,
    status: "open",
    isPullRequest: options.pullRequest !== undefined,
    author: options.author,
    createdAt: at,
    events,
  };
  let commit: CommitRecord | undefined;
  if (options.pullRequest) {
    const { base, parentCommit } = options.pullRequest;
    const baseRef = `refs/heads/${base}`;
    const headId = await tx.readRef(baseRef);
    if (headId === undefined) throw revisionNotFound(base);
    // The pull request starts at parentCommit when given: the head (a short id of it too) or any full commit id.
    const start = await tx.loadCommit(
      parentCommit === undefined || headId.startsWith(parentCommit) ? headId : parentCommit,
    );
    if (!start) throw revisionNotFound(parentCommit ?? base);
    let head = start;
    if (options.pullRequest.commit) {
      const { meta, changes } = options.pullRequest.commit;
      head = await tx.writeCommit([start.id], meta, applyChanges(start, changes, pullRequestRef(num)));
      commit = head;
      events.push(
        eventOf({ type: "commit", createdAt: at, author: options.author, data: { subject: head.title, oid: head.id } }),
      );
    } else {
      record.status = "draft";
    }
    record.pullRequest = { base: baseRef, baseCommit: start.id };
    await tx.writeRef(pullRequestRef(num), head.id);
  }
  await writeDiscussion(tx, record);
  return { record, ...(commit && { commit }) };
}

export interface CommitToPullRequestOptions {
  num: number;
  /** Who commits; only the author and the repo's writers may. */
  author: string;
  mayWrite: boolean;
  meta: NewCommit;
  changes: readonly TreeChange[];
  parentCommit?: string;
}

/** A commit on `refs/pr/N`: the ref moves first, then the record gains the commit event (a draft becomes open). */
export async function commitToPullRequest(
  tx: RepoTransaction,
  options: CommitToPullRequestOptions,
): Promise<CommitRecord> {
  const ref = pullRequestRef(options.num);
  const record = await readDiscussion(tx, options.num);
  const headId = await tx.readRef(ref);
  const head = headId === undefined ? undefined : await tx.loadCommit(headId);
  if (!record?.isPullRequest || !head) throw revisionNotFound(ref);
  if (!options.mayWrite && record.author !== options.author) {
    throw new HttpError(`Only the author of pull request #${options.num} and the repo's writers may push to ${ref}.`, {
      status: 403,
      code: "HUB_FORBIDDEN",
    });
  }
  if (record.status === "merged" || record.status === "closed") {
    throw discussionConflict(
      `Pull request #${options.num} is ${record.status}; reopen it (or open a new one) before committing to ${ref}.`,
    );
  }
  if (options.parentCommit !== undefined && !head.id.startsWith(options.parentCommit)) {
    throw new HttpError(
      `The parent commit ${options.parentCommit} is not the head of ${ref} (${head.id}); fetch the new head and retry.`,
      {
        status: 412,
        code: "HUB_STALE_PARENT",
      },
    );
  }
  const commit = await tx.writeCommit([head.id], options.meta, applyChanges(head, options.changes, ref));
  await tx.writeRef(ref, commit.id);
  const at = options.meta.date.toISOString();
  record.events.push(
    eventOf({ type: "commit", createdAt: at, author: options.author, data: { subject: commit.title, oid: commit.id } }),
  );
  if (record.status === "draft") record.status = "open";
  await writeDiscussion(tx, record);
  return commit;
}

/** Paths that block a merge of this pull request now (empty for a discussion or a closed one). */
export async function conflictsOf(tx: RepoTransaction, record: DiscussionRecord): Promise<string[]> {
  if (!record.pullRequest || (record.status !== "open" && record.status !== "draft")) return [];
  const sides = await mergeSides(tx, record);
  return sides ? mergeTrees(sides.trees).conflicts : [];
}

export interface MergePullRequestOptions {
  num: number;
  author: string;
  date: Date;
  comment?: string;
}

/**
 * Merges `refs/pr/N` into its base branch with a merge commit (parents: the branch head, then the pull request's
 * head) whose files are the three-way merge of both sides. Refused with 409 unless the pull request is open and
 * merges cleanly. The branch moves before the record is marked merged; a merge retried after a crash between the
 * two finds its merge commit at the branch head and only completes the record.
 */
export async function mergePullRequest(
  tx: RepoTransaction,
  options: MergePullRequestOptions,
): Promise<DiscussionRecord> {
  const { num } = options;
  const record = await readDiscussion(tx, num);
  if (!record) throw discussionNotFound(num);
  if (!record.pullRequest)
    throw discussionConflict(`Discussion #${num} is not a pull request; there is nothing to merge.`);
  if (record.status === "merged") throw discussionConflict(`Pull request #${num} is already merged.`);
  if (record.status === "closed") throw discussionConflict(`Pull request #${num} is closed; reopen it before merging.`);
  if (record.status === "draft")
    throw discussionConflict(
      `Pull request #${num} is a draft with no commits; push a commit to ${pullRequestRef(num)} first.`,
    );
  const sides = await mergeSides(tx, record);
  if (!sides)
    throw discussionConflict(`The base branch ${record.pullRequest.base} of pull request #${num} no longer exists.`);
  let mergeCommit: CommitRecord;
  if (sides.target.parents[1] === sides.source.id) {
    mergeCommit = sides.target;
  } else {
    const merged = mergeTrees(sides.trees);
    if (merged.conflicts.length > 0) {
      throw discussionConflict(
        `Pull request #${num} conflicts with ${record.pullRequest.base} in ` +
          `${merged.conflicts.slice(0, 10).join(", ")}; update ${pullRequestRef(num)} first.`,
      );
    }
    mergeCommit = await tx.writeCommit(
      [sides.target.id, sides.source.id],
      { title: `${record.title} (#${num})`, description: "", author: options.author, date: options.date },
      merged.files,
    );
    await tx.writeRef(record.pullRequest.base, mergeCommit.id);
  }
  const at = options.date.toISOString();
  if (options.comment !== undefined)
    record.events.push(
      eventOf({ type: "comment", createdAt: at, author: options.author, data: { content: options.comment } }),
    );
  record.events.push(
    eventOf({ type: "status-change", createdAt: at, author: options.author, data: { status: "merged" } }),
  );
  record.status = "merged";
  record.pullRequest.mergeCommitId = mergeCommit.id;
  await writeDiscussion(tx, record);
  return record;
}

async function mergeSides(
  tx: RepoTransaction,
  record: DiscussionRecord,
): Promise<{ target: CommitRecord; source: CommitRecord; trees: Parameters<typeof mergeTrees>[0] } | undefined> {
  const pr = record.pullRequest;
  if (!pr) return undefined;
  const load = async (id: string | undefined): Promise<CommitRecord | undefined> =>
    id === undefined ? undefined : tx.loadCommit(id);
  const target = await load(await tx.readRef(pr.base));
  const source = await load(await tx.readRef(pullRequestRef(record.num)));
  const base = await load(pr.baseCommit);
  if (!target || !source || !base) return undefined;
  return { target, source, trees: { base: base.files, target: target.files, source: source.files } };
}

/** `refs/pr/N` of every pull request, for `GET …/refs?include_prs=1`, by number. */
export async function listPullRequestRefs(
  tx: RepoTransaction,
): Promise<Array<{ name: string; ref: string; targetCommit: string }>> {
  const refs: Array<{ name: string; ref: string; targetCommit: string }> = [];
  for (const record of await listDiscussions(tx)) {
    const target = record.isPullRequest ? await tx.readRef(pullRequestRef(record.num)) : undefined;
    if (target !== undefined)
      refs.push({ name: String(record.num), ref: pullRequestRef(record.num), targetCommit: target });
  }
  return refs.reverse();
}
