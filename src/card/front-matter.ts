/**
 * Splits a model card into its YAML front matter (as data) and its body. Async because yaml is imported on first use:
 * a static import would be hoisted to the top of the CLI bundle and load at the start of every command.
 */
export async function parseFrontMatter(text: string): Promise<{ data: Record<string, unknown>; body: string }> {
  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text.replace(/^\uFEFF/, ""));
  if (!match) return { data: {}, body: text };
  const { parse } = await import("yaml");
  let data: unknown;
  try {
    data = parse(match[1] ?? "");
  } catch {
    return { data: {}, body: text };
  }
  const body = text.slice(match[0].length);
  return {
    data: data !== null && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : {},
    body,
  };
}

/** Renders front matter the way the Hub's own cards look: block style, keys in the given order. */
export async function renderFrontMatter(data: Record<string, unknown>): Promise<string> {
  const { stringify } = await import("yaml");
  const defined = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
  return `---\n${stringify(defined, { lineWidth: 0 }).trimEnd()}\n---\n`;
}
