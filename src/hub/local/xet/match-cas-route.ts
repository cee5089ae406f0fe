import { HttpError } from "../http-error.js";
import { hexToHash, type XetHash } from "./xet-hash.js";

/** The CAS endpoints, below `/xet-cas/` (the `casUrl` the token endpoints hand out). */
export type CasRoute =
  | { op: "uploadXorb"; hash: XetHash }
  | { op: "uploadShard" }
  /** Endpoints a client may try that this Hub answers 404 on purpose (see docs/local-hub.md, "Xet"). */
  | { op: "notServed"; what: string };

/** Maps the path segments after `xet-cas` to a CAS route. */
export function matchCasRoute(method: string, segments: readonly string[]): CasRoute {
  const [version, kind, prefix, hex] = segments;
  const wrongMethod = (): HttpError =>
    new HttpError(`${method} is not supported on this path.`, { status: 405, code: "HUB_METHOD_NOT_ALLOWED" });
  if (version === "v1" && kind === "xorbs" && segments.length === 4 && prefix !== undefined && hex !== undefined) {
    if (method !== "POST") throw wrongMethod();
    const hash = hexToHash(hex);
    if (!hash)
      throw new HttpError(`"${hex}" is not a xorb hash (64 hex digits).`, { status: 400, code: "HUB_XET_BAD_HASH" });
    return { op: "uploadXorb", hash };
  }
  if (version === "v1" && kind === "shards" && segments.length === 2) {
    if (method !== "POST") throw wrongMethod();
    return { op: "uploadShard" };
  }
  // hf_xet tries the v2 (streaming) shard upload first and falls back to v1 on a 404; global dedup is optional, so
  // "no such chunk" is always a valid answer; downloads go through resolve, never through Xet reconstruction.
  if (version === "v2" && kind === "shards") return { op: "notServed", what: "v2 shard uploads (use /v1/shards)" };
  if (version === "v1" && kind === "chunks") return { op: "notServed", what: "global deduplication" };
  if ((version === "v1" || version === "v2") && (kind === "reconstructions" || kind === "file-chunk-hashes")) {
    return { op: "notServed", what: "Xet downloads (download files through resolve/)" };
  }
  throw new HttpError("No such endpoint on this Hub's Xet storage.", { status: 404, code: "HUB_NO_ROUTE" });
}
