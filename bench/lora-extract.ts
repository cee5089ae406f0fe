// `npm run bench -- lora-extract`: rank-64 LoRA extraction (publish-vector --lora-rank) against PyTorch's
// torch.svd_lowrank doing the same job, in the same run: a 4096 × 4096 τ on one core, and a ~1 GB Llama-shaped model
// end to end on every core (the CLI, peak RSS from /proc). Also the one product the SVD spends its time in, τ·Ω,
// on tvhub's WebAssembly kernel and on tfjs-wasm's matmul (XNNPACK), the alternative the kernels were chosen over.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { defaultSvdParameters, factorTaskVector } from "../src/arithmetic/low-rank/factor-task-vector.js";
import { createMatrixKernels, type MatrixKernels } from "../src/arithmetic/low-rank/matrix-kernels.js";
import { randomizedSvd } from "../src/arithmetic/low-rank/randomized-svd.js";
import { deriveStream } from "../src/util/rng.js";
import { loadTf } from "../src/eval/load-tf.js";
import { generatePair, llamaShape, measureChild } from "./publish-vector.js";

export interface LoraExtractBenchOptions {
  /** @default 4096 */
  size?: number;
  /** @default 64 */
  rank?: number;
  /** Approximate bytes of each generated model. @default 1e9 */
  modelBytes?: number;
  /** The Python with torch (.venv/peft's), or false to leave PyTorch out. */
  python?: string | false;
  dir?: string;
  cli?: string;
}

export interface LoraExtractResults {
  machine: { cpus: number; model: string; loadAverage: number[] };
  rank: number;
  oversampling: number;
  iterations: number;
  /** Seconds are wall time; cpuSeconds the process's CPU time over the same span (the machine may be shared). */
  square: {
    size: number;
    /** The matrix kernels' implementation (native, wasm or js). */
    implementation: string;
    tvhub: SquareRun[];
    torch?: SquareRun[];
    torchVersion?: string;
  };
  /** The two products the SVD spends its time in, τ·Ω (tall: m × k by k × n) and Qᵀ·τ (wide: n × m by m × k). */
  products: Array<{
    what: string;
    m: number;
    k: number;
    n: number;
    tvhubSeconds: number;
    tfjsWasmSeconds?: number;
    tfjsNote?: string;
  }>;
  model?: {
    bytes: number;
    factored: number;
    tvhub: { seconds: number; peakRssBytes: number; adapterBytes: number };
    torch?: Array<{ threads: number; seconds: number; peakRssBytes: number }>;
  };
  torchSkipped?: string;
}

/**
 * One factorization of the square τ: wall seconds, the process's CPU seconds over the same span, ‖τ − BA‖/‖τ‖; and
 * the wall seconds of the randomized SVD alone (randomizedSvd, torch.svd_lowrank), without the factors and the error.
 */
interface SquareRun {
  threads: number;
  seconds: number;
  cpuSeconds: number;
  error: number;
  svdSeconds: number;
}

const gigabyte = 1e9;
/** One thread and every core, for both sides. */
const threadCounts = [...new Set([1, availableParallelism()])];

