import { html, type SafeHtml } from "./html.js";
import { countNodes, type TreeLink, type TreeNode } from "./model-tree.js";
import { modelPageUrl } from "./page-urls.js";

/** The model tree panel: nested lists, each repo a link, the current one marked, absent names as plain text. */
export function renderModelTree(root: TreeNode): SafeHtml {
  return html`<section class="panel" id="model-tree"><h2>Model tree <span class="faint">${countNodes(root)} repos</span></h2><ul class="tree">${node(root)}</ul></section>`;
}

function node(n: TreeNode): SafeHtml {
  const lambda = (value: number | undefined) => (value === undefined ? "" : html` <span class="faint">×${formatLambda(value)}</span>`);
  return html`<li class="node${n.current ? " current" : ""}" data-node="${n.id}">
<div class="row"><span class="dot ${n.present && n.kind ? `kind-${n.kind}` : "absent"}"></span>${n.present ? html`<a href="${modelPageUrl(n.id)}">${n.id}</a>` : html`<span class="absent" title="not on this Hub">${n.id}</span>`}</div>
${n.source ? html`<div class="sub">from ${link(n.source)}</div>` : ""}
${n.inputs.length > 0 ? html`<div class="sub">inputs: ${join(n.inputs.map((input) => html`${link(input)}${lambda(input.lambda)}`))}</div>` : ""}
${n.usedBy.length > 0 ? html`<div class="sub">used by ${join(n.usedBy.map(link))}</div>` : ""}
${n.groups.map((group) => html`<ul><li class="group">${group.label}</li>${group.nodes.map(node)}</ul>`)}
</li>`;
}

function link(target: TreeLink): SafeHtml {
  if (!target.present) return html`<span class="absent" title="not on this Hub">${target.id}</span>`;
  return html`<a class="${target.current ? "current" : ""}" href="${modelPageUrl(target.id)}">${shortName(target.id)}</a>`;
}

/** Inside the tree the owner is usually the same; the name says which repo. */
function shortName(id: string): string {
  return id.includes("/") ? id.slice(id.indexOf("/") + 1) : id;
}

function join(parts: SafeHtml[]): SafeHtml[] {
  return parts.flatMap((part, i) => (i === 0 ? [part] : [html`, `, part]));
}

function formatLambda(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
