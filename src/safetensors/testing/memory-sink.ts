import type { ByteSink, SinkWriteOptions } from "../types.js";

export interface MemorySink extends ByteSink {
  /** Everything written so far, as one buffer. */
  bytes(): Uint8Array;
  readonly committed: boolean;
}

/** A sink that keeps the bytes in memory: for small files (an index, a test) and uploads of small artifacts. */
export function createMemorySink(): MemorySink {
  const chunks: Uint8Array[] = [];
  let committed = false;
  return {
    async write(chunk: Uint8Array, options?: SinkWriteOptions): Promise<void> {
      // Copied even when handed over: the caller's buffers are slots that it reuses once released.
      chunks.push(chunk.slice());
      options?.release?.();
    },
    async commit(): Promise<void> {
      committed = true;
    },
    async abort(): Promise<void> {
      chunks.length = 0;
    },
    bytes(): Uint8Array {
      const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
      let offset = 0;
      for (const chunk of chunks) {
        out.set(chunk, offset);
        offset += chunk.length;
      }
      return out;
    },
    get committed() {
      return committed;
    },
  };
}
