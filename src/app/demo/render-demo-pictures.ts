import { renderLineChart, type LineChartMarker, type LineChartSeries } from "../../card/render-line-chart.js";
import { renderSimilaritySvg } from "../../card/render-similarity-svg.js";
import { controlFloor } from "./demo-setup.js";
import type { DemoResults } from "./demo-types.js";

export interface RenderDemoPicturesOptions {
  results: Omit<DemoResults, "files" | "pictures">;
}

export interface DemoPicture {
  /** A file name next to results.json. */
  file: string;
  svg: string;
}

/** Colors per task, shared by every picture, so a task looks the same everywhere. */
const taskColors = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];
/** Wide enough for the legend beside a plot that still reads well. */
const width = 760;

/**
 * The demo's pictures, from its results alone: accuracy as tasks are added, accuracy against λ for addition and
 * for negation, and the cosine similarity of the task vectors.
 */
export function renderDemoPictures(options: RenderDemoPicturesOptions): DemoPicture[] {
  const { results } = options;
  const color = (task: string) => taskColors[Math.max(0, results.tasks.indexOf(task)) % taskColors.length] as string;
  const pictures: DemoPicture[] = [];

  const counts = results.byTaskCount;
  const baseMean =
    results.tasks.reduce((sum, task) => sum + (results.base.test[task] as number), 0) / results.tasks.length;
  pictures.push({
    file: "accuracy-vs-tasks.svg",
    svg: renderLineChart({
      title: "Adding task vectors: one model for several tasks",
      width,
      subtitle:
        "Test accuracy of θ_base + λ Σ τ over every group of k tasks (λ chosen on validation), mean over " + "groups",
      xLabel: "number of task vectors added",
      yLabel: "accuracy on the tasks added",
      yFormat: "percent",
      xTicks: counts.map((c) => c.count),
      xDomain: [Math.min(...counts.map((c) => c.count)) - 0.25, Math.max(...counts.map((c) => c.count)) + 0.25],
      yDomain: [0, 1.05],
      series: [
        {
          label: "normalized (÷ each task's fine-tune)",
          points: counts.map((c) => ({ x: c.count, y: c.normalizedAccuracy })),
        },
        { label: "absolute", points: counts.map((c) => ({ x: c.count, y: c.accuracy })) },
        {
          label: "base model",
          dashed: true,
          color: "#777777",
          points: counts.map((c) => ({ x: c.count, y: baseMean })),
        },
      ],
    }),
  });

  const all = results.addition.find((group) => group.tasks.length === results.tasks.length);
  if (all) {
    const series: LineChartSeries[] = all.tasks.map((task) => ({
      label: task,
      color: color(task),
      points: all.curve.map((p) => ({ x: p.lambda, y: p.validation[task] as number })),
    }));
    series.push({
      label: "mean (λ chosen here)",
      color: "#000000",
      points: all.curve.map((p) => ({
        x: p.lambda,
        y: all.tasks.reduce((sum, task) => sum + (p.validation[task] as number), 0) / all.tasks.length,
      })),
    });
    pictures.push({
      file: "accuracy-vs-lambda.svg",
      svg: renderLineChart({
        title: `θ_base + λ (${all.tasks.map((t) => `τ_${t}`).join(" + ")})`,
        subtitle: "Validation accuracy on each task as λ grows",
        width,
        xLabel: "λ",
        yLabel: "validation accuracy",
        yFormat: "percent",
        yDomain: [0, 1],
        series,
        verticalRules: [{ at: all.lambda, label: `λ = ${all.lambda}` }],
      }),
    });
  }

  if (results.negation.length > 0)
    pictures.push({ file: "negation-vs-lambda.svg", svg: renderNegation(results, color) });

  const lora = results.lora;
  if (lora) {
    const ranks = lora.ranks.map((r) => r.rank);
    // Ranks grow by doubling: an axis of log2(rank) spaces them evenly.
    const x = (rank: number) => Math.log2(rank);
    const flat = (y: number | undefined) => ranks.map((rank) => ({ x: x(rank), y: y ?? Number.NaN }));
    pictures.push({
      file: "lora-rank.svg",
      svg: renderLineChart({
        title: `τ_${lora.task} as a LoRA adapter: accuracy against rank`,
        width,
        subtitle:
          "Test accuracy of θ_base + τ_adapter (publish-vector --lora-rank r, then tvhub merge); x axis: " + "log₂ r",
        xLabel: "log₂ of the adapter's rank r",
        yLabel: "test accuracy",
        yFormat: "percent",
        yDomain: [0, 1],
        xTicks: ranks.map(x),
        series: [
          {
            label: `${lora.task}, adapter of rank r`,
            color: color(lora.task),
            points: lora.ranks.map((r) => ({ x: x(r.rank), y: r.test[lora.task] as number })),
          },
          {
            label: `${results.control} (control), adapter`,
            color: "#777777",
            points: lora.ranks.map((r) => ({ x: x(r.rank), y: r.test[results.control] as number })),
          },
          {
            label: `${lora.task}: the fine-tune (dense τ)`,
            color: color(lora.task),
            dashed: true,
            points: flat(lora.dense.test[lora.task]),
          },
          {
            label: `${lora.task}: the base`,
            color: "#777777",
            dashed: true,
            points: flat(results.base.test[lora.task]),
          },
        ],
      }),
    });
  }

  pictures.push({
    file: "similarity.svg",
    svg: renderSimilaritySvg({
      labels: results.similarity.labels,
      matrix: results.similarity.matrix,
      subtitle: `Task vectors of ${results.base.repo}, published with tvhub publish-vector`,
    }),
  });
  return pictures;
}

