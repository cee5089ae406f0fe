// Kernel throughput per dtype against memcpy of the same bytes, measured in the same run.
import { cpus } from "node:os";
import { javascriptKernels } from "../src/arithmetic/simd/arithmetic-kernels.js";
import { createTaskVectorStatistics } from "../src/arithmetic/simd/create-task-vector-statistics.js";
import { createWasmKernels } from "../src/arithmetic/simd/create-wasm-kernels.js";
import { instantiateSimdKernels, type SimdExports } from "../src/arithmetic/simd/instantiate-simd-kernels.js";
import { InternalError } from "../src/errors.js";
import type { EncodedValues } from "../src/tensor/encoded.js";

export type BenchDtype = "BF16" | "F16" | "F32";

export interface KernelBenchOptions {
  /**
   * Elements per operand: large enough that the operands live in RAM, as a model's tensors do.
   * @default 8388608 (8 Mi: 16 MiB per BF16 operand)
   */
  elements?: number;
  /** @default ["BF16", "F16", "F32"] */
  dtypes?: readonly BenchDtype[];
  /**
   * Timed repetitions per measurement; each lasts at least `minSeconds / repetitions`.
   * @default 5
   */
  repetitions?: number;
  /** @default 1.5 */
  minSeconds?: number;
}

/** One measured operation; rates are from the median repetition. */
export interface KernelMeasurement {
  dtype: BenchDtype;
  /**
   * `memcpy` copies the τ kernel's input bytes; `task-vector` is τ = ft − base written in the same
   * dtype; `merge` is base + λ·τ (τ stored in the same dtype) written in that dtype;
   * `reconstruction` is the lossy-τ statistics over base, fine-tuned and τ; `sum-of-squares` is Σx²
   * over float32 values (dtype-independent, so measured once).
   */
  operation: "memcpy" | "task-vector" | "task-vector+stats" | "merge" | "reconstruction" | "sum-of-squares";
  /**
   * `wasm-kernel`: the SIMD loop alone on operands already in WebAssembly memory (the ceiling);
   * `wasm`: the ArithmeticKernels call a caller makes, copies in and out of wasm memory included;
   * `js`: the JavaScript reference; `TypedArray.set`: memcpy.
   */
  implementation: "wasm-kernel" | "wasm" | "js" | "TypedArray.set";
  elements: number;
  /** Bytes the operation reads from its operands (for memcpy: the bytes copied). */
  inputBytes: number;
  /**
   * Seconds per pass over `elements`, one figure per repetition, in order: `cpu` is this process's
   * CPU time (user + system), `wall` the elapsed time. The operations run on one thread, so CPU time
   * is the time on one core, which stays meaningful when other processes share the cores.
   */
  samples: { cpu: number[]; wall: number[] };
  /** Per core: elements ÷ the median CPU seconds. */
  elementsPerSecond: number;
  /** Input bytes ÷ the median CPU seconds. */
  inputBytesPerSecond: number;
  /** Elements ÷ the median wall seconds (lower than per core when the machine is busy). */
  wallElementsPerSecond: number;
  /** inputBytesPerSecond ÷ that of memcpy of the same dtype's input bytes in this run. */
  vsMemcpy: number;
}

export interface KernelBenchResults {
  startedAt: string;
  node: string;
  cpu: string;
  cores: number;
  options: Required<KernelBenchOptions>;
  measurements: KernelMeasurement[];
}

const sizeOf: Record<BenchDtype, number> = { BF16: 2, F16: 2, F32: 4 };

/**
 * Measures, for each dtype, memcpy of the τ kernel's input bytes, the τ kernel (wasm loop alone,
 * wasm through ArithmeticKernels, JavaScript reference), a merge and the reconstruction statistics
 * (wasm and JavaScript), and once Σx², on synthetic weights
 * shaped like a fine-tune (base ~ N(0, 0.02), fine-tuned = base + N(0, 0.001)).
 */
