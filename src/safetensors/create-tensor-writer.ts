import { createHash, type Hash } from "node:crypto";
import { InternalError } from "../errors.js";
import { formatShape } from "../tensor/shape.js";
import { corrupt } from "./errors.js";
import type { FileLayout } from "./layout-file.js";
import type { ByteSink, SinkWriteOptions, TensorInfo, WrittenFile } from "./types.js";

/** Tensor data as a writer accepts it: one buffer, or chunks from a stream. */
export type TensorData = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export interface CreateTensorWriterOptions {
  layout: FileLayout;
  sink: ByteSink;
  /** The file's relative name, reported in the result and in messages. */
  file: string;
}

/** Writes one safetensors file whose header is known up front; tensor bytes arrive in header order. */
export interface TensorWriter {
  readonly file: string;
  readonly layout: FileLayout;
  /** The tensor whose bytes are expected next (zero-length tensors are skipped), or undefined when all are complete. */
  expected(): TensorInfo | undefined;
  /**
   * Appends a chunk to `name`, which must be the tensor being written or the next one in header order. With
   * `release` the chunk is handed over to the sink (see SinkWriteOptions); `release` is called once in any case.
   */
  write(name: string, chunk: Uint8Array, options?: SinkWriteOptions): Promise<void>;
  /** Writes a whole tensor, from one buffer or a stream of chunks, and checks that it got exactly its byte length. */
  writeTensor(name: string, data: TensorData): Promise<void>;
  /** Checks that every tensor is complete, commits the sink, and returns the size and sha256 of the file. */
  finish(): Promise<WrittenFile>;
  /** Discards the file. */
  abort(): Promise<void>;
}

/** Starts a file: writes the header at once, then hashes every byte on its way to the sink (unless the sink hashes). */
export async function createTensorWriter(options: CreateTensorWriterOptions): Promise<TensorWriter> {
  const writer = new Writer(options.layout, options.sink, options.file);
  await writer.start();
  return writer;
}

class Writer implements TensorWriter {
  /** Absent when the sink hashes what it writes. */
  private readonly hash: Hash | undefined;
  private index = 0;
  private written = 0;
  private size = 0;
  private state: "open" | "finished" | "failed" = "open";

  constructor(
    readonly layout: FileLayout,
    private readonly sink: ByteSink,
    readonly file: string,
  ) {
    this.hash = sink.sha256 === undefined ? createHash("sha256") : undefined;
  }

  async start(): Promise<void> {
    await this.emit(this.layout.header);
  }

  expected(): TensorInfo | undefined {
    let i = this.index;
    let written = this.written;
    while (i < this.layout.tensors.length) {
      const tensor = this.layout.tensors[i] as TensorInfo;
      if (written < tensor.end - tensor.begin) return tensor;
      i++;
      written = 0;
    }
    return undefined;
  }

  async write(name: string, chunk: Uint8Array, options?: SinkWriteOptions): Promise<void> {
    try {
      const tensor = await this.locate(name);
      const length = tensor.end - tensor.begin;
      if (this.written + chunk.length > length) {
        await this.fail(
          "SAFETENSORS_WRITE_LENGTH",
          `tensor ${JSON.stringify(name)} (${tensor.dtype} ${formatShape(tensor.shape)}) takes ${length} bytes but ` +
            `received ${this.written + chunk.length}.`,
        );
      }
    } catch (error) {
      // Refused before the sink saw it: the chunk is the caller's again.
      options?.release?.();
      throw error;
    }
    this.written += chunk.length;
    await this.emit(chunk, options);
  }

