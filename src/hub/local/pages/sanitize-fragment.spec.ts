import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import { sanitizeFragment } from "./sanitize-fragment.js";

const decode = new MarkdownIt().utils.unescapeAll;
const resolveUrl = (url: string) =>
  /^\s*javascript:/i.test(url) ? undefined : url.startsWith("/") || url.startsWith("http") ? url : `/repo/${url}`;
const clean = (fragment: string) => sanitizeFragment(fragment, { decode, resolveUrl });

describe("sanitizeFragment", () => {
  it("rebuilds allowed tags from their parsed names and checked attributes", () => {
    expect(clean('<details open><summary class="x">More</summary>')).toBe("<details open><summary>More</summary>");
    expect(clean('<P ALIGN="center" onclick="steal()" style="color:red">hi</P>')).toBe('<p align="center">hi</p>');
    expect(clean('<p align="javascript:x">a</p><td colspan="2" rowspan="x">')).toBe('<p>a</p><td colspan="2">');
    expect(clean("</details>")).toBe("</details>");
  });

  it("drops scripts, styles, frames and SVG with their content, and other unknown tags alone", () => {
    expect(clean("<script>window.x = 1</script>after")).toBe("after");
    expect(
      clean("<STYLE>body{display:none}</STYLE><iframe src=x></iframe><svg onload=x><script>1</script></svg>ok"),
    ).toBe("ok");
    expect(clean('<font color="red">text</font><blink>b</blink>')).toBe("textb");
    expect(clean("<script>never closed")).toBe("");
    expect(clean("<!-- <script>x</script> -->visible")).toBe("visible");
  });

  it("turns every other < into text and keeps character references", () => {
    expect(clean("a < b && c > d")).toBe("a &lt; b &#38;&#38; c &#62; d");
    expect(clean("&lt;script&gt; &amp; &#169;")).toBe("&lt;script&gt; &amp; &#169;");
    expect(clean('<img src="x" onerror="alert(1)"<b>')).toBe("&lt;img src=&#34;x&#34; onerror=&#34;alert(1)&#34;<b>");
  });

  it("checks URLs after decoding character references, and escapes what it emits", () => {
    expect(clean('<a href="java&#115;cript:alert(1)">x</a>')).toBe("<a>x</a>");
    expect(clean('<a href="&#x6A;avascript:alert(1)" title="t">x</a>')).toBe('<a title="t">x</a>');
    expect(clean('<a href="https://example.org/?a=1&amp;b=2">x</a>')).toBe(
      '<a href="https://example.org/?a=1&#38;b=2" rel="noopener noreferrer nofollow">x</a>',
    );
    expect(clean('<img src="pictures/p.svg" alt="a &quot;b&quot;" width="200" height="1e9">')).toBe(
      '<img src="/repo/pictures/p.svg" alt="a &#34;b&#34;" width="200" loading="lazy">',
    );
    expect(clean('<a href=\'/demo/x\' title="x" title="y">x</a>')).toBe('<a href="/demo/x" title="x">x</a>');
  });
});
