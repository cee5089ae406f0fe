export interface LineChartPoint {
  x: number;
  y: number;
}

export interface LineChartSeries {
  /** Shown in the legend and in each point's tooltip. */
  label: string;
  /** Drawn in this order; a non-finite y breaks the line there. */
  points: readonly LineChartPoint[];
  /** A reference series (a baseline, an oracle): drawn dashed, without point markers. @default false */
  dashed?: boolean;
  /** A CSS color; default: the next color of a palette that color-blind readers can tell apart (Okabe–Ito). */
  color?: string;
}

export interface LineChartRule {
  /** Where the rule is, on its axis. */
  at: number;
  /** Written next to the rule, e.g. `λ = 0.35 (chosen on validation)`. */
  label: string;
}

/** A point to point out, e.g. the λ chosen on a curve: a ring in the series' color, drawn above the lines. */
export interface LineChartMarker {
  x: number;
  y: number;
  /** The tooltip, e.g. `rotated: λ = 0.6 chosen`. */
  label: string;
  /** @default black */
  color?: string;
}

export interface LineChartOptions {
  title: string;
  /** A line under the title, e.g. which split the points were measured on. */
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineChartSeries[];
  /** @default the data's range, padded */
  xDomain?: readonly [number, number];
  /** @default the data's range, padded, and never beyond [0, 1] when yFormat is percent */
  yDomain?: readonly [number, number];
  /**
   * The x values to label; default: round numbers across the domain. Integer counts read better as their own values.
   */
  xTicks?: readonly number[];
  /** Vertical rules, e.g. the λ chosen on validation data. */
  verticalRules?: readonly LineChartRule[];
  /** Horizontal rules, e.g. 95% of the base model's control accuracy. */
  horizontalRules?: readonly LineChartRule[];
  /** Rings at chosen points. */
  markers?: readonly LineChartMarker[];
  /** `percent` writes 0.873 as 87%. @default "number" */
  yFormat?: "percent" | "number";
  /** @default 640 */
  width?: number;
  /** @default 400 */
  height?: number;
}

/** Okabe & Ito's eight colors minus yellow (too light on white), in their usual order. */
const palette = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"];
const fontSize = 12;
/** An average glyph width of the sans-serif stack at 12 px, for laying out labels without measuring text. */
const glyph = 6.8;
const pad = 16;
/** A white outline under rule labels keeps them readable where they cross a line. */
const halo = ' stroke="#ffffff" stroke-width="3" paint-order="stroke"';

/**
 * A standalone SVG line chart: axes with round-number ticks and a light grid, one polyline per series with point
 * markers (each with a tooltip that gives its exact value), optional rules, and a legend on the right. Pure: the
 * same options give the same bytes, so pictures in a repo only change when the numbers do.
 */
