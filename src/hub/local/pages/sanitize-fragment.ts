import { escapeHtml } from "./html.js";

/** Where a URL in a card points: a link or an image (they resolve to different pages of the repo). */
export type UrlKind = "link" | "image";

export interface SanitizeFragmentOptions {
  /** Decodes character references the way a browser would, before a URL is checked. */
  decode: (text: string) => string;
  /** The URL to emit for one the card gives, or undefined to drop the attribute (a `javascript:` link, say). */
  resolveUrl: (url: string, kind: UrlKind) => string | undefined;
}

/** The tags a card may use, each with the attributes it may keep; everything else is dropped. */
const allowedTags: Record<string, readonly string[]> = {
  a: ["href", "title"],
  b: [],
  blockquote: [],
  br: [],
  caption: [],
  center: [],
  code: [],
  dd: [],
  del: [],
  details: ["open"],
  div: ["align"],
  dl: [],
  dt: [],
  em: [],
  figcaption: [],
  figure: [],
  h1: ["align"],
  h2: ["align"],
  h3: ["align"],
  h4: ["align"],
  h5: ["align"],
  h6: ["align"],
  hr: [],
  i: [],
  img: ["src", "alt", "title", "width", "height", "align"],
  kbd: [],
  li: [],
  ol: ["start"],
  p: ["align"],
  pre: [],
  s: [],
  small: [],
  span: [],
  strong: [],
  sub: [],
  summary: [],
  sup: [],
  table: [],
  tbody: [],
  td: ["align", "colspan", "rowspan"],
  th: ["align", "colspan", "rowspan"],
  thead: [],
  tr: [],
  u: [],
  ul: [],
};

/** Tags whose content goes with them (code or styles, never text to show). */
const droppedWithContent = new Set([
  "script",
  "style",
  "iframe",
  "object",
  "embed",
  "noscript",
  "template",
  "textarea",
  "title",
  "svg",
  "math",
  "select",
  "xmp",
  "noembed",
  "noframes",
]);

const attributeRules: Record<string, (value: string) => boolean> = {
  align: (value) => /^(left|center|right)$/i.test(value),
  width: (value) => /^\d{1,5}%?$/.test(value),
  height: (value) => /^\d{1,5}%?$/.test(value),
  colspan: (value) => /^\d{1,3}$/.test(value),
  rowspan: (value) => /^\d{1,3}$/.test(value),
  start: (value) => /^-?\d{1,9}$/.test(value),
  open: () => true,
  alt: () => true,
  title: () => true,
};

const tagPattern =
  /^<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/;
const attributePattern = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/**
 * Raw HTML from a card (one `html_block` or `html_inline` token of markdown-it), rebuilt from an allowlist: each
 * allowed tag is re-serialized from its parsed name and checked attributes, never echoed; every other `<` becomes
 * text. Tags are checked one by one, not balanced, because a card's `<details>` opens in one block and closes in
 * another; the browser's parser closes what is left open, inside the card's own container.
 */
export function sanitizeFragment(fragment: string, options: SanitizeFragmentOptions): string {
  let out = "";
  let at = 0;
  while (at < fragment.length) {
    const lt = fragment.indexOf("<", at);
    if (lt === -1) {
      out += escapeText(fragment.slice(at));
      break;
    }
    out += escapeText(fragment.slice(at, lt));
    const rest = fragment.slice(lt);
    if (rest.startsWith("<!--")) {
      const end = rest.indexOf("-->", 4);
      at = end === -1 ? fragment.length : lt + end + 3;
      continue;
    }
    const match = tagPattern.exec(rest);
    if (!match) {
      out += "&lt;";
      at = lt + 1;
      continue;
    }
    at = lt + match[0].length;
    const closing = match[1] === "/";
    const name = (match[2] ?? "").toLowerCase();
    if (droppedWithContent.has(name)) {
      if (!closing) {
        const close = fragment.toLowerCase().indexOf(`</${name}`, at);
        at = close === -1 ? fragment.length : skipTag(fragment, close);
      }
      continue;
    }
    const allowed = allowedTags[name];
    if (!allowed) continue;
    out += closing ? `</${name}>` : `<${name}${attributesOf(name, match[3] ?? "", allowed, options)}>`;
  }
  return out;
}

function attributesOf(
  tag: string,
  source: string,
  allowed: readonly string[],
  options: SanitizeFragmentOptions,
): string {
  let out = "";
  const seen = new Set<string>();
  for (const match of source.matchAll(attributePattern)) {
    const name = (match[1] ?? "").toLowerCase();
    if (!allowed.includes(name) || seen.has(name)) continue;
    seen.add(name);
    const value = options.decode(match[2] ?? match[3] ?? match[4] ?? "");
    if (name === "href" || name === "src") {
      const url = options.resolveUrl(value, tag === "img" ? "image" : "link");
      if (url === undefined) continue;
      // The decoded URL was checked; escaping it again makes the browser see exactly that string.
      out += ` ${name}="${escapeHtml(url)}"`;
      if (tag === "a" && !url.startsWith("/") && !url.startsWith("#")) out += ' rel="noopener noreferrer nofollow"';
      continue;
    }
    const rule = attributeRules[name];
    if (!rule?.(value)) continue;
    out += name === "open" ? " open" : ` ${name}="${escapeHtml(value)}"`;
  }
  if (tag === "img") out += ' loading="lazy"';
  return out;
}

/** Past the `>` of the tag that starts at `from` (the end of the fragment when there is none). */
function skipTag(fragment: string, from: number): number {
  const gt = fragment.indexOf(">", from);
  return gt === -1 ? fragment.length : gt + 1;
}

/**
 * Text between tags: character references stay (the browser shows them as the characters), anything else is escaped.
 */
function escapeText(text: string): string {
  return text.replace(
    /&(?!(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});)|[<>"'`]/g,
    (c) => `&#${c.charCodeAt(0)};`,
  );
}
