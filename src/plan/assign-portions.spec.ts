import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { assignPortions, portionFiles } from "./assign-portions.js";
import { formatMatrix } from "./format-matrix.js";
import type { OutputLayout } from "./types.js";

/** A layout whose files have these sizes (and one tensor per 100 bytes, at least one). */
function layoutOf(sizes: number[], tensorsPerFile?: number): OutputLayout {
  const files = sizes.map((size, i) => ({
    name: `model-${String(i + 1).padStart(5, "0")}-of-${String(sizes.length).padStart(5, "0")}.safetensors`,
    tensors: Array.from({ length: tensorsPerFile ?? Math.max(1, Math.floor(size / 100)) }, (_, t) => `f${i}.t${t}`),
    bytes: size - 8,
    fileSize: size,
  }));
  const totalBytes = files.reduce((sum, file) => sum + file.bytes, 0);
  return {
    files,
    maxShardSize: 1000,
    totalBytes,
    writeBytes: totalBytes + 100,
    ...(sizes.length > 1 ? { index: "model.safetensors.index.json" } : {}),
  };
}

/** The smallest possible largest job, by trying every split (small inputs only). */
function bruteForceBest(sizes: number[], count: number): number {
  if (count === 1) return sizes.reduce((a, b) => a + b, 0);
  let best = Infinity;
  for (let cut = 1; cut <= sizes.length - count + 1; cut++) {
    const head = sizes.slice(0, cut).reduce((a, b) => a + b, 0);
    best = Math.min(best, Math.max(head, bruteForceBest(sizes.slice(cut), count - 1)));
  }
  return best;
}

describe("assignPortions", () => {
  it("covers every file once, in order, with contiguous non-empty jobs named i/N", () => {
    const layout = layoutOf([500, 500, 500, 500, 500, 500, 500]);
    const matrix = assignPortions({ layout, count: 3 });
    expect(matrix.map((job) => job.portion)).toEqual(["1/3", "2/3", "3/3"]);
    expect(matrix.flatMap((job) => job.files)).toEqual(layout.files.map((file) => file.name));
    expect(matrix.map((job) => job.files.length)).toEqual([2, 2, 3]);
    expect(matrix.map((job) => job.bytes)).toEqual([1000, 1000, 1500]);
    expect(matrix.map((job) => job.tensors)).toEqual([10, 10, 15]);
  });

  it("balances by bytes: a large last file gets a job of its own", () => {
    const matrix = assignPortions({ layout: layoutOf([100, 100, 100, 100, 900]), count: 2 });
    expect(matrix.map((job) => job.files.length)).toEqual([4, 1]);
    expect(matrix.map((job) => job.bytes)).toEqual([400, 900]);
  });

  it("finds the split whose largest job is smallest, for many size patterns", () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let trial = 0; trial < 150; trial++) {
      const sizes = Array.from({ length: 1 + (next() % 8) }, () => 1 + (next() % 1000));
      for (let count = 1; count <= sizes.length; count++) {
        const matrix = assignPortions({ layout: layoutOf(sizes, 1), count });
        expect(matrix).toHaveLength(count);
        expect(matrix.every((job) => job.files.length > 0)).toBe(true);
        expect(matrix.reduce((sum, job) => sum + job.bytes, 0)).toBe(sizes.reduce((a, b) => a + b, 0));
        expect(Math.max(...matrix.map((job) => job.bytes)), `${sizes.join(",")} into ${count}`).toBe(
          bruteForceBest(sizes, count),
        );
      }
    }
  });

  it("is deterministic: the same layout and count give the same jobs", () => {
    const layout = layoutOf([300, 700, 200, 200, 900, 100]);
    expect(assignPortions({ layout, count: 4 })).toEqual(assignPortions({ layout: structuredClone(layout), count: 4 }));
  });

  it("splits 10,000 files over 1,000 jobs in linear time", () => {
    const sizes = Array.from({ length: 10_000 }, (_, i) => 1000 + ((i * 7919) % 4000));
    const layout = layoutOf(sizes, 1);
    const started = performance.now();
    const matrix = assignPortions({ layout, count: 1000 });
    expect(performance.now() - started).toBeLessThan(500);
    expect(matrix.reduce((sum, job) => sum + job.files.length, 0)).toBe(10_000);
    const largest = Math.max(...matrix.map((job) => job.bytes));
    expect(largest).toBeLessThan(2 * (sizes.reduce((a, b) => a + b, 0) / 1000));
  });

  it("one job takes the whole output, a single file included", () => {
    expect(assignPortions({ layout: layoutOf([42]), count: 1 })).toEqual([
      { portion: "1/1", files: ["model-00001-of-00001.safetensors"], tensors: 1, bytes: 42 },
    ]);
  });

  it("refuses more jobs than files, and a count that is not a whole positive number, naming the option", () => {
    const layout = layoutOf([500, 500, 500]);
    expect(() => assignPortions({ layout, count: 4, label: 'input "portions"' })).toThrow(
      'input "portions" 4 asks for more jobs than the output has files (3); give at most 3, or lower the maximum ' +
        "shard size (output.max_shard_size, --max-shard-size) so there are more files to share.",
    );
    for (const count of [0, -1, 1.5, Number.NaN]) {
      expect(() => assignPortions({ layout, count })).toThrow(UsageError);
    }
  });
});

describe("portionFiles", () => {
  it("picks one job's files, and refuses an index outside 1..N", () => {
    const layout = layoutOf([500, 500, 500, 500]);
    expect(portionFiles({ layout, count: 2, index: 2 }).files).toEqual([layout.files[2]?.name, layout.files[3]?.name]);
    expect(() => portionFiles({ layout, count: 2, index: 3 })).toThrow(
      "Portion 3/2 does not exist; portions are numbered 1 to 2.",
    );
    expect(() => portionFiles({ layout, count: 2, index: 0 })).toThrow(UsageError);
  });
});

describe("formatMatrix", () => {
  it("prints one line per job with its files, tensors and bytes", () => {
    const matrix = assignPortions({ layout: layoutOf([1500, 1500, 700]), count: 2 });
    expect(formatMatrix({ matrix })).toBe(
      [
        "Matrix: 2 jobs, 1.50 kB to 2.20 kB of output each",
        "  1/2  1 file, 15 tensors, 1.50 kB  (model-00001-of-00003.safetensors)",
        "  2/2  2 files, 22 tensors, 2.20 kB  (model-00002-of-00003.safetensors … model-00003-of-00003.safetensors)",
        "",
      ].join("\n"),
    );
  });
});