export function renderLineChart(options: LineChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const percent = options.yFormat === "percent";
  const formatY = (value: number, step: number): string =>
    percent
      ? `${trimZeros((value * 100).toFixed(decimalsOf(step * 100)))}%`
      : trimZeros(value.toFixed(decimalsOf(step)));

  const all = options.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const xDomain =
    options.xDomain ?? padded(extent([...all.map((p) => p.x), ...(options.verticalRules ?? []).map((r) => r.at)]), 0);
  let yDomain =
    options.yDomain ??
    padded(extent([...all.map((p) => p.y), ...(options.horizontalRules ?? []).map((r) => r.at)]), 0.08);
  if (options.yDomain === undefined && percent) yDomain = [Math.max(0, yDomain[0]), Math.min(1, yDomain[1])];
  const yTicks = niceTicks(yDomain, 6);
  const yStep = yTicks.length > 1 ? (yTicks[1] as number) - (yTicks[0] as number) : 1;
  const xTicks = options.xTicks ?? niceTicks(xDomain, 8);
  const xStep = xTicks.length > 1 ? Math.abs((xTicks[1] as number) - (xTicks[0] as number)) : 1;

  const legendWidth = Math.ceil(Math.max(0, ...options.series.map((s) => s.label.length)) * glyph) + 34;
  const yLabelWidth = Math.ceil(Math.max(...yTicks.map((t) => formatY(t, yStep).length)) * glyph);
  const left = pad + 18 + yLabelWidth + 8;
  const top = pad + 22 + (options.subtitle ? 18 : 0) + 12;
  const right = width - pad - legendWidth - 12;
  const bottom = height - pad - 40;
  const sx = (x: number) => left + ((x - xDomain[0]) / (xDomain[1] - xDomain[0] || 1)) * (right - left);
  const sy = (y: number) => bottom - ((y - yDomain[0]) / (yDomain[1] - yDomain[0] || 1)) * (bottom - top);
  const inX = (x: number) => x >= Math.min(...xDomain) - 1e-9 && x <= Math.max(...xDomain) + 1e-9;
  const inY = (y: number) => y >= Math.min(...yDomain) - 1e-9 && y <= Math.max(...yDomain) + 1e-9;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="Helvetica, Arial, sans-serif" font-size="${fontSize}">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${pad}" y="${pad + 14}" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  if (options.subtitle)
    parts.push(`<text x="${pad}" y="${pad + 32}" fill="#555555">${escapeXml(options.subtitle)}</text>`);

  for (const tick of yTicks) {
    const y = round(sy(tick));
    parts.push(
      `<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatY(tick, yStep)}</text>`,
    );
  }
  for (const tick of xTicks) {
    if (!inX(tick)) continue;
    const x = round(sx(tick));
    parts.push(
      `<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#f0f0f0"/>`,
      `<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="#555555"/>`,
      `<text x="${x}" y="${bottom + 16}" text-anchor="middle">${trimZeros(tick.toFixed(decimalsOf(xStep)))}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#555555"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#555555"/>`,
    `<text x="${round((left + right) / 2)}" y="${bottom + 34}" ` +
      `text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text x="${pad + 4}" y="${round((top + bottom) / 2)}" text-anchor="middle" dominant-baseline="middle" ` +
      `transform="rotate(-90 ${pad + 4} ${round((top + bottom) / 2)})">${escapeXml(options.yLabel)}</text>`,
  );

  // Rule labels are drawn after the series, so that no line crosses them.
  const ruleLabels: string[] = [];
  for (const rule of options.horizontalRules ?? []) {
    if (!inY(rule.at)) continue;
    const y = round(sy(rule.at));
    parts.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#777777" stroke-dasharray="2 3"/>`);
    ruleLabels.push(
      `<text x="${right - 4}" y="${y - 5}" text-anchor="end" fill="#555555"${halo}>${escapeXml(rule.label)}</text>`,
    );
  }
  for (const rule of options.verticalRules ?? []) {
    if (!inX(rule.at)) continue;
    const x = round(sx(rule.at));
    const anchorEnd = x > (left + right) / 2;
    parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#777777" stroke-dasharray="2 3"/>`);
    ruleLabels.push(
      `<text x="${anchorEnd ? x - 5 : x + 5}" y="${top + 12}" text-anchor="${anchorEnd ? "end" : "start"}" ` +
        `fill="#555555"${halo}>${escapeXml(rule.label)}</text>`,
    );
  }

  options.series.forEach((series, i) => {
    const color = series.color ?? (palette[i % palette.length] as string);
    const dash = series.dashed ? ` stroke-dasharray="6 4"` : "";
    // A non-finite value ends one polyline and starts the next, so a gap shows as a gap.
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1)
        parts.push(`<polyline points="${run.join(" ")}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
      run = [];
    };
    for (const point of series.points) {
      if (!Number.isFinite(point.x) || !Number.isFinite(point.y)) {
        flush();
        continue;
      }
      run.push(`${round(sx(point.x))},${round(sy(point.y))}`);
    }
    flush();
    if (!series.dashed) {
      for (const point of series.points) {
        if (!Number.isFinite(point.x) || !Number.isFinite(point.y)) continue;
        const value = percent ? `${trimZeros((point.y * 100).toFixed(2))}%` : String(point.y);
        parts.push(
          `<circle cx="${round(sx(point.x))}" cy="${round(sy(point.y))}" r="3" ` +
            `fill="${color}"><title>${escapeXml(
              `${series.label}: ${value} at ${options.xLabel} ` + `${point.x}`,
            )}</title></circle>`,
        );
      }
    }
    const ly = top + 6 + i * 20;
    const lx = right + 18;
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 26}" y="${ly}" dominant-baseline="middle">${escapeXml(series.label)}</text>`,
    );
  });
  for (const marker of options.markers ?? []) {
    if (!inX(marker.x) || !inY(marker.y)) continue;
    parts.push(
      `<circle cx="${round(sx(marker.x))}" cy="${round(sy(marker.y))}" r="7" fill="none" ` +
        `stroke="${marker.color ?? "#000000"}" ` +
        `stroke-width="2.5"><title>${escapeXml(marker.label)}</title></circle>`,
    );
  }
  parts.push(...ruleLabels, "</svg>");
  return `${parts.join("\n")}\n`;
}

function extent(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  return [Math.min(...finite), Math.max(...finite)];
}

function padded([low, high]: [number, number], fraction: number): [number, number] {
  if (low === high) return [low - 0.5, high + 0.5];
  const margin = (high - low) * fraction;
  return [low - margin, high + margin];
}

/** Round numbers (1, 2 or 5 times a power of ten apart) that cover the domain, about `count` of them. */
export function niceTicks(domain: readonly [number, number], count: number): number[] {
  const low = Math.min(domain[0], domain[1]);
  const high = Math.max(domain[0], domain[1]);
  if (!(high > low)) return [low];
  const raw = (high - low) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  const first = Math.ceil(low / step - 1e-9);
  const last = Math.floor(high / step + 1e-9);
  // Multiplying an integer by the step (not accumulating) keeps 0.1 + 0.2 noise out of the labels.
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

function decimalsOf(step: number): number {
  if (!(step > 0) || step >= 1) return 0;
  return Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
}

function trimZeros(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
