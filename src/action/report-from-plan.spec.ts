import { describe, expect, it } from "vitest";
import { buildPlan } from "../plan/build-plan.js";
import { checkCompatibility } from "../plan/check-compatibility.js";
import { tinyLlama } from "../plan/testing/tiny-llama.js";
import { reportFromPlan } from "./report-from-plan.js";

const sha = (c: string) => c.repeat(40);

describe("reportFromPlan", () => {
  it("reports a compatible pair's pinned inputs, planned files, tensors and bytes", () => {
    const base = tinyLlama("org/base", { revision: sha("b") });
    const ft = tinyLlama("org/ft", { revision: sha("f"), card: { base_model: "org/base" } });
    const compatibility = checkCompatibility({ base, inputs: [{ ...ft, kind: "finetuned" }] });
    const plan = buildPlan({ operation: "publish-vector", base, finetuned: ft, maxShardSize: 50_000 });
    const report = reportFromPlan({ kind: "task-vector", compatibility, plan, target: "org/ft-tv" });
    expect(report.compatible).toBe(true);
    expect(report.findings.filter((f) => f.level === "error")).toEqual([]);
    expect(report.inputs).toEqual([
      { role: "base", ref: "org/base", repo: "org/base", revision: "b".repeat(40) },
      { role: "finetuned", ref: "org/ft", repo: "org/ft", revision: "f".repeat(40) },
    ]);
    const [output] = report.outputs;
    expect(output?.target).toBe("org/ft-tv");
    expect(output?.tensors).toBe(plan.outputs.length);
    expect(output?.dtype).toBe("BF16");
    expect(output?.files.map((f) => f.path)).toEqual([
      ...plan.layout.files.map((f) => f.name),
      "task_vector.safetensors.index.json",
    ]);
    expect(output?.files.reduce((n, f) => n + f.bytes, 0)).toBe(plan.layout.writeBytes);
    expect(report.downloadBytes).toBe(plan.downloadBytes);
    expect(report.downloadBytes).toBeGreaterThan(0);
  });

  it("marks a shape mismatch as an error and the pair as not compatible, with no plan", () => {
    const base = tinyLlama("org/base", { revision: sha("b") });
    const ft = tinyLlama("org/ft", { revision: sha("f"), vocab: 300, card: { base_model: "org/base" } });
    const compatibility = checkCompatibility({ base, inputs: [{ ...ft, kind: "finetuned" }] });
    const report = reportFromPlan({ kind: "check", compatibility });
    expect(report.compatible).toBe(false);
    expect(report.findings.some((f) => f.level === "error")).toBe(true);
    expect(report.inputs).toEqual([
      { role: "base", ref: "org/base" },
      { role: "finetuned", ref: "org/ft" },
    ]);
    expect(report.outputs).toEqual([]);
    expect(report.downloadBytes).toBe(0);
  });
});
