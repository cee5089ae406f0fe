import { html, type SafeHtml } from "./html.js";
import { countNodes, type TreeLink, type TreeNode } from "./model-tree.js";
import { modelPageUrl } from "./page-urls.js";

/** The model tree panel: nested lists, each repo a link, the current one marked, absent names as plain text. */
export function renderModelTree(root: TreeNode): SafeHtml {
  const current = findCurrent(root);
  // The groups that hold this repo or what it is made of or used by stay open.
  const related = new Set([
    ...(current ? [current.id, ...current.inputs.map((i) => i.id), ...current.usedBy.map((m) => m.id)] : []),
    ...(current?.source ? [current.source.id] : []),
  ]);
  const count = countNodes(root);
  if (count === 1 && root.current) {
    return html`<section class="panel" id="model-tree"><h2>Model tree</h2>\
<p class="faint">No other repo on this Hub names this one as its base, and it names none that is here.</p></section>`;
  }
  return html`<section class="panel" id="model-tree"><h2>Model tree <span class="faint">${count} repos</span></h2>\
<ul class="tree">${node(root, related)}</ul></section>`;
}

function findCurrent(n: TreeNode): TreeNode | undefined {
  if (n.current) return n;
  for (const group of n.groups) {
    for (const child of group.nodes) {
      const found = findCurrent(child);
      if (found) return found;
    }
  }
  return undefined;
}

/** `compact`: a node of a long group says less (its inputs only on its own page), so the panel stays readable. */
function node(n: TreeNode, related: ReadonlySet<string>, compact = false): SafeHtml {
  const lambda = (value: number | undefined) =>
    value === undefined ? "" : html` <span class="faint">×${formatLambda(value)}</span>`;
  const showInputs = n.inputs.length > 0 && (n.current || !compact);
  const dot = n.present && n.kind ? `kind-${n.kind}` : "absent";
  const name = n.present
    ? html`<a href="${modelPageUrl(n.id)}" title="${n.id}">${n.id}</a>`
    : html`<span class="absent" title="not on this Hub">${n.id}</span>`;
  const inputs = join(n.inputs.map((input) => html`${link(input)}${lambda(input.lambda)}`));
  const usedBy = n.current || n.usedBy.length <= 2 ? join(n.usedBy.map(link)) : `${n.usedBy.length} merges`;
  return html`<li class="node${n.current ? " current" : related.has(n.id) ? " related" : ""}" data-node="${n.id}">
<div class="row"><span class="dot ${dot}"></span>${name}</div>
${n.source ? html`<div class="sub">from ${link(n.source)}</div>` : ""}
${showInputs ? html`<div class="sub">inputs: ${inputs}</div>` : ""}
${n.usedBy.length === 0 ? "" : html`<div class="sub">used by ${usedBy}</div>`}
${n.groups.map(
  // Long groups fold, unless they hold a related repo; <details> needs no script.
  (group) => {
    const open = group.nodes.length <= maxOpen || group.nodes.some((child) => holds(child, related));
    const compact = group.nodes.length > maxOpen;
    return html`<details class="group-box" data-group="${group.label}" ${open ? "open" : ""}>\
<summary class="group">${group.label} <span class="n">${group.nodes.length}</span></summary>\
<ul>${group.nodes.map((child) => node(child, related, compact))}</ul></details>`;
  },
)}
</li>`;
}

const maxOpen = 5;

function holds(n: TreeNode, ids: ReadonlySet<string>): boolean {
  return ids.has(n.id) || n.groups.some((group) => group.nodes.some((child) => holds(child, ids)));
}

function link(target: TreeLink): SafeHtml {
  if (!target.present) return html`<span class="absent" title="not on this Hub">${target.id}</span>`;
  return html`<a \
class="${target.current ? "current" : ""}" href="${modelPageUrl(target.id)}">${shortName(target.id)}</a>`;
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
