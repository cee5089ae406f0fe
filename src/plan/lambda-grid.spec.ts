import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { defaultLambdaGrid, formatLambdaGrid, lambdaGridValues, parseLambdaGrid } from "./lambda-grid.js";

describe("lambdaGridValues", () => {
  it("gives the paper's 21 values by default, each the number a user would type", () => {
    const values = lambdaGridValues({ grid: defaultLambdaGrid });
    expect(values).toHaveLength(21);
    expect(values).toEqual(Array.from({ length: 21 }, (_, k) => Number((k / 20).toFixed(2))));
    expect(values).toContain(0.15);
    expect(values).toContain(0.3);
    expect(values).toContain(0.35);
    expect(values.at(-1)).toBe(1);
    // Repeated addition and k·step both drift (0.15000000000000002, 0.35000000000000003); the grid must not.
    let drifting = 0;
    for (let k = 0; k < 20; k++) drifting += 0.05;
    expect(drifting).not.toBe(1);
    expect(3 * 0.05).not.toBe(0.15);
    expect(7 * 0.05).not.toBe(0.35);
    expect(values[3]).toBe(0.15);
    expect(values[7]).toBe(0.35);
  });

  it("handles negative ranges (negation), fine steps and exponent notation", () => {
    expect(lambdaGridValues({ grid: { start: -1, stop: 0, step: 0.25 } })).toEqual([-1, -0.75, -0.5, -0.25, 0]);
    expect(lambdaGridValues({ grid: { start: 0.1, stop: 0.13, step: 0.01 } })).toEqual([0.1, 0.11, 0.12, 0.13]);
    expect(lambdaGridValues({ grid: { start: 0, stop: 3e-7, step: 1e-7 } })).toEqual([0, 1e-7, 2e-7, 3e-7]);
    expect(lambdaGridValues({ grid: { start: 0.5, stop: 0.5, step: 0.1 } })).toEqual([0.5]);
  });

  it("stops at the last value not beyond STOP when the step does not divide the range", () => {
    expect(lambdaGridValues({ grid: { start: 0, stop: 1, step: 0.3 } })).toEqual([0, 0.3, 0.6, 0.9]);
  });

  it("refuses a non-positive step, a reversed range, non-finite numbers and grids over 1001 values", () => {
    const codeOf = (grid: { start: number; stop: number; step: number }) => {
      try {
        lambdaGridValues({ grid });
        return "ok";
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as UsageError).code;
      }
    };
    expect(codeOf({ start: 0, stop: 1, step: 0 })).toBe("GRID_BAD_STEP");
    expect(codeOf({ start: 0, stop: 1, step: -0.1 })).toBe("GRID_BAD_STEP");
    expect(codeOf({ start: 1, stop: 0, step: 0.1 })).toBe("GRID_BAD_RANGE");
    expect(codeOf({ start: 0, stop: Number.POSITIVE_INFINITY, step: 0.1 })).toBe("GRID_NOT_FINITE");
    expect(codeOf({ start: 0, stop: 1, step: 0.0001 })).toBe("GRID_TOO_LARGE");
    expect(codeOf({ start: 0, stop: 1, step: 0.001 })).toBe("ok");
  });
});

describe("parseLambdaGrid", () => {
  it("reads START:STOP:STEP", () => {
    expect(parseLambdaGrid({ text: "0:1:0.05" })).toEqual({ start: 0, stop: 1, step: 0.05 });
    expect(parseLambdaGrid({ text: " -0.5 : .5 : 0.1 " })).toEqual({ start: -0.5, stop: 0.5, step: 0.1 });
    expect(formatLambdaGrid(parseLambdaGrid({ text: "0:1:0.05" }))).toBe("0:1:0.05");
  });

  it("names the flag and shows the expected form on bad text", () => {
    for (const text of ["0:1", "0:1:0.05:2", "a:1:0.1", "0:1:", "0..1:0.1"]) {
      expect(() => parseLambdaGrid({ text })).toThrow(
        /--grid .* is not START:STOP:STEP; write three decimal numbers such as 0:1:0\.05/,
      );
    }
    expect(() => parseLambdaGrid({ text: "1:0:0.1", subject: "greedy.grid" })).toThrow(
      /greedy\.grid stops at 0, below its start 1/,
    );
  });
});
