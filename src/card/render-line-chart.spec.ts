import { describe, expect, it } from "vitest";
import { niceTicks, renderLineChart } from "./render-line-chart.js";

const options = {
  title: "Accuracy <vs> λ",
  xLabel: "λ",
  yLabel: "accuracy",
  series: [
    {
      label: "rotated & co",
      points: [
        { x: 0, y: 0.2 },
        { x: 0.5, y: 0.9 },
        { x: 1, y: 0.6 },
      ],
    },
    {
      label: "base",
      dashed: true,
      points: [
        { x: 0, y: 0.5 },
        { x: 1, y: 0.5 },
      ],
    },
  ],
};

describe("renderLineChart", () => {
  it("draws one polyline per series, markers with exact tooltips, and escapes text", () => {
    const svg = renderLineChart({ ...options, yFormat: "percent" });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    // Markers only on the solid series.
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toContain("<title>rotated &amp; co: 90% at λ 0.5</title>");
    expect(svg).toContain("Accuracy &lt;vs&gt; λ");
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it("is deterministic and writes percent ticks without float noise", () => {
    const a = renderLineChart({ ...options, yFormat: "percent", yDomain: [0, 1] });
    expect(renderLineChart({ ...options, yFormat: "percent", yDomain: [0, 1] })).toBe(a);
    for (const tick of ["0%", "20%", "40%", "60%", "80%", "100%"]) expect(a).toContain(`>${tick}</text>`);
    expect(a).not.toMatch(/0000000/);
  });

  it("breaks a line at a missing value instead of joining across it", () => {
    const svg = renderLineChart({
      ...options,
      series: [
        {
          label: "gap",
          points: [
            { x: 0, y: 1 },
            { x: 1, y: 2 },
            { x: 2, y: Number.NaN },
            { x: 3, y: 2 },
            { x: 4, y: 3 },
          ],
        },
      ],
    });
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(4);
  });

  it("draws rules inside a given domain with their labels, and skips those outside", () => {
    const svg = renderLineChart({
      ...options,
      xDomain: [0, 1],
      verticalRules: [
        { at: 0.35, label: "λ = 0.35" },
        { at: 7, label: "far away" },
      ],
      horizontalRules: [{ at: 0.4, label: "95% of base" }],
    });
    expect(svg).toContain(">λ = 0.35</text>");
    expect(svg).toContain(">95% of base</text>");
    expect(svg).not.toContain("far away");
  });

  it("labels the x ticks it is given", () => {
    const svg = renderLineChart({
      ...options,
      xTicks: [1, 2, 3, 4],
      xDomain: [0.75, 4.25],
      series: [{ label: "k", points: [1, 2, 3, 4].map((x) => ({ x, y: x / 4 })) }],
    });
    for (const tick of ["1", "2", "3", "4"]) expect(svg).toContain(`text-anchor="middle">${tick}</text>`);
  });
});

describe("niceTicks", () => {
  it("picks steps of 1, 2 or 5 times a power of ten that cover the domain", () => {
    expect(niceTicks([0, 1], 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks([0.12, 0.93], 8)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks([0.12, 0.93], 10)).toEqual([0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(niceTicks([0, 100], 4)).toEqual([0, 50, 100]);
    expect(niceTicks([3, 3], 5)).toEqual([3]);
  });
});
