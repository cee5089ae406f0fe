import { commitTargetOf, commitToTarget, repoForCommit } from "./discussions/commit-target.js";
import { gitBlobSha1, lfsPointer } from "./git-objects.js";
import { isLfsPath, parseGitattributes } from "./gitattributes.js";
import { writableRepo, type Exchange, type HubContext } from "./hub-context.js";
import { badRequest, HttpError, repoNotFound, tooManyItems } from "./http-error.js";
import { bodyChunks, readJson, readLines, sendJson } from "./http-io.js";
import type { Route } from "./match-route.js";
import { checkFilePath, isSha256 } from "./names.js";
import type { TreeChange } from "./repo-store.js";
import type { FileRecord, RepoRecord } from "./types.js";
import { repoIdOf, urlPrefixOf } from "./types.js";

type RouteOf<N extends Route["name"]> = Extract<Route, { name: N }>;

/** How long an LFS upload href stays valid. */
const uploadHrefSeconds = 3600;

/** Tells the client which files go through LFS: big ones, binary ones, and those `.gitattributes` sends there. */
export async function handlePreupload(hub: HubContext, ex: Exchange<RouteOf<"preupload">>): Promise<void> {
  const repo = await repoForCommit(hub, ex.caller, ex.route.repo, commitTargetOf(ex.route.revision, ex.query));
  const body = await readJson(ex.req, hub.limits.maxJsonBytes, "preupload request");
  const commit = await hub.storage.repos.resolveRevision(repo, ex.route.revision);
  if (!Array.isArray(body.files)) throw badRequest('The preupload body needs "files": an array.', "HUB_BAD_BODY");
  if (body.files.length > hub.limits.maxPreuploadFiles)
    throw tooManyItems("preupload request", hub.limits.maxPreuploadFiles);
  let gitattributes = typeof body.gitAttributes === "string" ? body.gitAttributes : undefined;
  if (gitattributes === undefined) {
    const current = commit.files.find((file) => file.path === ".gitattributes");
    if (current && current.size <= hub.limits.maxJsonBytes)
      gitattributes = (await hub.storage.objects.readBytes(current.sha256)).toString("utf8");
  }
  const rules = parseGitattributes(gitattributes ?? "");
  const byPath = new Map(commit.files.map((file) => [file.path, file]));
  const files = body.files.map((item: unknown) => {
    const entry = (item ?? {}) as Record<string, unknown>;
    if (typeof entry.path !== "string" || !isSize(entry.size)) {
      throw badRequest('Each preupload file needs a "path" string and a "size" in bytes.', "HUB_BAD_BODY");
    }
    const path = checkFilePath(entry.path);
    const sample = typeof entry.sample === "string" ? Buffer.from(entry.sample, "base64") : Buffer.alloc(0);
    const lfs = entry.size >= hub.limits.lfsThreshold || isLfsPath(path, rules) || sample.includes(0);
    // The current file's oid lets the Python client leave unchanged files out of the commit. It compares it with
    // the sha256 for LFS uploads and the git blob id otherwise.
    const current = byPath.get(path);
    const oid = current === undefined ? null : lfs ? current.sha256 : current.oid;
    return { path, uploadMode: lfs ? "lfs" : "regular", shouldIgnore: false, oid };
  });
  sendJson(ex.res, 200, { files });
}

/** The LFS batch API, upload only, always `transfer: basic` (so the client never tries Xet). */
export async function handleLfsBatch(hub: HubContext, ex: Exchange<RouteOf<"lfsBatch">>): Promise<void> {
  const body = await readJson(ex.req, hub.limits.maxJsonBytes, "LFS batch request");
  // The clients send no ref for a pull request (or refs/pr/N): readers may upload for one, the commit decides.
  const refName = (body.ref as { name?: unknown } | undefined)?.name;
  const forPullRequest = refName === undefined || (typeof refName === "string" && refName.startsWith("refs/pr/"));
  const repo = forPullRequest
    ? await repoForCommit(hub, ex.caller, ex.route.repo, { kind: "newPullRequest", base: "main" })
    : await writableRepo(hub, ex.caller, ex.route.repo);
  if (body.operation !== "upload") {
    throw badRequest(
      'This Hub answers LFS batch calls for "upload" only; download files through resolve/.',
      "HUB_LFS_OPERATION",
    );
  }
  if (Array.isArray(body.transfers) && !body.transfers.includes("basic")) {
    throw new HttpError('This Hub offers the "basic" LFS transfer only.', { status: 422, code: "HUB_LFS_TRANSFER" });
  }
  if (!Array.isArray(body.objects))
    throw badRequest('The LFS batch body needs "objects": an array of {oid, size}.', "HUB_BAD_BODY");
  if (body.objects.length > hub.limits.maxLfsBatchObjects)
    throw tooManyItems("LFS batch request", hub.limits.maxLfsBatchObjects);
  const expires = Math.floor(hub.now().getTime() / 1000) + uploadHrefSeconds;
  const objects = [];
  for (const item of body.objects as unknown[]) {
    const { oid, size } = (item ?? {}) as Record<string, unknown>;
    if (typeof oid !== "string" || !isSha256(oid) || !isSize(size)) {
      throw badRequest("Each LFS object needs a lowercase hex sha256 oid and a size in bytes.", "HUB_BAD_BODY");
    }
    if (size > hub.limits.maxObjectBytes) {
      objects.push({
        oid,
        size,
        error: { code: 422, message: `Files larger than ${hub.limits.maxObjectBytes} bytes are not accepted.` },
      });
    } else if ((await hub.storage.repos.hasLfsGrant(repo, oid)) && (await hub.storage.objects.sizeOf(oid)) === size) {
      objects.push({ oid, size });
    } else {
      const query = hub.signer.sign({ repo, sha256: oid, size, expires });
      const href = `${ex.origin}/lfs-upload/${repo.type}s/${repo.namespace}/${repo.name}/${oid}?${query}`;
      objects.push({ oid, size, authenticated: true, actions: { upload: { href, expires_in: uploadHrefSeconds } } });
    }
  }
  sendJson(
    ex.res,
    200,
    { transfer: "basic", objects, hash_algo: "sha256" },
    { "Content-Type": "application/vnd.git-lfs+json" },
  );
}

