import { describe, expect, it } from "vitest";
import { renderDemoPictures } from "./render-demo-pictures.js";
import { sampleDemoResults } from "./testing/sample-demo-results.js";

describe("renderDemoPictures", () => {
  const pictures = renderDemoPictures({ results: sampleDemoResults() });
  const svg = (file: string) => pictures.find((p) => p.file === file)?.svg ?? "";

  it("draws the five pictures as standalone SVG files", () => {
    expect(pictures.map((p) => p.file)).toEqual([
      "accuracy-vs-tasks.svg",
      "accuracy-vs-lambda.svg",
      "negation-vs-lambda.svg",
      "lora-rank.svg",
      "similarity.svg",
    ]);
    for (const picture of pictures) {
      expect(picture.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(picture.svg).not.toMatch(/NaN|undefined/);
    }
  });

  it("plots accuracy against the number of tasks from byTaskCount, with the base for reference", () => {
    const chart = svg("accuracy-vs-tasks.svg");
    expect(chart).toContain("<title>absolute: 87.5% at number of task vectors added 2</title>");
    expect(chart).toContain(">base model</text>");
  });

  it("plots the all-tasks λ sweep with a rule at the chosen λ", () => {
    const chart = svg("accuracy-vs-lambda.svg");
    expect(chart).toContain("θ_base + λ (τ_rotated + τ_inverted)");
    expect(chart).toContain(">λ = 0.5</text>");
    expect(chart).toContain("<title>inverted: 60% at λ 0.5</title>");
  });

  it(
    "plots negation from the base (λ = 0) on, the control in its own zoomed panel with its floor, and rings the " +
      "chosen λ",
    () => {
      const chart = svg("negation-vs-lambda.svg");
      expect(chart).toContain("<title>rotated (−τ_rotated; λ 0.5): 50% at λ 0</title>");
      expect(chart).toContain("The control: upright digits under each negation");
      expect(chart).toContain(">97% of the base's</text>");
      // One ring per panel at the chosen λ, named in its tooltip.
      expect(chart.match(/r="7" fill="none"[^>]*><title>−τ_rotated: λ = 0.5 chosen<\/title>/g)).toHaveLength(2);
      // The panels are nested charts below each other.
      expect(chart).toContain('<svg x="0" y="360" ');
    },
  );

  it("plots the LoRA adapters' accuracy against rank, with the dense fine-tune for reference", () => {
    const chart = svg("lora-rank.svg");
    expect(chart).toContain("τ_rotated as a LoRA adapter: accuracy against rank");
    expect(chart).toContain("<title>rotated, adapter of rank r: 90% at log₂ of the adapter's rank r 2</title>");
    expect(chart).toContain(">rotated: the fine-tune (dense τ)</text>");
  });

  it("labels the heatmap with the tasks", () => {
    expect(svg("similarity.svg")).toContain(">inverted</text>");
  });
});
