import { lfsPointer } from "./git-objects.js";
import { readableRepo, type Exchange, type HubContext } from "./hub-context.js";
import { entryNotFound, HttpError } from "./http-error.js";
import { sendError } from "./http-io.js";
import type { Route } from "./match-route.js";
import { checkFilePath } from "./names.js";
import { parseRange } from "./parse-range.js";
import { sendFileRange } from "./send-file-range.js";

/**
 * `resolve` and `raw` downloads, GET and HEAD. Bytes are streamed from the object store, never buffered; a
 * `Range` gets 206 with `Content-Range`, which is also how the client learns the size. `raw` of an LFS file is
 * its pointer, as on the Hub. No redirects: the client would not see headers of a 3xx anyway.
 */
export async function serveFile(hub: HubContext, ex: Exchange<Extract<Route, { name: "file" }>>): Promise<void> {
  const { route, req, res } = ex;
  const repo = await readableRepo(hub, ex.caller, route.repo);
  const commit = await hub.storage.repos.resolveRevision(repo, route.revision);
  const path = checkFilePath(route.path);
  const file = commit.files.find((candidate) => candidate.path === path);
  if (!file) throw entryNotFound(path, route.revision, commit.id);

  const pointer = route.raw && file.lfs ? Buffer.from(lfsPointer({ sha256: file.sha256, size: file.size })) : undefined;
  const size = pointer ? pointer.byteLength : file.size;
  const etag = `"${file.lfs && !pointer ? file.sha256 : file.oid}"`;
  const headers: Record<string, string | number> = {
    ETag: etag,
    "Accept-Ranges": "bytes",
    "X-Repo-Commit": commit.id,
    "Content-Type": pointer ? "text/plain; charset=utf-8" : contentTypeOf(path),
    "X-Content-Type-Options": "nosniff",
    // Repo files are untrusted: an SVG opened on its own runs nothing and reaches nothing (pages show it in <img>).
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox",
    // A commit id names immutable bytes; a branch can move.
    "Cache-Control": route.revision === commit.id ? "public, max-age=31536000, immutable" : "no-cache",
  };
  if (file.lfs && !pointer) {
    headers["X-Linked-Size"] = file.size;
    headers["X-Linked-ETag"] = etag;
  }

  const range = parseRange({ header: req.headers.range, size });
  if (range.kind === "full" && req.headers["if-none-match"] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  let start = 0;
  let end = size - 1;
  if (range.kind === "unsatisfiable") {
    if (size === 0) {
      // An empty file has no byte 0, yet the client probes every file with `bytes=0-0` and reads the size from
      // Content-Range; this answer (what the Hub's CDN sends) keeps empty files downloadable.
      res.writeHead(206, { ...headers, "Content-Range": "bytes */0", "Content-Length": 0 });
      res.end();
      return;
    }
    const error = new HttpError(`The requested range is not within the ${size} bytes of "${path}".`, {
      status: 416,
      code: "HUB_BAD_RANGE",
    });
    res.setHeader("Content-Range", `bytes */${size}`);
    sendError(req, res, error);
    return;
  }
  if (range.kind === "partial") {
    ({ start, end } = range);
    res.writeHead(206, {
      ...headers,
      "Content-Range": `bytes ${start}-${end}/${size}`,
      "Content-Length": end - start + 1,
    });
  } else {
    res.writeHead(200, { ...headers, "Content-Length": size });
  }
  if (route.head || end < start) {
    res.end();
    return;
  }
  if (pointer) {
    res.end(pointer.subarray(start, end + 1));
    return;
  }
  try {
    await sendFileRange({ path: hub.storage.objects.pathOf(file.sha256), start, end, out: res });
  } catch {
    // The client went away mid-download (or the disk failed): nothing more can be said on this response.
    res.destroy();
  }
}

const imageTypes: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  svg: "image/svg+xml",
};

/** Images get their type, so a card's pictures show in a browser (as on the Hub); anything else is bytes. */
function contentTypeOf(path: string): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return (extension !== undefined && imageTypes[extension]) || "application/octet-stream";
}
