import { dtypeSize } from "../tensor/dtype.js";
import { elementCount } from "../tensor/shape.js";
import { badRequest, corrupt } from "./errors.js";
import { findWeights, type WeightsLayout } from "./find-weights.js";
import { maxIndexBytes, parseIndex } from "./parse-index.js";
import { readHeader } from "./read-header.js";
import type {
  ByteSource,
  LocatedTensor,
  ModelFile,
  OpenFile,
  ReadTensorOptions,
  SafetensorsIndex,
  SafetensorsModel,
  StreamTensorOptions,
  TensorInfo,
} from "./types.js";

export interface OpenModelOptions {
  /** What messages call the model: a folder path or `org/repo@sha`. */
  name: string;
  /** Opens a file by its name relative to the model root. */
  open: OpenFile;
  /** The files at the model root; the layout is picked from them unless `weights` is given. */
  files?: readonly string[];
  /** Use this file (a `.safetensors` or a `.safetensors.index.json`) instead of looking for one. */
  weights?: string;
  /** Names to look for, in order. @default ["model", "task_vector"] */
  prefixes?: readonly string[];
  /** Shard headers read at once (each is one or two range requests on the Hub). @default 8 */
  concurrency?: number;
}

const defaultChunkSize = 8 * 1024 * 1024;

/**
 * Opens a model's weights: finds the single file or the index, validates the index against every shard's
 * header (each tensor in exactly the shard the index names), and returns a model that reads tensor bytes
 * lazily. Only headers are read here.
 */
export async function openModel(options: OpenModelOptions): Promise<SafetensorsModel> {
  const layout = chooseLayout(options);
  const sources = new Map<string, ByteSource>();
  const openOnce = async (file: string): Promise<ByteSource> => {
    const existing = sources.get(file);
    if (existing) return existing;
    const source = await options.open(file);
    sources.set(file, source);
    return source;
  };
  try {
    if (layout.layout === "single") {
      const source = await openOnce(layout.file);
      const header = await readHeader({ source });
      return new Model(options.name, "single", [{ file: layout.file, header }], sources, undefined, undefined);
    }
    const indexSource = await options.open(layout.indexFile);
    let index: SafetensorsIndex;
    try {
      const indexName = indexSource.name;
      if (indexSource.size > maxIndexBytes) {
        throw corrupt(
          "SAFETENSORS_INDEX_TOO_LARGE",
          indexName,
          `the index is ${indexSource.size} bytes, more than the ${maxIndexBytes} tvhub accepts; fix or regenerate ` +
            "the index.",
        );
      }
      index = parseIndex({ name: indexName, bytes: await indexSource.read(0, indexSource.size) });
    } finally {
      await indexSource.close?.();
    }
    const indexName = `${options.name}/${layout.indexFile}`;
    const shardNames = [...new Set(Object.values(index.weight_map))].sort();
    const root = layout.indexFile.includes("/") ? layout.indexFile.slice(0, layout.indexFile.lastIndexOf("/") + 1) : "";
    if (options.files) {
      const present = new Set(options.files);
      for (const shard of shardNames) {
        // Listings may be shallow (a local folder), so only root-level names can be known to be missing.
        if (!(root + shard).includes("/") && !present.has(root + shard)) {
          const count = Object.values(index.weight_map).filter((file) => file === shard).length;
          throw corrupt(
            "SAFETENSORS_INDEX_MISSING_SHARD",
            indexName,
            `the index maps ${count} tensor${count === 1 ? "" : "s"} to ${shard}, which is not in the model; ` +
              "download the missing shard or fix the index.",
          );
        }
      }
    }
    const files = await mapLimit(shardNames, options.concurrency ?? 8, async (file) => {
      const header = await readHeader({ source: await openOnce(root + file) });
      return { file: root + file, header, shard: file };
    });
    checkShards(indexName, index, files);
    return new Model(
      options.name,
      "sharded",
      files.map(({ file, header }) => ({ file, header })),
      sources,
      layout.indexFile,
      index,
    );
  } catch (error) {
    await Promise.allSettled([...sources.values()].map((source) => source.close?.()));
    throw error;
  }
}

function chooseLayout(options: OpenModelOptions): WeightsLayout {
  const weights = options.weights;
  if (weights === undefined)
    return findWeights({
      name: options.name,
      files: options.files ?? [],
      ...(options.prefixes ? { prefixes: options.prefixes } : {}),
    });
  const base = weights.slice(weights.lastIndexOf("/") + 1);
  if (weights.endsWith(".safetensors.index.json"))
    return { layout: "sharded", prefix: base.replace(/\.safetensors\.index\.json$/, ""), indexFile: weights };
  return { layout: "single", prefix: base.replace(/\.safetensors$/, ""), file: weights };
}