export function runKernelBench(options: KernelBenchOptions = {}): KernelBenchResults {
  const resolved: Required<KernelBenchOptions> = {
    elements: options.elements ?? 8 * 1024 * 1024,
    dtypes: options.dtypes ?? ["BF16", "F16", "F32"],
    repetitions: options.repetitions ?? 5,
    minSeconds: options.minSeconds ?? 1.5,
  };
  const wasm = createWasmKernels();
  const simd = instantiateSimdKernels();
  if (!wasm || !simd) {
    throw new InternalError(
      "This engine cannot run the WebAssembly SIMD kernels, so there is nothing to compare; run the bench on Node " +
        "20 or later.",
      {
        code: "BENCH_NO_SIMD",
      },
    );
  }
  const n = resolved.elements;
  const measurements: KernelMeasurement[] = [];
  for (const dtype of resolved.dtypes) {
    const { base, finetuned } = syntheticPair(dtype, n);
    const inputBytes = 2 * n * sizeOf[dtype];
    const time = (run: () => void) => measure(run, resolved.repetitions, resolved.minSeconds);
    const record = (
      operation: KernelMeasurement["operation"],
      implementation: KernelMeasurement["implementation"],
      samples: KernelMeasurement["samples"],
      bytes = inputBytes,
    ) => {
      const seconds = median(samples.cpu);
      const memcpy = measurements.find((m) => m.dtype === dtype && m.operation === "memcpy");
      const inputBytesPerSecond = bytes / seconds;
      measurements.push({
        dtype,
        operation,
        implementation,
        elements: n,
        inputBytes: bytes,
        samples,
        elementsPerSecond: n / seconds,
        inputBytesPerSecond,
        wallElementsPerSecond: n / median(samples.wall),
        vsMemcpy: memcpy ? inputBytesPerSecond / memcpy.inputBytesPerSecond : 1,
      });
    };

    const source = new Uint8Array(inputBytes);
    source.set(base.bytes);
    source.set(finetuned.bytes, base.bytes.byteLength);
    const copy = new Uint8Array(inputBytes);
    record(
      "memcpy",
      "TypedArray.set",
      time(() => copy.set(source)),
    );

    record("task-vector", "wasm-kernel", time(kernelLoop(simd, dtype, base, finetuned)));
    const out = new Uint8Array(n * sizeOf[dtype]);
    const outJs = new Uint8Array(n * sizeOf[dtype]);
    record(
      "task-vector",
      "wasm",
      time(() => wasm.computeTaskVector({ base, finetuned, dtype, out })),
    );
    record(
      "task-vector",
      "js",
      time(() => javascriptKernels.computeTaskVector({ base, finetuned, dtype, out: outJs })),
    );
    // The specs compare the two on every special pattern; this checks the optimised (tiered-up) code too.
    if (Buffer.compare(out, outJs) !== 0) {
      throw new InternalError(
        `The wasm and JavaScript ${dtype} task vectors differ after warm-up; the kernels are not bit-exact.`,
        { code: "BENCH_MISMATCH" },
      );
    }

    const taskVector = { dtype, bytes: outJs.slice() };

    // What publish-vector computes per range: τ with Σ τ² and the reconstruction statistics of its card, one pass.
    const withStats = createTaskVectorStatistics();
    const withStatsJs = createTaskVectorStatistics({ implementation: "js" });
    record(
      "task-vector+stats",
      "wasm",
      time(() => withStats({ base, finetuned, dtype, out })),
    );
    record(
      "task-vector+stats",
      "js",
      time(() => withStatsJs({ base, finetuned, dtype, out: outJs })),
    );
    if (Buffer.compare(out, outJs) !== 0) {
      throw new InternalError(
        `The wasm and JavaScript ${dtype} task vectors with statistics differ after warm-up; the kernels are not ` +
          "bit-exact.",
        { code: "BENCH_MISMATCH" },
      );
    }

    // A merge as a user runs it: base + λ·τ from bytes to bytes, τ a published vector in the same dtype.
    const terms = [{ weight: 0.3, taskVector }];
    record(
      "merge",
      "wasm",
      time(() => wasm.mergeChunk({ base, terms, dtype, out })),
    );
    record(
      "merge",
      "js",
      time(() => javascriptKernels.mergeChunk({ base, terms, dtype, out: outJs })),
    );
    // Statistics a lossy task vector's card reports, over base, fine-tuned and τ.
    record(
      "reconstruction",
      "wasm",
      time(() => wasm.reconstructionError({ base, finetuned, taskVector })),
      3 * n * sizeOf[dtype],
    );
    record(
      "reconstruction",
      "js",
      time(() => javascriptKernels.reconstructionError({ base, finetuned, taskVector })),
      3 * n * sizeOf[dtype],
    );
    if (dtype === "F32") {
      // Reductions take float32 whatever the tensor's dtype, so one row each is enough.
      const values = javascriptKernels.decodeToF32(finetuned);
      record(
        "sum-of-squares",
        "wasm",
        time(() => wasm.sumOfSquares({ values })),
        n * 4,
      );
      record(
        "sum-of-squares",
        "js",
        time(() => javascriptKernels.sumOfSquares({ values })),
        n * 4,
      );
    }
  }
  return {
    startedAt: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    options: resolved,
    measurements,
  };
}

