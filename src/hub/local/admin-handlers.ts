import { gitBlobSha1 } from "./git-objects.js";
import { defaultGitattributes } from "./gitattributes.js";
import { assertCanWrite, writableRepo, type Exchange, type HubContext } from "./hub-context.js";
import { badRequest, HttpError, repoNotFound } from "./http-error.js";
import { readJson, readOptionalJson, sendJson } from "./http-io.js";
import type { Route } from "./match-route.js";
import { checkFilePath, isValidName, isValidNamespace, type RepoType } from "./names.js";
import type { Caller } from "./access-control.js";
import type { FileRecord, RepoKey } from "./types.js";
import { repoIdOf, urlPrefixOf } from "./types.js";

type RouteOf<N extends Route["name"]> = Extract<Route, { name: N }>;

export function handleWhoami(hub: HubContext, ex: Exchange<RouteOf<"whoami">>): void {
  if (ex.caller.user === undefined) {
    throw new HttpError("Invalid credentials in Authorization header.", { status: 401, code: "HUB_AUTH_REQUIRED" });
  }
  sendJson(ex.res, 200, hub.access.whoami(ex.caller.user));
}

/**
 * Creates a repo with the Hub's first commit: the default `.gitattributes`, a README whose front matter holds the
 * license when one is given, and any small files sent along.
 */
export async function handleCreateRepo(hub: HubContext, ex: Exchange<RouteOf<"createRepo">>): Promise<void> {
  const body = await readJson(ex.req, hub.limits.maxJsonBytes, "create-repo request");
  const key = repoKeyOf(body, ex.caller);
  if (!isValidNamespace(key.namespace) || !isValidName(key.name)) {
    throw badRequest(
      `"${key.namespace}/${key.name}" is not a valid repo id; use letters, digits, - _ and . (no -- or ..), at most ` +
        "96 characters each.",
      "HUB_BAD_NAME",
    );
  }
  assertCanWrite(hub, ex.caller, key.namespace);
  const isPrivate = body.private === true || body.visibility === "private" || body.visibility === "protected";
  const initial = new Map<string, Uint8Array>([[".gitattributes", Buffer.from(defaultGitattributes)]]);
  if (body.license !== undefined) {
    if (typeof body.license !== "string" || !/^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$/.test(body.license)) {
      throw badRequest("The license must be a license id such as apache-2.0 or mit.", "HUB_BAD_LICENSE");
    }
    initial.set("README.md", Buffer.from(`---\nlicense: ${body.license}\n---\n`));
  }
  if (body.files !== undefined) {
    if (!Array.isArray(body.files))
      throw badRequest('"files" must be an array of {path, content, encoding}.', "HUB_BAD_BODY");
    for (const item of body.files as unknown[]) {
      const { path, content, encoding } = (item ?? {}) as Record<string, unknown>;
      if (
        typeof path !== "string" ||
        typeof content !== "string" ||
        (encoding !== undefined && encoding !== "base64")
      ) {
        throw badRequest('Each of "files" needs a path and base64 content.', "HUB_BAD_BODY");
      }
      initial.set(checkFilePath(path), Buffer.from(content, "base64"));
    }
  }
  const files: FileRecord[] = [];
  for (const [path, bytes] of initial) {
    if (bytes.byteLength >= hub.limits.lfsThreshold) {
      throw new HttpError(`"${path}" is too large to send with the repo creation; upload it afterwards.`, {
        status: 422,
        code: "HUB_INLINE_TOO_LARGE",
      });
    }
    const sha256 = await hub.storage.objects.putBytes(bytes);
    files.push({ path, sha256, oid: gitBlobSha1(bytes), size: bytes.byteLength, lfs: false });
  }
  await hub.storage.objects.makeDurable(files.map((file) => file.sha256));
  const url = `${ex.origin}/${urlPrefixOf(key.type)}${repoIdOf(key)}`;
  try {
    const { repo } = await hub.storage.repos.createRepo({
      key,
      private: isPrivate,
      files,
      title: "initial commit",
      description: "",
      author: ex.caller.user ?? "",
      date: hub.now(),
    });
    sendJson(ex.res, 200, { url, name: repoIdOf(repo), id: repo._id });
  } catch (error) {
    // The Hub's 409 names the repo: `create_repo(exist_ok=True)` of the Python client reads its `url`.
    if (error instanceof HttpError && error.code === "HUB_REPO_EXISTS") {
      throw new HttpError(`You already created this ${key.type} repo`, {
        status: 409,
        code: error.code,
        body: { url },
      });
    }
    throw error;
  }
}

