import type { PinnedInput } from "./card-types.js";
import { formatCount } from "./format-number.js";
import { inputLink } from "./links.js";

/**
 * The cards' "## Inputs" section: each input's role, link and pinned revision ("local" for a folder; empty cells for
 * a role with no input to link), then a blank line.
 */
export function inputsSection(hubUrl: string, rows: ReadonlyArray<{ role: string; input?: PinnedInput }>): string[] {
  return [
    "## Inputs",
    "",
    "| role | repository | revision |",
    "| --- | --- | --- |",
    ...rows.map(({ role, input }) =>
      input
        ? `| ${role} | ${inputLink(input, hubUrl)} | ${input.revision ? `\`${input.revision}\`` : "local"} |`
        : `| ${role} | | |`,
    ),
    "",
  ];
}

/** The cards' "## Files" section: each published file with its size and sha256, then a blank line. */
export function filesSection(files: ReadonlyArray<{ path: string; size: number; sha256?: string }>): string[] {
  return [
    "## Files",
    "",
    "| file | bytes | sha256 |",
    "| --- | --- | --- |",
    ...files.map((f) => `| \`${f.path}\` | ${formatCount(f.size)} | ${f.sha256 ? `\`${f.sha256}\`` : ""} |`),
    "",
  ];
}

/** How every card's closing line starts: what made it, and which version. */
export function madeWith(tvhubVersion: string): string {
  return `Made with [tvhub](https://github.com/tvhub/tvhub) ${tvhubVersion}`;
}
