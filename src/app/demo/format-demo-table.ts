import { controlFloor } from "./demo-setup.js";
import type { DemoResults } from "./demo-types.js";

export interface FormatDemoTableOptions {
  results: DemoResults;
}

/**
 * The demo's results as plain-text tables: every model's test accuracy, addition (accuracy and normalized accuracy
 * for pairs and all tasks), negation, the analogy, the greedy search round by round, and the directions checked.
 */
export function formatDemoTable(options: FormatDemoTableOptions): string {
  const { results } = options;
  const { tasks, control } = results;
  const pct = (value: number | undefined) => (value === undefined ? "–" : `${(value * 100).toFixed(1)}%`);
  const out: string[] = [];
  const testImages = results.evaluator.test[tasks[0] as string];
  const validationImages = results.evaluator.validation[tasks[0] as string];
  out.push(
    `Test accuracy (${testImages} images per task; every λ chosen on ${validationImages} other validation images ` +
      "per task)",
    "",
  );

  const columns = [control, ...tasks];
  const modelRows: string[][] = [["model", ...columns]];
  modelRows.push([results.base.repo, ...columns.map((task) => pct(results.base.test[task]))]);
  for (const model of results.finetunes.filter((m) => m.task !== undefined && tasks.includes(m.task))) {
    modelRows.push([`  fine-tuned on ${model.task}`, ...columns.map((task) => pct(model.test[task]))]);
  }
  out.push(...table(modelRows, [false, ...columns.map(() => true)]), "");

  const shown = results.addition.filter((group) => group.published !== undefined);
  const addRows: string[][] = [
    ["addition θ_base + λ Σ τ", "λ", ...tasks, "mean", "normalized", "best single fine-tune"],
  ];
  for (const group of shown) {
    const [bestTask, bestAccuracy] = Object.entries(group.singles).reduce((best, entry) =>
      entry[1] > best[1] ? entry : best,
    );
    addRows.push([
      group.tasks.length === tasks.length && tasks.length > 2 ? `all ${tasks.length} tasks` : group.tasks.join(" + "),
      String(group.lambda),
      ...tasks.map((task) => (group.tasks.includes(task) ? pct(group.test[task]) : "")),
      pct(group.accuracy),
      group.normalizedAccuracy.toFixed(3),
      `${pct(bestAccuracy)} (${bestTask})`,
    ]);
  }
  out.push(...table(addRows, [false, true, ...tasks.map(() => true), true, true, false]));
  out.push(
    "normalized: accuracy of the merged model ÷ accuracy of each task's own fine-tune, averaged over the tasks.",
  );
  if (results.byTaskCount.length > 2) {
    out.push(
      "mean over every group of k tasks: " +
        `${results.byTaskCount.map((c) => `k=${c.count} ${c.normalizedAccuracy.toFixed(3)}`).join(", ")}`,
    );
  }
  out.push("");

  const negRows: string[][] = [
    ["negation θ_base − λ τ", "λ", "target: base → negated", `${control} (control): base → negated`],
  ];
  for (const n of results.negation) {
    if (n.published === undefined)
      negRows.push([`−${n.task}`, "–", `no λ keeps ${control} at ${controlFloor * 100}%`, ""]);
    else
      negRows.push([
        `−${n.task}`,
        String(n.lambda),
        `${pct(n.target.base)} → ${pct(n.target.negated)}`,
        `${pct(n.control.base)} → ${pct(n.control.negated)}`,
      ]);
  }
  out.push(...table(negRows, [false, true, true, true]), "");

  const a = results.analogy;
  out.push(
    `analogy: ${a.a} is to ${a.b} as ${a.c} is to ${a.target}; θ_base + λ (τ_${a.c} + τ_${a.b} − τ_${a.a}), λ ` +
      `${a.lambda}`,
    ...table(
      [
        ["model", `${a.target} (no model trained on it)`],
        ["analogy", pct(a.test.analogy)],
        ["base", pct(a.test.base)],
        [`${a.b} fine-tune alone`, pct(a.test.b)],
        [`${a.c} fine-tune alone`, pct(a.test.c)],
        [`${a.oracle} fine-tune (saw ${a.target}; the ceiling)`, pct(a.test.oracle)],
      ],
      [false, true],
    ),
    "",
  );

  const g = results.greedy;
  out.push(
    `greedy addition over ${g.candidates.join(", ")} (distractor: ${g.distractor}); λ ∈ ` +
      `{${g.grid.filter((l) => l !== 0).join(", ")}};`,
    "a round keeps its best candidate if the mean validation accuracy rises by more than " +
      `${(g.minGain * 100).toFixed(1)} points`,
  );
  const greedyRows: string[][] = [["round", "kept", "λ", "validation", "best λ of each other candidate"]];
  let previous = g.validation.base;
  for (const round of g.rounds) {
    const kept = round.steps.find((step) => step.kept);
    const others = round.steps.filter((step) => !step.kept).map((step) => `${step.task} ${pct(step.score)}`);
    greedyRows.push([
      String(round.round),
      kept?.task ?? "(none: stop)",
      kept ? String(kept.lambda) : "",
      kept ? `${pct(previous)} → ${pct(kept.score)}` : pct(previous),
      others.join(", "),
    ]);
    if (kept) previous = kept.score;
  }
  out.push(...table(greedyRows, [true, false, true, true, false]));
  out.push(
    `final model: ${pct(g.accuracy)} mean test accuracy on the ${tasks.length} tasks; rejected: ` +
      `${g.rejected.join(", ") || "none"}`,
  );
  if (g.bestSingle)
    out.push(
      `best single vector (round 1): ${g.bestSingle.task} at λ ${g.bestSingle.lambda}, ` +
        `${pct(g.bestSingle.accuracy)} mean test accuracy`,
    );
  out.push("");

  const lora = results.lora;
  if (lora) {
    const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
    out.push(
      `LoRA adapters of τ_${lora.task} (publish-vector --lora-rank r), θ_base + τ_adapter: ` +
        `${lora.ranks.map((r) => `r=${r.rank} ${pct(r.test[lora.task])} (${kb(r.bytes)})`).join(", ")}; the ` +
        `dense τ ${pct(lora.dense.test[lora.task])} (${kb(lora.dense.bytes)})`,
      "",
    );
  }

  out.push("the paper's findings, on these test numbers:");
  for (const check of results.checks) out.push(`  ${check.ok ? "holds        " : "does not hold"}  ${check.what}`);
  return `${out.join("\n")}\n`;
}

/** Columns padded to their widest cell; numbers right-aligned. */
function table(rows: readonly string[][], right: readonly boolean[]): string[] {
  const widths = rows[0]?.map((_, j) => Math.max(...rows.map((row) => [...(row[j] ?? "")].length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, j) => {
        const pad = " ".repeat(Math.max(0, (widths[j] ?? 0) - [...cell].length));
        return right[j] ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd(),
  );
}
