import { html, type SafeHtml } from "./html.js";
import { kindBadge } from "./layout.js";
import { commitsPageUrl, repoPageUrl, treePageUrl } from "./page-urls.js";
import type { RepoSummary } from "./repo-summary.js";
import { homeUrl, tagChips } from "./home-page.js";

export type RepoTab = "card" | "files" | "commits";

export interface RepoHeaderOptions {
  summary: RepoSummary;
  tab: RepoTab;
  /** The revision the tabs link to (the page's own, so switching tabs stays on it). */
  revision: string;
  commitCount?: number;
}

/** The name, kind, tags and tabs above every page of a repo. */
export function renderRepoHeader(options: RepoHeaderOptions): SafeHtml {
  const { summary, tab, revision } = options;
  const key = summary.key;
  const cardUrl =
    revision === "main" ? repoPageUrl(key) : `${repoPageUrl(key)}?revision=${encodeURIComponent(revision)}`;
  const tabLink = (name: RepoTab, href: string, label: SafeHtml | string) =>
    html`<a class="${tab === name ? "on" : ""}" href="${href}" data-tab="${name}">${label}</a>`;
  const tags = summary.tags.slice(0, 14);
  return html`<div class="repo-head"><div class="wrap">
<div class="repo-title"><h1><a href="${homeUrl({ author: key.namespace })}">${key.namespace}</a> / \
<strong>${key.name}</strong></h1>${kindBadge(summary.kind)}${
    summary.private
      ? html`<span class="badge \
private">private</span>`
      : ""
  }</div>
${tagChips(tags)}
<nav class="tabs">${tabLink(
    "card",
    cardUrl,
    summary.key.type === "dataset" ? "Dataset " + "card" : "Model " + "card",
  )}${tabLink("files", treePageUrl(key, revision), "Files " + "and versions")}${tabLink(
    "commits",
    commitsPageUrl(key, revision),
    html`Commits${options.commitCount === undefined ? "" : html`<span class="n">${options.commitCount}</span>`}`,
  )}</nav>
</div></div>`;
}
