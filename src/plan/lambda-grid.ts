import { UsageError } from "../errors.js";

/** The λ values tried for each greedy candidate: start, start + step, ..., up to stop (included when reached). */
export interface LambdaGrid {
  /** The first λ. */
  start: number;
  /** The last λ, included when `start + k·step` lands on it exactly (in decimal). */
  stop: number;
  /** The spacing; positive. */
  step: number;
}

/** The paper's grid (Ilharco et al. 2023, section 6.1): 0.0, 0.05, ..., 1.0, 21 values. */
export const defaultLambdaGrid: LambdaGrid = { start: 0, stop: 1, step: 0.05 };

/** A grid larger than this is a typo (a step of 0.0001 instead of 0.01), not a search anyone can afford. */
export const maxLambdaGridValues = 1001;

export interface ParseLambdaGridOptions {
  /** `START:STOP:STEP`, e.g. `0:1:0.05` or `-1:0:0.1`. */
  text: string;
  /** What the text came from, for messages. @default "--grid" */
  subject?: string;
}

/** Parses `START:STOP:STEP` and checks that it describes a usable grid. */
export function parseLambdaGrid(options: ParseLambdaGridOptions): LambdaGrid {
  const subject = options.subject ?? "--grid";
  const parts = options.text.split(":").map((part) => part.trim());
  if (parts.length !== 3 || parts.some((part) => !decimalPattern.test(part))) {
    throw new UsageError(
      `${subject} ${JSON.stringify(options.text)} is not START:STOP:STEP; write three decimal numbers such as ` +
        "0:1:0.05.",
      { code: "GRID_SYNTAX", subject },
    );
  }
  const [start, stop, step] = parts.map(Number) as [number, number, number];
  const grid = { start, stop, step };
  lambdaGridValues({ grid, subject });
  return grid;
}

export interface LambdaGridValuesOptions {
  grid: LambdaGrid;
  /** What the grid came from, for messages. @default "grid" */
  subject?: string;
}

/** What is wrong with a grid: which field, and the message in the two forms tvhub shows. */
export interface LambdaGridProblem {
  key: keyof LambdaGrid;
  code: "GRID_NOT_FINITE" | "GRID_BAD_STEP" | "GRID_BAD_RANGE" | "GRID_TOO_LARGE";
  /** A sentence about the grid, after "The <subject> ": "stops at 0, below its start 1; give STOP ≥ START." */
  sentence: string;
  /** What a recipe field's message says: "expected a number ≥ start (1), got 0". */
  field: string;
}

/**
 * The one check of a grid, shared by `--grid` (parseLambdaGrid, lambdaGridValues) and the recipe schema's
 * `greedy.grid`, so the two cannot disagree on which grids exist. Undefined when the grid is usable.
 */
export function findLambdaGridProblem(grid: LambdaGrid): LambdaGridProblem | undefined {
  for (const key of ["start", "stop", "step"] as const) {
    const value = grid[key];
    if (!Number.isFinite(value)) {
      return {
        key,
        code: "GRID_NOT_FINITE",
        sentence: `${key} is ${value}; give a finite number.`,
        field: `expected a finite number, got ${value}`,
      };
    }
  }
  if (!(grid.step > 0)) {
    return {
      key: "step",
      code: "GRID_BAD_STEP",
      sentence: `step is ${grid.step}; give a positive step such as 0.05.`,
      field: `expected a number > 0, got ${grid.step}`,
    };
  }
  if (grid.stop < grid.start) {
    return {
      key: "stop",
      code: "GRID_BAD_RANGE",
      sentence: `stops at ${grid.stop}, below its start ${grid.start}; give STOP ≥ START.`,
      field: `expected a number ≥ start (${grid.start}), got ${grid.stop}`,
    };
  }
  const count = decimalGrid(grid).count;
  if (count > BigInt(maxLambdaGridValues)) {
    return {
      key: "step",
      code: "GRID_TOO_LARGE",
      sentence: `${formatLambdaGrid(grid)} has ${count} values, more than ${maxLambdaGridValues}; use a larger step.`,
      field: `the grid has more than ${maxLambdaGridValues} values; use a larger step than ${grid.step}`,
    };
  }
  return undefined;
}

/**
 * Every λ of the grid, computed in decimal: value k is the double nearest to the exact decimal start + k·step,
 * so 0:1:0.05 gives 0.15 and 0.3 (what a user types), never 0.15000000000000002 or 0.30000000000000004 as
 * repeated float additions would. The numbers are read by their shortest decimal form (`String(x)`), which for
 * anything typed in a recipe or on a command line is what was typed.
 */
export function lambdaGridValues(options: LambdaGridValuesOptions): number[] {
  const { grid } = options;
  const subject = options.subject ?? "grid";
  const problem = findLambdaGridProblem(grid);
  if (problem !== undefined)
    throw new UsageError(`The ${subject} ${problem.sentence}`, { code: problem.code, subject });
  const { first, spacing, count, exponent } = decimalGrid(grid);
  const values: number[] = [];
  for (let k = 0n; k < count; k++) values.push(Number(`${first + k * spacing}e${exponent}`));
  return values;
}

/** The grid as integers times 10^exponent, and how many values it has. Needs finite numbers and step > 0. */
function decimalGrid(grid: LambdaGrid): { first: bigint; spacing: bigint; count: bigint; exponent: number } {
  const start = toDecimal(grid.start);
  const stop = toDecimal(grid.stop);
  const step = toDecimal(grid.step);
  const exponent = Math.min(start.exponent, stop.exponent, step.exponent);
  const first = scaleTo(start, exponent);
  const spacing = scaleTo(step, exponent);
  const last = scaleTo(stop, exponent);
  return { first, spacing, count: last < first ? 0n : (last - first) / spacing + 1n, exponent };
}

/** `START:STOP:STEP`, the form `--grid` takes. */
export function formatLambdaGrid(grid: LambdaGrid): string {
  return `${grid.start}:${grid.stop}:${grid.step}`;
}

const decimalPattern = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

interface Decimal {
  /** The value is digits × 10^exponent. */
  digits: bigint;
  exponent: number;
}

function toDecimal(value: number): Decimal {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(value));
  if (!match) throw new UsageError(`${value} is not a decimal number.`, { code: "GRID_SYNTAX" });
  const [, sign = "", whole = "", fraction = "", exp = "0"] = match;
  const digits = BigInt(`${sign}${whole}${fraction}`);
  return { digits, exponent: Number(exp) - fraction.length };
}

function scaleTo(decimal: Decimal, exponent: number): bigint {
  return decimal.digits * 10n ** BigInt(decimal.exponent - exponent);
}