export async function runLoraExtractBench(options: LoraExtractBenchOptions = {}): Promise<LoraExtractResults> {
  const size = options.size ?? 4096;
  const rank = options.rank ?? 64;
  const { oversampling, iterations } = defaultSvdParameters;
  const python =
    options.python === false
      ? undefined
      : (options.python ?? (existsSync(".venv/peft/bin/python") ? ".venv/peft/bin/python" : "python3"));
  const torchOk = python !== undefined && spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
  const results: LoraExtractResults = {
    machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? "unknown", loadAverage: loadavg() },
    rank,
    oversampling,
    iterations,
    square: { size, implementation: "", tvhub: [] },
    products: [],
    ...(torchOk ? {} : { torchSkipped: python === undefined ? "--no-torch" : `${python} -c "import torch" failed` }),
  };

  // One tensor: the factorization alone, τ already in float32, on one thread and on every core, each after a warm-up
  // factorization of a small τ (PyTorch's script does the same), beside PyTorch on the same numbers of threads.
  const kernels = createMatrixKernels();
  results.square.implementation = kernels.implementation;
  const ld = size;
  for (const threads of threadCounts) {
    const threaded = createMatrixKernels({ threads });
    fillSquare(threaded, 256);
    factorSquare(threaded, 256, rank);
    fillSquare(threaded, size);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const error = factorSquare(threaded, size, rank);
    const cpu = process.cpuUsage(cpuStarted);
    const seconds = (performance.now() - started) / 1000;
    const svdStarted = performance.now();
    sketchSquare(threaded, size, rank);
    const svdSeconds = (performance.now() - svdStarted) / 1000;
    results.square.tvhub.push({ threads, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, error, svdSeconds });
  }
  if (torchOk) {
    results.square.torch = threadCounts.map((threads) => {
      const run = spawnSync(
        python!,
        [
          "bench/torch-lora-extract.py",
          "square",
          String(size),
          String(rank),
          String(oversampling),
          String(iterations),
          String(threads),
        ],
        { encoding: "utf8" },
      );
      const parsed = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as {
        seconds: number;
        cpu_seconds: number;
        error: number;
        svd_seconds: number;
        torch: string;
      };
      results.square.torchVersion = parsed.torch;
      return {
        threads,
        seconds: parsed.seconds,
        cpuSeconds: parsed.cpu_seconds,
        error: parsed.error,
        svdSeconds: parsed.svd_seconds,
      };
    });
  }

  // The products the SVD spends its time in, τ·Ω (size × size by width) and Qᵀ·τ (width × size by size), on tvhub's
  // kernels (gemmF32 and gemmWideF32) and on tfjs-wasm's matMul (XNNPACK): after one warm-up call, the fastest of three
  // (on a shared machine the fastest is the least disturbed).
  const width = roundUp4(rank + oversampling);
  const omega = size * ld;
  const out = omega + size * width;
  kernels.reserve(out + size * ld);
  fillRandom(kernels.floats().subarray(omega, out), size * width);
  const shapes = [
    { what: "τ·Ω", m: size, k: size, n: width, a: 0, lda: ld, b: omega, ldb: width },
    { what: "Qᵀ·τ", m: width, k: size, n: size, a: omega, lda: size, b: 0, ldb: ld },
  ];
  let tf: Awaited<ReturnType<typeof loadTf>>["tf"] | undefined;
  let tfNote: string | undefined;
  try {
    const loaded = await loadTf({ backend: "wasm" });
    if (loaded.backend !== "wasm") throw new Error(`tfjs chose the ${loaded.backend} backend`);
    tf = loaded.tf;
  } catch (error) {
    tfNote = (error as Error).message;
  }
  for (const shape of shapes) {
    const gemm = () =>
      kernels.gemm({
        a: shape.a,
        lda: shape.lda,
        b: shape.b,
        ldb: shape.ldb,
        c: out,
        ldc: shape.n,
        m: shape.m,
        k: shape.k,
        n: shape.n,
      });
    gemm();
    const row: LoraExtractResults["products"][number] = {
      what: shape.what,
      m: shape.m,
      k: shape.k,
      n: shape.n,
      tvhubSeconds: fastest(3, gemm),
    };
    if (tf) {
      const heap = kernels.floats();
      const a = tf.tensor2d(heap.slice(shape.a, shape.a + shape.m * shape.k), [shape.m, shape.k]);
      const b = tf.tensor2d(heap.slice(shape.b, shape.b + shape.k * shape.n), [shape.k, shape.n]);
      tf.matMul(a, b).dispose();
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const c = tf.matMul(a, b);
        await c.data();
        best = Math.min(best, (performance.now() - started) / 1000);
        c.dispose();
      }
      row.tfjsWasmSeconds = best;
      tf.dispose([a, b]);
    } else if (tfNote !== undefined) row.tfjsNote = tfNote;
    results.products.push(row);
  }

  // A ~1 GB Llama-shaped model end to end through the CLI (both cores), against the PyTorch script on the same files.
  if ((options.modelBytes ?? gigabyte) > 0) {
    const dir = await mkdtemp(join(options.dir ?? tmpdir(), "tvhub-bench-lora-"));
    try {
      // Llama-3.1-8B's layers at hidden 2048 with a 32,000-token vocabulary, so most of the bytes are factored layers.
      const shape = llamaShape(options.modelBytes ?? gigabyte, 32000);
      const base = join(dir, "base");
      const finetuned = join(dir, "ft");
      await Promise.all([mkdir(base), mkdir(finetuned)]);
      await generatePair({ base, finetuned, tensors: shape.tensors, config: shape.config, maxShardSize: 5e9 });
      const to = join(dir, "adapter");
      const tvhub = await measureChild(process.execPath, [
        options.cli ?? "dist/cli.js",
        "publish-vector",
        "--base",
        base,
        "--finetuned",
        finetuned,
        "--to",
        to,
        "--lora-rank",
        String(rank),
        "--force",
        "--quiet",
      ]);
      if (tvhub.code !== 0) throw new Error(`publish-vector --lora-rank failed: ${tvhub.stderr}`);
      const bytes = shape.tensors.reduce((sum, t) => sum + t.bytes, 0);
      results.model = {
        bytes,
        factored: shape.tensors.filter((t) => t.shape.length === 2 && !/embed|lm_head/.test(t.name)).length,
        tvhub: {
          seconds: tvhub.seconds,
          peakRssBytes: tvhub.peakRssBytes,
          adapterBytes: statSync(join(to, "adapter_model.safetensors")).size,
        },
      };
      if (torchOk) {
        results.model.torch = [];
        for (const threads of [1, availableParallelism()]) {
          const run = await measureChild(python!, [
            "bench/torch-lora-extract.py",
            "model",
            base,
            finetuned,
            join(dir, `torch-${threads}.safetensors`),
            String(rank),
            String(oversampling),
            String(iterations),
            String(threads),
          ]);
          if (run.code !== 0) throw new Error(`bench/torch-lora-extract.py failed: ${run.stderr}`);
          results.model.torch.push({ threads, seconds: run.seconds, peakRssBytes: run.peakRssBytes });
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return results;
}

export function formatLoraExtractTable(r: LoraExtractResults): string {
  const s = (x: number) => `${x.toFixed(2)} s`;
  const mb = (x: number) => `${(x / 1e6).toFixed(0)} MB`;
  const lines = [
    `LoRA extraction, rank ${r.rank}, oversampling ${r.oversampling}, ${r.iterations} power iterations ` +
      `(${r.machine.cpus} × ${r.machine.model}, load ` +
      `${r.machine.loadAverage.map((x) => x.toFixed(1)).join(" ")})`,
    "",
    `${r.square.size} × ${r.square.size} τ, one tensor (tvhub's ${r.square.implementation} kernels):`,
    ...r.square.tvhub.flatMap((t) => {
      const torch = r.square.torch?.find((x) => x.threads === t.threads);
      const row = (who: string, x: SquareRun) =>
        `  ${who.padEnd(20)} ${t.threads} thread(s)   ${s(x.seconds)} (CPU ${s(x.cpuSeconds)})   error ` +
        x.error.toPrecision(4);
      return [
        row("tvhub", t),
        ...(torch
          ? [
              `${row("torch.svd_lowrank", torch)}   tvhub/PyTorch ${(t.seconds / torch.seconds).toFixed(2)} (CPU ` +
                `${(t.cpuSeconds / torch.cpuSeconds).toFixed(2)})`,
              `  the SVD alone        ${t.threads} thread(s)   tvhub ${s(t.svdSeconds)}, torch.svd_lowrank ` +
                `${s(torch.svdSeconds)}   tvhub/PyTorch ${(t.svdSeconds / torch.svdSeconds).toFixed(2)}`,
            ]
          : []),
      ];
    }),
  ];
  for (const p of r.products) {
    const rate = (seconds: number) => `${((2 * p.m * p.k * p.n) / seconds / 1e9).toFixed(1)} GFLOP/s`;
    lines.push(
      "",
      `${p.what} (${p.m} × ${p.k} by ${p.n}), one thread, fastest of 3:`,
      `  tvhub             ${s(p.tvhubSeconds)}  ${rate(p.tvhubSeconds)}`,
      p.tfjsWasmSeconds === undefined
        ? `  tfjs-wasm matMul  not measured: ${p.tfjsNote ?? ""}`
        : `  tfjs-wasm matMul  ${s(p.tfjsWasmSeconds)}  ${rate(p.tfjsWasmSeconds)}`,
    );
  }
  if (r.model) {
    const m = r.model;
    lines.push(
      "",
      `Llama-shaped model, ${(m.bytes / 1e9).toFixed(2)} GB BF16 per input, ${m.factored} factored tensors, end to ` +
        "end (read, τ, SVD, write):",
      `  tvhub publish-vector --lora-rank ${r.rank}   ${s(m.tvhub.seconds)}   peak RSS ` +
        `${mb(m.tvhub.peakRssBytes)}   adapter ${mb(m.tvhub.adapterBytes)}`,
      ...(m.torch ?? []).map(
        (t) =>
          `  PyTorch, ${t.threads} thread(s)                ${s(t.seconds)}   peak RSS ${mb(t.peakRssBytes)}   ` +
          `tvhub/PyTorch ${(m.tvhub.seconds / t.seconds).toFixed(2)}`,
      ),
    );
  }
  if (r.torchSkipped) lines.push("", `No PyTorch reference was run: ${r.torchSkipped}.`);
  return lines.join("\n");
}

/** The fastest of `runs` calls, in seconds. */
function fastest(runs: number, run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return best;
}

/** A random size × size τ in the kernels' heap. */
function fillSquare(kernels: MatrixKernels, size: number): void {
  kernels.reserve(size * size);
  fillRandom(kernels.floats(), size * size);
}

/** The randomized SVD alone of the size × size τ in the kernels' heap, as factorTaskVector runs it at rank `rank`. */
function sketchSquare(kernels: MatrixKernels, size: number, rank: number): void {
  const { oversampling, iterations, seed } = defaultSvdParameters;
  randomizedSvd({
    kernels,
    rows: size,
    cols: size,
    ld: size,
    width: Math.min(size, rank + oversampling),
    iterations,
    stream: deriveStream({ seed, labels: ["lora", "bench"] }),
  });
}

/** Factors the size × size τ in the kernels' heap at rank `rank`; the relative error. */
function factorSquare(kernels: MatrixKernels, size: number, rank: number): number {
  return factorTaskVector({
    kernels,
    rows: size,
    cols: size,
    name: "bench",
    policy: { kind: "fixed", rank },
    svd: defaultSvdParameters,
    dtype: "F32",
  }).relativeError;
}

function fillRandom(values: Float32Array, count: number): void {
  let state = 0x9e3779b9;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[i] = ((state >>> 0) / 2 ** 32 - 0.5) * 0.004;
  }
}

function roundUp4(x: number): number {
  return Math.ceil(x / 4) * 4;
}
