import { createHash } from "node:crypto";
import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InternalError } from "../errors.js";
import { createModelWriter } from "./create-model-writer.js";
import { createFileSink } from "./file-sink.js";
import { planModelLayout } from "./plan-model-layout.js";
import { startSinkThread, type SinkThread } from "./start-sink-thread.js";
import type { ByteSink } from "./types.js";

let root: string;
/** A worker script that serves sink threads, bundled from the sources as the build bundles dist/compute-worker.js. */
let workerUrl: URL;
/** The same, but it throws (and so dies) on its second write request. */
let dyingUrl: URL;

const entry = (extra: string) => `
import { parentPort, workerData } from "node:worker_threads";
import { serveSinkThread } from "./serve-sink-thread.js";
import { sinkThreadProtocol } from "./sink-thread-messages.js";
${extra}
if (parentPort && workerData?.tvhubSinkThread === sinkThreadProtocol) {
  serveSinkThread({ port: parentPort, memory: workerData.memory });
}
`;

async function bundle(name: string, contents: string): Promise<URL> {
  const outfile = join(root, name);
  await build({
    stdin: { contents, resolveDir: import.meta.dirname, loader: "ts" },
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "warning",
  });
  return pathToFileURL(outfile);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tvhub-sink-thread-"));
  workerUrl = await bundle("sink-worker.mjs", entry(""));
  dyingUrl = await bundle(
    "dying-worker.mjs",
    entry(
      `let writes = 0;\nparentPort?.on("message", (m) => { if (m.type === "write" && ++writes === 2) throw new ` +
        `Error("the sink thread broke"); });`,
    ),
  );
}, 30_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function pattern(length: number, start: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (start * 7 + i) % 251);
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const hasDevFull = existsSync("/dev/full");

async function withThread<T>(
  options: { memory?: SharedArrayBuffer; depth?: number; url?: URL },
  use: (thread: SinkThread) => Promise<T>,
): Promise<T> {
  const thread = await startSinkThread({
    workerUrl: options.url ?? workerUrl,
    ...(options.memory ? { memory: options.memory } : {}),
    ...(options.depth ? { depth: options.depth } : {}),
  });
  try {
    return await use(thread);
  } finally {
    await thread.close();
  }
}

/**
 * Hands `count` chunks of `size` bytes of `memory` to `sink`, then commits, until one of them fails: the error it
 * failed with, how many chunks were handed over, and how many have come back so far.
 */
async function handOverAndCommit(sink: ByteSink, memory: SharedArrayBuffer, count: number, size: number) {
  let handed = 0;
  let released = 0;
  let error: unknown;
  try {
    for (let i = 0; i < count; i++) {
      handed++;
      await sink.write(new Uint8Array(memory, i * size, size), { release: () => released++ });
    }
    await sink.commit();
  } catch (caught) {
    error = caught;
  }
  return { error, handed, released: () => released };
}

