/**
 * HTML that is safe by construction: `html\`…\`` escapes every interpolated value unless it is already `SafeHtml`
 * (made by `html` itself, or by `trustedHtml` for the output of a renderer that escapes on its own). Pages never
 * concatenate strings into markup, so repo-provided text can only ever reach the browser as text. A `\` at the end
 * of a template's line continues it on the next, which starts at column 0: the page gets neither the newline nor any
 * indentation, so markup is wrapped at 120 columns without a byte of the page changing.
 */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

function render(value: Value): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
}

/** For markup another escaping renderer produced (markdown-it with the fragment sanitizer, KaTeX). */
export function trustedHtml(text: string): SafeHtml {
  return new SafeHtml(text);
}

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A path segment, or a repo-relative path with its `/` kept, for an href the page builds. */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
