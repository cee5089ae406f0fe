import type { ServerResponse } from "node:http";
import { frontMatterPattern } from "../derive-card-data.js";
import { findLastCommits } from "../find-last-commits.js";
import { readableRepo, type Exchange, type HubContext } from "../hub-context.js";
import { entryNotFound, HttpError, revisionNotFound } from "../http-error.js";
import type { Route } from "../match-route.js";
import { checkFilePath, checkFolderPath } from "../names.js";
import { listTree } from "../tree.js";
import type { CommitRecord, RepoRecord } from "../types.js";
import { serveAsset } from "./assets.js";
import { renderBlobPage, type BlobPageOptions } from "./blob-page.js";
import { renderCommitsPage } from "./commits-page.js";
import { renderFilesPage } from "./files-page.js";
import { parseHomeQuery, renderHomePage } from "./home-page.js";
import { html } from "./html.js";
import { renderPage } from "./layout.js";
import { buildModelTree } from "./model-tree.js";
import { cardUrlResolver } from "./page-urls.js";
import { renderMarkdown } from "./render-markdown.js";
import { listReadableSummaries, summarizeRepo } from "./repo-summary.js";
import { renderRepoPage } from "./repo-page.js";

type PageExchange = Exchange<Extract<Route, { name: "page" }>>;

/**
 * No script runs on a page (none is served), styles and fonts come from this server only, and images from this
 * server or `data:`. Inline `style` attributes stay allowed for KaTeX's layout and markdown table alignment; the
 * card sanitizer never emits one.
 */
