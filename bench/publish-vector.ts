// publish-vector end to end on generated bf16 Llama-layout models, against an I/O baseline measured in the same run.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statfsSync } from "node:fs";
import { mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import llamaConfig from "../test/fixtures/models/meta-llama--Llama-3.1-8B/config.json" with { type: "json" };
import { InternalError } from "../src/errors.js";
import { createModelWriter } from "../src/safetensors/create-model-writer.js";
import { createFileSink } from "../src/safetensors/file-sink.js";
import { planModelLayout } from "../src/safetensors/plan-model-layout.js";
import type { PlannedTensor } from "../src/safetensors/layout-file.js";

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
  targets?: ReadonlyArray<"disk" | "memory">;
  /** @default "dist/cli.js" */
  cli?: string;
  /** Shard size of the generated inputs. @default 1e9 */
  inputShardSize?: number;
  /** Runs of each measurement, alternating baseline and publish-vector; the fastest of each counts. @default 2 */
  repetitions?: number;
}

export interface PublishVectorRun {
  /** Bytes of each model's tensor data. */
  modelBytes: number;
  parameters: number;
  layers: number;
  target: "disk" | "memory";
  /** Reading both inputs' tensor bytes, writing as many bytes as τ has to one file with sha256, fsync on disk. */
  baselineSeconds: number;
  publishSeconds: number;
  publishPeakRssBytes: number;
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
  files: Array<{ path: string; size: number; sha256?: string }>;
}

export interface PublishVectorBenchResults {
  startedAt: string;
  node: string;
  cpu: string;
  cores: number;
  availableParallelism: number;
  /** Whether a Python with torch was found for a single-thread PyTorch reference (it was not run otherwise). */
  torch: boolean;
  runs: PublishVectorRun[];
}

const gigabyte = 1e9;

/**
 * For each size: generates a bf16 base and fine-tune of the Llama-3.1 layout (the real config scaled down in
 * layers, hidden 2048), then per target measures the I/O baseline and `tvhub publish-vector` (wall time and the
 * process's peak RSS, VmHWM, worker threads included), and removes everything before the next size.
 */
