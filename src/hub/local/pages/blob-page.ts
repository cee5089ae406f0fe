import type { CommitRecord, FileRecord } from "../types.js";
import { html, type SafeHtml } from "./html.js";
import { formatBytes, renderPage } from "./layout.js";
import { commitsPageUrl, resolveUrl, treePageUrl } from "./page-urls.js";
import { renderRepoHeader } from "./repo-header.js";
import type { RepoSummary } from "./repo-summary.js";

export interface BlobPageOptions {
  summary: RepoSummary;
  revision: string;
  commit: CommitRecord;
  file: FileRecord;
  /** How to show it: the text itself (small UTF-8 files), a rendered markdown file, an image, or only its facts. */
  view:
    | { kind: "text"; text: string }
    | { kind: "markdown"; html: SafeHtml }
    | { kind: "image" }
    | { kind: "none"; reason: string };
  commitCount: number;
}

/** One file: its size, hashes and download link, and its contents when they can be shown. */
export function renderBlobPage(options: BlobPageOptions): string {
  const { summary, revision, commit, file, view } = options;
  const key = summary.key;
  const segments = file.path.split("/");
  const download = resolveUrl(key, commit.id, file.path);
  const content =
    view.kind === "text"
      ? html`<pre id="file-text"><code>${view.text}</code></pre>`
      : view.kind === "markdown"
        ? html`<div class="markdown" id="file-markdown">${view.html}</div>`
        : view.kind === "image"
          ? html`<div class="image"><img src="${download}" alt="${file.path}"></div>`
          : html`<div class="note">${view.reason}</div>`;
  const body = html`<div class="toolbar"><div class="crumbs">\
<a href="${treePageUrl(key, revision)}">${key.name}</a>${segments.map((segment, i) =>
    i === segments.length - 1
      ? html` / <strong>${segment}</strong>`
      : html` / <a href="${treePageUrl(key, revision, segments.slice(0, i + 1).join("/"))}">${segment}</a>`,
  )}</div></div>
<div class="blob" id="blob"><div class="head"><strong>${formatBytes(file.size)}</strong>\
<span class="muted">${file.size.toLocaleString("en-US")} bytes</span>${
    file.lfs
      ? html`<span>\
<span class="lfs">LFS</span> sha256 <span class="mono">${file.sha256}</span>\
</span>`
      : html`<span class="muted">git blob <span class="mono">${file.oid}</span></span>`
  }
<span class="muted">at <a class="mono" href="${commitsPageUrl(key, commit.id)}">${commit.id.slice(0, 10)}</a></span>\
<a class="button secondary" href="${download}" download>Download</a></div>
${content}</div>`;
  return renderPage({
    title: `${file.path} · ${summary.id} · tvhub local Hub`,
    head: renderRepoHeader({ summary, tab: "files", revision, commitCount: options.commitCount }),
    body,
    math: view.kind === "markdown",
  });
}
