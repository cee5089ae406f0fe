// publish-vector end to end on generated bf16 Llama-layout models, against an I/O baseline and a PyTorch script
// doing the same job (bench/torch-task-vector.py), all measured in the same run.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, statfsSync } from "node:fs";
import { mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import llamaConfig from "../test/fixtures/models/meta-llama--Llama-3.1-8B/config.json" with { type: "json" };
import { InternalError, UsageError } from "../src/errors.js";
import { createModelWriter } from "../src/safetensors/create-model-writer.js";
import { createFileSink } from "../src/safetensors/file-sink.js";
import { openLocalModel } from "../src/safetensors/open-local-model.js";
import { planModelLayout } from "../src/safetensors/plan-model-layout.js";
import type { PlannedTensor } from "../src/safetensors/layout-file.js";
import { dtypeSize } from "../src/tensor/dtype.js";
import { formatShape } from "../src/tensor/shape.js";

export type OutputTarget = "disk" | "memory";

export interface PublishVectorBenchOptions {
  /** Approximate bytes of each model (base and fine-tune alike). @default [2e9, 4e9] */
  sizes?: readonly number[];
  /** Where the models are generated (and, for the `disk` target, written). @default os.tmpdir() */
  dir?: string;
  /**
   * Where the outputs go: `disk` next to the inputs (durable: fsync before the rename, as publish-vector does), and
   * `memory` on /dev/shm, which takes the disk's write speed out of both figures so the compute side shows.
   * @default ["disk", "memory"] (memory only where /dev/shm exists)
   */
  targets?: readonly OutputTarget[];
  /** @default "dist/cli.js" */
  cli?: string;
  /** Shard size of the generated inputs. @default 1e9 */
  inputShardSize?: number;
  /**
   * Runs of each measurement, in turn baseline, publish-vector, PyTorch 1 thread, PyTorch all cores; the fastest of
   * each counts. @default 2
   */
  repetitions?: number;
  /**
   * The PyTorch reference: the Python that runs `script` (it runs where that Python imports torch), or false to
   * leave it out; `overlap` runs the script with --overlap (sha256 and writes on a second Python thread).
   * @default { python: "python3", script: "bench/torch-task-vector.py", overlap: false }
   */
  torch?: false | { python?: string; script?: string; overlap?: boolean };
}

/** One configuration of the PyTorch script on one model and target. */
export interface TorchMeasurement {
  /** torch.get_num_threads() in the run: 1, or PyTorch's default (every core). */
  threads: number;
  /** Fastest wall time, measured from Node: Python's start and `import torch` included. */
  seconds: number;
  runs: number[];
  /** VmHWM: with mmap'd inputs it counts every input page the script touched (page cache, not allocations). */
  peakRssBytes: number;
  /** The largest RssAnon seen (polled every 20 ms): the memory the script allocated. */
  peakAnonBytes: number;
  /** publishSeconds ÷ seconds: below 1, publish-vector is faster. */
  publishRatio: number;
  /**
   * The script's own clock in its fastest run: importing torch, computing τ (with Σ τ²), hashing and writing (on
   * another thread with overlap, so then beside compute), waiting for the last writes and fsync, all of it.
   */
  phases: { import: number; compute: number; hashAndWrite: number; fsync: number; total: number };
}

export interface PublishVectorRun {
  /** Bytes of each model's tensor data. */
  modelBytes: number;
  parameters: number;
  layers: number;
  target: OutputTarget;
  /** Reading both inputs' tensor bytes, writing as many bytes as τ has to one file with sha256, fsync on disk. */
  baselineSeconds: number;
  publishSeconds: number;
  publishPeakRssBytes: number;
  /** The largest RssAnon seen (polled every 20 ms). */
  publishPeakAnonBytes: number;
  /** publishSeconds ÷ baselineSeconds. */
  ratio: number;
  /** τ bytes written per second of publish wall time. */
  publishBytesPerSecond: number;
  /** Every run's seconds, in order (the figures above are the fastest). */
  baselineRuns: number[];
  publishRuns: number[];
  /** The 1-minute load average before the runs: other processes on the machine slow both figures. */
  loadAverage: number;
  /** What the CLI reported about the τ files (size and sha256), as a check that it ran to the end. */
  files: ReportedFile[];
  /** The PyTorch script with one thread and with PyTorch's default, when it ran. */
  torch?: { oneThread: TorchMeasurement; allCores: TorchMeasurement };
}

export interface ReportedFile {
  path: string;
  size: number;
  sha256?: string;
}

/** publish-vector's τ against the PyTorch script's, once per model size (on the first target's first repetition). */
export interface TauCheck {
  modelBytes: number;
  /** The thread configurations whose output was compared. */
  compared: string[];
  tensors: number;
  /** Tensor bytes compared: bit-identical but for `nanBitPatterns` elements. */
  bytes: number;
  /**
   * Elements that are NaN in both with different bits (both tools' NaN, differently encoded); 0 on the bench's models.
   */
  nanBitPatterns: number;
  /** Whole files equal too (same names and sha256): the header layout matches as well as the data. */
  identicalFiles: boolean;
  publishNorm: number;
  torchNorm: number;
  /** |publishNorm − torchNorm| ÷ publishNorm: the two sum Σ τ² in different orders. */
  normRelativeDifference: number;
}

export interface PublishVectorBenchResults {
  startedAt: string;
  node: string;
  cpu: string;
  cores: number;
  availableParallelism: number;
  /** Whether the PyTorch reference ran (a Python that imports torch was found, and it was not turned off). */
  torch: boolean;
  /** torch.__version__ and its default thread count, when it ran. */
  torchVersion?: string;
  torchDefaultThreads?: number;
  /** Whether the script hashed and wrote on a second Python thread (--overlap). */
  torchOverlap?: boolean;
  /** Why the reference did not run. */
  torchSkipped?: string;
  runs: PublishVectorRun[];
  tauChecks: TauCheck[];
}

const gigabyte = 1e9;

/**
 * For each size: generates a bf16 base and fine-tune of the Llama-3.1 layout (the real config scaled down in
 * layers, hidden 2048), then per target measures the I/O baseline, `tvhub publish-vector` and, where torch is
 * installed, bench/torch-task-vector.py with one thread and with all cores (wall time and the process's peak RSS,
 * VmHWM, threads included). On the first target it checks that the PyTorch τ is bit-identical to publish-vector's
 * and throws if not. Removes everything before the next size.
 */
export async function runPublishVectorBench(
  options: PublishVectorBenchOptions = {},
): Promise<PublishVectorBenchResults> {
  const sizes = options.sizes ?? [2 * gigabyte, 4 * gigabyte];
  const parent = options.dir ?? tmpdir();
  const cli = resolve(options.cli ?? "dist/cli.js");
  const targets = options.targets ?? (existsSync("/dev/shm") ? (["disk", "memory"] as const) : (["disk"] as const));
  if (!existsSync(cli))
    throw new InternalError(`${cli} does not exist; run npm run build first.`, { code: "BENCH_NO_CLI" });
  const reference = findTorch(options.torch);
  if (reference.skipped) process.stderr.write(`${reference.skipped}\n`);
  const runs: PublishVectorRun[] = [];
  const tauChecks: TauCheck[] = [];
  for (const size of sizes) {
    const shape = llamaShape(size);
    const modelBytes = shape.tensors.reduce((sum, t) => sum + t.bytes, 0);
    // The check keeps publish-vector's τ while one PyTorch τ is written beside it, on the first target.
    const kept = (target: OutputTarget) => (reference.torch && target === targets[0] ? 2 : 1);
    // Base, fine-tune and the τ files on the same disk, plus slack for the filesystem.
    ensureFree(parent, (2 + (targets.includes("disk") ? kept("disk") : 0)) * modelBytes + 2 * gigabyte);
    const work = await mkdtemp(join(parent, "tvhub-bench-pv-"));
    try {
      const base = join(work, "base");
      const finetuned = join(work, "finetuned");
      const generated = performance.now();
      await generatePair({
        base,
        finetuned,
        tensors: shape.tensors,
        config: shape.config,
        maxShardSize: options.inputShardSize ?? gigabyte,
      });
      process.stderr.write(
        `generated 2 × ${(modelBytes / gigabyte).toFixed(2)} GB in ` +
          `${((performance.now() - generated) / 1000).toFixed(1)} s\n`,
      );
      for (const target of targets) {
        const outParent = target === "memory" ? "/dev/shm" : work;
        if (target === "memory") ensureFree(outParent, kept(target) * modelBytes + gigabyte);
        const outputs = await mkdtemp(join(outParent, "tvhub-bench-out-"));
        try {
          // Dirty pages of the generated inputs must not be flushed during the timed runs.
          settle();
          const loadAverage = loadavg()[0] ?? 0;
          const baselineRuns: number[] = [];
          const publishRuns: number[] = [];
          const torchRuns = { oneThread: [] as TorchRun[], allCores: [] as TorchRun[] };
          let peakRss = 0;
          let peakAnon = 0;
          let files: ReportedFile[] = [];
          for (let repetition = 0; repetition < (options.repetitions ?? 2); repetition++) {
            const check = reference.torch !== undefined && repetition === 0 && target === targets[0];
            const baselineStarted = performance.now();
            await ioBaseline({ base, finetuned, out: join(outputs, "baseline.bin"), durable: target === "disk" });
            baselineRuns.push((performance.now() - baselineStarted) / 1000);
            await rm(join(outputs, "baseline.bin"), { force: true });
            settle();
            const to = join(outputs, "tau");
            const published = await measureChild(process.execPath, [
              cli,
              "publish-vector",
              "--base",
              base,
              "--finetuned",
              finetuned,
              "--to",
              to,
              "--json",
              "--quiet",
            ]);
            if (published.code !== 0)
              throw new InternalError(`publish-vector failed (exit ${published.code}): ${published.stderr.trim()}`, {
                code: "BENCH_PUBLISH_FAILED",
              });
            publishRuns.push(published.seconds);
            peakRss = Math.max(peakRss, published.peakRssBytes);
            peakAnon = Math.max(peakAnon, published.peakAnonBytes);
            const report = JSON.parse(published.stdout) as { files?: ReportedFile[]; norm?: number | null };
            files = report.files ?? [];
            // Kept for the check against PyTorch's τ, removed after it.
            if (!check) await rm(to, { recursive: true, force: true });
            settle();
            const line = [
              `${(modelBytes / gigabyte).toFixed(2)} GB ${target}: baseline ${baselineRuns.at(-1)?.toFixed(2)} s, ` +
                `publish-vector ${published.seconds.toFixed(2)} s`,
            ];
            if (reference.torch) {
              const measured = await measureTorch({
                ...reference.torch,
                base,
                finetuned,
                outputs,
                ...(check ? { checkAgainst: { dir: to, files, norm: report.norm ?? null } } : {}),
              });
              torchRuns.oneThread.push(measured.oneThread);
              torchRuns.allCores.push(measured.allCores);
              line.push(
                `PyTorch 1 thread ${measured.oneThread.seconds.toFixed(2)} s, all cores ` +
                  `${measured.allCores.seconds.toFixed(2)} s`,
              );
              if (measured.check) {
                tauChecks.push({ modelBytes, ...measured.check });
                line.push(`τ checked (${measured.check.identicalFiles ? "identical files" : "identical tensors"})`);
              }
            }
            if (check) await rm(to, { recursive: true, force: true });
            process.stderr.write(`${line.join(", ")} (load ${loadavg()[0]?.toFixed(1)})\n`);
          }
          const written = files
            .filter((file) => file.path.endsWith(".safetensors"))
            .reduce((sum, file) => sum + file.size, 0);
          const baselineSeconds = Math.min(...baselineRuns);
          const publishSeconds = Math.min(...publishRuns);
          runs.push({
            modelBytes,
            parameters: modelBytes / 2,
            layers: shape.layers,
            target,
            baselineSeconds,
            publishSeconds,
            publishPeakRssBytes: peakRss,
            publishPeakAnonBytes: peakAnon,
            ratio: publishSeconds / baselineSeconds,
            publishBytesPerSecond: written / publishSeconds,
            baselineRuns,
            publishRuns,
            loadAverage,
            files,
            ...(reference.torch
              ? {
                  torch: {
                    oneThread: summarizeTorch(torchRuns.oneThread, publishSeconds),
                    allCores: summarizeTorch(torchRuns.allCores, publishSeconds),
                  },
                }
              : {}),
          });
        } finally {
          await rm(outputs, { recursive: true, force: true });
        }
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  return {
    startedAt: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    availableParallelism: availableParallelism(),
    torch: reference.torch !== undefined,
    ...(reference.torch === undefined
      ? {}
      : {
          torchVersion: reference.version,
          torchDefaultThreads: reference.defaultThreads,
          torchOverlap: reference.torch.overlap,
        }),
    ...(reference.skipped === undefined ? {} : { torchSkipped: reference.skipped }),
    runs,
    tauChecks,
  };
}

/** The results as fixed-width tables for a terminal: publish-vector against the baseline, then against PyTorch. */
export function formatPublishVectorTable(results: PublishVectorBenchResults): string {
  const model = (run: PublishVectorRun) => `${(run.modelBytes / gigabyte).toFixed(2)} GB bf16 (${run.layers} layers)`;
  const output = (run: PublishVectorRun) => (run.target === "disk" ? "disk (fsync)" : "/dev/shm");
  const megabytes = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  const main = columns(
    ["model", "output", "baseline s", "publish s", "ratio", "τ GB/s", "peak RSS MB", "load"],
    results.runs.map((run) => [
      model(run),
      output(run),
      run.baselineSeconds.toFixed(2),
      run.publishSeconds.toFixed(2),
      `${run.ratio.toFixed(2)}×`,
      (run.publishBytesPerSecond / gigabyte).toFixed(2),
      megabytes(run.publishPeakRssBytes),
      run.loadAverage.toFixed(1),
    ]),
    2,
  );
  const rss = (target: OutputTarget) => {
    const mine = results.runs.filter((run) => run.target === target).sort((a, b) => a.modelBytes - b.modelBytes);
    const first = mine[0];
    const last = mine[mine.length - 1];
    return first && last && first !== last
      ? `${target}: peak RSS ×${(last.publishPeakRssBytes / first.publishPeakRssBytes).toFixed(2)} from the ` +
          "smallest model to the largest"
      : undefined;
  };
  const lines = [
    "publish-vector, local folders: wall time against reading both inputs and writing τ's bytes with sha256 (same " +
      `run, fastest of each); ${results.cpu} (${results.cores} cores), Node ${results.node}; load = 1-minute ` +
      "load average before the runs",
    ...main,
    ...[rss("disk"), rss("memory")].filter((text): text is string => text !== undefined),
    "",
  ];
  if (!results.torch) {
    lines.push(`No PyTorch reference was run: ${results.torchSkipped ?? "no Python with torch was found"}.`);
    return lines.join("\n");
  }
  const torchRows = results.runs.flatMap((run) => {
    if (!run.torch) return [];
    const { oneThread, allCores } = run.torch;
    const row = (first: boolean, label: string, m: TorchMeasurement) => [
      first ? model(run) : "",
      first ? output(run) : "",
      label,
      m.seconds.toFixed(2),
      run.publishSeconds.toFixed(2),
      `${m.publishRatio.toFixed(2)}×`,
      `${(m.seconds / run.publishSeconds).toFixed(2)}×`,
      megabytes(m.peakRssBytes),
      megabytes(m.peakAnonBytes),
      m.phases.import.toFixed(1),
    ];
    return [row(true, "1 thread", oneThread), row(false, `all cores (${allCores.threads})`, allCores)];
  });
  lines.push(
    `PyTorch ${results.torchVersion ?? ""} reference, ` +
      `bench/torch-task-vector.py${results.torchOverlap ? " --overlap" : ""}: both models mmap'd ` +
      "(torch.frombuffer), τ = (ft.float() − base.float()).to(bf16) a 1 Mi-element slice at a time in reused " +
      "buffers, sha256 as it writes " +
      `${
        results.torchOverlap
          ? "on a second Python thread, overlapping the next slice's " + "compute"
          : "after each " + "slice is computed"
      }, ` +
      "fsync and rename, ‖τ‖; wall time from Node, Python's start and import torch included; fastest of each; " +
      "speed-up = PyTorch s ÷ publish s",
    ...columns(
      [
        "model",
        "output",
        "PyTorch",
        "PyTorch s",
        "publish s",
        "publish ÷ PyTorch",
        "speed-up",
        "peak RSS MB",
        "anon MB",
        "import s",
      ],
      torchRows,
      3,
    ),
    "peak RSS (VmHWM) counts the mmap'd input pages PyTorch touched, which are page cache; anon MB is the most it " +
      "allocated at once (RssAnon, polled).",
  );
  for (const check of results.tauChecks) {
    lines.push(
      `τ check, ${(check.modelBytes / gigabyte).toFixed(2)} GB: PyTorch (${check.compared.join(", ")}) and ` +
        `publish-vector wrote bit-identical tensors (${check.tensors} tensors, ` +
        `${(check.bytes / gigabyte).toFixed(2)} GB` +
        `${check.nanBitPatterns > 0 ? `, but for ${check.nanBitPatterns} NaN elements encoded with other bits` : ""})` +
        `${
          check.identicalFiles
            ? " in byte-identical files (same " + "sha256)"
            : "; the files differ outside the tensor " + "data"
        }; ` +
        `‖τ‖ ${check.publishNorm.toPrecision(8)} and ${check.torchNorm.toPrecision(8)} (relative difference ` +
        `${check.normRelativeDifference.toExponential(1)}).`,
    );
  }
  return lines.join("\n");
}

/** Rows padded to the widest cell of each column: the first `left` columns left-aligned, the rest right-aligned. */
function columns(header: string[], rows: string[][], left: number): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column < left ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

// ---------------------------------------------------------------------------------------------------------------
// Options from the command line

/** The flags of `npm run bench -- publish-vector [flags]`, in node:util parseArgs' form. */
export const publishVectorFlags = {
  sizes: { type: "string" },
  targets: { type: "string" },
  repetitions: { type: "string" },
  dir: { type: "string" },
  python: { type: "string" },
  "torch-overlap": { type: "boolean" },
  "no-torch": { type: "boolean" },
} as const;

export interface PublishVectorFlagValues {
  sizes?: string;
  targets?: string;
  repetitions?: string;
  dir?: string;
  python?: string;
  "torch-overlap"?: boolean;
  "no-torch"?: boolean;
}

/**
 * `--sizes 0.5,2` (GB), `--targets disk,memory`, `--repetitions 1`, `--dir DIR`, `--python PATH`, `--torch-overlap`,
 * `--no-torch`; a UsageError names a bad value.
 */
export function publishVectorOptionsFrom(flags: PublishVectorFlagValues): PublishVectorBenchOptions {
  const options: PublishVectorBenchOptions = {};
  if (flags.sizes !== undefined) {
    const sizes = flags.sizes.split(",").map((text) => Number(text.trim()));
    if (sizes.length === 0 || sizes.some((size) => !Number.isFinite(size) || size < 0.05 || size > 1000)) {
      throw new UsageError(
        `--sizes ${flags.sizes} is not a comma-separated list of model sizes in GB between 0.05 and 1000, e.g. ` +
          "--sizes 0.5,2.",
        { code: "BENCH_BAD_SIZES" },
      );
    }
    options.sizes = sizes.map((size) => size * gigabyte);
  }
  if (flags.targets !== undefined) {
    const targets = flags.targets.split(",").map((text) => text.trim());
    if (
      targets.length === 0 ||
      targets.some((target) => target !== "disk" && target !== "memory") ||
      new Set(targets).size !== targets.length
    ) {
      throw new UsageError(`--targets ${flags.targets} must list disk, memory or both once, e.g. --targets memory.`, {
        code: "BENCH_BAD_TARGETS",
      });
    }
    options.targets = targets as OutputTarget[];
  }
  if (flags.repetitions !== undefined) {
    const repetitions = Number(flags.repetitions);
    if (!Number.isInteger(repetitions) || repetitions < 1) {
      throw new UsageError(`--repetitions ${flags.repetitions} must be a whole number of runs, 1 or more.`, {
        code: "BENCH_BAD_REPETITIONS",
      });
    }
    options.repetitions = repetitions;
  }
  if (flags.dir !== undefined) options.dir = flags.dir;
  if (flags["no-torch"] && (flags.python !== undefined || flags["torch-overlap"])) {
    throw new UsageError(
      `--no-torch and ${flags.python !== undefined ? "--python" : "--torch-overlap"} contradict each other; give ` +
        "one of them.",
      { code: "BENCH_BAD_TORCH" },
    );
  }
  if (flags["no-torch"]) options.torch = false;
  else if (flags.python !== undefined || flags["torch-overlap"]) {
    options.torch = {
      ...(flags.python === undefined ? {} : { python: flags.python }),
      ...(flags["torch-overlap"] ? { overlap: true } : {}),
    };
  }
  return options;
}

// ---------------------------------------------------------------------------------------------------------------
// The PyTorch reference

interface TorchReference {
  /** Present when the reference runs. */
  torch?: { python: string; script: string; overlap: boolean };
  version?: string;
  defaultThreads?: number;
  skipped?: string;
}

function findTorch(option: PublishVectorBenchOptions["torch"]): TorchReference {
  if (option === false) return { skipped: "it was turned off (--no-torch)" };
  const python = option?.python ?? "python3";
  const script = resolve(option?.script ?? "bench/torch-task-vector.py");
  if (!existsSync(script))
    throw new InternalError(`${script} does not exist; run the bench from the repository's root.`, {
      code: "BENCH_NO_TORCH_SCRIPT",
    });
  const probe = spawnSync(python, ["-c", "import torch; print(torch.__version__, torch.get_num_threads())"], {
    encoding: "utf8",
  });
  const [version, threads] = probe.status === 0 ? probe.stdout.trim().split(" ") : [];
  if (version === undefined || threads === undefined)
    return { skipped: `${python} -c "import torch" failed, so there is no PyTorch here to compare with` };
  return { torch: { python, script, overlap: option?.overlap ?? false }, version, defaultThreads: Number(threads) };
}

/** What bench/torch-task-vector.py prints. */
interface TorchReport {
  torch: string;
  threads: number;
  files: ReportedFile[];
  norm: number | null;
  tensors: number;
  parameters: number;
  seconds: TorchMeasurement["phases"];
}

interface TorchRun {
  seconds: number;
  peakRssBytes: number;
  peakAnonBytes: number;
  report: TorchReport;
}

/**
 * One run of the script with one thread and one with PyTorch's default, each into its own folder under `outputs`,
 * removed after; with `checkAgainst` (publish-vector's τ), each output is first compared with it.
 */
async function measureTorch(options: {
  python: string;
  script: string;
  overlap: boolean;
  base: string;
  finetuned: string;
  outputs: string;
  checkAgainst?: CompareTaskVectorsOptions["publish"];
}): Promise<{ oneThread: TorchRun; allCores: TorchRun; check?: Omit<TauCheck, "modelBytes"> }> {
  const runs: TorchRun[] = [];
  const comparisons: TauComparison[] = [];
  for (const [label, threads] of [
    ["1 thread", 1],
    ["all cores", 0],
  ] as const) {
    const to = join(options.outputs, `torch-${threads}`);
    const run = await runTorchScript({
      python: options.python,
      script: options.script,
      overlap: options.overlap,
      base: options.base,
      finetuned: options.finetuned,
      to,
      threads,
    });
    runs.push(run);
    if (options.checkAgainst) {
      comparisons.push(
        await compareTaskVectors({
          publish: options.checkAgainst,
          torch: { dir: to, files: run.report.files, norm: run.report.norm },
          label: `PyTorch ${label}`,
        }),
      );
    }
    await rm(to, { recursive: true, force: true });
    settle();
  }
  const [oneThread, allCores] = runs as [TorchRun, TorchRun];
  const [first] = comparisons;
  if (first === undefined) return { oneThread, allCores };
  return {
    oneThread,
    allCores,
    check: {
      compared: ["1 thread", "all cores"],
      ...first,
      nanBitPatterns: Math.max(...comparisons.map((c) => c.nanBitPatterns)),
      identicalFiles: comparisons.every((c) => c.identicalFiles),
      normRelativeDifference: Math.max(...comparisons.map((c) => c.normRelativeDifference)),
    },
  };
}

async function runTorchScript(options: {
  python: string;
  script: string;
  overlap: boolean;
  base: string;
  finetuned: string;
  to: string;
  threads: number;
}): Promise<TorchRun> {
  const args = [
    options.script,
    "--base",
    options.base,
    "--finetuned",
    options.finetuned,
    "--to",
    options.to,
    "--threads",
    String(options.threads),
    ...(options.overlap ? ["--overlap"] : []),
  ];
  const child = await measureChild(options.python, args);
  if (child.code !== 0)
    throw new InternalError(`${options.script} failed (exit ${child.code}): ${child.stderr.trim()}`, {
      code: "BENCH_TORCH_FAILED",
    });
  return {
    seconds: child.seconds,
    peakRssBytes: child.peakRssBytes,
    peakAnonBytes: child.peakAnonBytes,
    report: JSON.parse(child.stdout) as TorchReport,
  };
}

function summarizeTorch(runs: readonly TorchRun[], publishSeconds: number): TorchMeasurement {
  const fastest = runs.reduce((best, run) => (run.seconds < best.seconds ? run : best));
  return {
    threads: fastest.report.threads,
    seconds: fastest.seconds,
    runs: runs.map((run) => run.seconds),
    peakRssBytes: Math.max(...runs.map((run) => run.peakRssBytes)),
    peakAnonBytes: Math.max(...runs.map((run) => run.peakAnonBytes)),
    publishRatio: publishSeconds / fastest.seconds,
    phases: fastest.report.seconds,
  };
}

/** What compareTaskVectors found: everything a TauCheck says but which model and runs. */
export type TauComparison = Omit<TauCheck, "modelBytes" | "compared">;

export interface CompareTaskVectorsOptions {
  /** publish-vector's output folder, the files its --json listed, and its ‖τ‖ (null when τ holds NaN or ±Inf). */
  publish: { dir: string; files: readonly ReportedFile[]; norm: number | null };
  /** The PyTorch script's. */
  torch: { dir: string; files: readonly ReportedFile[]; norm: number | null };
  /** Names the PyTorch run in messages, e.g. "PyTorch 1 thread". */
  label: string;
}

/**
 * Checks that both tools wrote the same τ: every reported sha256 and size against the file's bytes (the upload
 * trusts them), the same tensor names, dtypes and shapes, and every tensor's bytes equal, read through
 * src/safetensors (so files that differ only in header layout still compare), NaN against NaN of other bits
 * excepted (counted). Throws an InternalError that names the first difference.
 */
export async function compareTaskVectors(options: CompareTaskVectorsOptions): Promise<TauComparison> {
  const { label } = options;
  const mismatch = (message: string) =>
    new InternalError(`${label} and publish-vector disagree: ${message}`, { code: "BENCH_TAU_MISMATCH" });
  const hashes = new Map<string, Map<string, string>>();
  for (const [tool, side] of [
    ["publish-vector", options.publish],
    [label, options.torch],
  ] as const) {
    const mine = new Map<string, string>();
    for (const file of side.files) {
      const { size, sha256 } = await hashFile(join(side.dir, file.path));
      if (size !== file.size || sha256 !== file.sha256) {
        throw new InternalError(
          `${tool} reported ${file.path} as ${file.size} bytes with sha256 ${file.sha256 ?? "(none)"}, but the file ` +
            `has ${size} bytes with sha256 ${sha256}.`,
          {
            code: "BENCH_BAD_SHA256",
          },
        );
      }
      mine.set(file.path, sha256);
    }
    hashes.set(tool, mine);
  }
  const [published, computed] = await Promise.all([
    openLocalModel({ path: options.publish.dir, prefixes: ["task_vector"] }),
    openLocalModel({ path: options.torch.dir, prefixes: ["task_vector"] }),
  ]);
  try {
    const ours = published.tensors();
    const theirs = new Map(computed.tensors().map((tensor) => [tensor.name, tensor]));
    const missing = ours.filter((tensor) => !theirs.has(tensor.name)).map((tensor) => tensor.name);
    const extra = [...theirs.keys()].filter((name) => !published.has(name));
    if (missing.length > 0 || extra.length > 0) {
      throw mismatch(
        "the tensors differ " +
          `(${[
            ...missing.map((name) => "only publish-vector has " + `${name}`),
            ...extra.map((name) => "only PyTorch " + `has ${name}`),
          ]
            .slice(0, 3)
            .join("; ")}).`,
      );
    }
    let bytes = 0;
    let nanBitPatterns = 0;
    for (const tensor of ours) {
      const other = theirs.get(tensor.name)!;
      if (other.dtype !== tensor.dtype || formatShape(other.shape) !== formatShape(tensor.shape)) {
        throw mismatch(
          `${tensor.name} is ${tensor.dtype} ${formatShape(tensor.shape)} in publish-vector's τ and ${other.dtype} ` +
            `${formatShape(other.shape)} in PyTorch's.`,
        );
      }
      const a = published.streamTensor(tensor.name, { chunkSize: compareChunk });
      const b = computed.streamTensor(tensor.name, { chunkSize: compareChunk });
      let offset = 0;
      for await (const chunk of a) {
        const next = await b.next();
        const their = next.done ? new Uint8Array(0) : next.value;
        if (
          !Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).equals(
            Buffer.from(their.buffer, their.byteOffset, their.byteLength),
          )
        ) {
          const difference = compareElements(tensor.dtype, chunk, their);
          if (difference.first !== undefined)
            throw mismatch(describeDifference(tensor.name, tensor.dtype, offset, difference.first, chunk, their));
          nanBitPatterns += difference.nans;
        }
        offset += chunk.byteLength;
      }
      await b.return(undefined);
      bytes += offset;
    }
    const publishHashes = hashes.get("publish-vector")!;
    const torchHashes = hashes.get(label)!;
    const identicalFiles =
      nanBitPatterns === 0 &&
      publishHashes.size === torchHashes.size &&
      [...publishHashes].every(([file, sha256]) => torchHashes.get(file) === sha256);
    // Both print null for the norm of a τ that holds NaN or ±Inf.
    const publishNorm = options.publish.norm ?? Number.NaN;
    const torchNorm = options.torch.norm ?? Number.NaN;
    const normRelativeDifference =
      !Number.isFinite(publishNorm) && !Number.isFinite(torchNorm)
        ? 0
        : Math.abs(publishNorm - torchNorm) / Math.abs(publishNorm);
    if (!(normRelativeDifference < 1e-6)) {
      throw mismatch(
        `‖τ‖ is ${publishNorm} by publish-vector and ${torchNorm} by PyTorch, more than float32 rounding apart, ` +
          "though the tensors are identical.",
      );
    }
    return {
      tensors: ours.length,
      bytes,
      nanBitPatterns,
      identicalFiles,
      publishNorm,
      torchNorm,
      normRelativeDifference,
    };
  } finally {
    await Promise.all([published.close(), computed.close()]);
  }
}

const compareChunk = 16 * 1024 * 1024;

/**
 * Where two equally long chunks of a tensor differ: the first element that differs other than as two NaNs, and how
 * many elements are NaN in both with different bits (tvhub writes the canonical quiet NaN, 0x7FC0 in BF16; PyTorch's
 * vectorized float → bf16 conversion writes 0xFFFF).
 */
export function compareElements(
  dtype: PlannedTensor["dtype"],
  ours: Uint8Array,
  theirs: Uint8Array,
): { first?: number; nans: number } {
  const size = dtypeSize(dtype);
  const a = new DataView(ours.buffer, ours.byteOffset, ours.byteLength);
  const b = new DataView(theirs.buffer, theirs.byteOffset, theirs.byteLength);
  const nan = nanTest(dtype);
  let nans = 0;
  for (let element = 0; element * size < Math.max(ours.length, theirs.length); element++) {
    const at = element * size;
    if (at + size > ours.length || at + size > theirs.length) return { first: element, nans };
    let same = true;
    for (let i = 0; i < size && same; i++) same = ours[at + i] === theirs[at + i];
    if (same) continue;
    if (nan?.(a, at) && nan(b, at)) nans++;
    else return { first: element, nans };
  }
  return { nans };
}

function nanTest(dtype: PlannedTensor["dtype"]): ((view: DataView, at: number) => boolean) | undefined {
  switch (dtype) {
    case "BF16":
      return (view, at) => (view.getUint16(at, true) & 0x7fff) > 0x7f80;
    case "F16":
      return (view, at) => (view.getUint16(at, true) & 0x7fff) > 0x7c00;
    case "F32":
      return (view, at) => Number.isNaN(view.getFloat32(at, true));
    case "F64":
      return (view, at) => Number.isNaN(view.getFloat64(at, true));
    default:
      return undefined;
  }
}

function describeDifference(
  name: string,
  dtype: PlannedTensor["dtype"],
  offset: number,
  element: number,
  ours: Uint8Array,
  theirs: Uint8Array,
): string {
  const size = dtypeSize(dtype);
  const hex = (bytes: Uint8Array) =>
    bytes.length < (element + 1) * size
      ? "(missing)"
      : `0x${[...bytes.subarray(element * size, (element + 1) * size)]
          .reverse()
          .map((byte) => byte.toString(16).padStart(2, "0"))
          .join("")}`;
  return (
    `${name} element ${offset / size + element} is ${hex(ours)} in publish-vector's τ and ${hex(theirs)} in ` +
    `PyTorch's (${dtype} bit patterns).`
  );
}

async function hashFile(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 8 * 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest("hex") };
}

// ---------------------------------------------------------------------------------------------------------------
// Models

interface LlamaShape {
  layers: number;
  config: Record<string, unknown>;
  tensors: Array<PlannedTensor & { bytes: number }>;
}

/**
 * Llama-3.1-8B's config with hidden 2048 (head_dim 128, GQA 4:1, MLP ratio 3.5) and as many layers as reach `bytes`.
 */
export function llamaShape(bytes: number, vocabSize: number = llamaConfig.vocab_size): LlamaShape {
  const H = 2048;
  const headDim = 128;
  const nh = H / headDim;
  const nkv = nh / (llamaConfig.num_attention_heads / llamaConfig.num_key_value_heads);
  const I = Math.round(((llamaConfig.intermediate_size / llamaConfig.hidden_size) * H) / 256) * 256;
  const V = vocabSize;
  const perLayer = 2 * (nh * headDim * H) + 2 * (nkv * headDim * H) + 3 * I * H + 2 * H;
  const fixed = 2 * V * H + H;
  const layers = Math.max(1, Math.round((bytes / 2 - fixed) / perLayer));
  const tensors: LlamaShape["tensors"] = [];
  const t = (name: string, shape: number[]) =>
    tensors.push({ name, dtype: "BF16", shape, bytes: 2 * shape.reduce((a, b) => a * b, 1) });
  t("model.embed_tokens.weight", [V, H]);
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}`;
    t(`${p}.self_attn.q_proj.weight`, [nh * headDim, H]);
    t(`${p}.self_attn.k_proj.weight`, [nkv * headDim, H]);
    t(`${p}.self_attn.v_proj.weight`, [nkv * headDim, H]);
    t(`${p}.self_attn.o_proj.weight`, [H, nh * headDim]);
    t(`${p}.mlp.gate_proj.weight`, [I, H]);
    t(`${p}.mlp.up_proj.weight`, [I, H]);
    t(`${p}.mlp.down_proj.weight`, [H, I]);
    t(`${p}.input_layernorm.weight`, [H]);
    t(`${p}.post_attention_layernorm.weight`, [H]);
  }
  t("model.norm.weight", [H]);
  t("lm_head.weight", [V, H]);
  const config = {
    ...llamaConfig,
    hidden_size: H,
    intermediate_size: I,
    num_attention_heads: nh,
    num_key_value_heads: nkv,
    num_hidden_layers: layers,
    vocab_size: V,
  };
  return { layers, config, tensors };
}

const poolElements = 16 * 1024 * 1024;
const blockElements = 8 * 1024 * 1024;

/**
 * Writes base and fine-tune through the project's model writer (real headers, shards and index). Values come from
 * a 16 Mi-element pool of bf16 weights ~N(0, 0.02) and fine-tuned = base + N(0, 0.002), each block taken at
 * another offset: the pair differs like a real fine-tune, and writing costs no arithmetic.
 */
export async function generatePair(options: {
  base: string;
  finetuned: string;
  tensors: PlannedTensor[];
  config: Record<string, unknown>;
  maxShardSize: number;
}): Promise<void> {
  const { basePool, finetunedPool } = pools();
  const layout = (prefix: string) =>
    planModelLayout({
      tensors: options.tensors,
      prefix,
      maxShardSize: options.maxShardSize,
      metadata: { format: "pt" },
    });
  // Not durable: the bench flushes with sync before timing, and an fsync per shard would double the wait.
  const writer = (dir: string) =>
    createModelWriter({
      layout: layout("model"),
      openSink: (file) => createFileSink({ path: join(dir, file), durable: false }),
    });
  const writers = [writer(options.base), writer(options.finetuned)] as const;
  let block = 0;
  for (const tensor of writers[0].layout.writeOrder) {
    const elements = (tensor.end - tensor.begin) / 2;
    for (let start = 0; start < elements; start += blockElements) {
      const count = Math.min(blockElements, elements - start);
      const offset = (Math.imul(block++, 0x9e3779b1) >>> 0) % (poolElements - blockElements);
      await Promise.all([
        writers[0].write(tensor.name, basePool.subarray(2 * offset, 2 * (offset + count))),
        writers[1].write(tensor.name, finetunedPool.subarray(2 * offset, 2 * (offset + count))),
      ]);
    }
  }
  await Promise.all(writers.map((writer) => writer.finish()));
  const config = `${JSON.stringify(options.config, null, 2)}\n`;
  await Promise.all([
    writeFile(join(options.base, "config.json"), config),
    writeFile(join(options.finetuned, "config.json"), config),
  ]);
}

function pools(): { basePool: Uint8Array; finetunedPool: Uint8Array } {
  const base = new Uint16Array(poolElements);
  const finetuned = new Uint16Array(poolElements);
  const f32 = new Float32Array(1);
  const bits = new Uint32Array(f32.buffer);
  let state = 0x2545f491;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const normal = () => (uniform() + uniform() + uniform() - 1.5) * 2;
  const bf16 = (value: number) => {
    f32[0] = value;
    const x = bits[0]!;
    return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
  };
  for (let i = 0; i < poolElements; i++) {
    const b = bf16(0.02 * normal());
    base[i] = b;
    f32[0] = 0;
    bits[0] = b << 16;
    finetuned[i] = bf16(f32[0] + 0.002 * normal());
  }
  return { basePool: new Uint8Array(base.buffer), finetunedPool: new Uint8Array(finetuned.buffer) };
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

function ensureFree(dir: string, bytes: number): void {
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  if (free < bytes) {
    throw new InternalError(
      `The bench needs ${(bytes / gigabyte).toFixed(1)} GB free in ${dir} but has ${(free / gigabyte).toFixed(1)} ` +
        "GB; pass another folder.",
      {
        code: "BENCH_NO_SPACE",
      },
    );
  }
}

/** Flushes dirty pages so that writeback of earlier files does not land inside the next timed run. */
function settle(): void {
  spawnSync("sync", { stdio: "ignore" });
}

interface ChildMeasurement {
  code: number | null;
  seconds: number;
  peakRssBytes: number;
  peakAnonBytes: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a process to its end; its peak RSS is VmHWM from /proc, read every 20 ms (the high-water mark only grows),
 * and its peak anonymous memory the largest RssAnon of those reads (there is no high-water mark for it).
 */
export async function measureChild(command: string, args: string[]): Promise<ChildMeasurement> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let peak = 0;
  let peakAnon = 0;
  const poll = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      const anon = /RssAnon:\s+(\d+) kB/.exec(status);
      if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
      if (anon) peakAnon = Math.max(peakAnon, Number(anon[1]) * 1024);
    } catch {
      // The process has exited between two polls.
    }
  };
  const timer = setInterval(poll, 20);
  const code = await new Promise<number | null>((done, fail) => {
    child.once("error", fail);
    child.once("close", done);
  });
  clearInterval(timer);
  return {
    code,
    seconds: (performance.now() - started) / 1000,
    peakRssBytes: peak,
    peakAnonBytes: peakAnon,
    stdout,
    stderr,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The I/O baseline

const baselineChunk = 16 * 1024 * 1024;

/**
 * The floor for any tool on the same files: every tensor byte of both models read once (the fine-tune's in step with
 * the base's, 16 MiB at a time into reused buffers, the next pair read while the current one is hashed and written)
 * and as many bytes as τ has written to one file with sha256 (the fine-tune's bytes stand in for τ), fsynced before
 * closing on disk. Single-threaded apart from the file system's own threads, as a careful script would be.
 */
export async function ioBaseline(options: {
  base: string;
  finetuned: string;
  out: string;
  durable: boolean;
}): Promise<void> {
  const { base, finetuned, out } = options;
  const shardsOf = async (dir: string) =>
    (await readdir(dir))
      .filter((name) => name.endsWith(".safetensors"))
      .sort()
      .map((name) => join(dir, name));
  const [baseFiles, finetunedFiles] = await Promise.all([shardsOf(base), shardsOf(finetuned)]);
  if (baseFiles.length !== finetunedFiles.length)
    throw new InternalError("The baseline's models have different shard counts.", { code: "BENCH_LAYOUT" });
  await mkdir(resolve(out, ".."), { recursive: true });
  const output = await open(out, "w");
  const hash = createHash("sha256");
  let pendingWrite: Promise<unknown> = Promise.resolve();
  const buffers = Array.from({ length: 3 }, () => [new Uint8Array(baselineChunk), new Uint8Array(baselineChunk)]);
  for (let i = 0; i < baseFiles.length; i++) {
    const [a, b] = await Promise.all([open(baseFiles[i]!, "r"), open(finetunedFiles[i]!, "r")]);
    const dataStart = async (file: typeof a) => {
      const prefix = Buffer.alloc(8);
      await file.read(prefix, 0, 8, 0);
      return 8 + Number(prefix.readBigUInt64LE(0));
    };
    const size = (await stat(baseFiles[i]!)).size;
    let position = await dataStart(a);
    let turn = 0;
    const readPair = (at: number) => {
      const length = Math.min(baselineChunk, size - at);
      // Three pairs of buffers in rotation: one being read, one hashed, one on its way to disk.
      const [x, y] = buffers[turn++ % buffers.length] as [Uint8Array, Uint8Array];
      return Promise.all([a.read(x, 0, length, at), b.read(y, 0, length, at)]).then(() => y.subarray(0, length));
    };
    let next = position < size ? readPair(position) : undefined;
    while (next) {
      const chunk = await next;
      position += chunk.length;
      next = position < size ? readPair(position) : undefined;
      hash.update(chunk);
      await pendingWrite;
      pendingWrite = output.write(chunk, 0, chunk.length);
    }
    await Promise.all([a.close(), b.close()]);
  }
  await pendingWrite;
  hash.digest("hex");
  if (options.durable) await output.datasync();
  await output.close();
}
