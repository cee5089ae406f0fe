import { randomUUID } from "node:crypto";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { CommitOperation, CommitOutput, CommitProgressEvent } from "@huggingface/hub";
import { DataError, RemoteError, UsageError } from "../errors.js";
import type { ProgressEvent } from "../util/progress.js";
import { createRetryingFetch } from "./create-retrying-fetch.js";
import { findForeignFiles } from "./find-foreign-files.js";
import { foreignFilesError } from "./foreign-files-error.js";
import type { HubContext, RetryNotice } from "./hub-context.js";
import { findRunCommit, withRunTrailer, type RunCommit } from "./find-run-commit.js";
import { isHubApiError, isInvalidApiResponseError } from "./is-hub-api-error.js";
import { isPublishablePath, isPortionRecordPath } from "./is-publishable-path.js";
import { isTransientError, isTransientFailure } from "./is-transient-error.js";
import { loadHubLibrary } from "./load-hub-library.js";
import { parseRepoId } from "./parse-repo-id.js";
import { scrubSecrets, toRemoteError } from "./to-remote-error.js";
import { interruptedError, withLeftovers } from "./publish-leftovers.js";
import { removeCreatedRepo } from "./remove-created-repo.js";
import { retryLogs } from "./retry-log.js";
import { trackUploadProgress } from "./track-upload-progress.js";
import type { PublishedPullRequest, PublishFile, PublishOptions, PublishResult } from "./types.js";
import { retryDelay, withRetries } from "./with-retries.js";

/** Files every repo keeps whatever is published: the Hub's own attributes, the card (rewritten by every publish). */
const rewrittenAnyway = new Set([".gitattributes", "README.md"]);

export interface PublishFilesOptions extends PublishOptions {
  hub: HubContext;
}

/**
 * Publishes files to a model repo in one commit on its default branch, creating the repo when it is missing.
 * Before anything is uploaded it refuses a repo that holds someone's other work (findForeignFiles; unless `overwrite`),
 * and pins the branch head so that a concurrent push fails the commit instead of being overwritten.
 * Weights left over from an earlier tvhub publish that the new set does not contain (nor `keep`s), and the
 * shard records of a matrix run, are deleted in the same commit. LFS objects the Hub already has are not sent
 * again; a failure before the commit leaves the repo as it was. A `concurrent` publish (one job of a matrix run)
 * instead commits on top of whatever the head is by then and deletes nothing.
 */
export async function* publishFiles(options: PublishFilesOptions): AsyncGenerator<ProgressEvent, PublishResult> {
  const { hub } = options;
  hub.onPublishing?.(true);
  try {
    return yield* publish(options);
  } finally {
    hub.onPublishing?.(false);
  }
}

