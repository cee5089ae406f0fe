import { createHash } from "node:crypto";
import { join } from "node:path";
import { corrupt } from "./errors.js";
import { createFileSink } from "./file-sink.js";
import { createTensorWriter, type TensorData, type TensorWriter } from "./create-tensor-writer.js";
import type { ModelLayout } from "./plan-model-layout.js";
import type { ByteSink, SinkWriteOptions, WrittenFile } from "./types.js";

export interface CreateModelWriterOptions {
  layout: ModelLayout;
  /** Write the files into this folder (each through `<file>.tmp`, renamed when complete). */
  dir?: string;
  /** Or open a sink per file yourself (an upload, a buffer); takes precedence over `dir`. */
  openSink?: (file: string) => Promise<ByteSink>;
  /**
   * Called once a file is complete and committed, in order, before the next file starts: an uploader can
   * start sending it, and a run with little disk can delete it afterwards.
   */
  onFile?: (file: WrittenFile) => void | Promise<void>;
  /**
   * Write only these files of the layout (one job of a matrix run), each byte for byte what a full run writes.
   * Tensors of other files are refused, and the index is left to the step that has every file.
   * @default every file, then the index
   */
  files?: readonly string[];
}

export interface WrittenModel {
  files: WrittenFile[];
  index?: WrittenFile;
}

/** Writes a planned model, shard after shard; tensor bytes arrive in `layout.writeOrder`. */
export interface ModelWriter {
  readonly layout: ModelLayout;
  /** Appends a chunk to `name`; with `release` the chunk is handed over to the file's sink (see SinkWriteOptions). */
  write(name: string, chunk: Uint8Array, options?: SinkWriteOptions): Promise<void>;
  writeTensor(name: string, data: TensorData): Promise<void>;
  /** Completes the last shard, writes the index (when sharded) and returns every file's size and sha256. */
  finish(): Promise<WrittenModel>;
  abort(): Promise<void>;
}

export function createModelWriter(options: CreateModelWriterOptions): ModelWriter {
  const { layout } = options;
  const openSink =
    options.openSink ??
    ((file: string) => {
      if (options.dir === undefined) {
        throw corrupt("SAFETENSORS_WRITE_BAD_PLAN", file, "the model writer needs a folder or a sink to write to.");
      }
      return createFileSink({ path: join(options.dir, file) });
    });
  const fileIndex = new Map(layout.files.map(({ file }, i) => [file, i]));
  for (const file of options.files ?? []) {
    if (!fileIndex.has(file))
      throw corrupt("SAFETENSORS_WRITE_BAD_PLAN", file, `the layout has no file ${JSON.stringify(file)} to write.`);
  }
  const selected = options.files === undefined ? undefined : new Set(options.files);
  const isSelected = (index: number) => selected === undefined || selected.has(layout.files[index]?.file ?? "");
  const fileOf = new Map(layout.writeOrder.map((tensor) => [tensor.name, tensor.file]));
  const written: WrittenFile[] = [];
  let current: TensorWriter | undefined;
  let currentIndex = -1;
  let state: "open" | "finished" | "failed" = "open";

  const closeCurrent = async (): Promise<void> => {
    if (!current) return;
    const result = await current.finish();
    current = undefined;
    written.push(result);
    await options.onFile?.(result);
  };
  const openFile = async (index: number): Promise<TensorWriter> => {
    const planned = layout.files[index];
    if (!planned) throw corrupt("SAFETENSORS_WRITE_ORDER", layout.prefix, `the plan has no file number ${index + 1}.`);
    currentIndex = index;
    current = await createTensorWriter({
      layout: planned.layout,
      sink: await openSink(planned.file),
      file: planned.file,
    });
    return current;
  };
  /** Moves to the file that holds `name`, completing the files before it; files are written in order, once. */
  const writerFor = async (name: string): Promise<TensorWriter> => {
    if (state !== "open") {
      throw corrupt(
        "SAFETENSORS_WRITE_ORDER",
        name,
        `the model writer was used after it was ${state === "finished" ? "finished" : "aborted after an error"}.`,
      );
    }
    const file = fileOf.get(name);
    const target = file === undefined ? undefined : fileIndex.get(file);
    if (target === undefined || target < currentIndex || !isSelected(target)) {
      const why =
        target === undefined
          ? "is not in the plan"
          : !isSelected(target)
            ? `belongs to ${file ?? ""}, which this writer does not write`
            : `belongs to ${file ?? ""}, which is already complete`;
      throw corrupt(
        "SAFETENSORS_WRITE_ORDER",
        layout.files[Math.max(0, currentIndex)]?.file ?? name,
        `tensor ${JSON.stringify(name)} ${why}.`,
      );
    }
    if (current && currentIndex === target) return current;
    // Files skipped over can only be complete if all their tensors are empty; their writers check that.
    await closeCurrent();
    for (let i = currentIndex + 1; i < target; i++) {
      if (!isSelected(i)) continue;
      await openFile(i);
      await closeCurrent();
    }
    return openFile(target);
  };
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (state === "open") {
        state = "failed";
        await current?.abort().catch(() => {});
      }
      throw error;
    }
  };

  return {
    layout,
    write: (name, chunk, options) =>
      guard(async () => {
        let writer: TensorWriter;
        try {
          writer = await writerFor(name);
        } catch (error) {
          options?.release?.();
          throw error;
        }
        return writer.write(name, chunk, options);
      }),
    writeTensor: (name, data) => guard(async () => (await writerFor(name)).writeTensor(name, data)),
    finish: () =>
      guard(async () => {
        if (state !== "open")
          throw corrupt("SAFETENSORS_WRITE_ORDER", layout.prefix, "the model writer was already finished or aborted.");
        // Files not yet started are complete only if all their tensors are empty; their writers check that.
        await closeCurrent();
        for (let i = currentIndex + 1; i < layout.files.length; i++) {
          if (!isSelected(i)) continue;
          await openFile(i);
          await closeCurrent();
        }
        let index: WrittenFile | undefined;
        if (layout.index && selected === undefined) {
          const bytes = new TextEncoder().encode(layout.index.text);
          const sink = await openSink(layout.index.file);
          await sink.write(bytes);
          await sink.commit();
          index = {
            file: layout.index.file,
            size: bytes.length,
            sha256: createHash("sha256").update(bytes).digest("hex"),
          };
          await options.onFile?.(index);
        }
        state = "finished";
        return index ? { files: written, index } : { files: written };
      }),
    abort: async () => {
      if (state !== "open") return;
      state = "failed";
      await current?.abort();
    },
  };
}