/** Every tensor the index names is in its shard, no tensor is in two shards, and no shard hides an unlisted tensor. */
function checkShards(indexName: string, index: SafetensorsIndex, files: Array<ModelFile & { shard: string }>): void {
  const where = new Map<string, string>();
  for (const { shard, header } of files) {
    for (const tensor of header.tensors) {
      const other = where.get(tensor.name);
      if (other !== undefined) {
        throw corrupt(
          "SAFETENSORS_INDEX_DUPLICATE_TENSOR",
          indexName,
          `tensor ${JSON.stringify(tensor.name)} is stored in both ${other} and ${shard}, so the model is ` +
            "ambiguous; remove it from one shard or re-save the model.",
        );
      }
      where.set(tensor.name, shard);
    }
  }
  for (const [tensor, shard] of Object.entries(index.weight_map)) {
    const actual = where.get(tensor);
    if (actual !== shard) {
      const found = actual === undefined ? "no shard has it" : `it is in ${actual}`;
      throw corrupt(
        "SAFETENSORS_INDEX_MISSING_TENSOR",
        indexName,
        `the index maps tensor ${JSON.stringify(tensor)} to ${shard} but ${shard} has no such tensor (${found}); ` +
          "fix or regenerate the index.",
      );
    }
  }
  for (const [tensor, shard] of where) {
    if (!Object.hasOwn(index.weight_map, tensor)) {
      throw corrupt(
        "SAFETENSORS_INDEX_UNLISTED_TENSOR",
        indexName,
        `shard ${shard} has tensor ${JSON.stringify(tensor)} that the index does not list; fix or regenerate the ` +
          "index.",
      );
    }
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

class Model implements SafetensorsModel {
  /**
   * The lookup by name, built on first use: listing a 1,000,000-tensor header (inspect) needs none, and the
   * headers' own TensorInfo objects are the only per-tensor state (shapes are shared, never handed out).
   */
  private lookup: Map<string, { tensor: TensorInfo; file: string; dataStart: number }> | undefined;

  constructor(
    readonly name: string,
    readonly layout: "single" | "sharded",
    readonly files: readonly ModelFile[],
    private readonly sources: Map<string, ByteSource>,
    readonly indexFile: string | undefined,
    readonly index: SafetensorsIndex | undefined,
  ) {}

  tensors(): LocatedTensor[] {
    const out: LocatedTensor[] = [];
    for (const { file, header } of this.files)
      for (const tensor of header.tensors) out.push({ ...tensor, shape: [...tensor.shape], file });
    return out;
  }

  private byName(): Map<string, { tensor: TensorInfo; file: string; dataStart: number }> {
    if (this.lookup) return this.lookup;
    const lookup = new Map<string, { tensor: TensorInfo; file: string; dataStart: number }>();
    for (const { file, header } of this.files)
      for (const tensor of header.tensors) lookup.set(tensor.name, { tensor, file, dataStart: header.dataStart });
    this.lookup = lookup;
    return lookup;
  }

  has(name: string): boolean {
    return this.byName().has(name);
  }

  tensor(name: string): LocatedTensor {
    const { dataStart: _, ...tensor } = this.entry(name);
    return { ...tensor, shape: [...tensor.shape] };
  }

  private entry(name: string): LocatedTensor & { dataStart: number } {
    const found = this.byName().get(name);
    const entry = found && { ...found.tensor, file: found.file, dataStart: found.dataStart };
    if (!entry) {
      throw corrupt(
        "SAFETENSORS_TENSOR_NOT_FOUND",
        this.name,
        `there is no tensor ${JSON.stringify(name)} in the model (it has ${this.byName().size}); check the name ` +
          `with \`tvhub inspect\`.`,
      );
    }
    return entry;
  }

  private source(file: string): ByteSource {
    const source = this.sources.get(file);
    if (!source)
      throw corrupt("SAFETENSORS_TENSOR_NOT_FOUND", this.name, `the file ${file} was closed; open the model again.`);
    return source;
  }

  async readTensor(name: string, options: ReadTensorOptions = {}): Promise<Uint8Array> {
    const entry = this.entry(name);
    const size = dtypeSize(entry.dtype);
    const total = elementCount(entry.shape) ?? 0;
    const offset = options.elementOffset ?? 0;
    const count = options.count ?? total - offset;
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(count) ||
      offset < 0 ||
      count < 0 ||
      offset + count > total
    ) {
      throw badRequest(
        "SAFETENSORS_BAD_RANGE",
        `${this.name}:${name}`,
        `elements [${offset}, ${offset + count}) are outside the tensor's ${total} elements.`,
      );
    }
    const start = entry.dataStart + entry.begin + offset * size;
    const end = start + count * size;
    return options.into === undefined
      ? this.source(entry.file).read(start, end)
      : this.source(entry.file).read(start, end, options.into);
  }

  async *streamTensor(name: string, options: StreamTensorOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    const entry = this.entry(name);
    const length = entry.end - entry.begin;
    const start = options.start ?? 0;
    const end = options.end ?? length;
    const elementSize = dtypeSize(entry.dtype);
    const requested = options.chunkSize ?? defaultChunkSize;
    if (
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(end) ||
      start < 0 ||
      end < start ||
      end > length ||
      !(requested > 0)
    ) {
      throw badRequest(
        "SAFETENSORS_BAD_RANGE",
        `${this.name}:${name}`,
        `bytes [${start}, ${end}) in chunks of ${requested} do not fit the tensor's ${length} bytes.`,
      );
    }
    const chunkSize = Math.max(elementSize, Math.floor(requested / elementSize) * elementSize);
    const source = this.source(entry.file);
    const base = entry.dataStart + entry.begin;
    const readAt = (from: number): Promise<Uint8Array> =>
      source.read(base + from, base + Math.min(end, from + chunkSize));
    let position = start;
    let pending: Promise<Uint8Array> | undefined = position < end ? readAt(position) : undefined;
    try {
      while (pending) {
        const chunk = await pending;
        position += chunk.length;
        // Read ahead so the next range request (or disk read) overlaps with the consumer's work.
        pending = position < end ? readAt(position) : undefined;
        yield chunk;
      }
    } finally {
      // A consumer that stops early leaves one read in flight; its failure must not become an unhandled rejection.
      pending?.catch(() => {});
    }
  }

  async close(): Promise<void> {
    const sources = [...this.sources.values()];
    this.sources.clear();
    await Promise.all(sources.map((source) => source.close?.()));
  }
}