async function* publish(options: PublishFilesOptions): AsyncGenerator<ProgressEvent, PublishResult> {
  const { hub } = options;
  const repo = parseRepoId({ text: options.repo, label: "The publish target" });
  const accessToken = hub.accessToken;
  if (accessToken === undefined) {
    throw new UsageError(`Publishing to ${repo} needs a write token; pass --token or set HF_TOKEN.`, {
      code: "HUB_NO_TOKEN",
      subject: repo,
    });
  }
  if (options.concurrent === true && options.parentCommit !== undefined) {
    throw new UsageError(
      `Publishing to ${repo}: a concurrent publish commits on top of whatever the head is, so it takes no parent ` +
        "commit.",
      {
        code: "HUB_BAD_PUBLISH",
        subject: repo,
      },
    );
  }
  if (options.concurrent === true && options.createPullRequest === true) {
    throw new UsageError(
      `Publishing to ${repo}: the jobs of a matrix run commit to the branch side by side, so they cannot open a ` +
        "pull request; publish in one job to open one.",
      {
        code: "HUB_BAD_PUBLISH",
        subject: repo,
      },
    );
  }
  const sizes = await checkFiles(repo, options.files);
  const runId = options.runId ?? randomUUID();

  // Upload bytes are counted under the retries, so a part sent twice counts twice; retries become progress lines.
  let sentBytes = 0;
  const notices: RetryNotice[] = [];
  const retried = new Set<string>();
  const tracked = trackUploadProgress({
    fetch: hub.baseFetch ?? hub.fetch,
    onBytes: (bytes) => {
      sentBytes += bytes;
      hub.stats.bytesUploaded += bytes;
    },
  });
  const retrying = (signal: AbortSignal | undefined): typeof fetch =>
    createRetryingFetch({
      fetch: tracked,
      policy: hub.retry,
      onRetry: (notice) => {
        retried.add(`${notice.method} ${notice.url}`);
        notices.push(notice);
      },
      ...(signal === undefined ? {} : { signal }),
    });
  const uploadFetch = retrying(hub.signal);
  const common = { hubUrl: hub.hubUrl, fetch: uploadFetch, accessToken };
  const interrupted = (): boolean => hub.signal?.aborted === true;
  const fail = (error: unknown, doing = "publishing to"): never => {
    if (interrupted()) throw interruptedError({ repo, hubUrl: hub.hubUrl, committed: false, removed: false, kept: 0 });
    throw toRemoteError({ error, repo, hubUrl: hub.hubUrl, accessToken, doing, access: "write" });
  };

  const { commitIter, createRepo, deleteRepo, listFiles, modelInfo, repoExists } = await loadHubLibrary();
  const readTarget = async (): Promise<{ headSha?: string; private: boolean; existing: string[] }> => {
    const head = await withRetries({
      policy: hub.retry,
      run: () => modelInfo({ ...common, name: repo, revision: "main", additionalFields: ["sha"] }),
    }).catch((error: unknown) => fail(error, "reading the head of"));
    const headSha = typeof head.sha === "string" && head.sha.length > 0 ? head.sha : undefined;
    const existing =
      headSha === undefined
        ? []
        : await withRetries({
            policy: hub.retry,
            run: async () => {
              const paths: string[] = [];
              for await (const entry of listFiles({ ...common, repo, revision: headSha, recursive: true })) {
                if (entry.type === "file") paths.push(entry.path);
              }
              return paths;
            },
          }).catch((error: unknown) => fail(error, "listing the files of"));
    return { ...(headSha === undefined ? {} : { headSha }), private: head.private, existing };
  };

  const exists = await withRetries({ policy: hub.retry, run: () => repoExists({ ...common, repo }) }).catch(
    (error: unknown) => fail(error, "looking up"),
  );
  if (!exists && options.parentCommit !== undefined) {
    throw new RemoteError(
      `${repo} changed on ${hub.hubUrl} since commit ${options.parentCommit.slice(0, 7)} (it no longer exists); rerun.`,
      {
        code: "HUB_CHANGED",
        subject: repo,
      },
    );
  }
  let target = exists ? await readTarget() : { private: options.private === true, existing: [] };
  if (exists && options.parentCommit !== undefined && target.headSha !== options.parentCommit) {
    throw new RemoteError(
      `${repo} changed on ${hub.hubUrl} since commit ${options.parentCommit.slice(0, 7)} (it is now at ` +
        `${target.headSha?.slice(0, 7) ?? "no commit"}); rerun.`,
      {
        code: "HUB_CHANGED",
        subject: repo,
      },
    );
  }
  if (exists && options.private !== undefined && target.private !== options.private) {
    yield {
      type: "log",
      level: "warn",
      message:
        `${repo} already exists and is ${target.private ? "private" : "public"}; tvhub leaves its visibility ` +
        "as it is.",
    };
  }
  let deleted = exists ? planDeletions(repo, target.existing, options) : [];

  const throttle = createThrottle();
  let landed = false;
  // A commit request went out and its answer never came back: it may have landed.
  let unsure = false;
  // Across tries: a file sent by an earlier try of this run is not one "the Hub already had".
  const hashed = new Set<string>();
  const sent = new Set<string>();
  // The repo is created only now, with everything checked and the files about to go: a run that fails earlier
  // leaves no empty repo behind, and one that fails later removes the repo it created (below).
  let created = false;
  try {
    if (!exists) {
      const createUrl = `${hub.hubUrl}/api/repos/create`;
      try {
        await withRetries({
          policy: hub.retry,
          run: () =>
            createRepo({ ...common, repo, ...(options.private === undefined ? {} : { private: options.private }) }),
        });
        created = true;
      } catch (error) {
        if (interrupted())
          throw interruptedError({ repo, hubUrl: hub.hubUrl, committed: false, removed: false, kept: 0 });
        // 409 after a retried create: the first try made it and its answer was lost. Otherwise someone else made it.
        if (!(isHubApiError(error) && error.statusCode === 409)) fail(error, "creating");
        created = retried.has(`POST ${createUrl}`);
      }
      target = await readTarget();
      if (!created) deleted = planDeletions(repo, target.existing, options);
      if (created)
        yield {
          type: "log",
          level: "info",
          message: `Created ${options.private === true ? "private " : ""}repo ${hub.hubUrl}/${repo}.`,
        };
    }
    const headSha = target.headSha;
    if (deleted.length > 0) {
      yield {
        type: "log",
        level: "info",
        message:
          `Deleting ${deleted.length} file(s) of the earlier publish that the new one replaces: ` +
          `${deleted.join(", ")}.`,
      };
    }

    const operations: CommitOperation[] = [
      ...options.files.map(
        (file): CommitOperation => ({ operation: "addOrUpdate", path: file.path, content: contentOf(file) }),
      ),
      ...deleted.map((path): CommitOperation => ({ operation: "delete", path })),
    ];
    const findLanded = (): Promise<RunCommit | undefined> =>
      withRetries({
        policy: hub.retry,
        run: () =>
          findRunCommit({
            hubUrl: hub.hubUrl,
            fetch: retrying(undefined),
            accessToken,
            repo,
            runId,
            branch: "main",
            ...(headSha === undefined ? {} : { since: headSha }),
            ...(options.createPullRequest === true && { pullRequests: true }),
          }),
      });
    const resultOf = (oid: string, url: string, pullRequestUrl: string | undefined): PublishResult => {
      const pullRequest =
        options.createPullRequest === true ? pullRequestOf(repo, hub.hubUrl, pullRequestUrl) : undefined;
      return {
        commitSha: oid,
        commitUrl: url,
        repoUrl: `${hub.hubUrl}/${repo}`,
        created,
        deleted,
        alreadyUploaded: [...hashed].filter((path) => !sent.has(path)).sort(),
        ...(pullRequest === undefined ? {} : { pullRequest }),
      };
    };

    for (let attempt = 0; ; attempt++) {
      let committing = false;
      try {
        const commit = commitIter({
          repo,
          operations,
          title: options.commitTitle,
          description: withRunTrailer(options.commitDescription, runId),
          // Jobs of a matrix commit disjoint files side by side: pinning the head would fail all but the first.
          ...(headSha === undefined || options.concurrent === true ? {} : { parentCommit: headSha }),
          branch: "main",
          ...(options.createPullRequest === true && { isPullRequest: true }),
          hubUrl: hub.hubUrl,
          fetch: uploadFetch,
          accessToken,
          useXet: false,
          // A signal of this commit's own: the library adds an abort listener it never removes to the one it is
          // given, so the run's signal, shared by every commit, would collect one per publish (Node warns past 10).
          ...(hub.signal === undefined ? {} : { abortSignal: AbortSignal.any([hub.signal]) }),
        });
        let output: CommitOutput | undefined;
        for (;;) {
          const step = await commit.next();
          yield* retryLogs(notices);
          if (step.done === true) {
            output = step.value;
            break;
          }
          const event = step.value;
          if (event.event === "phase" && event.phase === "committing") committing = true;
          if (event.event === "fileProgress" && event.state === "hashing") hashed.add(event.path);
          if (event.event === "fileProgress" && event.state === "uploading" && event.progress < 1) sent.add(event.path);
          const mapped = toProgressEvent(event, sizes);
          if (mapped !== undefined && throttle.shouldYield(mapped)) yield mapped;
        }
        if (output === undefined) {
          throw new RemoteError(
            `${hub.hubUrl} did not return a commit for ${repo}; check the repo on the Hub and rerun.`,
            { code: "HUB_BAD_RESPONSE", subject: repo },
          );
        }
        landed = true;
        yield { type: "progress", phase: "commit", done: 1, total: 1, unit: "items" };
        return resultOf(output.commit.oid, output.commit.url, output.pullRequestUrl);
      } catch (error) {
        yield* retryLogs(notices);
        const stopped = interrupted();
        if (stopped && !committing) throw error;
        if (committing && (stopped || unsure || mayHaveLanded(error))) {
          unsure = true;
          // Before sending the commit again: did the lost one land? Its trailer says so; then this run is done.
          const found = await findLanded().catch(() => undefined);
          if (found !== undefined) {
            landed = true;
            yield {
              type: "log",
              level: "info",
              message:
                `The commit to ${repo} landed although its answer was lost (${found.oid.slice(0, 7)}); not ` +
                "sending it again.",
            };
            yield { type: "progress", phase: "commit", done: 1, total: 1, unit: "items" };
            const pullRequestUrl =
              found.pullRequestNum === undefined
                ? undefined
                : `${hub.hubUrl}/${repo}/discussions/${found.pullRequestNum}`;
            return resultOf(found.oid, `${hub.hubUrl}/${repo}/commit/${found.oid}`, pullRequestUrl);
          }
          if (stopped) throw error;
        }
        // Before the commit request nothing is visible, and objects already sent are not sent again: try again.
        // A commit whose answer was lost and that did not land is sent again, under the same parent.
        const again = committing ? unsure && isTransientFailure(error) : isTransientError(error);
        if (again && attempt < hub.retry.retries) {
          // Info, as the retries of single requests are: a person watching sees it, --json and logs stay quiet.
          yield {
            type: "log",
            level: "info",
            message:
              `${committing ? "Committing" : "Uploading"} to ${repo} failed ` +
              `(${scrubSecrets(describe(error), accessToken)}); retrying.`,
          };
          await hub.retry.sleep(retryDelay(hub.retry, attempt));
          continue;
        }
        throw error;
      }
    }
  } catch (error) {
    // What the run leaves: a repo it created and never committed to goes; uploaded objects of an existing repo stay.
    let removed = false;
    // Not a matrix job's: its siblings may be uploading into the repo it happened to create.
    if (created && !landed && options.concurrent !== true)
      removed = await removeCreatedRepo({
        repo,
        headSha: target.headSha,
        deleteRepo,
        modelInfo,
        common: { ...common, fetch: retrying(undefined) },
      });
    const left = {
      repo,
      hubUrl: hub.hubUrl,
      committed: unsure ? ("maybe" as const) : false,
      removed,
      kept: removed ? 0 : sentBytes,
    };
    if (interrupted()) throw interruptedError(left);
    const remote = toRemoteError({
      error,
      repo,
      hubUrl: hub.hubUrl,
      accessToken,
      doing: "publishing to",
      access: "write",
    });
    throw withLeftovers(remote, left);
  }
}