  async writeTensor(name: string, data: TensorData): Promise<void> {
    const tensor = await this.locate(name);
    if (this.written !== 0) {
      const done = this.written === tensor.end - tensor.begin ? "already written" : "already partly written";
      await this.fail(
        "SAFETENSORS_WRITE_ORDER",
        `tensor ${JSON.stringify(name)} was ${done} when a whole tensor was written to it.`,
      );
    }
    if (data instanceof Uint8Array) {
      await this.write(name, data);
    } else {
      for await (const chunk of data) await this.write(name, chunk);
    }
    const length = tensor.end - tensor.begin;
    if (this.written !== length) {
      await this.fail(
        "SAFETENSORS_WRITE_LENGTH",
        `tensor ${JSON.stringify(name)} (${tensor.dtype} ${formatShape(tensor.shape)}) takes ${length} bytes but ` +
          `received only ${this.written}.`,
      );
    }
  }

  async finish(): Promise<WrittenFile> {
    this.checkOpen();
    const missing = this.expected();
    if (missing) {
      const got = missing === this.layout.tensors[this.index] ? this.written : 0;
      await this.fail(
        "SAFETENSORS_WRITE_LENGTH",
        `the file was closed when tensor ${JSON.stringify(missing.name)} had received ${got} of its ` +
          `${missing.end - missing.begin} bytes.`,
      );
    }
    try {
      await this.sink.commit();
    } catch (error) {
      this.state = "failed";
      await this.sink.abort().catch(() => {});
      throw error;
    }
    this.state = "finished";
    return { file: this.file, size: this.size, sha256: this.hash ? this.hash.digest("hex") : this.sinkDigest() };
  }

  async abort(): Promise<void> {
    if (this.state === "finished") return;
    this.state = "failed";
    await this.sink.abort();
  }

  /** Finds `name` at the current position, stepping over tensors that are complete; anything else is out of order. */
  private async locate(name: string): Promise<TensorInfo> {
    this.checkOpen();
    while (this.index < this.layout.tensors.length) {
      const tensor = this.layout.tensors[this.index] as TensorInfo;
      if (tensor.name === name) return tensor;
      if (this.written < tensor.end - tensor.begin) {
        const at =
          this.written === 0
            ? "was expected next"
            : `has received ${this.written} of its ${tensor.end - tensor.begin} bytes`;
        return this.fail(
          "SAFETENSORS_WRITE_ORDER",
          `bytes for tensor ${JSON.stringify(name)} arrived while tensor ${JSON.stringify(tensor.name)} ${at}; ` +
            "tensors must be written in header order.",
        );
      }
      this.index++;
      this.written = 0;
    }
    const known = this.layout.tensors.some((tensor) => tensor.name === name);
    return this.fail(
      "SAFETENSORS_WRITE_ORDER",
      known
        ? `tensor ${JSON.stringify(name)} was already written; tensors must be written once, in header order.`
        : `there is no tensor ${JSON.stringify(name)} in this file's plan.`,
    );
  }

  private async emit(chunk: Uint8Array, options?: SinkWriteOptions): Promise<void> {
    this.hash?.update(chunk);
    this.size += chunk.length;
    try {
      await this.sink.write(chunk, options);
    } catch (error) {
      this.state = "failed";
      await this.sink.abort().catch(() => {});
      throw error;
    }
  }

  private sinkDigest(): string {
    const digest = this.sink.sha256?.();
    if (digest === undefined || !/^[0-9a-f]{64}$/.test(digest)) {
      throw new InternalError(
        `${this.file}: the sink reported ${JSON.stringify(digest)} as the file's sha256; this is a bug in tvhub, ` +
          "please report it.",
        { code: "SINK_DIGEST" },
      );
    }
    return digest;
  }

  private checkOpen(): void {
    if (this.state !== "open") {
      throw corrupt(
        "SAFETENSORS_WRITE_ORDER",
        this.file,
        `the writer was used after it was ${this.state === "finished" ? "finished" : "aborted after an error"}.`,
      );
    }
  }

  private async fail(code: "SAFETENSORS_WRITE_ORDER" | "SAFETENSORS_WRITE_LENGTH", message: string): Promise<never> {
    this.state = "failed";
    await this.sink.abort().catch(() => {});
    throw corrupt(code, this.file, message);
  }
}
