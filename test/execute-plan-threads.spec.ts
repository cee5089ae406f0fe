/**
 * executePlan on worker threads gives the same files, sha256s and statistics as on the calling thread, with a
 * bounded number of jobs in flight; a pool whose workers cannot start computes on the calling thread; a worker's
 * error reaches the caller as the class it was thrown as; the built dist/compute-worker.js starts and is used by
 * the built CLI, whose output matches the in-process run byte for byte.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createComputePool } from "../src/engine/compute-pool.js";
import { executePlan, type ExecuteResult } from "../src/engine/execute-plan.js";
import { openInput, type OpenedInput } from "../src/app/open-input.js";
import { planJobs, type Job } from "../src/engine/plan-jobs.js";
import { createArithmeticKernels } from "../src/arithmetic/simd/create-arithmetic-kernels.js";
import { InternalError } from "../src/errors.js";
import type { HubClient } from "../src/hub/index.js";
import { buildPlan } from "../src/plan/build-plan.js";
import type { Plan } from "../src/plan/types.js";
import type { SafetensorsModel } from "../src/safetensors/types.js";
import { drain, type ProgressEvent } from "../src/util/progress.js";
import { cliPath } from "./helpers/run-cli.js";
import { fineTune, writeSynthModel, type SynthTensor } from "./helpers/synth.js";

const kernels = createArithmeticKernels();
let work: string;
let workerUrl: URL;
let base: OpenedInput;
let finetuned: OpenedInput;
let plan: Plan;

/** Mixed dtypes, specials (NaN, ±Inf, −0, subnormals) so the reconstruction statistics have mismatches to count. */
const tensors: SynthTensor[] = [
  { name: "model.embed_tokens.weight", dtype: "BF16", shape: [96, 40], specials: true },
  { name: "model.layers.0.self_attn.q_proj.weight", dtype: "BF16", shape: [40, 40] },
  { name: "model.layers.0.mlp.up_proj.weight", dtype: "F16", shape: [120, 40], specials: true },
  { name: "model.layers.0.input_layernorm.weight", dtype: "F32", shape: [40] },
  { name: "model.layers.0.mlp.down_proj.weight", dtype: "F32", shape: [40, 120], specials: true },
  { name: "model.layers.0.position_ids", dtype: "I64", shape: [1, 16], fill: "arange" },
  { name: "model.layers.1.mlp.gate_proj.weight", dtype: "BF16", shape: [120, 40] },
  { name: "model.norm.weight", dtype: "F16", shape: [40] },
  { name: "lm_head.weight", dtype: "BF16", shape: [96, 40] },
];

const noHub = {} as HubClient;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-threads-"));
  // The worker entry bundled from the sources, as scripts/build.mjs bundles it into dist/.
  const workerFile = join(work, "compute-worker.mjs");
  await build({
    entryPoints: [resolve(import.meta.dirname, "../src/engine/compute-worker.ts")],
    outfile: workerFile,
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "warning",
  });
  workerUrl = pathToFileURL(workerFile);
  const baseModel = await writeSynthModel({ dir: join(work, "base"), tensors, seed: 11, maxShardSize: 12_000 });
  // The embedding grows by 16 rows: its extra rows are copy jobs, whose Σx² counts in the norm.
  await fineTune({
    base: baseModel,
    dir: join(work, "ft"),
    reshape: { "model.embed_tokens.weight": [112, 40] },
    maxShardSize: 12_000,
  });
  base = await openInput({ ref: { kind: "local", path: join(work, "base") }, text: "base", hub: noHub });
  finetuned = await openInput({ ref: { kind: "local", path: join(work, "ft") }, text: "ft", hub: noHub });
  plan = buildPlan({
    operation: "publish-vector",
    base: base.resolved,
    finetuned: finetuned.resolved,
    vocab: "extend",
    maxShardSize: 10_000,
  });
}, 60_000);

afterAll(async () => {
  await base?.close();
  await finetuned?.close();
});

function models(): SafetensorsModel[] {
  return plan.inputs.map((input) => (input.role === "base" ? base.model : finetuned.model));
}

interface Run {
  result: ExecuteResult;
  files: Map<string, Buffer>;
  events: ProgressEvent[];
}

