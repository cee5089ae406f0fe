import { badRequest, HttpError, payloadTooLarge, repoNotFound } from "../http-error.js";
import type { Exchange, HubContext } from "../hub-context.js";
import { bodyChunks, readBody, sendJson } from "../http-io.js";
import type { Route } from "../match-route.js";
import type { CasGrant } from "./cas-tokens.js";
import { XetFormatError } from "./decode-chunk.js";
import { maxShardBytes, parseShard } from "./parse-shard.js";
import { registerShardFiles } from "./register-shard-files.js";
import { maxXorbBytes } from "./scan-xorb.js";
import { loadXetHasher } from "./xet-hash.js";

/**
 * The CAS storage server on the Hub's own port. Calls carry `Bearer <CAS token>` (from xet-write-token), never a Hub
 * token. Xorbs are verified before they are kept; a shard's files are rebuilt into LFS objects before it is accepted,
 * so once a client has its 200, the commit that names those files can succeed.
 */
export async function handleCas(hub: HubContext, ex: Exchange<Extract<Route, { name: "cas" }>>): Promise<void> {
  const { cas } = ex.route;
  if (cas.op === "notServed") {
    throw new HttpError(`This Hub does not serve ${cas.what}.`, { status: 404, code: "HUB_XET_NOT_SERVED" });
  }
  const grant = casGrantOf(hub, ex.req.headers.authorization);
  if (grant.scope !== "write") {
    throw new HttpError("This CAS token is for reading; uploads need one from xet-write-token.", {
      status: 403,
      code: "HUB_FORBIDDEN",
    });
  }
  const repo = await hub.storage.repos.getRepo(grant.repo);
  if (!repo) throw repoNotFound();
  const hasher = await loadXetHasher();
  if (cas.op === "uploadXorb") {
    const declared = Number(ex.req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxXorbBytes) throw payloadTooLarge("xorb", maxXorbBytes);
    const inserted = await hub.xet.store.putXorb({ hash: cas.hash, source: bodyChunks(ex.req), hasher });
    sendJson(ex.res, 200, { was_inserted: inserted });
    return;
  }
  const body = await readBody(ex.req, maxShardBytes, "shard");
  let files: ReturnType<typeof parseShard>;
  try {
    files = parseShard(body);
  } catch (error) {
    if (error instanceof XetFormatError)
      throw badRequest(`The shard is refused: ${error.message}.`, "HUB_XET_BAD_SHARD");
    throw error;
  }
  // Rebuilding a large file takes a while with nothing sent; the server's idle-socket timeout must not cut it off
  // (hf_xet waits for shard answers without a read timeout). It applies again once the answer is out.
  const { socket } = ex.req;
  const idle = socket.timeout;
  socket.setTimeout(0);
  try {
    await registerShardFiles({ hub, repo, files, hasher });
  } finally {
    socket.setTimeout(idle ?? 0);
  }
  sendJson(ex.res, 200, { result: 1 });
}

/** The grant of the request's CAS token; 401 (which makes clients fetch a new token) when it is missing or expired. */
function casGrantOf(hub: HubContext, authorization: string | undefined): CasGrant {
  const token = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  const grant = token === undefined ? undefined : hub.xet.tokens.verify(token, Math.floor(hub.now().getTime() / 1000));
  if (grant === undefined || grant === "expired") {
    const why = grant === "expired" ? "has expired" : token === undefined ? "is missing" : "is not valid here";
    throw new HttpError(`The Xet access token ${why}; get a new one from xet-write-token.`, {
      status: 401,
      code: "HUB_XET_BAD_TOKEN",
    });
  }
  return grant;
}