/** `POST /api/repos/move` `{fromRepo, toRepo, type}`: the caller must be able to write both namespaces. */
export async function handleMoveRepo(hub: HubContext, ex: Exchange<RouteOf<"moveRepo">>): Promise<void> {
  const body = await readJson(ex.req, hub.limits.maxJsonBytes, "move-repo request");
  const type = body.type ?? "model";
  if (type !== "model" && type !== "dataset")
    throw badRequest(`This Hub stores model and dataset repos, not "${String(type)}".`, "HUB_BAD_TYPE");
  const keyOf = (value: unknown, field: string): RepoKey => {
    const parts = typeof value === "string" ? value.split("/") : [];
    const [namespace = "", name = ""] = parts;
    if (parts.length !== 2 || !isValidNamespace(namespace) || !isValidName(name)) {
      throw badRequest(
        `"${field}" must be a repo id such as alice/model (letters, digits, - _ and .).`,
        "HUB_BAD_NAME",
      );
    }
    return { type, namespace, name };
  };
  const from = keyOf(body.fromRepo, "fromRepo");
  const to = keyOf(body.toRepo, "toRepo");
  await writableRepo(hub, ex.caller, from);
  assertCanWrite(hub, ex.caller, to.namespace);
  const moved = await hub.storage.repos.moveRepo({ from, to });
  sendJson(ex.res, 200, { url: `${ex.origin}/${urlPrefixOf(moved.type)}${repoIdOf(moved)}` });
}

export async function handleDeleteRepo(hub: HubContext, ex: Exchange<RouteOf<"deleteRepo">>): Promise<void> {
  const body = await readJson(ex.req, hub.limits.maxJsonBytes, "delete-repo request");
  const key = repoKeyOf(body, ex.caller);
  await writableRepo(hub, ex.caller, key);
  if (!(await hub.storage.repos.deleteRepo(key))) throw repoNotFound();
  sendJson(ex.res, 200, {});
}

/** `PUT /api/{type}s/{id}/settings`: the visibility switch (`private` or `visibility`). */
export async function handleUpdateSettings(hub: HubContext, ex: Exchange<RouteOf<"updateSettings">>): Promise<void> {
  const repo = await writableRepo(hub, ex.caller, ex.route.repo);
  const body = await readJson(ex.req, hub.limits.maxJsonBytes, "settings request");
  if (body.gated !== undefined && body.gated !== false) {
    // Access requests need a review flow this Hub does not have; saying so beats storing a flag nobody enforces.
    throw new HttpError("This Hub has no gated repos; make the repo private instead (visibility: private).", {
      status: 422,
      code: "HUB_NO_GATING",
    });
  }
  let isPrivate = repo.private;
  if (typeof body.private === "boolean") isPrivate = body.private;
  else if (body.visibility === "private" || body.visibility === "protected" || body.visibility === "public")
    isPrivate = body.visibility !== "public";
  const updated = await hub.storage.repos.updateRepo({ key: repo, private: isPrivate });
  sendJson(ex.res, 200, { private: updated.private });
}

export async function handleCreateBranch(hub: HubContext, ex: Exchange<RouteOf<"createBranch">>): Promise<void> {
  const repo = await writableRepo(hub, ex.caller, ex.route.repo);
  const body = await readOptionalJson(ex.req, hub.limits.maxJsonBytes, "branch request");
  await hub.storage.repos.createBranch({
    repo,
    branch: ex.route.branch,
    ...(typeof body.startingPoint === "string" && { startingPoint: body.startingPoint }),
    emptyBranch: body.emptyBranch === true,
    overwrite: body.overwrite === true,
    title: `Create branch ${ex.route.branch}`,
    description: "",
    author: ex.caller.user ?? "",
    date: hub.now(),
  });
  sendJson(ex.res, 200, {});
}

export async function handleDeleteBranch(hub: HubContext, ex: Exchange<RouteOf<"deleteBranch">>): Promise<void> {
  const repo = await writableRepo(hub, ex.caller, ex.route.repo);
  await hub.storage.repos.deleteBranch({ repo, branch: ex.route.branch });
  sendJson(ex.res, 200, {});
}

/** Repo create/delete bodies: `{name, organization, type}`; `name` may also be `ns/name`. */
function repoKeyOf(body: Record<string, unknown>, caller: Caller): RepoKey {
  const type = body.type ?? "model";
  if (type !== "model" && type !== "dataset") {
    throw badRequest(`This Hub stores model and dataset repos, not "${String(type)}".`, "HUB_BAD_TYPE");
  }
  if (typeof body.name !== "string" || body.name === "")
    throw badRequest('The request needs a repo "name".', "HUB_BAD_BODY");
  const parts = body.name.split("/");
  const organization =
    typeof body.organization === "string" && body.organization !== "" ? body.organization : undefined;
  if (parts.length === 2) {
    const [namespace = "", name = ""] = parts;
    return { type: type as RepoType, namespace, name };
  }
  const namespace = organization ?? caller.user;
  if (namespace === undefined) {
    throw new HttpError("Creating or deleting a repo needs a token; pass the access token of its owner.", {
      status: 401,
      code: "HUB_AUTH_REQUIRED",
    });
  }
  return { type: type as RepoType, namespace, name: body.name };
}
