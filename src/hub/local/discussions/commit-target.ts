import type { Caller } from "../access-control.js";
import { writableRepo, type HubContext } from "../hub-context.js";
import { badRequest } from "../http-error.js";
import { isValidBranch } from "../names.js";
import type { NewCommit, TreeChange } from "../repo-store.js";
import type { CommitRecord, RepoKey, RepoRecord } from "../types.js";
import { participantRepo } from "./discussion-access.js";
import { discussionUrl } from "./discussion-handlers.js";
import { commitToPullRequest, openDiscussion } from "./pull-requests.js";

/** Where a commit (and its preupload) goes: a branch, a new pull request on a branch, or pull request N. */
export type CommitTarget =
  | { kind: "branch"; branch: string }
  | { kind: "newPullRequest"; base: string }
  | { kind: "pullRequest"; num: number };

/** Reads the revision segment and `?create_pr=1`, as both clients send them. */
export function commitTargetOf(revision: string, query: URLSearchParams): CommitTarget {
  const createPr = ["1", "true", "True"].includes(query.get("create_pr") ?? "");
  const pr = /^refs\/pr\/([1-9][0-9]{0,8})$/.exec(revision);
  if (pr?.[1] !== undefined) {
    if (createPr)
      throw badRequest(
        `create_pr opens a pull request on a branch; commit to ${revision} without it to add to that one.`,
        "HUB_BAD_BRANCH",
      );
    return { kind: "pullRequest", num: Number(pr[1]) };
  }
  const branch = revision.startsWith("refs/heads/") ? revision.slice("refs/heads/".length) : revision;
  if (!isValidBranch(branch))
    throw badRequest(`Commits go to a branch or a refs/pr/N; "${revision}" is neither.`, "HUB_BAD_BRANCH");
  return createPr ? { kind: "newPullRequest", base: branch } : { kind: "branch", branch };
}

/**
 * The repo, if the caller may commit to this target: a branch needs write access; a pull request (new or existing)
 * only needs a signed-in reader, and pushing to an existing one is checked against its author under the lock.
 */
export async function repoForCommit(
  hub: HubContext,
  caller: Caller,
  key: RepoKey,
  target: CommitTarget,
): Promise<RepoRecord> {
  if (target.kind === "branch") return writableRepo(hub, caller, key);
  return (await participantRepo(hub, caller, key)).repo;
}

export interface CommitToTargetOptions {
  repo: RepoRecord;
  target: CommitTarget;
  caller: Caller;
  meta: NewCommit;
  parentCommit?: string;
  changes: readonly TreeChange[];
  origin: string;
}

/** Makes the commit; for a pull request also the URL the clients read (`…/discussions/N`). */
export async function commitToTarget(
  hub: HubContext,
  options: CommitToTargetOptions,
): Promise<{ commit: CommitRecord; pullRequestUrl?: string }> {
  const { repo, target, meta, changes } = options;
  const parent = options.parentCommit !== undefined ? { parentCommit: options.parentCommit } : {};
  switch (target.kind) {
    case "branch":
      return { commit: await hub.storage.repos.commit({ repo, branch: target.branch, ...parent, ...meta, changes }) };
    case "newPullRequest": {
      const { record, commit } = await hub.storage.repos.transact(repo, (tx) =>
        openDiscussion(tx, {
          title: meta.title,
          description: meta.description,
          author: meta.author,
          date: meta.date,
          pullRequest: { base: target.base, ...parent, commit: { meta, changes } },
        }),
      );
      if (!commit) throw new Error("commitToTarget: a pull request opened with changes has a commit");
      return { commit, pullRequestUrl: discussionUrl(options.origin, repo, record.num) };
    }
    case "pullRequest": {
      const commit = await hub.storage.repos.transact(repo, (tx) =>
        commitToPullRequest(tx, {
          num: target.num,
          author: meta.author,
          mayWrite: hub.access.canWrite(options.caller, repo.namespace),
          meta,
          changes,
          ...parent,
        }),
      );
      return { commit, pullRequestUrl: discussionUrl(options.origin, repo, target.num) };
    }
  }
}