/**
 * The PUT behind an upload href. The href's signature is the authorization (the client sends no token here);
 * the body is hashed while it is written and kept only if it is exactly the declared object.
 */
export async function handleLfsUpload(hub: HubContext, ex: Exchange<RouteOf<"lfsUpload">>): Promise<void> {
  const { repo: key, sha256 } = ex.route;
  const grant = hub.signer.verify({ repo: key, sha256, query: ex.query, now: Math.floor(hub.now().getTime() / 1000) });
  if (!grant) {
    throw new HttpError("This upload link is invalid or has expired; ask the LFS batch endpoint for a new one.", {
      status: 403,
      code: "HUB_BAD_UPLOAD_LINK",
    });
  }
  const repo = await hub.storage.repos.getRepo(key);
  if (!repo) throw repoNotFound();
  const declared = ex.req.headers["content-length"];
  if (declared !== undefined && Number(declared) !== grant.size) {
    throw badRequest(
      `The upload has Content-Length ${declared} but object ${sha256} was declared with ${grant.size} bytes.`,
      "HUB_UPLOAD_SIZE_MISMATCH",
    );
  }
  await hub.storage.objects.putStream({ source: bodyChunks(ex.req), sha256, size: grant.size });
  await hub.storage.repos.addLfsGrant(repo, sha256);
  sendJson(ex.res, 200, {});
}

/**
 * The NDJSON commit. Lines are read as they arrive; inline files go to the object store one by one, LFS files
 * must have been uploaded to this repo. Only then, under the repo's lock, is the parent checked (412 when stale)
 * and the branch moved to the new commit.
 */
export async function handleCommit(hub: HubContext, ex: Exchange<RouteOf<"commit">>): Promise<void> {
  const target = commitTargetOf(ex.route.revision, ex.query);
  const repo = await repoForCommit(hub, ex.caller, ex.route.repo, target);
  let header: { title: string; description: string; parentCommit?: string } | undefined;
  const changes: TreeChange[] = [];
  for await (const line of readLines(bodyChunks(ex.req), hub.limits.maxCommitLineBytes, "commit")) {
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw badRequest("A line of the commit body is not valid JSON; send one JSON object per line.", "HUB_BAD_COMMIT");
    }
    const { key, value } = (parsed ?? {}) as { key?: unknown; value?: Record<string, unknown> };
    if (value === null || typeof value !== "object")
      throw badRequest('Each commit line needs a "value" object.', "HUB_BAD_COMMIT");
    if (header === undefined) {
      if (key !== "header")
        throw badRequest('The first line of a commit must be its {"key":"header"}.', "HUB_BAD_COMMIT");
      header = commitHeaderOf(value);
      continue;
    }
    if (changes.length >= hub.limits.maxCommitOperations) {
      throw new HttpError(`A commit may hold at most ${hub.limits.maxCommitOperations} operations; split it.`, {
        status: 413,
        code: "HUB_COMMIT_TOO_LARGE",
      });
    }
    changes.push(await changeOf(hub, repo, key, value));
  }
  if (header === undefined) throw badRequest("The commit body is empty; send a header line first.", "HUB_BAD_COMMIT");
  await hub.storage.objects.makeDurable(
    changes.flatMap((change) => (change.kind === "put" && !change.file.lfs ? [change.file.sha256] : [])),
  );
  const { commit, pullRequestUrl } = await commitToTarget(hub, {
    repo,
    target,
    caller: ex.caller,
    ...(header.parentCommit !== undefined && { parentCommit: header.parentCommit }),
    meta: { title: header.title, description: header.description, author: ex.caller.user ?? "", date: hub.now() },
    changes,
    origin: ex.origin,
  });
  sendJson(ex.res, 200, {
    success: true,
    commitOid: commit.id,
    commitUrl: `${ex.origin}/${urlPrefixOf(repo.type)}${repoIdOf(repo)}/commit/${commit.id}`,
    hookOutput: "",
    ...(pullRequestUrl !== undefined && { pullRequestUrl }),
  });
}