export const pageSecurityPolicy = [
  "default-src 'none'",
  "script-src 'none'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const maxShownBytes = 1024 * 1024;
const maxListedCommits = 200;
const imageTypes = /\.(png|jpe?g|gif|webp|svg|avif)$/i;

/**
 * The browse pages. They read through the same access rule as the API, with the same caller (a browser sends no
 * token, so it sees what an anonymous client sees): a private repo is a 404 page, and missing from every list.
 */
export async function handlePage(hub: HubContext, ex: PageExchange): Promise<void> {
  const { page } = ex.route;
  if (page.page === "asset") return serveAsset({ path: page.path, req: ex.req, res: ex.res, head: ex.route.head });
  let text: string;
  let status = 200;
  try {
    switch (page.page) {
      case "home":
        text = renderHomePage({
          summaries: await listReadableSummaries(hub, ex.caller),
          query: parseHomeQuery(ex.query),
        });
        break;
      case "repo":
        text = await repoPage(hub, ex, page.repo);
        break;
      case "tree":
        text = await filesPage(hub, ex, page);
        break;
      case "blob":
        text = await blobPage(hub, ex, page);
        break;
      case "commits":
        text = await commitsPage(hub, ex, page);
        break;
    }
  } catch (error) {
    if (!(error instanceof HttpError) || error.status >= 500) throw error;
    status = error.status;
    text = errorPage(error);
  }
  sendHtml(ex.res, status, text, ex.route.head);
}

type RouteOf<P extends string> = Extract<Extract<Route, { name: "page" }>["page"], { page: P }>;

async function repoPage(hub: HubContext, ex: PageExchange, key: RouteOf<"repo">["repo"]): Promise<string> {
  const repo = await readableRepo(hub, ex.caller, key);
  const revision = ex.query.get("revision") || "main";
  const commit = await hub.storage.repos.resolveRevision(repo, revision);
  const summary = await summarizeRepo(hub, repo, commit);
  const readme = commit.files.find((file) => file.path === "README.md");
  const text =
    readme && readme.size <= maxShownBytes
      ? (await hub.storage.objects.readBytes(readme.sha256)).toString("utf8")
      : undefined;
  const card =
    text === undefined
      ? undefined
      : await renderMarkdown({
          markdown: withoutFrontMatter(text),
          resolveUrl: cardUrlResolver({ repo: key, commit: commit.id, revision, dir: "" }),
        });
  const tree = buildModelTree(await listReadableSummaries(hub, ex.caller), summary.id);
  const missing = readme
    ? `README.md is larger than ${maxShownBytes} bytes; it is not rendered here (download it from Files and versions).`
    : undefined;
  return renderRepoPage({
    summary,
    revision,
    ...(card && { card }),
    ...(missing && { missing }),
    tree,
    commitCount: await countCommits(hub, repo, commit),
  });
}

async function filesPage(hub: HubContext, ex: PageExchange, page: RouteOf<"tree">): Promise<string> {
  const repo = await readableRepo(hub, ex.caller, page.repo);
  const commit = await hub.storage.repos.resolveRevision(repo, page.revision);
  const path = checkFolderPath(page.path);
  const entries = listTree({ files: commit.files, path, recursive: false });
  if (!entries) throw entryNotFound(path, page.revision);
  const lastCommits = await findLastCommits({
    head: commit,
    targets: entries.map((entry) => ({ path: entry.path, type: entry.type })),
    loadCommit: loader(hub, repo),
    maxDepth: 1000,
  });
  return renderFilesPage({
    summary: await summarizeRepo(hub, repo, commit),
    revision: page.revision,
    commit,
    path,
    entries,
    lastCommits,
    branches: await hub.storage.repos.listBranches(repo),
    tags: await hub.storage.repos.listTags(repo),
    commitCount: await countCommits(hub, repo, commit),
  });
}

async function blobPage(hub: HubContext, ex: PageExchange, page: RouteOf<"blob">): Promise<string> {
  const repo = await readableRepo(hub, ex.caller, page.repo);
  const commit = await hub.storage.repos.resolveRevision(repo, page.revision);
  const path = checkFilePath(page.path);
  const file = commit.files.find((candidate) => candidate.path === path);
  // A relative link in a card may name a folder: show its files, as the Hub does.
  if (!file) {
    if (listTree({ files: commit.files, path, recursive: false }))
      return filesPage(hub, ex, { page: "tree", repo: page.repo, revision: page.revision, path });
    throw entryNotFound(path, page.revision);
  }
  let view: BlobPageOptions["view"];
  if (imageTypes.test(path)) {
    view = { kind: "image" };
  } else if (file.size > maxShownBytes) {
    view = {
      kind: "none",
      reason: `${file.lfs ? "An LFS file" : "A file"} too large to show here; download it to read it.`,
    };
  } else {
    const bytes = await hub.storage.objects.readBytes(file.sha256);
    const text = bytes.includes(0) ? undefined : decodeUtf8(bytes);
    if (text === undefined) view = { kind: "none", reason: "A binary file; download it to read it." };
    else if (/\.md$/i.test(path)) {
      const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
      view = {
        kind: "markdown",
        html: await renderMarkdown({
          markdown: withoutFrontMatter(text),
          resolveUrl: cardUrlResolver({ repo: page.repo, commit: commit.id, revision: page.revision, dir }),
        }),
      };
    } else view = { kind: "text", text };
  }
  return renderBlobPage({
    summary: await summarizeRepo(hub, repo, commit),
    revision: page.revision,
    commit,
    file,
    view,
    commitCount: await countCommits(hub, repo, commit),
  });
}

async function commitsPage(hub: HubContext, ex: PageExchange, page: RouteOf<"commits">): Promise<string> {
  const repo = await readableRepo(hub, ex.caller, page.repo);
  const head = await hub.storage.repos.resolveRevision(repo, page.revision);
  const commits: CommitRecord[] = [];
  const load = loader(hub, repo);
  let total = 0;
  for (let commit: CommitRecord | undefined = head; commit; total++) {
    if (commits.length < maxListedCommits) commits.push(commit);
    const parent: string | undefined = commit.parents[0];
    commit = parent === undefined ? undefined : await load(parent);
  }
  return renderCommitsPage({
    summary: await summarizeRepo(hub, repo, head),
    revision: page.revision,
    commits,
    total,
    branches: await hub.storage.repos.listBranches(repo),
    tags: await hub.storage.repos.listTags(repo),
  });
}

function loader(hub: HubContext, repo: RepoRecord): (id: string) => Promise<CommitRecord> {
  return async (id) => {
    const commit = await hub.storage.repos.loadCommit(repo, id);
    if (!commit) throw revisionNotFound(id);
    return commit;
  };
}

async function countCommits(hub: HubContext, repo: RepoRecord, head: CommitRecord): Promise<number> {
  let count = 0;
  for (let commit: CommitRecord | undefined = head; commit && count < 100_000; count++) {
    const parent: string | undefined = commit.parents[0];
    commit = parent === undefined ? undefined : await hub.storage.repos.loadCommit(repo, parent);
  }
  return count;
}

/** The card's body: what follows the YAML front matter (shown in the side panel instead). */
export function withoutFrontMatter(text: string): string {
  const match = frontMatterPattern.exec(text);
  return match ? text.slice(match[0].length) : text.replace(/^\uFEFF/, "");
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function errorPage(error: HttpError): string {
  const title = error.status === 404 ? "Not found" : "Cannot show this page";
  return renderPage({
    title: `${title} · tvhub local Hub`,
    body: html`<div class="error-page" id="error"><h1>${error.status}</h1><p>\
<strong>${title}.</strong> ${error.message}</p><p><a href="/">Back to all repositories</a></p></div>`,
  });
}

export function sendHtml(res: ServerResponse, status: number, text: string, head: boolean): void {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Content-Security-Policy": pageSecurityPolicy,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
  });
  res.end(head ? undefined : text);
}
