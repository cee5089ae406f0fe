import { html, type SafeHtml } from "./html.js";
import { formatBytes, formatDate, kindBadge, renderPage } from "./layout.js";
import { modelPageUrl, repoPageUrl } from "./page-urls.js";
import { kindLabels, type RepoKind, type RepoSummary } from "./repo-summary.js";

/** The home page's filters, from its query string (`?search=&kind=&base=&tag=&author=`). */
export interface HomeQuery {
  search?: string;
  kind?: RepoKind;
  base?: string;
  tag?: string;
  author?: string;
}

const kinds: RepoKind[] = ["model", "task-vector", "adapter", "merge", "dataset"];

export function parseHomeQuery(params: URLSearchParams): HomeQuery {
  const query: HomeQuery = {};
  const text = (name: string): string | undefined => {
    const value = params.get(name)?.trim();
    return value === undefined || value === "" ? undefined : value.slice(0, 200);
  };
  const search = text("search");
  const kind = text("kind");
  const base = text("base");
  const tag = text("tag");
  const author = text("author");
  if (search) query.search = search;
  if (kind && (kinds as string[]).includes(kind)) query.kind = kind as RepoKind;
  if (base) query.base = base;
  if (tag) query.tag = tag;
  if (author) query.author = author;
  return query;
}

/** The repos that pass every filter, most recently changed first (as the API lists them by default). */
export function filterSummaries(summaries: readonly RepoSummary[], query: HomeQuery): RepoSummary[] {
  const search = query.search?.toLowerCase();
  return summaries
    .filter(
      (s) =>
        (search === undefined || s.id.toLowerCase().includes(search)) &&
        (query.kind === undefined || s.kind === query.kind) &&
        (query.base === undefined || s.bases.includes(query.base)) &&
        (query.tag === undefined || s.tags.includes(query.tag)) &&
        (query.author === undefined || s.key.namespace.toLowerCase() === query.author.toLowerCase()),
    )
    .sort((a, b) => (a.commit.date < b.commit.date ? 1 : a.commit.date > b.commit.date ? -1 : a.id < b.id ? -1 : 1));
}

export function renderHomePage(options: { summaries: readonly RepoSummary[]; query: HomeQuery }): string {
  const { summaries, query } = options;
  const shown = filterSummaries(summaries, query);
  // Each facet counts what the other filters leave, so its numbers say what a click would show.
  const without = (key: keyof HomeQuery) => filterSummaries(summaries, { ...query, [key]: undefined });
  const kindCounts = countBy(without("kind"), (s) => [s.kind]);
  const baseCounts = countBy(without("base"), (s) => s.bases.slice(0, 1));
  const tagCounts = countBy(without("tag"), (s) => s.tags);
  const href = (change: Partial<Record<keyof HomeQuery, string | undefined>>) => homeUrl({ ...query, ...change });

  const facet = (
    key: "kind" | "base" | "tag",
    counts: Map<string, number>,
    label: (value: string) => string,
    limit: number,
  ) => {
    const entries = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit);
    if (entries.length === 0) return html`<p class="faint">none</p>`;
    return html`<ul class="facet" data-facet="${key}">${entries.map(
      ([value, n]) =>
        html`<li><a class="${query[key] === value ? "active" : ""}" \
href="${href({ [key]: query[key] === value ? undefined : value })}"><span class="name">${label(value)}</span>\
<span class="n">${n}</span></a></li>`,
    )}</ul>`;
  };

  const active = (Object.entries(query) as Array<[keyof HomeQuery, string]>).map(
    ([key, value]) =>
      html`<a class="chip active" href="${href({ [key]: undefined })}" \
title="Remove this filter">${key}: ${key === "kind" ? kindLabels[value as RepoKind] : value} ✕</a>`,
  );

  // A select lists every value a facet counts, and the current choice even when no repo has it.
  const choices = (counts: Map<string, number>, current: string | undefined) =>
    [...new Set([...counts.keys(), ...(current ? [current] : [])])].sort();
  const option = (value: string, current: string | undefined, label = value) =>
    html`<option value="${value}" ${current === value ? html`selected` : ""}>${label}</option>`;

  const body = html`<div class="home">
<aside class="filters">
<h2>Filter</h2>
<form class="filter-form" action="/" method="get">
<label>Name contains<input type="search" name="search" value="${query.search ?? ""}" placeholder="e.g. rotated"></label>
<label>Kind<select name="kind"><option value="">any kind</option>\
${kinds.map((k) => option(k, query.kind, kindLabels[k]))}</select></label>
<label>Base model<select name="base"><option value="">any base</option>\
${choices(baseCounts, query.base).map((b) => option(b, query.base))}</select></label>
<label>Tag<select name="tag"><option value="">any tag</option>\
${choices(tagCounts, query.tag).map((t) => option(t, query.tag))}</select></label>
${query.author ? html`<input type="hidden" name="author" value="${query.author}">` : ""}
<div class="actions"><button type="submit">Apply</button><a class="button secondary" href="/">Clear</a></div>
</form>
<h2>Kind</h2>
${facet("kind", kindCounts, (k) => kindLabels[k as RepoKind], 10)}
<h2>Base model</h2>
${facet("base", baseCounts, (b) => b, 12)}
<h2>Tags</h2>
${facet("tag", tagCounts, (t) => t, 24)}
</aside>
<section class="results">
<div class="results-head"><h1>Repositories <span class="count" id="result-count">${shown.length}</span></h1>\
<div class="active-filters">${active}</div></div>
${
  shown.length === 0
    ? html`<div class="empty">No repository matches these filters. <a href="/">Show all</a>\