async function run(
  name: string,
  options: {
    threads?: number;
    workerUrl?: URL;
    chunkElements?: number;
    readAhead?: number;
    models?: SafetensorsModel[];
  },
): Promise<Run> {
  const dir = join(work, name);
  const events: ProgressEvent[] = [];
  const result = await drain(
    executePlan({
      plan,
      models: options.models ?? models(),
      dir,
      prefix: "task_vector",
      kernels,
      statistics: true,
      chunkElements: options.chunkElements ?? 500,
      ...options,
    }),
    (event) => events.push(event),
  );
  const files = new Map(
    readdirSync(dir)
      .sort()
      .map((file) => [file, readFileSync(join(dir, file))]),
  );
  return { result, files, events };
}

describe("executePlan with worker threads", () => {
  it("plans a multi-shard output with τ, grown-vocabulary copies and an omitted integer tensor", () => {
    expect(plan.layout.files.length).toBeGreaterThanOrEqual(3);
    expect(plan.outputs.map((t) => t.expression.op)).toContain("taskVectorExtend");
    expect(plan.omitted.map((o) => o.name)).toEqual(["model.layers.0.position_ids"]);
    expect(new Set(plan.outputs.map((t) => t.dtype))).toEqual(new Set(["BF16", "F16", "F32"]));
  });

  it("writes the same bytes, sha256s, norms and reconstruction statistics on 0, 1 and 3 worker threads", async () => {
    const here = await run("threads-0", { threads: 0 });
    const one = await run("threads-1", { threads: 1, workerUrl });
    const three = await run("threads-3", { threads: 3, workerUrl });
    expect([here.result.threads, one.result.threads, three.result.threads]).toEqual([0, 1, 3]);
    expect(here.files.size).toBe(plan.layout.files.length + 1);
    expect(here.result.reconstruction.mismatches).toBeGreaterThan(0);
    expect(here.result.reconstruction.maxAbsError).toBe(Infinity);
    for (const other of [one, three]) {
      expect([...other.files.keys()]).toEqual([...here.files.keys()]);
      for (const [file, bytes] of here.files)
        expect(Buffer.compare(other.files.get(file) as Buffer, bytes), file).toBe(0);
      expect(other.result.written).toEqual(here.result.written);
      expect(other.result.reconstruction).toEqual(here.result.reconstruction);
      expect([...other.result.tensors]).toEqual([...here.result.tensors]);
      expect(other.result.bytesRead).toBe(here.result.bytesRead);
      // One line for a person watching, no warning.
      expect(other.events.filter((e) => e.type === "log").map((e) => (e as { message: string }).message)).toEqual([
        `Computing on ${other.result.threads} worker thread${other.result.threads === 1 ? "" : "s"}, hashing and ` +
          "writing on another.",
      ]);
    }
  });

  it("the norm is Σx² over every stored value, extra vocabulary rows included", async () => {
    const { result, files } = await run("norm", { threads: 2, workerUrl });
    let expected = 0;
    for (const [file, bytes] of files) {
      if (!file.endsWith(".safetensors")) continue;
      const headerLength = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString("utf8")) as Record<
        string,
        { dtype: string; data_offsets: [number, number] }
      >;
      for (const [name, info] of Object.entries(header)) {
        if (name === "__metadata__") continue;
        const data = bytes.subarray(8 + headerLength + info.data_offsets[0], 8 + headerLength + info.data_offsets[1]);
        const values = kernels.decodeToF32({
          dtype: info.dtype as "BF16" | "F16" | "F32",
          bytes: new Uint8Array(data),
        });
        let sum = 0;
        for (const value of values) sum += value * value;
        const got = result.tensors.get(name)?.sumOfSquares;
        // Specials put NaN or ±Inf into some tensors; those must propagate, the rest agree to rounding.
        if (Number.isFinite(sum)) expect((got ?? NaN) / sum, name).toBeCloseTo(1, 12);
        else expect(got, name).toBe(sum);
        expected += 1;
      }
    }
    expect(expected).toBe(plan.outputs.length);
  });

  it("keeps at most the window's jobs in flight, however far the workers could run ahead", async () => {
    const jobs = planJobs({ plan, chunkElements: 200 });
    let started = 0;
    let maxAhead = 0;
    let written = 0;
    const counting = models().map((model) => {
      return new Proxy(model, {
        get(target, property) {
          if (property === "readTensor") {
            return (...args: Parameters<SafetensorsModel["readTensor"]>) => {
              started++;
              return target.readTensor(...args);
            };
          }
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    });
    const operandsPerJob = (job: Job) => (job.kind.op === "taskVector" ? 2 : 1);
    const dir = join(work, "window");
    const generator = executePlan({
      plan,
      models: counting,
      dir,
      prefix: "task_vector",
      kernels,
      statistics: true,
      chunkElements: 200,
      readAhead: 3,
      threads: 2,
      workerUrl,
    });
    for (;;) {
      const step = await generator.next();
      if (step.done) break;
      if (step.value.type !== "progress") continue;
      written++;
      // Jobs whose reads have started, minus those written: what memory holds.
      let reads = 0;
      let jobsStarted = 0;
      for (const job of jobs) {
        if (reads >= started) break;
        reads += operandsPerJob(job);
        jobsStarted++;
      }
      maxAhead = Math.max(maxAhead, jobsStarted - written);
    }
    expect(written).toBe(jobs.length);
    expect(jobs.length).toBeGreaterThan(20);
    expect(maxAhead).toBeGreaterThan(0);
    expect(maxAhead).toBeLessThanOrEqual(3);
  });

  it("computes on the calling thread, with a warning, when a worker script does not start", async () => {
    const silent = join(work, "silent-worker.mjs");
    writeFileSync(silent, "// A worker script from another build: it never says it is ready.\n");
    const here = await run("threads-0-again", { threads: 0 });
    const fallback = await run("fallback", { threads: 2, workerUrl: pathToFileURL(silent) });
    expect(fallback.result.threads).toBe(0);
    expect(fallback.events.filter((e) => e.type === "log").map((e) => (e as { message: string }).message)).toEqual([
      expect.stringMatching(/^Computing on one thread: a compute worker did not start \(it exited with code 0/),
    ]);
    expect(fallback.result.written).toEqual(here.result.written);
    const missing = await run("missing", { threads: 2, workerUrl: pathToFileURL(join(work, "no-such-worker.mjs")) });
    expect(missing.result.threads).toBe(0);
    expect(missing.events.filter((e) => e.type === "log")).toEqual([]);
    expect(missing.result.written).toEqual(here.result.written);
  });

  it("a job that fails on a worker rejects with the error class and code it was thrown with", async () => {
    const pool = await createComputePool({
      kernels,
      statistics: true,
      threads: 1,
      workerUrl,
      slotBytes: 4096,
      slots: 8,
    });
    try {
      expect(pool.threads).toBe(1);
      const job = planJobs({ plan, chunkElements: 100 }).find(
        (j) => j.kind.op === "taskVector" && j.tensor.dtype === "BF16",
      ) as Job;
      // The fine-tuned operand is one element short of the base's.
      const failed = pool.compute(job, [
        { dtype: "BF16", bytes: new Uint8Array(2 * (job.end - job.start - 1)) },
        { dtype: "BF16", bytes: new Uint8Array(2 * (job.end - job.start)) },
      ]);
      await expect(failed).rejects.toBeInstanceOf(InternalError);
      await expect(failed).rejects.toMatchObject({ code: "ARITHMETIC_LENGTH_MISMATCH" });
      // The worker stays usable for the next job.
      const ok = await pool.compute(job, [
        { dtype: "BF16", bytes: new Uint8Array(2 * (job.end - job.start)) },
        { dtype: "BF16", bytes: new Uint8Array(2 * (job.end - job.start)) },
      ]);
      expect(ok.bytes.byteLength).toBe(2 * (job.end - job.start));
      expect(ok.sumOfSquares).toBe(0);
      expect(ok.reconstruction).toEqual({ elements: job.end - job.start, mismatches: 0, maxAbsError: 0 });
    } finally {
      await pool.close();
    }
    await expect(pool.compute(planJobs({ plan, chunkElements: 100 })[0] as Job, [])).rejects.toMatchObject({
      code: "COMPUTE_POOL_CLOSED",
    });
  });

  it("reuses its slots job after job, and still computes right when they run out", async () => {
    const job = planJobs({ plan, chunkElements: 100 }).find(
      (j) => j.kind.op === "taskVector" && j.tensor.dtype === "BF16",
    ) as Job;
    const n = job.end - job.start;
    const { base: b, finetuned: f } = { base: base.model, finetuned: finetuned.model };
    const operands = async (into: (bytes: number) => Uint8Array) => [
      {
        dtype: "BF16" as const,
        bytes: await f.readTensor(job.tensor.name, { elementOffset: job.start, count: n, into: into(2 * n) }),
      },
      {
        dtype: "BF16" as const,
        bytes: await b.readTensor(job.tensor.name, { elementOffset: job.start, count: n, into: into(2 * n) }),
      },
    ];
    const [ftBytes, baseBytes] = await Promise.all([
      f.readTensor(job.tensor.name, { elementOffset: job.start, count: n }),
      b.readTensor(job.tensor.name, { elementOffset: job.start, count: n }),
    ]);
    const expected = kernels.computeTaskVector({
      finetuned: { dtype: "BF16", bytes: ftBytes },
      base: { dtype: "BF16", bytes: baseBytes },
      dtype: "BF16",
    });
    for (const [threads, slots] of [
      [0, 8],
      [1, 8],
      [0, 1],
      [1, 1],
    ] as const) {
      const pool = await createComputePool({ kernels, statistics: true, threads, workerUrl, slotBytes: 2 * n, slots });
      try {
        const seen = new Set<number>();
        for (let round = 0; round < 4; round++) {
          const output = await pool.compute(job, await operands((bytes) => pool.buffer(bytes)));
          expect(Buffer.compare(output.bytes, expected), `${threads} threads, ${slots} slots, round ${round}`).toBe(0);
          expect(output.reconstruction?.elements).toBe(n);
          if (output.bytes.buffer instanceof SharedArrayBuffer) seen.add(output.bytes.byteOffset);
          pool.release(output.bytes);
        }
        // Three slots per job (two operands and the output) circulate; with one slot, which an operand takes, the
        // output is new memory.
        if (slots === 1) expect(seen.size).toBe(0);
        else expect([1, 2, 3]).toContain(seen.size);
      } finally {
        await pool.close();
      }
    }
  });

  it("operands that are views into memory the caller keeps are copied, not detached", async () => {
    const pool = await createComputePool({
      kernels,
      statistics: false,
      threads: 1,
      workerUrl,
      slotBytes: 4096,
      slots: 8,
    });
    try {
      const job = planJobs({ plan, chunkElements: 100 }).find(
        (j) => j.kind.op === "taskVector" && j.tensor.dtype === "BF16",
      ) as Job;
      const n = job.end - job.start;
      const shared = new Uint8Array(8 + 4 * n).fill(0x3f);
      const finetunedView = shared.subarray(8, 8 + 2 * n);
      const output = await pool.compute(job, [
        { dtype: "BF16", bytes: finetunedView },
        { dtype: "BF16", bytes: shared.subarray(8 + 2 * n) },
      ]);
      expect(shared.byteLength).toBe(8 + 4 * n);
      expect(finetunedView[0]).toBe(0x3f);
      expect(output.bytes.every((byte) => byte === 0)).toBe(true);
    } finally {
      await pool.close();
    }
  });
});

describe("the built CLI computes on dist/compute-worker.js", () => {
  const distWorker = resolve(import.meta.dirname, "../dist/compute-worker.js");

  it("the bundled worker script starts and speaks this build's protocol", async () => {
    expect(existsSync(distWorker), "run npm run build first").toBe(true);
    const pool = await createComputePool({
      kernels,
      statistics: true,
      threads: 2,
      workerUrl: pathToFileURL(distWorker),
      slotBytes: 4096,
      slots: 8,
    });
    try {
      expect(pool.threads).toBe(2);
      expect(pool.fallback).toBeUndefined();
    } finally {
      await pool.close();
    }
  });

  it("publish-vector through dist/cli.js writes the bytes the calling-thread run writes", async () => {
    const here = await run("cli-reference", { threads: 0, chunkElements: 1 << 20 });
    const to = join(work, "cli-out");
    const cli = spawnSync(
      process.execPath,
      [
        cliPath,
        "publish-vector",
        "--base",
        join(work, "base"),
        "--finetuned",
        join(work, "ft"),
        "--to",
        to,
        "--vocab",
        "extend",
        "--max-shard-size",
        "10000",
        "--json",
        "--quiet",
      ],
      {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", HF_HOME: join(work, "hf-home") },
      },
    );
    expect(cli.status, cli.stderr).toBe(0);
    const report = JSON.parse(cli.stdout) as { files: Array<{ path: string; size: number; sha256: string }> };
    const expected = [
      ...here.result.written.files,
      ...(here.result.written.index ? [here.result.written.index] : []),
    ].map((f) => ({ path: f.file, size: f.size, sha256: f.sha256 }));
    expect(report.files).toEqual(expected);
    for (const [file, bytes] of here.files) expect(Buffer.compare(readFileSync(join(to, file)), bytes), file).toBe(0);
  });
});