/** Files of an earlier tvhub publish to delete in the same commit; refuses a repo holding someone's other work. */
function planDeletions(repo: string, existing: string[], options: PublishOptions): string[] {
  const foreign = findForeignFiles(existing);
  if (foreign.length > 0 && options.overwrite !== true) throw foreignFilesError({ target: repo, foreign });
  const keep = options.keep ?? [];
  const gone = keep.filter((path) => !existing.includes(path));
  if (gone.length > 0) {
    throw new RemoteError(
      `${repo} no longer holds ` +
        `${gone.slice(0, 3).join(", ")}${gone.length > 3 ? ` and ${gone.length - 3} more` : ""}, which this ` +
        "publish keeps; rerun.",
      {
        code: "HUB_CHANGED",
        subject: repo,
      },
    );
  }
  const newPaths = new Set([...options.files.map((file) => file.path), ...keep]);
  const earlierPublish = existing.includes("tvhub.json") || existing.some(isPortionRecordPath);
  // Every file the earlier publish wrote and this one does not: stale weights would be loaded with the new ones, and a
  // merged model's config.json or tokenizer beside a task vector would make the repo lie about what it holds.
  return earlierPublish && options.concurrent !== true && options.keepOtherFiles !== true
    ? existing.filter((path) => isPublishablePath(path) && !rewrittenAnyway.has(path) && !newPaths.has(path))
    : [];
}