function commitHeaderOf(value: Record<string, unknown>): { title: string; description: string; parentCommit?: string } {
  const { summary, description, parentCommit } = value;
  if (typeof summary !== "string" || summary.trim() === "" || summary.length > 1000) {
    throw badRequest("The commit header needs a summary of 1 to 1000 characters.", "HUB_BAD_COMMIT");
  }
  if (description !== undefined && (typeof description !== "string" || description.length > 100_000)) {
    throw badRequest("The commit description must be a string of at most 100000 characters.", "HUB_BAD_COMMIT");
  }
  // The Python client passes on whatever the caller gave, a short id included (5 to 40 hex digits).
  if (parentCommit !== undefined && (typeof parentCommit !== "string" || !/^[0-9a-f]{5,40}$/.test(parentCommit))) {
    throw badRequest("parentCommit must be a commit id: 5 to 40 lowercase hex digits.", "HUB_BAD_COMMIT");
  }
  return { title: summary.trim(), description: description ?? "", ...(parentCommit !== undefined && { parentCommit }) };
}

async function changeOf(
  hub: HubContext,
  repo: RepoRecord,
  key: unknown,
  value: Record<string, unknown>,
): Promise<TreeChange> {
  if (typeof value.path !== "string")
    throw badRequest(`A "${String(key)}" commit line needs a "path".`, "HUB_BAD_COMMIT");
  // A folder deletion may name the folder with a trailing slash (`delete_folder`, `CommitOperationDelete("dir/")`).
  const path = checkFilePath(key === "deletedFolder" ? value.path.replace(/\/+$/, "") : value.path);
  switch (key) {
    case "file": {
      if (typeof value.content !== "string")
        throw badRequest(`The inline file "${path}" has no content.`, "HUB_BAD_COMMIT");
      const encoding = value.encoding ?? "base64";
      if (encoding !== "base64" && encoding !== "utf-8") {
        throw badRequest(`The inline file "${path}" has encoding ${String(encoding)}; use base64.`, "HUB_BAD_COMMIT");
      }
      const bytes = Buffer.from(value.content, encoding === "base64" ? "base64" : "utf8");
      if (bytes.byteLength >= hub.limits.lfsThreshold) {
        throw new HttpError(
          `"${path}" has ${bytes.byteLength} bytes; files of ${hub.limits.lfsThreshold} bytes or more go through LFS.`,
          {
            status: 422,
            code: "HUB_INLINE_TOO_LARGE",
          },
        );
      }
      const sha256 = await hub.storage.objects.putBytes(bytes);
      return { kind: "put", file: { path, sha256, oid: gitBlobSha1(bytes), size: bytes.byteLength, lfs: false } };
    }
    case "lfsFile": {
      const { oid, algo } = value;
      if (
        (algo !== undefined && algo !== "sha256") ||
        typeof oid !== "string" ||
        !isSha256(oid) ||
        (value.size !== undefined && !isSize(value.size))
      ) {
        throw badRequest(`The LFS file "${path}" needs algo sha256, a hex oid and a size.`, "HUB_BAD_COMMIT");
      }
      const stored = await hub.storage.objects.sizeOf(oid);
      // A copy (`CommitOperationCopy`) names the object by oid alone: its size is the stored one.
      const size = value.size ?? stored;
      if (size === undefined || stored !== size || !(await hub.storage.repos.hasLfsGrant(repo, oid))) {
        throw new HttpError(
          `The LFS object of "${path}" (sha256 ${oid}, ${size} bytes) was not uploaded to this repo; upload it first.`,
          {
            status: 422,
            code: "HUB_LFS_MISSING",
          },
        );
      }
      const file: FileRecord = {
        path,
        sha256: oid,
        oid: gitBlobSha1(Buffer.from(lfsPointer({ sha256: oid, size }))),
        size,
        lfs: true,
      };
      return { kind: "put", file };
    }
    case "deletedFile":
      return { kind: "delete", path };
    case "deletedFolder":
      return { kind: "deleteFolder", path };
    default:
      throw badRequest(
        `Unknown commit operation "${String(key)}"; use file, lfsFile, deletedFile or deletedFolder.`,
        "HUB_BAD_COMMIT",
      );
  }
}

function isSize(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
