export interface SimilaritySvgOptions {
  /** One per task vector, in matrix order; shown on both axes. */
  labels: readonly string[];
  /** matrix[i][j] = cos(τ_i, τ_j); null where a vector is zero and the cosine is undefined. */
  matrix: ReadonlyArray<ReadonlyArray<number | null>>;
  /** @default "Cosine similarity between task vectors" */
  title?: string;
  /** A line under the title, e.g. the base and the parameter count. */
  subtitle?: string;
}

const cell = 56;
const fontSize = 12;
/** An average glyph width of the sans-serif stack at 12 px, for laying out labels without measuring text. */
const glyph = 6.8;
const pad = 16;
const legendWidth = 14;

const neutral: Rgb = [247, 247, 247];
const positive: Rgb = [178, 24, 43];
const negative: Rgb = [33, 102, 172];
const diagonalFill = "#d9d9d9";
const undefinedFill = "#ffffff";

type Rgb = [number, number, number];

/**
 * The paper's Figure 1 as a standalone SVG: a heatmap of pairwise cosine similarities with the labels on both axes,
 * each value written in its cell, and a color scale. Task vectors of different tasks are nearly orthogonal (|cos|
 * of a few hundredths), so the scale spans ±max|off-diagonal| rather than ±1, and the diagonal (always 1) is drawn
 * in gray so that it does not set the scale.
 */
export function renderSimilaritySvg(options: SimilaritySvgOptions): string {
  const { labels, matrix } = options;
  const n = labels.length;
  const title = options.title ?? "Cosine similarity between task vectors";
  const longest = Math.max(0, ...labels.map((label) => label.length));
  const labelSpace = Math.ceil(longest * glyph) + 10;
  const left = pad + labelSpace;
  const top = pad + 22 + (options.subtitle ? 18 : 0) + 8;
  const grid = n * cell;
  // Column labels run down-left at 45°, so they need about label length × sin 45° below the grid.
  const bottom = Math.ceil(labelSpace * Math.SQRT1_2) + 20;
  const legendX = left + grid + 24;
  const width = Math.max(legendX + legendWidth + 60, left + Math.ceil(title.length * glyph * 1.15) + pad);
  const height = top + grid + bottom + pad;
  const scale = scaleOf(matrix);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="Helvetica, Arial, sans-serif" font-size="${fontSize}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${pad}" y="${pad + 14}" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  );
  if (options.subtitle)
    parts.push(`<text x="${pad}" y="${pad + 32}" fill="#555555">${escapeXml(options.subtitle)}</text>`);

  for (let i = 0; i < n; i++) {
    const y = top + i * cell;
    parts.push(
      `<text x="${left - 8}" y="${y + cell / 2}" text-anchor="end" ` +
        `dominant-baseline="middle">${escapeXml(labels[i] ?? "")}</text>`,
    );
    for (let j = 0; j < n; j++) {
      const x = left + j * cell;
      const value = matrix[i]?.[j] ?? null;
      const fill =
        value === null || !Number.isFinite(value) ? undefinedFill : i === j ? diagonalFill : colorOf(value / scale);
      const strength = value === null || i === j ? 0 : Math.min(1, Math.abs(value / scale));
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#ffffff" ` +
          `stroke-width="1"><title>${escapeXml(
            `${labels[i]} · ${labels[j]}: ` + `${value === null ? "undefined (zero vector)" : String(value)}`,
          )}</title></rect>`,
      );
      parts.push(
        `<text x="${x + cell / 2}" y="${y + cell / 2}" text-anchor="middle" dominant-baseline="middle" ` +
          `fill="${strength > 0.6 ? "#ffffff" : "#000000"}">${value === null ? "—" : formatCell(value)}</text>`,
      );
    }
  }
  for (let j = 0; j < n; j++) {
    const x = left + j * cell + cell / 2;
    const y = top + grid + 10;
    parts.push(
      `<text x="${x}" y="${y}" text-anchor="end" dominant-baseline="middle" transform="rotate(-45 ${x} ` +
        `${y})">${escapeXml(labels[j] ?? "")}</text>`,
    );
  }

  // The color scale: a vertical gradient from −max (bottom) through 0 to +max (top).
  const legendHeight = Math.max(grid, 120);
  parts.push(
    `<defs><linearGradient id="tvhub-scale" x1="0" y1="1" x2="0" y2="0"><stop offset="0" ` +
      `stop-color="${rgb(negative)}"/><stop offset="0.5" stop-color="${rgb(neutral)}"/><stop offset="1" ` +
      `stop-color="${rgb(positive)}"/></linearGradient></defs>`,
    `<rect x="${legendX}" y="${top}" width="${legendWidth}" height="${legendHeight}" fill="url(#tvhub-scale)" ` +
      `stroke="#999999" stroke-width="0.5"/>`,
  );
  for (const [fraction, value] of [
    [0, scale],
    [0.5, 0],
    [1, -scale],
  ] as const) {
    const y = top + fraction * legendHeight;
    parts.push(
      `<line x1="${legendX + legendWidth}" y1="${y}" x2="${legendX + legendWidth + 4}" y2="${y}" stroke="#555555"/>`,
      `<text x="${legendX + legendWidth + 7}" y="${y}" dominant-baseline="middle">${formatCell(value)}</text>`,
    );
  }
  parts.push(`<text x="${legendX}" y="${top + legendHeight + 16}" fill="#555555">cos</text>`, "</svg>");
  return `${parts.join("\n")}\n`;
}

/** The largest |cos| off the diagonal, so near-orthogonal vectors still show as colors; 1 when there is none. */
function scaleOf(matrix: ReadonlyArray<ReadonlyArray<number | null>>): number {
  let max = 0;
  matrix.forEach((row, i) =>
    row.forEach((value, j) => {
      if (i !== j && value !== null && Number.isFinite(value)) max = Math.max(max, Math.abs(value));
    }),
  );
  return max > 0 ? max : 1;
}

function colorOf(t: number): string {
  const clamped = Math.max(-1, Math.min(1, t));
  const end = clamped >= 0 ? positive : negative;
  const a = Math.abs(clamped);
  return rgb(
    [0, 1, 2].map((k) => Math.round((neutral[k] as number) + ((end[k] as number) - (neutral[k] as number)) * a)) as Rgb,
  );
}

function rgb(color: Rgb): string {
  return `#${color.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

/** Two significant decimals for the small values the figure is about, three below 0.1. */
function formatCell(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const text = abs !== 0 && abs < 0.1 ? value.toFixed(3) : value.toFixed(2);
  return text.replace(/^-(0\.0+)$/, "$1").replace(/^-/, "−");
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
