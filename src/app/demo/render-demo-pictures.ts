import { renderLineChart, type LineChartSeries } from "../../card/render-line-chart.js";
import { renderSimilaritySvg } from "../../card/render-similarity-svg.js";
import type { DemoResults } from "./demo-types.js";

export interface RenderDemoPicturesOptions {
  results: Omit<DemoResults, "files">;
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
  const baseMean = results.tasks.reduce((sum, task) => sum + (results.base.test[task] as number), 0) / results.tasks.length;
  pictures.push({
    file: "accuracy-vs-tasks.svg",
    svg: renderLineChart({
      title: "Adding task vectors: one model for several tasks",
      width,
      subtitle: `Test accuracy of θ_base + λ Σ τ over every group of k tasks (λ chosen on validation), mean over groups`,
      xLabel: "number of task vectors added",
      yLabel: "accuracy on the tasks added",
      yFormat: "percent",
      xTicks: counts.map((c) => c.count),
      xDomain: [Math.min(...counts.map((c) => c.count)) - 0.25, Math.max(...counts.map((c) => c.count)) + 0.25],
      yDomain: [0, 1.05],
      series: [
        { label: "normalized (÷ each task's fine-tune)", points: counts.map((c) => ({ x: c.count, y: c.normalizedAccuracy })) },
        { label: "absolute", points: counts.map((c) => ({ x: c.count, y: c.accuracy })) },
        { label: "base model", dashed: true, color: "#777777", points: counts.map((c) => ({ x: c.count, y: baseMean })) },
      ],
    }),
  });

  const all = results.addition.find((group) => group.tasks.length === results.tasks.length);
  if (all) {
    const series: LineChartSeries[] = all.tasks.map((task) => ({ label: task, color: color(task), points: all.curve.map((p) => ({ x: p.lambda, y: p.validation[task] as number })) }));
    series.push({
      label: "mean (λ chosen here)",
      color: "#000000",
      points: all.curve.map((p) => ({ x: p.lambda, y: all.tasks.reduce((sum, task) => sum + (p.validation[task] as number), 0) / all.tasks.length })),
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

  const first = results.negation[0];
  if (first) {
    const series: LineChartSeries[] = [];
    for (const n of results.negation) {
      // λ = 0 is the base itself.
      const curve = [{ lambda: 0, ...n.baseValidation }, ...n.curve];
      series.push({ label: `${n.task} (target)`, color: color(n.task), points: curve.map((p) => ({ x: p.lambda, y: p.target })) });
      series.push({ label: `${results.control} with −τ_${n.task}`, color: color(n.task), dashed: true, points: curve.map((p) => ({ x: p.lambda, y: p.control })) });
    }
    pictures.push({
      file: "negation-vs-lambda.svg",
      svg: renderLineChart({
        title: "Negating a task vector: θ_base − λ τ",
        width,
        subtitle: `Validation accuracy on the negated task (solid) and on ${results.control} digits, the control (dashed)`,
        xLabel: "λ",
        yLabel: "validation accuracy",
        yFormat: "percent",
        yDomain: [0, 1],
        series,
        horizontalRules: [{ at: 0.97 * first.baseValidation.control, label: `97% of the base's ${results.control} accuracy: λ is chosen above it` }],
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