/** The τ SIMD loop over operands placed once in a fresh instance's memory, in the kernels' chunk size. */
function kernelLoop(simd: SimdExports, dtype: BenchDtype, base: EncodedValues, finetuned: EncodedValues): () => void {
  const size = sizeOf[dtype];
  const bytes = base.bytes.byteLength;
  const start = Math.ceil(simd.heapBase() / 64) * 64;
  const a = start;
  const b = a + bytes + 64;
  const out = b + bytes + 64;
  simd.memory.grow(Math.ceil((out + bytes + 64 - simd.memory.buffer.byteLength) / 65536));
  const memory = new Uint8Array(simd.memory.buffer);
  memory.set(finetuned.bytes, a);
  memory.set(base.bytes, b);
  const n = bytes / size;
  const kernel = dtype === "BF16" ? simd.subBf16 : dtype === "F16" ? simd.subF16 : simd.subF32;
  return () => kernel(a, b, out, n);
}

function syntheticPair(dtype: BenchDtype, n: number): { base: EncodedValues; finetuned: EncodedValues } {
  const base = new Float32Array(n);
  const finetuned = new Float32Array(n);
  let state = 0x9e3779b9;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  // Sums of three uniforms: bell-shaped enough, and much cheaper than Box–Muller for 8 Mi values.
  const normal = () => (uniform() + uniform() + uniform() - 1.5) * 2;
  for (let i = 0; i < n; i++) {
    base[i] = 0.02 * normal();
    finetuned[i] = base[i]! + 0.001 * normal();
  }
  return {
    base: { dtype, bytes: javascriptKernels.encodeFromF32({ dtype, values: base }) },
    finetuned: { dtype, bytes: javascriptKernels.encodeFromF32({ dtype, values: finetuned }) },
  };
}

/** CPU and wall seconds per call of `run`, one pair per repetition, after a warm-up that lets V8 optimise it. */
function measure(run: () => void, repetitions: number, minSeconds: number): KernelMeasurement["samples"] {
  const warmUntil = performance.now() + 200;
  let calls = 0;
  while (performance.now() < warmUntil || calls < 3) {
    run();
    calls++;
  }
  const perRepetition = (minSeconds / repetitions) * 1000;
  const samples: KernelMeasurement["samples"] = { cpu: [], wall: [] };
  for (let r = 0; r < repetitions; r++) {
    const begin = performance.now();
    const cpuBegin = process.cpuUsage();
    let count = 0;
    let elapsed = 0;
    do {
      run();
      count++;
      elapsed = performance.now() - begin;
    } while (elapsed < perRepetition);
    const cpu = process.cpuUsage(cpuBegin);
    samples.wall.push(elapsed / 1000 / count);
    samples.cpu.push((cpu.user + cpu.system) / 1e6 / count);
  }
  return samples;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The results as a fixed-width table for a terminal. */
export function formatKernelTable(results: KernelBenchResults): string {
  const header = [
    "dtype",
    "operation",
    "implementation",
    "G elem/s/core",
    "GB/s in",
    "× memcpy",
    "× js",
    "G elem/s wall",
  ];
  const rows = results.measurements.map((m) => {
    const js = results.measurements.find(
      (o) => o.dtype === m.dtype && o.operation === m.operation && o.implementation === "js",
    );
    return [
      m.dtype,
      m.operation,
      m.implementation,
      (m.elementsPerSecond / 1e9).toFixed(2),
      (m.inputBytesPerSecond / 1e9).toFixed(2),
      m.vsMemcpy.toFixed(2),
      js && m.operation !== "memcpy" ? (m.elementsPerSecond / js.elementsPerSecond).toFixed(1) : "",
      (m.wallElementsPerSecond / 1e9).toFixed(2),
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join("  ");
  return [
    `Kernels, one thread: ${results.options.elements} elements per operand, median of ` +
      `${results.options.repetitions} repetitions, rates per core from CPU time; ${results.cpu} ` +
      `(${results.cores} cores), Node ${results.node}`,
    line(header),
    ...rows.map(line),
  ].join("\n");
}
