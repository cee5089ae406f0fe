/**
 * executePlan's output path on worker threads: outputs go from their slots to a sink thread that hashes and
 * writes them, byte for byte what the calling thread writes; a full disk there and a failing job both stop the
 * run with the error they are, leave no temporary file and keep no thread running.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fineTune, writeSynthModel, type SynthTensor } from "../../test/helpers/synth.js";
import { createArithmeticKernels } from "../arithmetic/simd/create-arithmetic-kernels.js";
import { DataError } from "../errors.js";
import type { HubClient } from "../hub/index.js";
import { buildPlan } from "../plan/build-plan.js";
import type { Plan } from "../plan/types.js";
import type { SafetensorsModel } from "../safetensors/types.js";
import { drain, type ProgressEvent } from "../util/progress.js";
import { executePlan, type ExecuteResult } from "./execute-plan.js";
import { openInput, type OpenedInput } from "../app/open-input.js";
import { joinPatterns } from "../../test/helpers/join-patterns.js";

const kernels = createArithmeticKernels();
let work: string;
let workerUrl: URL;
let base: OpenedInput;
let finetuned: OpenedInput;
let plan: Plan;

const tensors: SynthTensor[] = [
  { name: "model.embed_tokens.weight", dtype: "BF16", shape: [64, 48] },
  { name: "model.layers.0.self_attn.q_proj.weight", dtype: "BF16", shape: [48, 48] },
  { name: "model.layers.0.mlp.up_proj.weight", dtype: "F16", shape: [96, 48] },
  { name: "model.layers.0.input_layernorm.weight", dtype: "F32", shape: [48] },
  { name: "model.layers.1.mlp.down_proj.weight", dtype: "BF16", shape: [48, 96] },
  { name: "lm_head.weight", dtype: "BF16", shape: [64, 48] },
];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-execute-plan-"));
  // The worker entry bundled from the sources, as scripts/build.mjs bundles dist/compute-worker.js.
  const workerFile = join(work, "compute-worker.mjs");
  await build({
    entryPoints: [resolve(import.meta.dirname, "compute-worker.ts")],
    outfile: workerFile,
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "warning",
  });
  workerUrl = pathToFileURL(workerFile);
  const noHub = {} as HubClient;
  const baseModel = await writeSynthModel({ dir: join(work, "base"), tensors, seed: 5 });
  await fineTune({ base: baseModel, dir: join(work, "ft") });
  base = await openInput({ ref: { kind: "local", path: join(work, "base") }, text: "base", hub: noHub });
  finetuned = await openInput({ ref: { kind: "local", path: join(work, "ft") }, text: "ft", hub: noHub });
  plan = buildPlan({
    operation: "publish-vector",
    base: base.resolved,
    finetuned: finetuned.resolved,
    maxShardSize: 9_000,
  });
}, 60_000);

afterAll(async () => {
  await base?.close();
  await finetuned?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function models(): SafetensorsModel[] {
  return plan.inputs.map((input) => (input.role === "base" ? base.model : finetuned.model));
}

async function run(
  dir: string,
  options: { threads: number; models?: SafetensorsModel[]; workerUrl?: URL },
): Promise<{ result: ExecuteResult; events: ProgressEvent[] }> {
  const events: ProgressEvent[] = [];
  const result = await drain(
    executePlan({
      plan,
      models: options.models ?? models(),
      dir,
      prefix: "task_vector",
      kernels,
      statistics: true,
      chunkElements: 256,
      threads: options.threads,
      workerUrl: options.workerUrl ?? workerUrl,
    }),
    (event) => events.push(event),
  );
  return { result, events };
}

const filesIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);
const hasDevFull = existsSync("/dev/full");

describe("executePlan's sink thread", () => {
  it(
    "hashes and writes on its own thread when jobs run on workers, byte for byte what the calling thread " + "writes",
    async () => {
      const here = await run(join(work, "here"), { threads: 0 });
      const there = await run(join(work, "there"), { threads: 2 });
      expect(plan.layout.files.length).toBeGreaterThanOrEqual(3);
      expect([here.result.sinkThread, there.result.sinkThread]).toEqual([false, true]);
      expect(there.result.threads).toBe(2);
      expect(there.result.written).toEqual(here.result.written);
      expect(there.result.tensors).toEqual(here.result.tensors);
      expect(
        there.events.filter((event) => event.type === "log").map((event) => (event as { message: string }).message),
      ).toEqual(["Computing on 2 worker threads, hashing and writing on another."]);
      expect(filesIn(join(work, "there"))).toEqual(filesIn(join(work, "here")));
      for (const file of filesIn(join(work, "here"))) {
        expect(
          Buffer.compare(readFileSync(join(work, "there", file)), readFileSync(join(work, "here", file))),
          file,
        ).toBe(0);
      }
    },
  );

  it(
    "writes on the calling thread, with a warning, when the sink thread does not start but the compute workers " + "do",
    async () => {
      // A script that computes but has no sink role: the sink thread exits before it is ready.
      const computeOnly = join(work, "compute-only.mjs");
      await build({
        stdin: {
          contents:
            `import { workerData } from "node:worker_threads";\nif (workerData?.tvhubComputeWorker !== ` +
            `undefined) await import("./compute-worker.ts");\n`,
          resolveDir: import.meta.dirname,
          loader: "ts",
        },
        outfile: computeOnly,
        bundle: true,
        platform: "node",
        format: "esm",
        logLevel: "warning",
      });
      const here = await run(join(work, "compute-only-here"), { threads: 0 });
      const { result, events } = await run(join(work, "compute-only"), {
        threads: 2,
        workerUrl: pathToFileURL(computeOnly),
      });
      expect([result.threads, result.sinkThread]).toEqual([2, false]);
      expect(
        events.filter((event) => event.type === "log").map((event) => (event as { message: string }).message),
      ).toEqual([
        expect.stringMatching(
          joinPatterns(
            /^Hashing and writing the output on the main thread: /,
            /the thread that hashes and writes did not start \(it exited with code 0/,
          ),
        ),
      ]);
      expect(result.written).toEqual(here.result.written);
    },
  );

  it.skipIf(!hasDevFull)(
    "a full disk under the second file: rejects with ENOSPC on either thread, and no temporary file is left",
    async () => {
      const second = plan.layout.files[1]?.name ?? "";
      expect(second).toMatch(/^task_vector-00002-of-\d{5}\.safetensors$/);
      for (const threads of [0, 2]) {
        const dir = join(work, `full-${threads}`);
        mkdirSync(dir);
        // /dev/full fails every write with ENOSPC, as a disk that filled up does.
        symlinkSync("/dev/full", join(dir, `${second}.tmp`));
        const error = await run(dir, { threads }).catch((caught: unknown) => caught);
        expect(error, `${threads} threads`).toMatchObject({ code: "ENOSPC", syscall: "write" });
        expect(filesIn(dir).filter((file) => file.endsWith(".tmp"))).toEqual([]);
        expect(filesIn(dir)).not.toContain(second);
      }
    },
  );

  it("a job that fails midway rejects with its error, and the file being written is removed", async () => {
    const victim = plan.outputs.find((tensor) => tensor.name === "model.layers.1.mlp.down_proj.weight");
    expect(victim).toBeDefined();
    let reads = 0;
    const failing = models().map(
      (model) =>
        new Proxy(model, {
          get(target, property) {
            if (property === "readTensor") {
              return async (...args: Parameters<SafetensorsModel["readTensor"]>) => {
                // The victim's second chunk: earlier outputs are with the sink thread by then.
                if (args[0] === victim?.name && (args[1]?.elementOffset ?? 0) > 0 && ++reads === 1) {
                  throw new DataError(`${args[0]}: the bytes could not be read.`, { code: "TEST_READ_FAILED" });
                }
                return target.readTensor(...args);
              };
            }
            const value: unknown = Reflect.get(target, property, target);
            return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        }),
    );
    const dir = join(work, "failing");
    const error = await run(dir, { threads: 2, models: failing }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ code: "TEST_READ_FAILED" });
    expect(filesIn(dir).filter((file) => file.endsWith(".tmp"))).toEqual([]);
    const holder = plan.layout.files.find((file) => file.tensors.includes(victim?.name ?? ""))?.name;
    expect(holder).toBeDefined();
    expect(filesIn(dir)).not.toContain(holder);
  });
});