export async function runPublishVectorBench(options: PublishVectorBenchOptions = {}): Promise<PublishVectorBenchResults> {
  const sizes = options.sizes ?? [2 * gigabyte, 4 * gigabyte];
  const parent = options.dir ?? tmpdir();
  const cli = resolve(options.cli ?? "dist/cli.js");
  const targets = options.targets ?? (existsSync("/dev/shm") ? (["disk", "memory"] as const) : (["disk"] as const));
  if (!existsSync(cli)) throw new InternalError(`${cli} does not exist; run npm run build first.`, { code: "BENCH_NO_CLI" });
  const runs: PublishVectorRun[] = [];
  for (const size of sizes) {
    const shape = llamaShape(size);
    const modelBytes = shape.tensors.reduce((sum, t) => sum + t.bytes, 0);
    // Base, fine-tune and a τ on the same disk, plus slack for the filesystem.
    ensureFree(parent, 3 * modelBytes + 2 * gigabyte);
    const work = await mkdtemp(join(parent, "tvhub-bench-pv-"));
    try {
      const base = join(work, "base");
      const finetuned = join(work, "finetuned");
      const generated = performance.now();
      await generatePair({ base, finetuned, tensors: shape.tensors, config: shape.config, maxShardSize: options.inputShardSize ?? gigabyte });
      process.stderr.write(`generated 2 × ${(modelBytes / gigabyte).toFixed(2)} GB in ${((performance.now() - generated) / 1000).toFixed(1)} s\n`);
      for (const target of targets) {
        const outParent = target === "memory" ? "/dev/shm" : work;
        if (target === "memory") ensureFree(outParent, modelBytes + gigabyte);
        const outputs = await mkdtemp(join(outParent, "tvhub-bench-out-"));
        try {
          // Dirty pages of the generated inputs must not be flushed during the timed runs.
          settle();
          const loadAverage = loadavg()[0] ?? 0;
          const baselineRuns: number[] = [];
          const publishRuns: number[] = [];
          let peakRss = 0;
          let files: PublishVectorRun["files"] = [];
          for (let repetition = 0; repetition < (options.repetitions ?? 2); repetition++) {
            const baselineStarted = performance.now();
            await ioBaseline({ base, finetuned, out: join(outputs, "baseline.bin"), durable: target === "disk" });
            baselineRuns.push((performance.now() - baselineStarted) / 1000);
            await rm(join(outputs, "baseline.bin"), { force: true });
            settle();
            const to = join(outputs, "tau");
            const published = await measureChild(process.execPath, [cli, "publish-vector", "--base", base, "--finetuned", finetuned, "--to", to, "--json", "--quiet"]);
            if (published.code !== 0) throw new InternalError(`publish-vector failed (exit ${published.code}): ${published.stderr.trim()}`, { code: "BENCH_PUBLISH_FAILED" });
            publishRuns.push(published.seconds);
            peakRss = Math.max(peakRss, published.peakRssBytes);
            files = (JSON.parse(published.stdout) as { files?: PublishVectorRun["files"] }).files ?? [];
            await rm(to, { recursive: true, force: true });
            settle();
            process.stderr.write(`${(modelBytes / gigabyte).toFixed(2)} GB ${target}: baseline ${baselineRuns.at(-1)?.toFixed(2)} s, publish-vector ${published.seconds.toFixed(2)} s (load ${loadavg()[0]?.toFixed(1)})\n`);
          }
          const written = files.filter((file) => file.path.endsWith(".safetensors")).reduce((sum, file) => sum + file.size, 0);
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
            ratio: publishSeconds / baselineSeconds,
            publishBytesPerSecond: written / publishSeconds,
            baselineRuns,
            publishRuns,
            loadAverage,
            files,
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
    torch: spawnSync("python3", ["-c", "import torch"], { stdio: "ignore" }).status === 0,
    runs,
  };
}

/** The results as a fixed-width table for a terminal. */
export function formatPublishVectorTable(results: PublishVectorBenchResults): string {
  const header = ["model", "output", "baseline s", "publish s", "ratio", "τ GB/s", "peak RSS MB", "load"];
  const rows = results.runs.map((run) => [
    `${(run.modelBytes / gigabyte).toFixed(2)} GB bf16 (${run.layers} layers)`,
    run.target === "disk" ? "disk (fsync)" : "/dev/shm",
    run.baselineSeconds.toFixed(2),
    run.publishSeconds.toFixed(2),
    `${run.ratio.toFixed(2)}×`,
    (run.publishBytesPerSecond / gigabyte).toFixed(2),
    (run.publishPeakRssBytes / 2 ** 20).toFixed(0),
    run.loadAverage.toFixed(1),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  const rss = (target: "disk" | "memory") => {
    const mine = results.runs.filter((run) => run.target === target).sort((a, b) => a.modelBytes - b.modelBytes);
    const first = mine[0];
    const last = mine[mine.length - 1];
    return first && last && first !== last ? `${target}: peak RSS ×${(last.publishPeakRssBytes / first.publishPeakRssBytes).toFixed(2)} from the smallest model to the largest` : undefined;
  };
  return [
    `publish-vector, local folders: wall time against reading both inputs and writing τ's bytes with sha256 (same run, fastest of each); ${results.cpu} (${results.cores} cores), Node ${results.node}; load = 1-minute load average before the runs`,
    line(header),
    ...rows.map(line),
    ...[rss("disk"), rss("memory")].filter((text): text is string => text !== undefined),
    results.torch ? "" : "No Python torch here, so no single-thread PyTorch reference was run.",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------------------------
// Models

interface LlamaShape {
  layers: number;
  config: Record<string, unknown>;
  tensors: Array<PlannedTensor & { bytes: number }>;
}

/** Llama-3.1-8B's config with hidden 2048 (head_dim 128, GQA 4:1, MLP ratio 3.5) and as many layers as reach `bytes`. */
export function llamaShape(bytes: number): LlamaShape {
  const H = 2048;
  const headDim = 128;
  const nh = H / headDim;
  const nkv = nh / (llamaConfig.num_attention_heads / llamaConfig.num_key_value_heads);
  const I = Math.round((llamaConfig.intermediate_size / llamaConfig.hidden_size) * H / 256) * 256;
  const V = llamaConfig.vocab_size;
  const perLayer = 2 * (nh * headDim * H) + 2 * (nkv * headDim * H) + 3 * I * H + 2 * H;
  const fixed = 2 * V * H + H;
  const layers = Math.max(1, Math.round((bytes / 2 - fixed) / perLayer));
  const tensors: LlamaShape["tensors"] = [];
  const t = (name: string, shape: number[]) => tensors.push({ name, dtype: "BF16", shape, bytes: 2 * shape.reduce((a, b) => a * b, 1) });
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
  const config = { ...llamaConfig, hidden_size: H, intermediate_size: I, num_attention_heads: nh, num_key_value_heads: nkv, num_hidden_layers: layers };
  return { layers, config, tensors };
}

const poolElements = 16 * 1024 * 1024;
const blockElements = 8 * 1024 * 1024;

/**
 * Writes base and fine-tune through the project's model writer (real headers, shards and index). Values come from
 * a 16 Mi-element pool of bf16 weights ~N(0, 0.02) and fine-tuned = base + N(0, 0.002), each block taken at
 * another offset: the pair differs like a real fine-tune, and writing costs no arithmetic.
 */
export async function generatePair(options: { base: string; finetuned: string; tensors: PlannedTensor[]; config: Record<string, unknown>; maxShardSize: number }): Promise<void> {
  const { basePool, finetunedPool } = pools();
  const layout = (prefix: string) => planModelLayout({ tensors: options.tensors, prefix, maxShardSize: options.maxShardSize, metadata: { format: "pt" } });
  // Not durable: the bench flushes with sync before timing, and an fsync per shard would double the wait.
  const writer = (dir: string) => createModelWriter({ layout: layout("model"), openSink: (file) => createFileSink({ path: join(dir, file), durable: false }) });
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
  await Promise.all([writeFile(join(options.base, "config.json"), config), writeFile(join(options.finetuned, "config.json"), config)]);
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
    throw new InternalError(`The bench needs ${(bytes / gigabyte).toFixed(1)} GB free in ${dir} but has ${(free / gigabyte).toFixed(1)} GB; pass another folder.`, {
      code: "BENCH_NO_SPACE",
    });
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
  stdout: string;
  stderr: string;
}

/** Runs a process to its end; its peak RSS is VmHWM from /proc, read every 20 ms (the high-water mark only grows). */
async function measureChild(command: string, args: string[]): Promise<ChildMeasurement> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let peak = 0;
  const poll = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (match) peak = Math.max(peak, Number(match[1]) * 1024);
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
  return { code, seconds: (performance.now() - started) / 1000, peakRssBytes: peak, stdout, stderr };
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
export async function ioBaseline(options: { base: string; finetuned: string; out: string; durable: boolean }): Promise<void> {
  const { base, finetuned, out } = options;
  const shardsOf = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith(".safetensors")).sort().map((name) => join(dir, name));
  const [baseFiles, finetunedFiles] = await Promise.all([shardsOf(base), shardsOf(finetuned)]);
  if (baseFiles.length !== finetunedFiles.length) throw new InternalError("The baseline's models have different shard counts.", { code: "BENCH_LAYOUT" });
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
