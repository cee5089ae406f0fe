import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { HttpError } from "../http-error.js";
import { iconSvg } from "./layout.js";
import { pagesCss } from "./pages-css.js";

export interface ServeAssetOptions {
  /** The path after `/-/browse/`. */
  path: string;
  req: IncomingMessage;
  res: ServerResponse;
  head: boolean;
}

const fontTypes: Record<string, string> = { woff2: "font/woff2", woff: "font/woff", ttf: "font/ttf" };

/**
 * The pages' own files: the stylesheet and icon (strings in the bundle), and KaTeX's stylesheet and fonts, read
 * from the installed katex package, so nothing is fetched from anywhere else and the pages work offline.
 */
export async function serveAsset(options: ServeAssetOptions): Promise<void> {
  const { path } = options;
  if (path === "tvhub.css") return send(options, "text/css; charset=utf-8", Buffer.from(pagesCss));
  if (path === "icon.svg") return send(options, "image/svg+xml", Buffer.from(iconSvg));
  if (path === "katex/katex.min.css")
    return send(options, "text/css; charset=utf-8", await readFile(join(katexDist(), "katex.min.css")));
  const font = /^katex\/fonts\/(KaTeX_[A-Za-z0-9_-]+\.(woff2|woff|ttf))$/.exec(path);
  if (font?.[1] && font[2])
    return send(
      options,
      fontTypes[font[2]] ?? "application/octet-stream",
      await readFile(join(katexDist(), "fonts", font[1])).catch(() => notFound()),
    );
  notFound();
}

let dist: string | undefined;

function katexDist(): string {
  // The package's main file is dist/katex.js; its stylesheet and fonts sit beside it.
  dist ??= dirname(createRequire(import.meta.url).resolve("katex"));
  return dist;
}

function send(options: ServeAssetOptions, type: string, body: Buffer): void {
  options.res.writeHead(200, {
    "Content-Type": type,
    "Content-Length": body.byteLength,
    "Cache-Control": "public, max-age=3600",
    "X-Content-Type-Options": "nosniff",
  });
  options.res.end(options.head ? undefined : body);
}

function notFound(): never {
  throw new HttpError("No such file among the pages' assets.", { status: 404, code: "HUB_NO_ROUTE" });
}
