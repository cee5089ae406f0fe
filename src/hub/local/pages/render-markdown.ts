import type { Env as MarkdownEnv, MarkdownIt, RendererRule } from "markdown-it";
import { escapeHtml, trustedHtml, type SafeHtml } from "./html.js";
import { sanitizeFragment, type UrlKind } from "./sanitize-fragment.js";

export interface RenderMarkdownOptions {
  markdown: string;
  /** The URL to emit for one the text gives (relative ones resolve into the repo), or undefined to drop it. */
  resolveUrl: (url: string, kind: UrlKind) => string | undefined;
}

type ResolveUrl = RenderMarkdownOptions["resolveUrl"];

/** Each render passes its URL resolver through markdown-it's env. */
function resolverOf(env: MarkdownEnv | undefined): ResolveUrl {
  const resolve = env?.resolveUrl as ResolveUrl | undefined;
  if (!resolve) throw new Error("renderMarkdown: no resolveUrl in env");
  return resolve;
}

const renderToken: RendererRule = (tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options);

let renderer: Promise<MarkdownIt> | undefined;

/**
 * A model card's body as the Hub renders it: CommonMark with GFM tables and strikethrough, links found in text, and
 * TeX between `$…$` / `$$…$$` typeset by KaTeX (untrusted: `\href` and friends stay off). Raw HTML goes through the
 * fragment allowlist, and markdown-it's own link check already refuses `javascript:` and the like.
 */
export async function renderMarkdown(options: RenderMarkdownOptions): Promise<SafeHtml> {
  renderer ??= createRenderer();
  const md = await renderer;
  const env: MarkdownEnv = { resolveUrl: options.resolveUrl };
  return trustedHtml(md.render(options.markdown, env));
}

async function createRenderer(): Promise<MarkdownIt> {
  // Loaded on the first page, not when the server starts: the API alone never needs them.
  const [{ default: MarkdownItClass }, katexModule, { default: katex }] = await Promise.all([
    import("markdown-it"),
    import("@vscode/markdown-it-katex"),
    import("katex"),
  ]);
  const md = new MarkdownItClass({ html: true, linkify: true, typographer: false });
  // A CommonJS module: Node's loader hands over `exports` (whose `default` is the plugin), a bundler the plugin itself.
  type Plugin = (md: MarkdownIt, options: Record<string, unknown>) => MarkdownIt;
  const exported = katexModule.default as unknown as Plugin | { default: Plugin };
  const plugin = typeof exported === "function" ? exported : exported.default;
  // The plugin hands every option on to KaTeX: untrusted input, bounded macro expansion and sizes.
  md.use(plugin, {
    throwOnError: false,
    trust: false,
    strict: "ignore",
    output: "htmlAndMathml",
    maxExpand: 1000,
    maxSize: 50,
    katex,
  });

  const decode = md.utils.unescapeAll;
  md.renderer.rules.html_block = (tokens, idx, _options, env) =>
    sanitizeFragment(tokens[idx]?.content ?? "", { decode, resolveUrl: resolverOf(env) });
  md.renderer.rules.html_inline = (tokens, idx, _options, env) =>
    sanitizeFragment(tokens[idx]?.content ?? "", { decode, resolveUrl: resolverOf(env) });

  const defaultLinkOpen = md.renderer.rules.link_open ?? renderToken;
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    if (token) {
      const href = token.attrGet("href");
      const url = href === null ? undefined : resolverOf(env)(String(href), "link");
      if (url === undefined) {
        token.attrs = (token.attrs ?? []).filter(([name]) => name !== "href");
      } else {
        token.attrSet("href", url);
        if (!url.startsWith("/") && !url.startsWith("#")) token.attrSet("rel", "noopener noreferrer nofollow");
      }
    }
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  const defaultImage = md.renderer.rules.image ?? renderToken;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    if (!token) return "";
    const src = token.attrGet("src");
    const url = src === null ? undefined : resolverOf(env)(String(src), "image");
    if (url === undefined) return escapeHtml(self.renderInlineAsText(token.children ?? [], options, env ?? {}));
    token.attrSet("src", url);
    token.attrSet("loading", "lazy");
    return defaultImage(tokens, idx, options, env, self);
  };
  const defaultTable = md.renderer.rules.table_open ?? renderToken;
  // Wide tables scroll inside the card instead of widening the page.
  md.renderer.rules.table_open = (tokens, idx, options, env, self) =>
    `<div class="table-wrap">${defaultTable(tokens, idx, options, env, self)}`;
  const defaultTableClose = md.renderer.rules.table_close ?? renderToken;
  md.renderer.rules.table_close = (tokens, idx, options, env, self) =>
    `${defaultTableClose(tokens, idx, options, env, self)}</div>`;
  return md;
}
