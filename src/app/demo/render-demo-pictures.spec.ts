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

  it.each([
    [
      "plots accuracy against the number of tasks from byTaskCount, with the base for reference",
      "accuracy-vs-tasks.svg",
      ["<title>absolute: 87.5% at number of task vectors added 2</title>", ">base model</text>"],
    ],
    [
      "plots the all-tasks λ sweep with a rule at the chosen λ",
      "accuracy-vs-lambda.svg",
      ["θ_base + λ (τ_rotated + τ_inverted)", ">λ = 0.5</text>", "<title>inverted: 60% at λ 0.5</title>"],
    ],
    [
      "plots negation from the base (λ = 0) on, the control in its own zoomed panel with its floor",
      "negation-vs-lambda.svg",
      [
        "<title>rotated (−τ_rotated; λ 0.5): 50% at λ 0</title>",
        "The control: upright digits under each negation",
        ">95% of the base's</text>",
      ],
    ],
    [
      "plots the LoRA adapters' accuracy against rank, with the dense fine-tune for reference",
      "lora-rank.svg",
      [
        "τ_rotated as a LoRA adapter: accuracy against rank",
        "<title>rotated, adapter of rank r: 90% at log₂ of the adapter's rank r 2</title>",
        ">rotated: the fine-tune (dense τ)</text>",
      ],
    ],
    ["labels the heatmap with the tasks", "similarity.svg", [">inverted</text>"]],
  ])("%s (%s)", (_, file, texts) => {
    const chart = svg(file);
    for (const text of texts) expect(chart).toContain(text);
  });

  it("rings the chosen λ in each panel of the negation picture, the panels nested charts below each other", () => {
    const chart = svg("negation-vs-lambda.svg");
    // One ring per panel at the chosen λ, named in its tooltip.
    expect(chart.match(/r="7" fill="none"[^>]*><title>−τ_rotated: λ = 0.5 chosen<\/title>/g)).toHaveLength(2);
    expect(chart).toContain('<svg x="0" y="360" ');
  });
});
