import { describe, expect, it } from "vitest";
import { renderDemoPictures } from "./render-demo-pictures.js";
import { sampleDemoResults } from "./testing/sample-demo-results.js";

describe("renderDemoPictures", () => {
  const pictures = renderDemoPictures({ results: sampleDemoResults() });
  const svg = (file: string) => pictures.find((p) => p.file === file)?.svg ?? "";

  it("draws the four pictures as standalone SVG files", () => {
    expect(pictures.map((p) => p.file)).toEqual(["accuracy-vs-tasks.svg", "accuracy-vs-lambda.svg", "negation-vs-lambda.svg", "similarity.svg"]);
    for (const picture of pictures) {
      expect(picture.svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
      expect(picture.svg).not.toMatch(/NaN|undefined/);
    }
  });

  it("plots accuracy against the number of tasks from byTaskCount, with the base for reference", () => {
    const chart = svg("accuracy-vs-tasks.svg");
    expect(chart).toContain("<title>absolute: 75% at number of task vectors added 2</title>");
    expect(chart).toContain(">base model</text>");
  });

  it("plots the all-tasks λ sweep with a rule at the chosen λ", () => {
    const chart = svg("accuracy-vs-lambda.svg");
    expect(chart).toContain("θ_base + λ (τ_rotated + τ_inverted)");
    expect(chart).toContain(">λ = 0.5</text>");
    expect(chart).toContain("<title>inverted: 60% at λ 0.5</title>");
  });

  it("plots negation from the base (λ = 0) on, with the control floor", () => {
    const chart = svg("negation-vs-lambda.svg");
    expect(chart).toContain("<title>rotated (target): 20% at λ 0</title>");
    expect(chart).toContain("97% of the base's upright accuracy: λ is chosen above it");
  });

  it("labels the heatmap with the tasks", () => {
    expect(svg("similarity.svg")).toContain(">inverted</text>");
  });
});
