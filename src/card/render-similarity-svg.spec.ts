import { describe, expect, it } from "vitest";
import { renderSimilaritySvg } from "./render-similarity-svg.js";

describe("renderSimilaritySvg", () => {
  const svg = renderSimilaritySvg({
    labels: ["org/a-tv", "org/b <ft>", "org/c-tv"],
    matrix: [
      [1, 0.04, -0.02],
      [0.04, 1, null],
      [-0.02, null, 1],
    ],
    subtitle: "3 task vectors of org/base",
  });

  it("is one standalone SVG document with a title", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("<title>Cosine similarity between task vectors</title>");
    expect(svg).toContain("3 task vectors of org/base");
  });

  it("labels both axes, escaping markup", () => {
    expect(svg.match(/>org\/a-tv</g)).toHaveLength(2);
    expect(svg).toContain(">org/b &lt;ft&gt;<");
    expect(svg).not.toContain("<ft>");
    expect(svg).toMatch(/transform="rotate\(-45 /);
  });

  it("writes every value in its cell, a dash where the cosine is undefined", () => {
    expect(svg).toContain(">0.040<");
    expect(svg).toContain(">−0.020<");
    expect(svg).toContain(">1.00<");
    expect(svg.match(/>—</g)).toHaveLength(2);
  });

  it(
    "scales colors to the largest off-diagonal |cos|: the strongest pair gets the end color, the diagonal stays " +
      "gray",
    () => {
      expect(svg).toContain('fill="#b2182b"');
      expect(svg).toContain('fill="#d9d9d9"');
      // -0.02 is half of 0.04 on the negative side: halfway from the neutral to the blue end.
      expect(svg).toContain(`fill="#8cafd2"`);
      expect(svg).toContain('<linearGradient id="tvhub-scale"');
      expect(svg).toContain(">0.040</text>");
      expect(svg).toContain(">−0.040</text>");
    },
  );
});
