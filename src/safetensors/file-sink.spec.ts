import { existsSync, readFileSync, symlinkSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileSink } from "./file-sink.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tvhub-file-sink-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Bytes 0, 1, 2, … from `start`, so any chunk out of place or lost shows. */
function pattern(length: number, start: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (start + i) % 251);
}

/** Linux's /dev/full fails every write with ENOSPC: a `.tmp` that links there is a disk that is full. */
const hasDevFull = existsSync("/dev/full");

describe("createFileSink", () => {
  it(
    "writes handed-over chunks from the caller's memory and copied chunks in one order, releasing each once it is " +
      "on disk",
    async () => {
      const path = join(root, "mixed.bin");
      const sink = await createFileSink({ path, bufferSize: 64 });
      const expected: number[] = [];
      const released: number[] = [];
      const early: number[] = [];
      let position = 0;
      const sizes = [10, 100, 30, 64, 7, 200, 1];
      for (const [i, size] of sizes.entries()) {
        const chunk = pattern(size, position);
        const at = position;
        position += size;
        expected.push(...chunk);
        if (i % 2 === 0) {
          await sink.write(chunk, {
            release: () => {
              // Released once on disk: the file holds the chunk at its place by now.
              if (Buffer.compare(readFileSync(`${path}.tmp`).subarray(at, at + size), chunk) !== 0) early.push(i);
              released.push(i);
            },
          });
          // The sink keeps the chunk while it is written: not released the moment write resolves.
          expect(released).not.toContain(i);
        } else {
          await sink.write(chunk);
          // Copied: the caller may scribble over it at once.
          chunk.fill(0xee);
        }
      }
      await sink.commit();
      expect(released.sort()).toEqual([0, 2, 4, 6]);
      expect(early).toEqual([]);
      expect([...readFileSync(path)]).toEqual(expected);
      expect(existsSync(`${path}.tmp`)).toBe(false);
    },
  );

  it("releases an empty handed-over chunk at once and writes nothing for it", async () => {
    const path = join(root, "empty.bin");
    const sink = await createFileSink({ path });
    let released = 0;
    await sink.write(new Uint8Array(0), { release: () => released++ });
    await sink.write(pattern(5, 0), { release: () => released++ });
    await sink.commit();
    expect(released).toBe(2);
    expect([...readFileSync(path)]).toEqual([0, 1, 2, 3, 4]);
  });

  it("releases a handed-over chunk it refuses, after commit", async () => {
    const sink = await createFileSink({ path: join(root, "late.bin") });
    await sink.commit();
    let released = 0;
    await expect(sink.write(pattern(4, 0), { release: () => released++ })).rejects.toMatchObject({
      code: "SINK_STATE",
    });
    expect(released).toBe(1);
  });

  it.skipIf(!hasDevFull)(
    "a full disk: the next write or the commit rejects with ENOSPC, and abort leaves nothing",
    async () => {
      for (const handOver of [true, false]) {
        const path = join(root, `full-${handOver}.bin`);
        symlinkSync("/dev/full", `${path}.tmp`);
        const sink = await createFileSink({ path, bufferSize: 16 });
        let error: unknown;
        try {
          for (let i = 0; i < 8; i++) await sink.write(pattern(32, 0), handOver ? { release: () => {} } : undefined);
          await sink.commit();
        } catch (caught) {
          error = caught;
        }
        expect(error, `hand over: ${handOver}`).toMatchObject({ code: "ENOSPC", syscall: "write" });
        await sink.abort();
        expect((await readdir(root)).filter((name) => name.startsWith(`full-${handOver}`))).toEqual([]);
      }
    },
  );

  it.skipIf(!hasDevFull)(
    "a full disk releases every chunk handed over, the failed one and those after it",
    async () => {
      const path = join(root, "full-count.bin");
      symlinkSync("/dev/full", `${path}.tmp`);
      const sink = await createFileSink({ path });
      let handed = 0;
      let released = 0;
      for (let i = 0; i < 5; i++) {
        handed++;
        const ok = await sink.write(pattern(8, 0), { release: () => released++ }).then(
          () => true,
          () => false,
        );
        if (!ok) break;
      }
      await sink.abort();
      expect(handed).toBeGreaterThanOrEqual(2);
      expect(released).toBe(handed);
      expect(existsSync(`${path}.tmp`)).toBe(false);
    },
  );
});
