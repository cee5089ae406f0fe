import { parse, stringify } from "yaml";

/** Splits a model card into its YAML front matter (as data) and its body. */
export function parseFrontMatter(text: string): { data: Record<string, unknown>; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text.replace(/^\uFEFF/, ""));
  if (!match) return { data: {}, body: text };
  let data: unknown;
  try {
    data = parse(match[1] ?? "");
  } catch {
    return { data: {}, body: text };
  }
  const body = text.slice(match[0].length);
  return { data: data !== null && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : {}, body };
}

/** Renders front matter the way the Hub's own cards look: block style, keys in the given order. */
export function renderFrontMatter(data: Record<string, unknown>): string {
  const defined = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
  return `---\n${stringify(defined, { lineWidth: 0 }).trimEnd()}\n---\n`;
}
