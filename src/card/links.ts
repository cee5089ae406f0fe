import type { PinnedInput } from "./card-types.js";

export function shortSha(revision: string | undefined): string {
  return revision ? revision.slice(0, 10) : "local";
}

/** A markdown link to an input at its pinned commit, or its plain name when it is local. */
export function inputLink(input: PinnedInput, hubUrl: string): string {
  if (!input.revision) return `\`${input.repo}\``;
  return `[${input.repo}](${hubUrl}/${input.repo}/tree/${input.revision})`;
}
