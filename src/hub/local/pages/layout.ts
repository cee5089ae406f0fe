import { html, type SafeHtml } from "./html.js";
import { kindLabels, type RepoKind } from "./repo-summary.js";

export const assetPrefix = "/-/browse";

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Full-width content between the top bar and the page's body (a repo's name and tabs). */
  head?: SafeHtml;
  /** The search box's current text. */
  search?: string;
  /** Pages that render a card load KaTeX's stylesheet (and, through it, its fonts). */
  math?: boolean;
}

/** The document around every page: one stylesheet of our own, no script anywhere. */
export function renderPage(options: PageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title}</title>
<link rel="icon" href="${assetPrefix}/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${assetPrefix}/tvhub.css">
${options.math ? html`<link rel="stylesheet" href="${assetPrefix}/katex/katex.min.css">` : ""}
</head>
<body>
<header class="top"><div class="wrap">
<a class="brand" href="/"><span class="logo">τ</span>tvhub <span class="muted">local Hub</span></a>
<form class="top-search" action="/" method="get" role="search">\
<input type="search" name="search" aria-label="Search repositories" \
placeholder="Search models, task vectors, adapters, merges…" value="${options.search ?? ""}"></form>
<nav class="top-nav"><a href="/?kind=task-vector">Task vectors</a><a href="/?kind=merge">Merges</a>\
<a href="/api/models">API</a></nav>
</div></header>
${options.head ?? ""}
<main class="wrap">
${options.body}
</main>
<footer class="wrap foot">Served by <code>tvhub hub serve</code>. Pages show what the request's own credentials may \
read through the API; a browser sends none, so private repos stay hidden.</footer>
</body>
</html>
`.text;
}

export function kindBadge(kind: RepoKind): SafeHtml {
  return html`<span class="badge kind-${kind}">${kindLabels[kind]}</span>`;
}

/** Sizes as people read them (1 kB = 1000 B, as the Hub shows them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** `2026-12-07 00:41 UTC`: dates of commits, the same on every machine. */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The page's icon: the logo's τ, a file of its own like every asset. */
export const iconSvg =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><defs><linearGradient id="g" ` +
  `x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6366f1"/><stop offset="1" ` +
  `stop-color="#a855f7"/></linearGradient></defs><rect width="32" height="32" rx="8" fill="url(#g)"/><text ` +
  `x="16" y="23" font-family="Georgia,serif" font-style="italic" font-size="20" text-anchor="middle" ` +
  `fill="#fff">τ</text></svg>`;
