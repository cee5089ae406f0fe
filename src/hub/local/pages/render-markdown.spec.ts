import { describe, expect, it } from "vitest";
import { cardUrlResolver } from "./page-urls.js";
import { renderMarkdown } from "./render-markdown.js";

const commit = "b".repeat(40);
const render = async (markdown: string) =>
  (
    await renderMarkdown({
      markdown,
      resolveUrl: cardUrlResolver({
        repo: { type: "model", namespace: "demo", name: "m" },
        commit,
        revision: "main",
        dir: "",
      }),
    })
  ).text;

describe("renderMarkdown", () => {
  it("renders GFM tables, KaTeX math and the repo's images", async () => {
    const out = await render(
      "| a | b |\n| --- | --: |\n| 1 | 2 |\n\n$$\n\\lambda_i \\tau_i\n$$\n\nInline $x^2$.\n\n![plot](pictures/p.svg)\n",
    );
    expect(out).toContain('<div class="table-wrap"><table>');
    expect(out).toContain('<td style="text-align:right">2</td>');
    expect(out).toMatch(
      /<span class="katex-display">.*<annotation encoding="application\/x-tex">\s*\\lambda_i \\tau_i\s*<\/annotation>/s,
    );
    expect(out).toMatch(/<span class="katex">.*x\^2/s);
    expect(out).toContain(`<img src="/demo/m/resolve/${commit}/pictures/p.svg" alt="plot" loading="lazy">`);
  });

  it("keeps the cards' <details> and drops scripts, handlers and javascript: URLs wherever they appear", async () => {
    const out = await render(
      [
        "<details><summary>Per layer</summary>",
        "",
        "| x |\n| - |\n| 1 |",
        "",
        "</details>",
        "",
        "# Title <script>alert(1)</script>",
        "",
        '<img src=x onerror="alert(1)"> [a](javascript:alert(1)) ![b](javascript:alert(1)) <a ' +
          'href="JaVaScRiPt:alert(1)">c</a>',
        "",
        "$\\href{javascript:alert(1)}{x}$ https://example.org",
      ].join("\n"),
    );
    expect(out).toContain("<details><summary>Per layer</summary>");
    expect(out).toContain("</details>");
    expect(out).not.toMatch(/<script|onerror|(href|src)="\s*javascript/i);
    expect(out).toContain('<img src="/demo/m/resolve/');
    expect(out).toContain('<a href="https://example.org" rel="noopener noreferrer nofollow">https://example.org</a>');
  });
});
