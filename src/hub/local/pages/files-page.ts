import type { TreeEntry } from "../tree.js";
import type { CommitRecord } from "../types.js";
import { html, type SafeHtml } from "./html.js";
import { formatBytes, formatDate, renderPage } from "./layout.js";
import { blobPageUrl, commitsPageUrl, resolveUrl, treePageUrl } from "./page-urls.js";
import { renderRepoHeader } from "./repo-header.js";
import type { RepoSummary } from "./repo-summary.js";

export interface Ref {
  name: string;
  commit: string;
}

export interface FilesPageOptions {
  summary: RepoSummary;
  revision: string;
  commit: CommitRecord;
  path: string;
  entries: readonly TreeEntry[];
  /** The commit that last changed each entry. */
  lastCommits: ReadonlyMap<string, CommitRecord>;
  branches: readonly Ref[];
  tags: readonly Ref[];
  commitCount: number;
}

/** "Files and versions": the folder's entries with sizes, LFS sha256 and last commits, and the branches and tags. */
export function renderFilesPage(options: FilesPageOptions): string {
  const { summary, revision, commit, path } = options;
  const key = summary.key;
  const crumbs = path === "" ? [] : path.split("/");
  const body = html`<div class="toolbar">
${renderRefs({ refs: options, revision, href: (name) => treePageUrl(key, name, path) })}
</div>
<div class="toolbar"><div class="crumbs"><a \
href="${treePageUrl(key, revision)}">${key.name}</a>${crumbs.map(
    (segment, i) => html` / <a \
href="${treePageUrl(key, revision, crumbs.slice(0, i + 1).join("/"))}">${segment}</a>`,
  )}</div>
<span class="summary-line">${fileCount(options.entries)} · ${formatBytes(totalBytes(commit, path))} · at <a \
class="mono" href="${commitsPageUrl(key, commit.id)}">${commit.id.slice(0, 10)}</a> · ${commit.title}</span></div>
<table class="table" id="files"><thead><tr><th>Name</th><th class="num">Size</th><th>sha256 (LFS) / git blob id</th>\
<th>Last commit</th></tr></thead><tbody>
${options.entries.map((entry) => entryRow(options, entry))}
</tbody></table>`;
  return renderPage({
    title: `${path === "" ? "Files" : path} · ${summary.id} · tvhub local Hub`,
    head: renderRepoHeader({ summary, tab: "files", revision, commitCount: options.commitCount }),
    body,
  });
}

function entryRow(options: FilesPageOptions, entry: TreeEntry): SafeHtml {
  const key = options.summary.key;
  const name = entry.path.slice(entry.path.lastIndexOf("/") + 1);
  const last = options.lastCommits.get(entry.path);
  const lastCell = last
    ? html`<td class="last"><a href="${treePageUrl(key, last.id)}">${last.title}</a>\
<span class="when">${formatDate(last.date)}</span></td>`
    : html`<td></td>`;
  if (entry.type === "directory") {
    return html`<tr data-path="${entry.path}"><td class="name"><span class="icon">▸</span>\
<a href="${treePageUrl(key, options.revision, entry.path)}">${name}/</a></td><td class="num"></td><td class="sha">\
</td>${lastCell}</tr>`;
  }
  const file = entry.file;
  return html`<tr data-path="${entry.path}"><td class="name"><span class="icon"></span>\
<a href="${blobPageUrl(key, options.revision, entry.path)}">${name}</a>${
    file.lfs
      ? html`<span \
class="lfs">LFS</span>`
      : ""
  } <a class="faint" href="${resolveUrl(key, options.commit.id, entry.path)}" \
title="Download" download>↓</a></td>
<td class="num" title="${file.size.toLocaleString("en-US")} bytes">${formatBytes(file.size)}</td>
<td class="sha">${file.lfs ? file.sha256 : html`<span class="faint">${file.oid}</span>`}</td>${lastCell}</tr>`;
}

function fileCount(entries: readonly TreeEntry[]): string {
  const files = entries.filter((entry) => entry.type === "file").length;
  const folders = entries.length - files;
  return [
    `${files} file${files === 1 ? "" : "s"}`,
    ...(folders > 0 ? [`${folders} folder${folders === 1 ? "" : "s"}`] : []),
  ].join(", ");
}

/** Every file under the folder, subfolders included. */
function totalBytes(commit: CommitRecord, path: string): number {
  const prefix = path === "" ? "" : `${path}/`;
  return commit.files.filter((file) => file.path.startsWith(prefix)).reduce((sum, file) => sum + file.size, 0);
}

export interface RefsOptions {
  refs: { branches: readonly Ref[]; tags: readonly Ref[] };
  revision: string;
  href: (name: string) => string;
}

/** Branch and tag pills; the one the page shows is highlighted (a commit id shows as itself). */
export function renderRefs(options: RefsOptions): SafeHtml {
  const { branches, tags } = options.refs;
  const pill = (ref: Ref) =>
    html`<a class="chip ${ref.name === options.revision ? "active" : ""}" href="${options.href(ref.name)}" \
title="${ref.commit}">${ref.name}</a>`;
  const known = [...branches, ...tags].some((ref) => ref.name === options.revision);
  return html`<div class="refs" id="refs"><span \
class="label">Branches</span>${branches.map(pill)}${
    tags.length > 0
      ? html`<span \
class="label">Tags</span>${tags.map(pill)}`
      : ""
  }${
    known
      ? ""
      : html`<span class="label">Revision</span>\
<span class="chip active mono">${options.revision.slice(0, 12)}</span>`
  }</div>`;
}
