import type { MergeInput, RepoKind, RepoSummary } from "./repo-summary.js";

/** A repo in the tree; `present` is false for a name a card gives that the caller cannot see on this Hub. */
export interface TreeNode {
  id: string;
  kind?: RepoKind;
  present: boolean;
  /** The repo whose page shows the tree. */
  current: boolean;
  /** A task vector's or adapter's fine-tuned model. */
  source?: TreeLink;
  /** A merge's inputs, in the order they were added. */
  inputs: Array<TreeLink & { lambda?: number }>;
  /** Merges that used this repo as an input. */
  usedBy: TreeLink[];
  groups: TreeGroup[];
}

export interface TreeLink {
  id: string;
  present: boolean;
  current: boolean;
}

export interface TreeGroup {
  label: string;
  nodes: TreeNode[];
}

const groupOrder: Array<[RepoKind, string]> = [
  ["model", "Fine-tunes"],
  ["task-vector", "Task vectors"],
  ["adapter", "Adapters"],
  ["merge", "Merges"],
];

const maxDepth = 6;

/**
 * The family of `focus`: the base it descends from (its primary base, followed up while that base is on this Hub),
 * and below it every repo whose primary base it is, grouped by kind, recursively; each merge names its inputs and
 * each input the merges that used it. Only `summaries` (the repos the caller may read) are links.
 */
export function buildModelTree(summaries: readonly RepoSummary[], focus: string): TreeNode {
  const byId = new Map(summaries.map((s) => [s.id, s]));
  const children = new Map<string, RepoSummary[]>();
  for (const s of summaries) {
    const base = s.bases[0];
    if (base === undefined || base === s.id || s.kind === "dataset") continue;
    let list = children.get(base);
    if (!list) children.set(base, (list = []));
    list.push(s);
  }
  const usedBy = new Map<string, string[]>();
  for (const s of summaries) {
    for (const input of s.inputs) {
      let list = usedBy.get(input.repo);
      if (!list) usedBy.set(input.repo, (list = []));
      if (!list.includes(s.id)) list.push(s.id);
    }
  }

  let root = focus;
  const climbed = new Set([root]);
  for (;;) {
    const base = byId.get(root)?.bases[0];
    if (base === undefined || climbed.has(base)) break;
    climbed.add(base);
    root = base;
    if (!byId.has(base)) break;
  }

  const link = (id: string): TreeLink => ({ id, present: byId.has(id), current: id === focus });
  const seen = new Set<string>();
  const nodeOf = (id: string, depth: number): TreeNode => {
    seen.add(id);
    const summary = byId.get(id);
    const node: TreeNode = {
      id,
      present: summary !== undefined,
      current: id === focus,
      inputs: (summary?.inputs ?? []).map((input: MergeInput) => ({
        ...link(input.repo),
        ...(input.lambda !== undefined && { lambda: input.lambda }),
      })),
      usedBy: (usedBy.get(id) ?? []).filter((merge) => byId.has(merge)).map(link),
      groups: [],
    };
    if (summary) node.kind = summary.kind;
    if (summary?.source) node.source = link(summary.source);
    if (depth >= maxDepth) return node;
    const below = (children.get(id) ?? [])
      .filter((child) => !seen.has(child.id))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const [kind, label] of groupOrder) {
      const nodes = below
        .filter((child) => child.kind === kind && !seen.has(child.id))
        .map((child) => nodeOf(child.id, depth + 1));
      if (nodes.length > 0) node.groups.push({ label, nodes });
    }
    return node;
  };
  return nodeOf(root, 0);
}

/** How many repos the tree holds (the root included), for the panel's heading. */
export function countNodes(node: TreeNode): number {
  return 1 + node.groups.reduce((sum, group) => sum + group.nodes.reduce((n, child) => n + countNodes(child), 0), 0);
}
