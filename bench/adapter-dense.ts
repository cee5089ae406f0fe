// Adapter → dense materialization: a LoRA module's s·(B·A) on tvhub's kernels beside PyTorch's matmul on the same
// shapes in the same run (bench/torch-lora-dense.py), and a whole Llama-shaped adapter folder → dense τ with
// `tvhub publish-vector` (compute workers) beside the PyTorch script doing the same job. Ratios are tvhub / PyTorch.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import llamaConfig from "../test/fixtures/models/meta-llama--Llama-3.1-8B/config.json" with { type: "json" };
import { loraOperands } from "../src/arithmetic/lora-delta.js";
import { javascriptKernels } from "../src/arithmetic/simd/arithmetic-kernels.js";
import { createWasmKernels } from "../src/arithmetic/simd/create-wasm-kernels.js";
import { llamaModules, writeLoraAdapter } from "../test/helpers/lora-adapter.js";
import { scaleConfig, tensorsFromConfig, writeSynthModel } from "../test/helpers/synth.js";
import { loadNativeKernels } from "../src/arithmetic/native/load-native-kernels.js";

export interface AdapterDenseRow {
  what: string;
  /** Elements of the dense output. */
  elements: number;
  /** Median seconds. */
  tvhub: number;
  tvhubImplementation: string;
  torch?: number;
  torchThreads?: number;
  /** tvhub / torch: below 1 is faster than PyTorch. */
  ratio?: number;
  /** The kernel rows: median CPU seconds of the same repetitions (the machine may be shared), and their ratio. */
  tvhubCpu?: number;
  torchCpu?: number;
  cpuRatio?: number;
}

export interface AdapterDenseResult {
  rows: AdapterDenseRow[];
  torch?: string;
  torchSkipped?: string;
  loadAverage: number[];
  cores: number;
}

export interface AdapterDenseOptions {
  /** @default .venv/peft/bin/python when it exists, else python3 */
  python?: string;
  /** @default 3 */
  repetitions?: number;
}

const kernelShapes: Array<{ out: number; in: number; rank: number; label: string }> = [
  { out: 4096, in: 4096, rank: 16, label: "4096×4096 q_proj, r=16" },
  { out: 4096, in: 4096, rank: 64, label: "4096×4096 q_proj, r=64" },
  { out: 14336, in: 4096, rank: 16, label: "14336×4096 up_proj, r=16" },
];

