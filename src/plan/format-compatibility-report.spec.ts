import { describe, expect, it } from "vitest";
import type { CompatibilityReport, Finding } from "./check-compatibility.js";
import { formatCompatibilityReport } from "./format-compatibility-report.js";

const finding = (severity: Finding["severity"], code: Finding["code"], n: number, input = "org/ft"): Finding => ({
  severity,
  code,
  input,
  subject: `t${n}`,
  message: `${code} message ${n}`,
});

function report(findings: Finding[], extra: Partial<CompatibilityReport> = {}): CompatibilityReport {
  const counts = { error: 0, lineage: 0, warning: 0 };
  for (const f of findings) counts[f.severity]++;
  return {
    base: "org/base",
    inputs: ["org/ft"],
    vocab: "refuse",
    forced: false,
    ok: counts.error === 0 && counts.lineage === 0,
    counts,
    findings,
    ...extra,
  };
}

describe("formatCompatibilityReport", () => {
  it("groups by severity with a verdict line", () => {
    const text = formatCompatibilityReport({
      report: report([finding("lineage", "BASE_MISMATCH", 1), finding("warning", "DTYPE_DIFFERS", 2)]),
    });
    expect(text).toBe(
      [
        "org/ft vs base org/base: not compatible (1 lineage, 1 warning)",
        "1 lineage mismatch (--force proceeds anyway):",
        "  BASE_MISMATCH  BASE_MISMATCH message 1",
        "1 warning:",
        "  DTYPE_DIFFERS  DTYPE_DIFFERS message 2",
        "",
      ].join("\n"),
    );
  });

  it("says when --force lets lineage mismatches through, and 'with notes' when only warnings remain", () => {
    const forced = formatCompatibilityReport({
      report: report([finding("lineage", "BASE_MISMATCH", 1)], { forced: true, ok: true }),
    });
    expect(forced).toContain(
      "org/ft vs base org/base: compatible, with notes (1 lineage)\n1 lineage mismatch (--force given: proceeding):",
    );
    expect(formatCompatibilityReport({ report: report([finding("warning", "UNKNOWN_LINEAGE", 1)]) })).toMatch(
      /^org\/ft vs base org\/base: compatible, with notes \(1 warning\)\n/,
    );
  });

  it("shows a few findings of each kind, counts the rest, and caps the lines", () => {
    const many = [
      ...Array.from({ length: 10 }, (_, i) => finding("error", "EXTRA_TENSOR", i)),
      ...Array.from({ length: 4 }, (_, i) => finding("error", "SHAPE_MISMATCH", i)),
      ...Array.from({ length: 5 }, (_, i) => finding("warning", "BUFFER_DIFFERS", i)),
    ];
    const text = formatCompatibilityReport({ report: report(many), maxLines: 7, maxPerKind: 2 });
    expect(text.split("\n")).toEqual([
      "org/ft vs base org/base: not compatible (14 errors, 5 warnings)",
      "14 errors:",
      "  EXTRA_TENSOR  EXTRA_TENSOR message 0",
      "  EXTRA_TENSOR  EXTRA_TENSOR message 1",
      "  SHAPE_MISMATCH  SHAPE_MISMATCH message 0",
      "  SHAPE_MISMATCH  SHAPE_MISMATCH message 1",
      "  EXTRA_TENSOR  ...and 8 more like this for org/ft",
      "  SHAPE_MISMATCH  ...and 2 more like this for org/ft",
      "5 warnings:",
      "  BUFFER_DIFFERS  BUFFER_DIFFERS message 0",
      "  ...and 4 more warnings",
      "",
    ]);
  });
});
