import { createHash } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { HttpError } from "./http-error.js";
import { isSha256 } from "./names.js";
import { fsyncDir, tempPath } from "./write-file-atomic.js";

export interface ObjectStore {
  /** Size of a stored object, or undefined when it is not stored. */
  sizeOf(sha256: string): Promise<number | undefined>;
  /**
   * Stores bytes under their sha256 and returns it. Not yet fsync'd: call `makeDurable` before anything that
   * must survive a power cut (a commit) refers to them, so many small files share the cost of flushing.
   */
  putBytes(bytes: Uint8Array): Promise<string>;
  /** Flushes objects (and the folders naming them) to disk. */
  makeDurable(sha256s: readonly string[]): Promise<void>;
  /**
   * Streams bytes into the store, hashing them on the way, and keeps them only if they are exactly the declared
   * object. A source that ends early, runs long or hashes differently leaves nothing behind.
   */
  putStream(options: { source: AsyncIterable<Uint8Array>; sha256: string; size: number }): Promise<void>;
  readBytes(sha256: string): Promise<Buffer>;
  /** Where a stored object's bytes are (to stream them). */
  pathOf(sha256: string): string;
}

export interface OpenObjectStoreOptions {
  /** The objects folder (`DIR/objects`). */
  dir: string;
  /** Same filesystem, for partial files. */
  tmpDir: string;
}

/** Content-addressed blobs at `objects/sha256/<ab>/<rest>`; a name appears only once its bytes are complete. */
export function openObjectStore(options: OpenObjectStoreOptions): ObjectStore {
  const pathOf = (sha256: string): string => {
    if (!isSha256(sha256))
      throw new HttpError(`"${sha256}" is not a sha256 object id.`, { status: 400, code: "HUB_BAD_OID" });
    return join(options.dir, "sha256", sha256.slice(0, 2), sha256.slice(2));
  };

  const commit = async (temp: string, sha256: string): Promise<void> => {
    const target = pathOf(sha256);
    const fanout = join(options.dir, "sha256", sha256.slice(0, 2));
    // A new fan-out folder must itself be on disk before objects named in it can be.
    if ((await mkdir(fanout, { recursive: true })) !== undefined) await fsyncDir(dirname(fanout));
    await rename(temp, target);
  };

  return {
    async sizeOf(sha256) {
      try {
        return (await stat(pathOf(sha256))).size;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async putBytes(bytes) {
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      if ((await this.sizeOf(sha256)) === bytes.byteLength) return sha256;
      const temp = tempPath(options.tmpDir);
      try {
        const handle = await open(temp, "wx", 0o444);
        try {
          await handle.writeFile(bytes);
        } finally {
          await handle.close();
        }
        await commit(temp, sha256);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return sha256;
    },

    async putStream({ source, sha256, size }) {
      pathOf(sha256);
      const temp = tempPath(options.tmpDir);
      const hash = createHash("sha256");
      let received = 0;
      try {
        const handle = await open(temp, "wx", 0o444);
        try {
          for await (const chunk of source) {
            received += chunk.byteLength;
            if (received > size) {
              throw new HttpError(`The upload is longer than the declared ${size} bytes of object ${sha256}.`, {
                status: 400,
                code: "HUB_UPLOAD_SIZE_MISMATCH",
              });
            }
            hash.update(chunk);
            await handle.write(chunk);
          }
          if (received !== size) {
            throw new HttpError(`The upload has ${received} bytes but object ${sha256} was declared with ${size}.`, {
              status: 400,
              code: "HUB_UPLOAD_SIZE_MISMATCH",
            });
          }
          const actual = hash.digest("hex");
          if (actual !== sha256) {
            throw new HttpError(`The uploaded bytes hash to sha256 ${actual}, not the declared ${sha256}.`, {
              status: 400,
              code: "HUB_UPLOAD_HASH_MISMATCH",
            });
          }
          await handle.sync();
        } finally {
          await handle.close();
        }
        await commit(temp, sha256);
        await fsyncDir(dirname(pathOf(sha256)));
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async makeDurable(sha256s) {
      const files = [...new Set(sha256s)];
      const dirs = [...new Set(files.map((sha256) => dirname(pathOf(sha256))))];
      // A few at a time: parallel fsyncs share journal commits, and libuv has four threads anyway.
      await inBatches(files, 8, async (sha256) => {
        const handle = await open(pathOf(sha256), "r");
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      });
      await inBatches(dirs, 8, fsyncDir);
    },

    readBytes(sha256) {
      return readFile(pathOf(sha256));
    },

    pathOf,
  };
}

export function isNotFound(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    (error.code === "ENOENT" || error.code === "ENOTDIR")
  );
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}
