import type { CommitRecord } from "../types.js";
import { renderRefs, type Ref } from "./files-page.js";
import { html } from "./html.js";
import { formatDate, renderPage } from "./layout.js";
import { commitsPageUrl, treePageUrl } from "./page-urls.js";
import { renderRepoHeader } from "./repo-header.js";
import type { RepoSummary } from "./repo-summary.js";

export interface CommitsPageOptions {
  summary: RepoSummary;
  revision: string;
  /** Newest first, following first parents, as `GET /api/models/{id}/commits/{rev}` lists them. */
  commits: readonly CommitRecord[];
  total: number;
  branches: readonly Ref[];
  tags: readonly Ref[];
}

/** The history of a revision: title, description, author, date and id of each commit, each id a link to its files. */
export function renderCommitsPage(options: CommitsPageOptions): string {
  const { summary, revision } = options;
  const key = summary.key;
  const tagsAt = new Map<string, string[]>();
  for (const ref of [...options.branches, ...options.tags])
    tagsAt.set(ref.commit, [...(tagsAt.get(ref.commit) ?? []), ref.name]);
  const refs = renderRefs({ refs: options, revision, href: (name) => commitsPageUrl(key, name) });
  const item = (commit: CommitRecord) => {
    const description = commit.description === "" ? "" : html`<div class="desc">${commit.description}</div>`;
    const chips = (tagsAt.get(commit.id) ?? []).map((name) => html` <span class="chip">${name}</span>`);
    return html`<li data-commit="${commit.id}"><div><div class="title">${commit.title}</div>${description}${chips}</div>
<div class="side"><div>${commit.author} · ${formatDate(commit.date)}</div>\
<a class="mono" href="${treePageUrl(key, commit.id)}" title="Browse the files at this commit">\
${commit.id.slice(0, 10)}</a>\
</div></li>`;
  };
  const more =
    options.total > options.commits.length
      ? html`<p class="muted">Showing the ${options.commits.length} newest of ${options.total} commits.</p>`
      : "";
  const body = html`<div class="toolbar">${refs}</div>
<ul class="commit-list" id="commits">${options.commits.map(item)}</ul>
${more}`;
  return renderPage({
    title: `Commits · ${summary.id} · tvhub local Hub`,
    head: renderRepoHeader({ summary, tab: "commits", revision, commitCount: options.total }),
    body,
  });
}