/** A failed commit request that the Hub may nonetheless have applied: the answer was lost, cut, or a 5xx. */
function mayHaveLanded(error: unknown): boolean {
  return isTransientFailure(error) || error instanceof SyntaxError || isInvalidApiResponseError(error);
}

/** The pull request the Hub says it opened: its URL ends in `/discussions/N`, and its files are at `refs/pr/N`. */
function pullRequestOf(repo: string, hubUrl: string, url: string | undefined): PublishedPullRequest {
  const num = Number(/\/discussions\/([1-9][0-9]*)$/.exec(url ?? "")?.[1]);
  if (url === undefined || !Number.isSafeInteger(num)) {
    throw new RemoteError(
      `${hubUrl} committed to ${repo} but named no pull request (${url ?? "no URL"}); check the repo's pull ` +
        "requests on the Hub.",
      {
        code: "HUB_BAD_RESPONSE",
        subject: repo,
      },
    );
  }
  return { num, url, ref: `refs/pr/${num}` };
}

/**
 * Validates the file list before any request: safe unique repo paths, local files that exist. Returns sizes by path.
 */
async function checkFiles(repo: string, files: PublishFile[]): Promise<Map<string, number>> {
  if (files.length === 0) {
    throw new DataError(`Nothing to publish to ${repo}: the file list is empty.`, {
      code: "HUB_NOTHING_TO_PUBLISH",
      subject: repo,
    });
  }
  const sizes = new Map<string, number>();
  for (const file of files) {
    const segments = file.path.split("/");
    if (
      file.path.length === 0 ||
      /[\\#?%\0]/.test(file.path) ||
      segments.some((segment) => segment === "" || segment === "." || segment === "..")
    ) {
      throw new DataError(
        `Cannot publish "${file.path}" to ${repo}: a repo path is relative, uses "/" between parts, and has no ` +
          `"..", "#", "?" or "%".`,
        {
          code: "HUB_BAD_PATH",
          subject: file.path,
        },
      );
    }
    if (sizes.has(file.path)) {
      throw new DataError(`Cannot publish to ${repo}: ${file.path} appears twice in the file list.`, {
        code: "HUB_DUPLICATE_PATH",
        subject: file.path,
      });
    }
    if ("localPath" in file) {
      const info = await stat(file.localPath).catch(() => undefined);
      if (info === undefined || !info.isFile()) {
        throw new DataError(`Cannot publish ${file.path} to ${repo}: ${file.localPath} is not a readable file.`, {
          code: "HUB_MISSING_FILE",
          subject: file.localPath,
        });
      }
      sizes.set(file.path, info.size);
    } else {
      sizes.set(file.path, file.content.byteLength);
    }
  }
  return sizes;
}

/** A `file:` URL makes the library stream the file from disk instead of holding it in memory. */
function contentOf(file: PublishFile): URL | Blob {
  if ("localPath" in file) return pathToFileURL(resolve(file.localPath));
  return new Blob([file.content as Uint8Array<ArrayBuffer>]);
}

function toProgressEvent(event: CommitProgressEvent, sizes: Map<string, number>): ProgressEvent | undefined {
  if (event.event === "phase") {
    return event.phase === "committing"
      ? { type: "progress", phase: "commit", done: 0, total: 1, unit: "items" }
      : undefined;
  }
  if (event.state === "error") return undefined;
  const total = sizes.get(event.path) ?? 0;
  return {
    type: "progress",
    phase: event.state === "hashing" ? "hash" : "upload",
    label: event.path,
    done: Math.round(event.progress * total),
    total,
    unit: "bytes",
  };
}

/** The library reports every 64 KiB chunk; one event per MiB is plenty for a progress bar. */
function createThrottle(stepBytes = 1024 * 1024): { shouldYield(event: ProgressEvent): boolean } {
  const last = new Map<string, number>();
  return {
    shouldYield(event) {
      if (event.type !== "progress" || event.unit !== "bytes") return true;
      const key = `${event.phase}:${event.label ?? ""}`;
      const previous = last.get(key);
      if (
        previous !== undefined &&
        event.done !== event.total &&
        event.done - previous < stepBytes &&
        event.done >= previous
      )
        return false;
      last.set(key, event.done);
      return true;
    },
  };
}

function describe(error: unknown): string {
  if (isHubApiError(error)) return `HTTP ${error.statusCode}`;
  return error instanceof Error ? error.message : String(error);
}