</div>`
    : html`<ul class="repo-list">${shown.map(repoItem)}</ul>`
}
</section>
</div>`;
  return renderPage({ title: "tvhub local Hub", body, ...(query.search !== undefined && { search: query.search }) });
}

function repoItem(s: RepoSummary): SafeHtml {
  const _base = s.bases[0];
  // The license and the file format say little in a list of repos made by the same tools.
  const tags = s.tags.filter((t) => !["tvhub", "safetensors"].includes(t) && !t.startsWith("license:")).slice(0, 6);
  return html`<li class="repo-item" data-repo="${s.id}" data-kind="${s.kind}">
<div class="line1"><a class="repo-name" href="${repoPageUrl(s.key)}">\
<span class="ns">${s.key.namespace} /</span> ${s.key.name}</a>${kindBadge(s.kind)}</div>
<div class="meta">${lineage(s)}${formatBytes(s.size)} · updated ${formatDate(s.commit.date)}</div>
${tagChips(tags)}
</li>`;
}

/** Where the repo comes from, in a few words: each repo named is a link. */
function lineage(s: RepoSummary): SafeHtml | string {
  const base = s.bases[0];
  if (base === undefined) return "";
  const link = (id: string) => html`<a href="${modelPageUrl(id)}">${id}</a>`;
  if (s.kind === "merge") {
    // The arithmetic in one line, as the card's formula writes it: base ± λ·input.
    const terms = s.inputs.map((input, i) => {
      const sign = input.lambda !== undefined && input.lambda < 0 ? "−" : "+";
      const weight = input.lambda === undefined ? "" : `${Number(Math.abs(input.lambda).toPrecision(4))}·`;
      return html`${
        i === 0 && sign === "+" ? " " + "+ " : ` ${sign} ` + ""
      }${weight}<a href="${modelPageUrl(input.repo)}">${input.repo.slice(input.repo.indexOf("/") + 1)}</a>`;
    });
    return html`${link(base)}${terms} · `;
  }
  if (s.kind === "task-vector" || s.kind === "adapter")
    return html`${s.source ? html`from ${link(s.source)}, ` : ""}base ${link(base)} · `;
  return html`fine-tune of ${link(base)} · `;
}

/** Tags as links to the home page filtered by each; nothing when there are none. */
export function tagChips(tags: readonly string[]): SafeHtml | "" {
  if (tags.length === 0) return "";
  return html`<div class="chips">${tags.map(
    (t) => html`<a class="chip" \
href="${homeUrl({ tag: t })}">${t}</a>`,
  )}</div>`;
}

export function homeUrl(query: Partial<Record<keyof HomeQuery, string | undefined>>): string {
  const params = new URLSearchParams();
  for (const key of ["search", "kind", "base", "tag", "author"] as const) {
    const value = query[key];
    if (value !== undefined && value !== "") params.set(key, value);
  }
  const text = params.toString();
  return text === "" ? "/" : `/?${text}`;
}

function countBy(summaries: readonly RepoSummary[], keys: (s: RepoSummary) => readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of summaries) for (const key of new Set(keys(s))) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
