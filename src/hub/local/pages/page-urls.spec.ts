import { describe, expect, it } from "vitest";
import { cardUrlResolver, modelPageUrl } from "./page-urls.js";

const commit = "a".repeat(40);
const resolve = cardUrlResolver({
  repo: { type: "model", namespace: "demo", name: "tv" },
  commit,
  revision: "main",
  dir: "",
});
const inDocs = cardUrlResolver({
  repo: { type: "dataset", namespace: "demo", name: "data" },
  commit,
  revision: "v 1",
  dir: "docs",
});

describe("cardUrlResolver", () => {
  it("loads relative images from the card's commit and links relative files to their pages", () => {
    expect(resolve("pictures/scores.svg", "image")).toBe(`/demo/tv/resolve/${commit}/pictures/scores.svg`);
    expect(resolve("./pictures/a%20b.png", "image")).toBe(`/demo/tv/resolve/${commit}/pictures/a%20b.png`);
    expect(resolve("tvhub.json#L3", "link")).toBe("/demo/tv/blob/main/tvhub.json#L3");
    expect(inDocs("../README.md", "link")).toBe("/datasets/demo/data/blob/v%201/README.md");
    expect(inDocs("./", "link")).toBe("/datasets/demo/data/blob/v%201/docs");
    expect(resolve(".", "link")).toBe("/demo/tv/tree/main");
  });

  it("refuses paths out of the repo and every scheme but http, https and mailto", () => {
    expect(resolve("../../etc/passwd", "image")).toBeUndefined();
    for (const url of [
      "javascript:alert(1)",
      " JavaScript:alert(1)",
      "java\tscript:alert(1)",
      "data:text/html,<script>",
      "vbscript:x",
      "file:///etc/passwd",
    ]) {
      expect(resolve(url, "link"), url).toBeUndefined();
    }
    expect(resolve("https://arxiv.org/abs/2212.04089", "link")).toBe("https://arxiv.org/abs/2212.04089");
    expect(resolve("mailto:a@b.c", "link")).toBe("mailto:a@b.c");
    expect(resolve("//cdn.example/x.png", "image")).toBe("https://cdn.example/x.png");
    expect(resolve("/\\evil.example/x", "link")).toBe("https://evil.example/x");
    expect(resolve("/demo/base/tree/main", "link")).toBe("/demo/base/tree/main");
    expect(resolve("#arithmetic", "link")).toBe("#arithmetic");
  });
});

describe("modelPageUrl", () => {
  it("keeps every repo link on this server, whatever the card names", () => {
    expect(modelPageUrl("demo/tiny-base")).toBe("/demo/tiny-base");
    expect(modelPageUrl("//evil.example")).toBe("/evil.example");
    expect(modelPageUrl("javascript:alert(1)")).toBe("/javascript%3Aalert(1)");
    expect(modelPageUrl("a\\b/c d")).toBe("/a%5Cb/c%20d");
  });
});
