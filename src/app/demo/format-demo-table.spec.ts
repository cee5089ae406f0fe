import { describe, expect, it } from "vitest";
import { checkDemoDirections } from "./check-demo-directions.js";
import { formatDemoTable } from "./format-demo-table.js";
import { sampleDemoResults } from "./testing/sample-demo-results.js";

describe("formatDemoTable", () => {
  const results = sampleDemoResults();
  results.checks = checkDemoDirections({ results });
  const text = formatDemoTable({ results });
  const lines = text.split("\n");

  it("opens with what was measured on how many images", () => {
    expect(lines[0]).toBe(
      "Test accuracy (600 images per task; every λ chosen on 200 other validation images per task)",
    );
  });

  it("lists the base and the tasks' fine-tunes on the control and every task, aligned", () => {
    const header = lines.find((line) => line.startsWith("model "));
    expect(header).toMatch(/^model\s+upright\s+rotated\s+inverted$/);
    expect(lines.some((line) => /^demo\/vit-tiny-digits\s+98\.0%\s+50\.0%\s+45\.0%$/.test(line))).toBe(true);
    expect(lines.some((line) => /^ {2}fine-tuned on rotated\s+70\.0%\s+95\.0%\s+10\.0%$/.test(line))).toBe(true);
    // The analogy's half-class fine-tunes are not rows of the main table.
    expect(lines.some((line) => line.includes("fine-tuned on upright-low"))).toBe(false);
  });

  it("shows only the published addition groups, with λ, accuracy, normalized accuracy and the best single", () => {
    const row = lines.find((line) => line.startsWith("rotated + inverted"));
    expect(row).toMatch(/^rotated \+ inverted\s+0\.5\s+90\.0%\s+85\.0%\s+87\.5%\s+0\.946\s+52\.5% \(rotated\)$/);
    expect(lines.some((line) => /^rotated\s+1\s/.test(line))).toBe(false);
  });

  it("has a negation row, the analogy's comparisons and every greedy round", () => {
    expect(lines.some((line) => /^−rotated\s+0\.5\s+50\.0% → 20\.0%\s+98\.0% → 95\.0%$/.test(line))).toBe(true);
    expect(text).toContain("analogy: upright-low is to rotated-low as upright-high is to rotated-high");
    expect(lines.some((line) => /^analogy\s+60\.0%$/.test(line))).toBe(true);
    expect(lines.some((line) => /^rotated fine-tune \(saw rotated-high; the ceiling\)\s+96\.0%$/.test(line))).toBe(
      true,
    );
    expect(
      lines.some((line) =>
        /^\s+1\s+rotated\s+1\s+15\.0% → 55\.0%\s+shifted-labels 15\.0%, inverted 50\.0%$/.test(line),
      ),
    ).toBe(true);
    expect(lines.some((line) => /^\s+3\s+\(none: stop\)\s+78\.0%\s+shifted-labels 70\.0%$/.test(line))).toBe(true);
    expect(text).toContain("rises by more than 0.5 points");
    expect(text).toContain("final model: 77.0% mean test accuracy on the 2 tasks; rejected: shifted-labels");
    expect(text).toContain("best single vector (round 1): rotated at λ 1, 60.0% mean test accuracy");
  });

  it("has a line for the LoRA adapters of one task vector, by rank, against the dense vector", () => {
    expect(text).toContain(
      "LoRA adapters of τ_rotated (publish-vector --lora-rank r), θ_base + τ_adapter: r=1 60.0% (20 KB), r=4 90.0% " +
        "(60 KB); the dense τ 95.0% (293 KB)",
    );
  });

  it("ends with whether each of the paper's findings holds", () => {
    expect(lines.filter((line) => line.startsWith("  holds  "))).toHaveLength(4);
    const failing = sampleDemoResults();
    failing.checks = [{ ok: false, what: "something" }];
    expect(formatDemoTable({ results: failing })).toContain("  does not hold  something\n");
  });
});
