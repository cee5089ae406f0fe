import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { badRequest, HttpError, payloadTooLarge } from "../http-error.js";
import { isNotFound } from "../object-store.js";
import { fsyncDir, tempPath, writeFileAtomic } from "../write-file-atomic.js";
import { chunkHeaderBytes, decodeChunk, parseChunkHeader, XetFormatError } from "./decode-chunk.js";
import { maxXorbBytes, scanXorb, XorbIndex } from "./scan-xorb.js";
import { hashToHex, type XetHash, type XetHasher } from "./xet-hash.js";

/**
 * Xorbs as clients uploaded them (`xet/xorbs/<ab>/<hex>`), each with the index of its chunks beside it
 * (`<hex>.chunks`). A xorb's name appears only once it is complete and verified, and only after its index, so a xorb
 * that exists can always be read. Files themselves are not kept here: a shard's files become LFS objects.
 */
export interface XetStore {
  /** Stores a xorb streamed from a request body; false when it was already stored (the body is read and dropped). */
  putXorb(options: { hash: XetHash; source: AsyncIterable<Uint8Array>; hasher: XetHasher }): Promise<boolean>;
  /** The chunk index of a stored xorb, or undefined when no such xorb was uploaded. */
  readIndex(hash: XetHash): Promise<XorbIndex | undefined>;
  /** Decoded bytes of chunks [start, end) of a stored xorb, one chunk at a time. */
  readChunks(hash: XetHash, index: XorbIndex, start: number, end: number): AsyncGenerator<Uint8Array>;
}

export function openXetStore(options: { dir: string; tmpDir: string }): XetStore {
  const xorbPath = (hash: XetHash): string => {
    const hex = hashToHex(hash);
    return join(options.dir, "xorbs", hex.slice(0, 2), hex);
  };
  // Indexes (at most 320 KiB each) are read for every term of every shard: keep the recent ones.
  const indexes = new Map<string, XorbIndex>();
  const remember = (hex: string, index: XorbIndex): void => {
    if (indexes.size >= 64) indexes.delete(indexes.keys().next().value as string);
    indexes.set(hex, index);
  };

  return {
    async putXorb({ hash, source, hasher }) {
      const target = xorbPath(hash);
      if (await exists(target)) {
        let received = 0;
        for await (const chunk of source) {
          received += chunk.byteLength;
          if (received > maxXorbBytes) throw payloadTooLarge("xorb", maxXorbBytes);
        }
        return false;
      }
      const temp = tempPath(options.tmpDir);
      const tempIndex = tempPath(options.tmpDir);
      try {
        const handle = await open(temp, "wx", 0o444);
        try {
          let received = 0;
          for await (const chunk of source) {
            received += chunk.byteLength;
            if (received > maxXorbBytes) throw payloadTooLarge("xorb", maxXorbBytes);
            await handle.write(chunk);
          }
          await handle.sync();
        } finally {
          await handle.close();
        }
        let index: XorbIndex;
        try {
          index = await scanXorb({ path: temp, expected: hash, hasher });
        } catch (error) {
          if (error instanceof XetFormatError)
            throw badRequest(`The xorb ${hashToHex(hash)} is refused: ${error.message}.`, "HUB_XET_BAD_XORB");
          throw error;
        }
        await writeFileAtomic({ path: tempIndex, data: index.records, tmpDir: options.tmpDir });
        const fanout = dirname(target);
        if ((await mkdir(fanout, { recursive: true })) !== undefined) await fsyncDir(dirname(fanout));
        await rename(tempIndex, `${target}.chunks`);
        // The index's name must be on disk before the xorb's: a xorb that exists is one whose index can be read.
        await fsyncDir(fanout);
        await rename(temp, target);
        await fsyncDir(fanout);
        remember(hashToHex(hash), index);
        return true;
      } finally {
        await rm(temp, { force: true });
        await rm(tempIndex, { force: true });
      }
    },

    async readIndex(hash) {
      const hex = hashToHex(hash);
      const cached = indexes.get(hex);
      if (cached) return cached;
      const path = xorbPath(hash);
      if (!(await exists(path))) return undefined;
      const index = new XorbIndex(await readFile(`${path}.chunks`));
      remember(hex, index);
      return index;
    },

    async *readChunks(hash, index, start, end) {
      const handle = await open(xorbPath(hash), "r");
      try {
        const header = Buffer.alloc(chunkHeaderBytes);
        for (let i = start; i < end; i++) {
          const at = index.start(i);
          await handle.read(header, 0, chunkHeaderBytes, at);
          const parsed = parseChunkHeader(header);
          const data = Buffer.alloc(index.end(i) - at - chunkHeaderBytes);
          const { bytesRead } = await handle.read(data, 0, data.length, at + chunkHeaderBytes);
          if (bytesRead !== data.length || parsed.length !== index.length(i)) {
            throw new HttpError(`The stored xorb ${hashToHex(hash)} does not match its index; upload it again.`, {
              status: 500,
              code: "HUB_XET_STORE",
            });
          }
          yield decodeChunk(parsed, data);
        }
      } finally {
        await handle.close();
      }
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