describe("startSinkThread", () => {
  it("writes shared chunks in place and other chunks as copies, in order, and reports the file's sha256", async () => {
    const slot = 256;
    const memory = new SharedArrayBuffer(slot * 4);
    const path = join(root, "mixed.bin");
    await withThread({ memory, depth: 2 }, async (thread) => {
      const sink = await thread.openSink({ path });
      const expected: number[] = [];
      const released: number[] = [];
      const held = new Set<number>();
      const early: number[] = [];
      let outstanding = 0;
      let mostOutstanding = 0;
      let position = 0;
      for (let i = 0; i < 12; i++) {
        const size = 50 + ((i * 37) % 200);
        const bytes = pattern(size, i);
        expected.push(...bytes);
        const at = position;
        position += size;
        if (i % 3 === 2) {
          // Not handed over: a copy crosses, and the caller's buffer is its own again at once.
          const view = new Uint8Array(new ArrayBuffer(size + 16), 8, size);
          view.set(bytes);
          await sink.write(view);
          view.fill(0);
          continue;
        }
        // Four slots in turn, each reused only once the thread released the chunk in it.
        const slotIndex = i % 4;
        while (held.has(slotIndex)) await new Promise((resume) => setTimeout(resume, 1));
        const chunk = new Uint8Array(memory, slotIndex * slot, size);
        chunk.set(bytes);
        held.add(slotIndex);
        outstanding++;
        await sink.write(chunk, {
          release: () => {
            // Released once written: the file holds the chunk at its place by now.
            if (Buffer.compare(readFileSync(`${path}.tmp`).subarray(at, at + size), bytes) !== 0) early.push(i);
            held.delete(slotIndex);
            outstanding--;
            released.push(i);
          },
        });
        mostOutstanding = Math.max(mostOutstanding, outstanding);
      }
      await sink.commit();
      expect(released).toEqual([0, 1, 3, 4, 6, 7, 9, 10]);
      expect(early).toEqual([]);
      expect(mostOutstanding).toBeLessThanOrEqual(2);
      const written = readFileSync(path);
      expect([...written]).toEqual(expected);
      expect(sink.sha256?.()).toBe(sha256(written));
      expect(existsSync(`${path}.tmp`)).toBe(false);
    });
  });

  it("copies a chunk from shared memory that is not handed over", async () => {
    const memory = new SharedArrayBuffer(64);
    const path = join(root, "shared-copy.bin");
    await withThread({ memory }, async (thread) => {
      const sink = await thread.openSink({ path });
      const chunk = new Uint8Array(memory, 0, 64);
      chunk.set(pattern(64, 1));
      await sink.write(chunk);
      chunk.fill(0);
      await sink.commit();
    });
    expect([...readFileSync(path)]).toEqual([...pattern(64, 1)]);
  });

  it(
    "a model written through the thread is byte for byte, sha256 for sha256, the model written on this " + "thread",
    async () => {
      const tensors = Array.from({ length: 7 }, (_, i) => ({
        name: `layers.${i}.weight`,
        dtype: "BF16" as const,
        shape: [16, 8 + i],
      }));
      const layout = planModelLayout({ tensors, maxShardSize: 700, prefix: "task_vector", metadata: { format: "pt" } });
      const memory = new SharedArrayBuffer(4096);
      const here = createModelWriter({ layout, dir: join(root, "model-here") });
      const there = await withThread({ memory }, async (thread) => {
        const writer = createModelWriter({
          layout,
          openSink: (file) => thread.openSink({ path: join(root, "model-there", file) }),
        });
        for (const [i, tensor] of layout.writeOrder.entries()) {
          const bytes = pattern(tensor.end - tensor.begin, i);
          await here.write(tensor.name, bytes);
          const chunk = new Uint8Array(memory, 0, bytes.length);
          // One slot: the next chunk may use it once the thread released this one.
          let free = false;
          chunk.set(bytes);
          await writer.write(tensor.name, chunk, { release: () => void (free = true) });
          while (!free) await new Promise((resume) => setTimeout(resume, 1));
        }
        return writer.finish();
      });
      const reference = await here.finish();
      expect(layout.files.length).toBeGreaterThan(2);
      expect(there).toEqual(reference);
      for (const file of [...reference.files, ...(reference.index ? [reference.index] : [])]) {
        expect(
          Buffer.compare(
            readFileSync(join(root, "model-there", file.file)),
            readFileSync(join(root, "model-here", file.file)),
          ),
          file.file,
        ).toBe(0);
      }
    },
  );

  it.skipIf(!hasDevFull)(
    "a full disk: the error crosses with its code, every chunk comes back, abort leaves nothing",
    async () => {
      const memory = new SharedArrayBuffer(4 * 1024);
      const path = join(root, "full.bin");
      symlinkSync("/dev/full", `${path}.tmp`);
      await withThread({ memory }, async (thread) => {
        const sink = await thread.openSink({ path });
        const { error, handed, released } = await handOverAndCommit(sink, memory, 4, 1024);
        expect(error).toBeInstanceOf(Error);
        expect(error).toMatchObject({
          code: "ENOSPC",
          syscall: "write",
          message: expect.stringMatching(/^ENOSPC: no space left on device, write/),
        });
        await sink.abort();
        expect(released()).toBe(handed);
        expect(existsSync(`${path}.tmp`)).toBe(false);
        expect(existsSync(path)).toBe(false);
        // The thread serves the next file as if nothing happened.
        const next = await thread.openSink({ path: join(root, "after-full.bin") });
        await next.write(pattern(10, 3));
        await next.commit();
        expect(next.sha256?.()).toBe(sha256(pattern(10, 3)));
      });
    },
  );

  it(
    "a file it cannot open: the error crosses with the code, syscall, path and message a sink on this thread " +
      "gives",
    async () => {
      writeFileSync(join(root, "a-file"), "not a folder\n");
      const path = join(root, "a-file", "x.bin");
      const here = (await createFileSink({ path }).catch((error: unknown) => error)) as NodeJS.ErrnoException;
      expect(here.code).toBe("EEXIST");
      await withThread({}, async (thread) => {
        const there = (await thread.openSink({ path }).catch((error: unknown) => error)) as NodeJS.ErrnoException;
        expect(there).toBeInstanceOf(Error);
        expect({ code: there.code, syscall: there.syscall, path: there.path, message: there.message }).toEqual({
          code: here.code,
          syscall: here.syscall,
          path: here.path,
          message: here.message,
        });
      });
    },
  );

  it(
    "a thread that dies: waiting writes and the commit reject as a bug, chunks come back, the file is removed, " +
      "nothing hangs",
    async () => {
      const memory = new SharedArrayBuffer(1024);
      const path = join(root, "dies.bin");
      await withThread({ memory, depth: 4, url: dyingUrl }, async (thread) => {
        const sink = await thread.openSink({ path });
        const { error, released } = await handOverAndCommit(sink, memory, 4, 256);
        expect(error).toBeInstanceOf(InternalError);
        expect(error).toMatchObject({
          code: "SINK_THREAD_FAILED",
          message: expect.stringContaining("the sink thread broke"),
        });
        await sink.abort();
        expect(released()).toBe(4);
        expect(existsSync(`${path}.tmp`)).toBe(false);
        await expect(thread.openSink({ path: join(root, "dies-2.bin") })).rejects.toMatchObject({
          code: "SINK_THREAD_FAILED",
        });
      });
    },
  );

  it("close removes a file still open and gives its chunks back", async () => {
    const memory = new SharedArrayBuffer(1024);
    const path = join(root, "closed.bin");
    const thread = await startSinkThread({ workerUrl, memory });
    const sink = await thread.openSink({ path });
    let released = 0;
    await sink.write(new Uint8Array(memory, 0, 512), { release: () => released++ });
    await thread.close();
    expect(released).toBe(1);
    expect((await readdir(root)).filter((name) => name.startsWith("closed"))).toEqual([]);
    await expect(sink.write(new Uint8Array(4))).rejects.toMatchObject({ code: "SINK_THREAD_CLOSED" });
  });

  it("a script that does not serve sink threads: start rejects", async () => {
    const silent = join(root, "silent.mjs");
    writeFileSync(silent, "// A worker script from another build.\n");
    await expect(startSinkThread({ workerUrl: pathToFileURL(silent) })).rejects.toThrow(
      /exited with code 0 before it was ready/,
    );
  });

  it("the file sink on this thread and the sink thread agree on the copying contract", async () => {
    // Same bytes through both, chunks reused by the caller right after each write.
    const here = await createFileSink({ path: join(root, "contract-here.bin") });
    const chunk = new Uint8Array(100);
    await withThread({}, async (thread) => {
      const there = await thread.openSink({ path: join(root, "contract-there.bin") });
      for (let i = 0; i < 5; i++) {
        chunk.set(pattern(100, i));
        await Promise.all([here.write(chunk), there.write(chunk)]);
      }
      await Promise.all([here.commit(), there.commit()]);
    });
    expect(
      Buffer.compare(readFileSync(join(root, "contract-there.bin")), readFileSync(join(root, "contract-here.bin"))),
    ).toBe(0);
  });
});