export async function runAdapterDenseBench(options: AdapterDenseOptions = {}): Promise<AdapterDenseResult> {
  const python =
    options.python ?? (existsSync(resolve(".venv/peft/bin/python")) ? resolve(".venv/peft/bin/python") : "python3");
  const repetitions = options.repetitions ?? 3;
  const script = resolve("bench/torch-lora-dense.py");
  const rows: AdapterDenseRow[] = [];
  let torchVersion: string | undefined;
  let torchSkipped: string | undefined;
  const torch = async (
    args: string[],
  ): Promise<{ seconds: number | number[]; cpu_seconds?: number[]; threads: number; version: string } | undefined> => {
    if (torchSkipped !== undefined) return undefined;
    const run = await child(python, [script, ...args]);
    if (run.code !== 0) {
      torchSkipped = `${python} ${script} failed: ${run.stderr.trim().split("\n").pop() ?? ""}`;
      return undefined;
    }
    const parsed = JSON.parse(run.stdout.trim().split("\n").pop() as string) as {
      seconds: number | number[];
      cpu_seconds?: number[];
      threads: number;
      version: string;
    };
    torchVersion = parsed.version;
    return parsed;
  };

  const wasm = createWasmKernels();
  const kernels = wasm ?? javascriptKernels;
  for (const shape of kernelShapes) {
    const a = random(shape.rank * shape.in, 1);
    const b = random(shape.out * shape.rank, 2);
    const ops = loraOperands({ a, b, rank: shape.rank, transpose: false, scale: 2 });
    const out = new Float32Array(shape.out * shape.in);
    const once = () =>
      kernels.loraDeltaRows({ ...ops, rank: shape.rank, scale: 2, rowStart: 0, rowEnd: shape.out, out });
    once();
    const seconds: number[] = [];
    const cpuSeconds: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      once();
      seconds.push((performance.now() - start) / 1000);
      const used = process.cpuUsage(cpu);
      cpuSeconds.push((used.user + used.system) / 1e6);
    }
    const measured = await torch([
      "kernel",
      "--out",
      String(shape.out),
      "--in",
      String(shape.in),
      "--rank",
      String(shape.rank),
      "--repetitions",
      String(repetitions),
      "--threads",
      "1",
    ]);
    const tvhub = median(seconds);
    const tvhubCpu = median(cpuSeconds);
    const torchSeconds = measured === undefined ? undefined : median(measured.seconds as number[]);
    const torchCpu = measured?.cpu_seconds === undefined ? undefined : median(measured.cpu_seconds);
    rows.push({
      what: `${shape.label}, F32, 1 thread`,
      elements: shape.out * shape.in,
      tvhub,
      tvhubImplementation: rowsImplementation(kernels),
      tvhubCpu,
      ...(torchSeconds === undefined
        ? {}
        : { torch: torchSeconds, torchThreads: measured?.threads as number, ratio: tvhub / torchSeconds }),
      ...(torchCpu === undefined ? {} : { torchCpu, cpuRatio: tvhubCpu / torchCpu }),
    });
  }

  // A Llama-3.1-shaped adapter (H=2048, GQA 4:1, 2 layers, r=16 on q k v o gate up down) → dense BF16 τ on disk.
  const dir = await mkdtemp(join(tmpdir(), "tvhub-bench-adapter-"));
  try {
    const config = scaleConfig(llamaConfig, { hiddenSize: 2048, headDim: 64, layers: 2, vocabSize: 4096 });
    const base = await writeSynthModel({
      dir: join(dir, "base"),
      tensors: tensorsFromConfig(config).map((t) => ({ ...t, fill: "zeros" as const })),
      config,
      seed: 1,
    });
    const modules = llamaModules(config, 16);
    await writeLoraAdapter({
      dir: join(dir, "adapter"),
      config: {
        r: 16,
        lora_alpha: 32,
        target_modules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
      },
      modules,
      seed: 3,
    });
    const elements = modules.reduce((sum, m) => sum + m.out * m.in, 0);
    const cli = resolve("dist/cli.js");
    const tvhubSeconds: number[] = [];
    const torchSeconds: number[] = [];
    let torchThreads = 0;
    for (let i = 0; i < repetitions; i++) {
      const to = join(dir, `tvhub-${i}`);
      const start = performance.now();
      const run = await child(
        process.execPath,
        [cli, "publish-vector", "--base", base.dir, "--finetuned", join(dir, "adapter"), "--to", to],
        { HF_HOME: join(dir, "hf-home") },
      );
      if (run.code !== 0) throw new Error(`tvhub publish-vector failed: ${run.stderr}`);
      tvhubSeconds.push((performance.now() - start) / 1000);
      await rm(to, { recursive: true, force: true });
      const measured = await torch([
        "folder",
        "--adapter",
        join(dir, "adapter"),
        "--to",
        join(dir, `torch-${i}`),
        "--threads",
        String(availableParallelism()),
      ]);
      if (measured) {
        torchSeconds.push(measured.seconds as number);
        torchThreads = measured.threads;
      }
      await rm(join(dir, `torch-${i}`), { recursive: true, force: true });
    }
    const tvhub = median(tvhubSeconds);
    const torchMedian = torchSeconds.length > 0 ? median(torchSeconds) : undefined;
    rows.push({
      what:
        "Llama-shaped adapter folder → dense BF16 τ on disk (H=2048, 2 layers, r=16; tvhub: the whole CLI run, " +
        "PyTorch: read to written, import excluded)",
      elements,
      tvhub,
      tvhubImplementation: `${rowsImplementation(kernels)}, ${availableParallelism()} compute workers`,
      ...(torchMedian === undefined ? {} : { torch: torchMedian, torchThreads, ratio: tvhub / torchMedian }),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    rows,
    ...(torchVersion ? { torch: torchVersion } : {}),
    ...(torchSkipped ? { torchSkipped } : {}),
    loadAverage: loadavg(),
    cores: availableParallelism(),
  };
}

export function formatAdapterDenseTable(result: AdapterDenseResult): string {
  const lines = [
    "Adapter → dense materialization, s·(B·A) (wall seconds, median; ratio = tvhub / PyTorch, below 1 is faster; " +
      "CPU seconds of the same runs for the kernel rows)",
    "",
  ];
  lines.push(
    "| what | elements | tvhub | PyTorch | ratio | CPU s tvhub / PyTorch | CPU ratio |",
    "|---|---:|---:|---:|---:|---:|---:|",
  );
  for (const row of result.rows) {
    const torch = row.torch === undefined ? "—" : `${row.torch.toFixed(3)} (${row.torchThreads} thr)`;
    const cpu =
      row.tvhubCpu === undefined
        ? "—"
        : `${row.tvhubCpu.toFixed(3)} / ${row.torchCpu === undefined ? "—" : row.torchCpu.toFixed(3)}`;
    lines.push(
      `| ${row.what} [${row.tvhubImplementation}] | ${(row.elements / 1e6).toFixed(1)} M | ${row.tvhub.toFixed(3)} ` +
        `| ${torch} | ${row.ratio === undefined ? "—" : row.ratio.toFixed(2)} | ${cpu} | ` +
        `${row.cpuRatio === undefined ? "—" : row.cpuRatio.toFixed(2)} |`,
    );
  }
  lines.push(
    "",
    result.torch ? `PyTorch ${result.torch}.` : `No PyTorch reference was run: ${result.torchSkipped ?? "unknown"}.`,
  );
  lines.push(
    `Load average at the end: ${result.loadAverage.map((l) => l.toFixed(2)).join(", ")} on ${result.cores} cores ` +
      "(the machine may be shared).",
  );
  return lines.join("\n");
}

function random(n: number, seed: number): Float32Array {
  let state = seed * 2654435761;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = ((state >>> 0) / 2 ** 32 - 0.5) * 0.1;
  }
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function child(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const process_ = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    process_.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    process_.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    process_.on("error", (error) => done({ code: 127, stdout, stderr: stderr + String(error) }));
    process_.on("close", (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

/** The wasm kernels run LoRA rows on the native kernels where they were built. */
function rowsImplementation(kernels: { implementation: string }): string {
  return kernels.implementation === "wasm" && loadNativeKernels() ? "native" : kernels.implementation;
}
