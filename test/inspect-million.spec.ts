// `tvhub inspect` of a valid file with 1,000,000 tensors (a 77 MB header): every tensor counted, every layer
// folded, nothing refused. How long it takes and how much memory it needs is measured by `npm run bench -- inspect-1m`.
import { open, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/run-cli.js";
import { writeManyTensorFile } from "./helpers/many-tensors.js";

let root: string;
let file: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tvhub-inspect-1m-"));
  file = join(root, "moe.safetensors");
  await writeManyTensorFile({ path: file, layers: 100, experts: 1000, weights: 10 });
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("tvhub inspect of 1,000,000 tensors", () => {
  it("counts every tensor and folds the 100 layers of each expert weight into one line", {
    timeout: 120_000,
  }, async () => {
    const run = await runCli(["inspect", file]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[1]).toBe("1,000,000 tensors, 2,000,000 parameters, 4.00 MB of tensor data, 81.2 MB on disk");
    expect(run.stdout).toContain("1,000,000 tensors in 10,000 groups");
    // Natural order: expert 2 before expert 10, and each group covers layers 0-99.
    const groups = lines.filter((line) => line.startsWith("l.{0-99}.e."));
    expect(groups).toHaveLength(10_000);
    expect(groups[0]).toMatch(/^l\.\{0-99\}\.e\.0\.w0 +BF16 +\[2\] +100 +200$/);
    expect(groups.findIndex((line) => line.startsWith("l.{0-99}.e.2.w0 "))).toBeLessThan(
      groups.findIndex((line) => line.startsWith("l.{0-99}.e.10.w0 ")),
    );
    expect(groups.at(-1)).toMatch(/^l\.\{0-99\}\.e\.999\.w9 /);
  });

  it("refuses the same file with one name twice, naming it, in one sentence", { timeout: 120_000 }, async () => {
    // Overwrite the last entry's name with the first's: same length, so the framing stays valid.
    const handle = await open(file, "r+");
    try {
      const head = Buffer.alloc(8);
      await handle.read(head, 0, 8, 0);
      const length = Number(head.readBigUInt64LE(0));
      const header = Buffer.alloc(length);
      await handle.read(header, 0, length, 8);
      const last = header.lastIndexOf('"l.99.e.999.w9"');
      const first = header.indexOf('"l.0.e.0.w0"');
      expect(last).toBeGreaterThan(0);
      // "l.99.e.999.w9" and "l.0.e.0.w0" differ in length: write "l.99.e.999.w8" (an existing name) instead.
      await handle.write(Buffer.from('"l.99.e.999.w8"'), 0, 15, 8 + last);
      expect(first).toBeGreaterThan(0);
    } finally {
      await handle.close();
    }
    const run = await runCli(["inspect", file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^tvhub: .*moe\.safetensors: the header lists tensor "l\.99\.e\.999\.w8" twice/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});
