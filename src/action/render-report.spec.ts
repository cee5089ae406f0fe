import { describe, expect, it } from "vitest";
import { renderReport, type ActionRun } from "./render-report.js";
import type { RunReport } from "./use-cases.js";

const report: RunReport = {
  kind: "merged-model",
  compatible: true,
  findings: [],
  inputs: [
    { role: "base", ref: "org/base", repo: "org/base", revision: "0123456789".repeat(4) },
    { role: "candidate", ref: "./local/ft", revision: undefined },
  ] as RunReport["inputs"],
  outputs: [{ target: "org/greedy", files: [{ path: "model.safetensors", bytes: 1500 }], tensors: 3, dtype: "F32" }],
  downloadBytes: 123_456_789,
  published: [],
  validation: {
    metric: "accuracy",
    baseline: 0.5,
    rows: [
      { step: 1, candidate: "org/ft-a", lambda: 0.35, score: 0.61234, kept: true },
      { step: 2, candidate: "org/ft-b", lambda: 0.1, score: 0.6, kept: false },
    ],
  },
};

const render = (run: Partial<ActionRun>, audience: "comment" | "summary" = "comment") =>
  renderReport({
    run: { command: "greedy", label: "recipes/greedy.yml", dryRun: true, report, ...run },
    hubUrl: "http://127.0.0.1:5000",
    audience,
    version: "1.2.3",
  });

describe("renderReport", () => {
  it("renders inputs with pinned revisions, planned outputs, bytes and the greedy validation table", () => {
    const md = render({});
    expect(md).toContain("### tvhub greedy · `recipes/greedy.yml`");
    expect(md).toContain("✅ **Compatible** · dry run: nothing was uploaded.");
    expect(md).toContain(
      "| base | [org/base](http://127.0.0.1:5000/org/base) | [`0123456`](http://127.0.0.1:5000/org/base/tree/" +
        "0123456789".repeat(4) +
        ") |",
    );
    expect(md).toContain("| candidate | `./local/ft` | local |");
    expect(md).toContain("| [org/greedy](http://127.0.0.1:5000/org/greedy) | 1 | 1.50 kB | 3 | F32 |");
    expect(md).toContain("**To download:** 123 MB of weights.");
    expect(md).toContain("#### Validation (accuracy)");
    expect(md).toContain("Base model: 0.5000");
    expect(md).toContain("| 1 | `org/ft-a` | 0.35 | 0.6123 | ✅ |");
    expect(md).toContain("| 2 | `org/ft-b` | 0.10 | 0.6000 | — |");
  });

  it("keeps text from models from breaking the table or opening HTML", () => {
    const md = render({
      report: {
        ...report,
        compatible: false,
        findings: [{ level: "error", subject: "a|b", message: "x <!-- y --> | z\nnext" }],
      },
    });
    expect(md).toContain("- ❌ `a\\|b`: x &lt;!-- y --&gt; \\| z next");
    expect(md).not.toContain("<!-- y");
  });

  it("caps long lists in a comment but not in the summary", () => {
    const findings = Array.from({ length: 40 }, (_, i) => ({ level: "warning" as const, message: `w${i}` }));
    const long = { ...report, findings };
    expect(render({ report: long }, "comment")).toContain("- … and 10 more (the job summary lists them all)");
    expect(render({ report: long }, "summary")).toContain("- ⚠️ w39");
    expect(render({ report: long }, "comment")).not.toContain("- ⚠️ w39");
  });

  it("shows a failure and the portion stage", () => {
    const md = render({
      command: "merge",
      stage: { kind: "portion", index: 2, count: 3 },
      report: undefined,
      error: { code: "X", family: "data", message: "boom." },
    });
    expect(md).toBe("### tvhub merge (portion 2/3) · `recipes/greedy.yml`\n\n❌ **Failed:** boom.\n");
  });
});
