import { open, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { RankPolicy, SvdParameters } from "../arithmetic/low-rank/factor-task-vector.js";
import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import { InternalError } from "../errors.js";
import type { AdapterPlan, AdapterTensor } from "../plan/plan-adapter.js";
import { createModelWriter } from "../safetensors/create-model-writer.js";
import { planModelLayout } from "../safetensors/plan-model-layout.js";
import type { SafetensorsModel } from "../safetensors/types.js";
import { dtypeSize, isComputable, type ComputableDtype, type Dtype } from "../tensor/dtype.js";
import type { ProgressEvent } from "../util/progress.js";
import { createLoraPool } from "./lora-pool.js";
import type { LoraJobResult } from "./lora-job.js";

export interface ExecuteAdapterOptions {
  adapter: AdapterPlan;
  /** The opened weights of the task vector plan's inputs, in `plan.inputs` order. */
  models: readonly SafetensorsModel[];
  /** Where adapter_model.safetensors is written (and a spill file while the factors are computed). */
  dir: string;
  kernels: ArithmeticKernels;
  policy: RankPolicy;
  svd: SvdParameters;
  /** The factors' dtype. */
  dtype: ComputableDtype;
  /** Worker threads that factor tensors. @default os.availableParallelism() */
  threads?: number;
  workerUrl?: URL;
}

/** One row of the card's table: what became of a tensor of τ. */
export interface AdapterTensorReport {
  /** The base tensor's name. */
  name: string;
  module: string;
  shape: number[];
  kind: "lora" | "bias" | "full" | "unchanged";
  /** LoRA factors only. */
  rank?: number;
  relativeError?: number;
  retainedEnergy?: number;
  /** ‖τ‖_F of this tensor. */
  norm: number;
  /** Bytes stored for it in the adapter. */
  bytes: number;
  /** Bytes of the dense τ (at the fine-tune's dtype). */
  denseBytes: number;
}

export interface ExecuteAdapterResult {
  file: { path: string; size: number; sha256: string };
  tensors: AdapterTensorReport[];
  /** Per targeted module: its rank (the config's r, rank_pattern and alpha_pattern come from these). */
  ranks: Map<string, number>;
  /** Factored modules whose bias changed: stored whole as `base_layer.bias`. */
  biasModules: Set<string>;
  /** Whether a factored module is a transformers Conv1D (the config's fan_in_fan_out). */
  conv1d: boolean;
  threads: number;
  implementation: string;
  bytesRead: number;
}

interface Stored {
  name: string;
  dtype: Dtype;
  shape: number[];
  offset: number;
  length: number;
}

export const adapterPrefix = "base_model.model.";

/**
 * Factors every LoRA tensor of an adapter plan (whole tensors, spread over worker threads) and writes
 * adapter_model.safetensors: PEFT's key names, `{"format": "pt"}` metadata, one file (PEFT loads no shards). The
 * factors' shapes are known only once computed (`auto` ranks), so each output goes to a spill file as it arrives and
 * the safetensors file is written from it at the end: memory holds the tensors in flight, never the adapter.
 */
export async function* executeAdapter(
  options: ExecuteAdapterOptions,
): AsyncGenerator<ProgressEvent, ExecuteAdapterResult> {
  const { adapter, models, kernels } = options;
  const threads = Math.max(0, Math.floor(options.threads ?? availableParallelism()));
  const pool = await createLoraPool({
    kernels,
    threads,
    ...(options.workerUrl === undefined ? {} : { workerUrl: options.workerUrl }),
  });
  const spillPath = join(options.dir, ".adapter.spill");
  const spill = await open(spillPath, "w+");
  const stored: Stored[] = [];
  let spillEnd = 0;
  const append = async (name: string, dtype: Dtype, shape: number[], bytes: Uint8Array) => {
    const offset = spillEnd;
    spillEnd += bytes.byteLength;
    stored.push({ name, dtype, shape, offset, length: bytes.byteLength });
    await spill.write(bytes, 0, bytes.byteLength, offset);
  };
  const reports: AdapterTensorReport[] = [];
  const ranks = new Map<string, number>();
  const biasModules = new Set<string>();
  let bytesRead = 0;
  const read = async (input: number, name: string) => {
    const model = models[input];
    if (!model) throw new InternalError(`Plan input ${input} has no opened model.`, { code: "EXECUTE_MISSING_MODEL" });
    const bytes = await model.readTensor(name);
    bytesRead += bytes.byteLength;
    return { dtype: model.tensor(name).dtype, bytes };
  };
  const computable = (dtype: Dtype, name: string): ComputableDtype => {
    if (!isComputable(dtype))
      throw new InternalError(`A float operation reached the ${dtype} tensor ${name}.`, { code: "EXECUTE_NOT_FLOAT" });
    return dtype;
  };

  const loraTensors = adapter.tensors.filter((t): t is Extract<AdapterTensor, { kind: "lora" }> => t.kind === "lora");
  const others = adapter.tensors.filter((t) => t.kind !== "lora");
  const total = adapter.tensors.reduce((sum, t) => sum + t.tensor.bytes, 0);
  let done = 0;

  try {
    if (pool.fallback) yield { type: "log", level: "warn", message: `Factoring on one thread: ${pool.fallback}.` };
    else if (pool.threads > 0)
      yield {
        type: "log",
        level: "info",
        message: `Factoring tensors on ${pool.threads} worker thread${pool.threads === 1 ? "" : "s"}.`,
      };
    // Full tensors and biases first: small work, read and spilled in order.
    for (const t of others) {
      if (t.kind === "full") {
        const value = await read(t.finetuned.input, t.finetuned.name);
        await append(`${adapterPrefix}${t.tensor.name}`, value.dtype, t.tensor.shape, value.bytes);
        reports.push(reportOf(t, { kind: "full", norm: Number.NaN, bytes: value.bytes.byteLength }));
      } else if (t.kind === "bias") {
        const ft = await read(t.finetuned.input, t.finetuned.name);
        const base = await read(t.base.input, t.base.name);
        const tau = kernels.subtract({
          finetuned: kernels.decodeToF32({ dtype: computable(ft.dtype, t.tensor.name), bytes: ft.bytes }),
          base: kernels.decodeToF32({ dtype: computable(base.dtype, t.tensor.name), bytes: base.bytes }),
        });
        const norm = Math.sqrt(kernels.sumOfSquares({ values: tau }));
        if (norm > 0) {
          // The trained bias itself (PEFT's bias: "lora_only" layout): exact, and read back by PEFT and tvhub alike.
          biasModules.add(t.module);
          await append(`${adapterPrefix}${t.module}.base_layer.bias`, ft.dtype, t.tensor.shape, ft.bytes);
          reports.push(reportOf(t, { kind: "bias", norm, bytes: ft.bytes.byteLength }));
        } else reports.push(unchangedReport(t));
      }
      done += t.tensor.bytes;
      yield { type: "progress", phase: "compute", done, total, unit: "bytes" };
    }

    // Factorizations: as many in flight as there are threads (one when they run here), completed in any order.
    const inFlight = new Map<number, Promise<{ index: number; result: LoraJobResult }>>();
    const window = Math.max(1, pool.threads);
    let next = 0;
    const start = async (index: number) => {
      const t = loraTensors[index]!;
      const ft = await read(t.finetuned.input, t.finetuned.name);
      const base = await read(t.base.input, t.base.name);
      const result = await pool.factor({
        name: t.tensor.name,
        shape: [t.tensor.shape[0]!, t.tensor.shape[1]!],
        layout: t.layout,
        finetuned: { dtype: computable(ft.dtype, t.tensor.name), bytes: ft.bytes },
        base: { dtype: computable(base.dtype, t.tensor.name), bytes: base.bytes },
        policy: options.policy,
        svd: options.svd,
        dtype: options.dtype,
      });
      return { index, result };
    };
    const fill = () => {
      while (inFlight.size < window && next < loraTensors.length) {
        const index = next++;
        const promise = start(index);
        promise.catch(() => {});
        inFlight.set(index, promise);
      }
    };
    fill();
    while (inFlight.size > 0) {
      const { index, result } = await Promise.race(inFlight.values());
      inFlight.delete(index);
      fill();
      const t = loraTensors[index]!;
      const [rows, cols] = [t.tensor.shape[0]!, t.tensor.shape[1]!];
      if (result.norm === 0) {
        reports.push(unchangedReport(t));
      } else {
        const r = result.rank;
        // linear: A (r × in), B (out × r); conv1d [in, out] and embedding [V, d] factor τᵀ: A (r × rows), B (cols × r).
        const [aShape, bShape] =
          t.layout === "linear"
            ? [
                [r, cols],
                [rows, r],
              ]
            : [
                [r, rows],
                [cols, r],
              ];
        const [aKey, bKey] =
          t.layout === "embedding" ? ["lora_embedding_A", "lora_embedding_B"] : ["lora_A.weight", "lora_B.weight"];
        await append(`${adapterPrefix}${t.module}.${aKey}`, options.dtype, aShape, result.a);
        await append(`${adapterPrefix}${t.module}.${bKey}`, options.dtype, bShape, result.b);
        ranks.set(t.module, r);
        reports.push(
          reportOf(t, {
            kind: "lora",
            rank: r,
            relativeError: result.relativeError,
            retainedEnergy: result.retainedEnergy,
            norm: result.norm,
            bytes: result.a.byteLength + result.b.byteLength,
          }),
        );
      }
      done += t.tensor.bytes;
      yield { type: "progress", phase: "compute", done, total, unit: "bytes" };
    }

    // A bias of a module whose weight did not change still needs the module targeted (its base_layer holds the
    // bias): give it the smallest LoRA, rank 1 and zero.
    for (const module of biasModules) {
      if (ranks.has(module)) continue;
      const weight = loraTensors.find((t) => t.module === module);
      if (!weight) continue;
      const [rows, cols] = [weight.tensor.shape[0]!, weight.tensor.shape[1]!];
      await append(
        `${adapterPrefix}${module}.lora_A.weight`,
        options.dtype,
        [1, cols],
        new Uint8Array(cols * dtypeSize(options.dtype)),
      );
      await append(
        `${adapterPrefix}${module}.lora_B.weight`,
        options.dtype,
        [rows, 1],
        new Uint8Array(rows * dtypeSize(options.dtype)),
      );
      ranks.set(module, 1);
    }

    const layout = planModelLayout({
      tensors: stored.map(({ name, dtype, shape }) => ({ name, dtype, shape })),
      prefix: "adapter_model",
      maxShardSize: Number.MAX_SAFE_INTEGER,
      metadata: { format: "pt" },
    });
    const byName = new Map(stored.map((s) => [s.name, s]));
    const writer = createModelWriter({ layout, dir: options.dir });
    try {
      for (const tensor of layout.writeOrder) {
        const s = byName.get(tensor.name)!;
        for (let at = 0; at < s.length; at += 1 << 24) {
          const chunk = new Uint8Array(Math.min(1 << 24, s.length - at));
          await spill.read(chunk, 0, chunk.byteLength, s.offset + at);
          await writer.write(tensor.name, chunk);
        }
      }
      const written = await writer.finish();
      const file = written.files[0];
      if (!file) throw new InternalError("The adapter writer wrote no file.", { code: "ADAPTER_NO_FILE" });
      const order = new Map(adapter.tensors.map((t, i) => [t.tensor.name, i]));
      reports.sort((x, y) => (order.get(x.name) ?? 0) - (order.get(y.name) ?? 0));
      return {
        file: { path: file.file, size: file.size, sha256: file.sha256 },
        tensors: reports,
        ranks,
        biasModules,
        conv1d: loraTensors.some((t) => t.layout === "conv1d" && ranks.has(t.module)),
        threads: pool.threads,
        implementation: pool.implementation,
        bytesRead,
      };
    } catch (error) {
      await writer.abort();
      throw error;
    }
  } finally {
    await pool.close();
    await spill.close();
    await rm(spillPath, { force: true });
  }
}

/** A row of the card's table for tensor t: what the adapter stores for it, beside the bytes of its dense τ. */
function reportOf(
  t: AdapterTensor,
  stored: Omit<AdapterTensorReport, "name" | "module" | "shape" | "denseBytes">,
): AdapterTensorReport {
  return { name: t.tensor.name, module: t.module, shape: t.tensor.shape, ...stored, denseBytes: t.tensor.bytes };
}

/** The row of a tensor the fine-tune left as the base had it (‖τ‖ = 0): the adapter stores nothing for it. */
function unchangedReport(t: AdapterTensor): AdapterTensorReport {
  return reportOf(t, { kind: "unchanged", norm: 0, bytes: 0 });
}
