import { homeUrl } from "./home-page.js";
import { html, type SafeHtml } from "./html.js";
import { formatBytes, renderPage } from "./layout.js";
import type { TreeNode } from "./model-tree.js";
import { blobPageUrl, modelPageUrl } from "./page-urls.js";
import { renderRepoHeader } from "./repo-header.js";
import type { RepoSummary } from "./repo-summary.js";
import { renderModelTree } from "./render-tree.js";

export interface RepoPageOptions {
  summary: RepoSummary;
  revision: string;
  /** The rendered card body (front matter removed), or undefined when the repo has no README.md. */
  card?: SafeHtml;
  /** Why there is no card to show, when the repo has a README.md that is not rendered. */
  missing?: string;
  tree: TreeNode;
  commitCount: number;
}

/** A repo's main page: the card, and beside it the model tree, the card's metadata and `tvhub.json`'s facts. */
export function renderRepoPage(options: RepoPageOptions): string {
  const { summary, revision } = options;
  const body = html`<div class="repo-body">
<article class="markdown" id="card">${
    options.card ??
    html`<div class="no-card">${options.missing ?? "This " + "repository has no model card (README.md)."}</div>`
  }</article>
<aside class="side">
${renderModelTree(options.tree)}
${renderMetadata(summary)}
${summary.record ? renderRecord(summary, revision) : ""}
</aside>
</div>`;
  return renderPage({
    title: `${summary.id} · tvhub local Hub`,
    head: renderRepoHeader({ summary, tab: "card", revision, commitCount: options.commitCount }),
    body,
    math: true,
  });
}

/** What the Hub accepts as a `base_model`: `name` or `owner/name`. */
const repoIdPattern = /^[A-Za-z0-9][\w.-]*(?:\/[A-Za-z0-9][\w.-]*)?$/;

/** The card's front matter, key by key: repo names link to their pages, tags to the home page's filter. */
function renderMetadata(summary: RepoSummary): SafeHtml {
  const card = summary.facts.cardData;
  if (!card || Object.keys(card).length === 0)
    return html`<section class="panel" id="metadata"><h2>Metadata</h2>\
<p class="faint">The card has no front matter.</p></section>`;
  const rows = Object.entries(card).map(([key, value]) => html`<dt>${key}</dt><dd>${metadataValue(key, value)}</dd>`);
  return html`<section class="panel" id="metadata"><h2>Metadata <span class="faint">front matter</span></h2>\
<dl class="facts">${rows}</dl></section>`;
}

function metadataValue(key: string, value: unknown): SafeHtml {
  const list = Array.isArray(value) ? value : [value];
  const simple = list.every(
    (item) => typeof item === "string" || typeof item === "number" || typeof item === "boolean",
  );
  if (!simple) return html`<pre>${JSON.stringify(value, null, 2)}</pre>`;
  const items = list.map((item) => String(item));
  if (key === "base_model")
    return html`${items.map(
      (id, i) =>
        html`${i > 0 ? html`<br>` : ""}${
          repoIdPattern.test(id)
            ? html`<a \
href="${modelPageUrl(id)}">${id}</a>`
            : id
        }`,
    )}`;
  if (key === "tags")
    return html`<div class="chips">${items.map(
      (t) => html`<a class="chip" \
href="${homeUrl({ tag: t })}">${t}</a>`,
    )}</div>`;
  return html`${items.join(", ")}`;
}

/** What `tvhub.json` says, in a few lines, with a link to the whole record. */
function renderRecord(summary: RepoSummary, revision: string): SafeHtml {
  const record = summary.record ?? {};
  const facts: Array<[string, SafeHtml | string]> = [];
  const pinned = (value: unknown): SafeHtml | string => {
    if (typeof value !== "object" || value === null) return "";
    const { repo, revision: rev } = value as { repo?: unknown; revision?: unknown };
    if (typeof repo !== "string") return "";
    return html`<a href="${modelPageUrl(repo)}">${repo}</a>${
      typeof rev === "string"
        ? html` <span class="mono \
faint">@${rev.slice(0, 10)}</span>`
        : ""
    }`;
  };
  const num = (value: unknown) =>
    typeof value === "number" ? String(Number(value.toPrecision(6))) : typeof value === "string" ? value : "";
  if (typeof record.format === "string") facts.push(["format", record.format]);
  if (record.base) facts.push(["base", pinned(record.base)]);
  if (record.finetuned) facts.push(["fine-tuned", pinned(record.finetuned)]);
  const method = record.method as { name?: unknown } | undefined;
  if (typeof method?.name === "string") facts.push(["method", method.name]);
  if (typeof record.scale === "number") facts.push(["scale", num(record.scale)]);
  if (Array.isArray(record.terms)) {
    facts.push([
      "terms",
      html`<ul>${summary.inputs.map(
        (input) => html`<li><a \
href="${modelPageUrl(input.repo)}">${input.repo}</a>${
          input.lambda === undefined
            ? ""
            : html` <span class="faint">λ \
= ${num(input.lambda)}</span>`
        }</li>`,
      )}</ul>`,
    ]);
  }
  const lora = record.lora as
    | { r?: unknown; overallError?: unknown; adapterBytes?: unknown; denseBytes?: unknown }
    | undefined;
  if (lora) {
    if (typeof lora.r === "number") facts.push(["LoRA rank r", String(lora.r)]);
    if (typeof lora.overallError === "number") facts.push(["‖τ − BA‖/‖τ‖", num(lora.overallError)]);
    if (typeof lora.adapterBytes === "number" && typeof lora.denseBytes === "number")
      facts.push(["size", `${formatBytes(lora.adapterBytes)} (dense τ: ${formatBytes(lora.denseBytes)})`]);
  }
  if (typeof record.dtype === "string") facts.push(["dtype", record.dtype]);
  if (typeof record.tensors === "number") facts.push(["tensors", String(record.tensors)]);
  if (typeof record.parameters === "number") facts.push(["parameters", record.parameters.toLocaleString("en-US")]);
  if (typeof record.norm === "number") facts.push(["‖τ‖₂", num(record.norm)]);
  if (typeof record.tvhub === "string") facts.push(["made with", `tvhub ${record.tvhub}`]);
  return html`<section class="panel" id="record"><h2>tvhub.json <a class="faint" \
href="${blobPageUrl(summary.key, revision, "tvhub.json")}">view file</a></h2>\
<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl></section>`;
}