/**
 * Negation as two panels on one λ axis: the target tasks above (falling towards chance), the control below on an
 * axis zoomed to where λ is chosen, so that its lines, nearly equal there, can be told apart. A ring marks the λ
 * chosen for each task on both panels.
 */
function renderNegation(results: RenderDemoPicturesOptions["results"], color: (task: string) => string): string {
  const negated = results.negation.filter((n) => n.published !== undefined);
  const curves = results.negation.map((n) => ({ n, points: [{ lambda: 0, ...n.baseValidation }, ...n.curve] }));
  const chosen = (pick: "target" | "control"): LineChartMarker[] =>
    negated.map((n) => {
      const point = n.curve.find((p) => p.lambda === n.lambda);
      return {
        x: n.lambda,
        y: point ? point[pick] : Number.NaN,
        color: color(n.task),
        label: `−τ_${n.task}: λ = ${n.lambda} chosen`,
      };
    });
  const baseControl = results.negation[0]?.baseValidation.control ?? 1;
  const floor = controlFloor * baseControl;
  const controls = curves.flatMap(({ points }) => points.map((p) => p.control));
  const low = Math.max(0, Math.min(floor - 0.04, ...controls.filter((c) => c >= floor - 0.15)));
  const targetHeight = 360;
  const controlHeight = 300;
  const top = renderLineChart({
    title: "Negating a task vector: θ_base − λ τ",
    width,
    height: targetHeight,
    subtitle: "Validation accuracy on the negated task; a ring marks the λ chosen for it",
    xLabel: "λ",
    yLabel: "accuracy on the negated task",
    yFormat: "percent",
    yDomain: [0, 1],
    series: curves.map(({ n, points }) => ({
      label: `${n.task} (−τ_${n.task}; λ ${n.published ? n.lambda : "none"})`,
      color: color(n.task),
      points: points.map((p) => ({ x: p.lambda, y: p.target })),
    })),
    horizontalRules: [{ at: results.chance, label: `chance (${Math.round(results.chance * 100)}%)` }],
    markers: chosen("target"),
  });
  const bottom = renderLineChart({
    title: `The control: ${results.control} digits under each negation`,
    width,
    height: controlHeight,
    subtitle:
      `λ is chosen among the points above the rule (${controlFloor * 100}% of the base's ` +
      `${results.control} accuracy)`,
    xLabel: "λ",
    yLabel: `${results.control} accuracy`,
    yFormat: "percent",
    yDomain: [low, Math.min(1, Math.max(...controls) + 0.01)],
    series: curves.map(({ n, points }) => ({
      label: `${results.control} with −λ τ_${n.task}`,
      color: color(n.task),
      points: points.map((p) => ({ x: p.lambda, y: p.control >= low ? p.control : Number.NaN })),
    })),
    horizontalRules: [{ at: floor, label: `${controlFloor * 100}% of the base's` }],
    markers: chosen("control"),
  });
  const height = targetHeight + controlHeight;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    "<title>Negating a task vector: θ_base − λ τ</title>",
    top.replace("<svg ", '<svg x="0" y="0" ').trimEnd(),
    bottom.replace("<svg ", `<svg x="0" y="${targetHeight}" `).trimEnd(),
    "</svg>",
    "",
  ].join("\n");
}
