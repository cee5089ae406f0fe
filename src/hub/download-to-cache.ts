import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat, truncate } from "node:fs/promises";
import { dirname } from "node:path";
import type { FileDownloadInfoOutput } from "@huggingface/hub";
import { InternalError, RemoteError, TvhubError } from "../errors.js";
import type { ProgressEvent } from "../util/progress.js";
import { acquireCacheLock } from "./acquire-cache-lock.js";
import { cacheWriteError } from "./cache-write-error.js";
import { describeFile } from "./describe-file.js";
import { fileNotFoundError } from "./file-not-found-error.js";
import type { HubContext } from "./hub-context.js";
import { isTransientError } from "./is-transient-error.js";
import { linkSnapshot } from "./link-snapshot.js";
import { downloadBlob } from "./download-blob.js";
import { probeFile } from "./probe-file.js";
import { normalizeEtag, resolveCachePaths, type CachePaths } from "./resolve-cache-paths.js";
import { toRemoteError } from "./to-remote-error.js";
import type { RepoFileRef } from "./types.js";
import { retryLogs } from "./retry-log.js";
import { retryDelay } from "./with-retries.js";

export interface DownloadToCacheOptions extends RepoFileRef {
  hub: HubContext;
  /**
   * Bytes between two progress events.
   * @default 8 MiB
   */
  progressEvery?: number;
}

/**
 * Puts one file into the Hub cache and returns its snapshot path. A file already there costs no request.
 * Otherwise the file streams to `blobs/<etag>.incomplete` (memory stays bounded), resuming with a range
 * request from the bytes already on disk after a dropped connection or an earlier interrupted run; the
 * size, and the sha256 of LFS files, are checked before the blob gets its final name.
 */
export async function* downloadToCache(options: DownloadToCacheOptions): AsyncGenerator<ProgressEvent, string> {
  const { hub } = options;
  if (hub.cacheDir === undefined) {
    throw new InternalError("downloadToCache was called on a Hub client without a cache directory.", {
      code: "HUB_NO_CACHE",
    });
  }
  const cacheDir = hub.cacheDir;
  const paths = resolveCachePaths({ cacheDir, repo: options.repo });
  const snapshot = paths.snapshot(options.sha, options.path);
  if (await isFile(snapshot)) return snapshot;

  const info = await probeFile(options);
  if (info === null) throw fileNotFoundError(options, hub.hubUrl);
  const etag = normalizeEtag(info.etag);
  const name = describeFile(options);
  const inCache = <T>(work: Promise<T>): Promise<T> =>
    work.catch((error: unknown) => {
      throw error instanceof TvhubError ? error : cacheWriteError(name, cacheDir, error, info.size);
    });

  const release = await inCache(acquireCacheLock({ path: paths.lock(etag) }));
  try {
    if ((await sizeOf(paths.blob(etag))) !== info.size) {
      try {
        yield* fetchBlob({ ...options, paths, etag, info, name, inCache });
      } catch (error) {
        // A partial download on a full disk only takes the space a rerun needs; one cut by the network is kept to
        // resume.
        if (error instanceof TvhubError && error.code === "HUB_CACHE_FULL")
          await rm(paths.incomplete(etag), { force: true });
        throw error;
      }
    }
    const ref = hub.pins.get(`${options.repo}@${options.sha}`);
    return await inCache(
      linkSnapshot({ paths, sha: options.sha, path: options.path, etag, ...(ref === undefined ? {} : { ref }) }),
    );
  } finally {
    await release();
  }
}

interface FetchBlobState extends DownloadToCacheOptions {
  paths: CachePaths;
  etag: string;
  info: FileDownloadInfoOutput;
  name: string;
  inCache: <T>(work: Promise<T>) => Promise<T>;
}

/** Streams the blob into `<etag>.incomplete`, resuming from its current size, verifies it, and renames it. */
async function* fetchBlob(state: FetchBlobState): AsyncGenerator<ProgressEvent, void> {
  const { hub, name, inCache } = state;
  const { size } = state.info;
  const incomplete = state.paths.incomplete(state.etag);
  const every = state.progressEvery ?? 8 * 1024 * 1024;
  const expectedSha256 = /^[0-9a-f]{64}$/.test(state.etag) ? state.etag : undefined;
  await inCache(mkdir(dirname(incomplete), { recursive: true }));

  let offset = (await sizeOf(incomplete)) ?? 0;
  if (offset > size) {
    await inCache(truncate(incomplete, 0));
    offset = 0;
  }
  const resumedFrom = offset;
  let hash = expectedSha256 === undefined ? undefined : await hashPrefix(incomplete, offset);
  let info = state.info;
  let restarted = false;
  let failures = 0;
  // Named by repo and path: two inputs' model.safetensors are two bars, each saying whose it is.
  const progress = (): ProgressEvent => ({
    type: "progress",
    phase: "download",
    label: `${state.repo}/${state.path}`,
    done: offset,
    total: size,
    unit: "bytes",
  });
  yield progress();

  for (;;) {
    try {
      if (offset < size) {
        const blob = await downloadBlob({ hub, repo: state.repo, sha: state.sha, path: state.path, info });
        const handle = await inCache(open(incomplete, "a"));
        // Network chunks are ~64 KiB; writing them in batches keeps syscalls off the critical path.
        let pending: Uint8Array[] = [];
        let pendingBytes = 0;
        const flush = async (): Promise<void> => {
          if (pendingBytes === 0) return;
          const batch = pending;
          pending = [];
          pendingBytes = 0;
          await inCache(writeAll(handle, batch));
        };
        try {
          let reported = offset;
          for await (const chunk of (offset === 0 ? blob : blob.slice(offset)).stream()) {
            const bytes = chunk as Uint8Array;
            if (offset + bytes.byteLength > size) {
              throw new RemoteError(`${hub.hubUrl} sent more than the ${size} bytes it announced for ${name}; rerun.`, {
                code: "HUB_BAD_RESPONSE",
                subject: name,
              });
            }
            pending.push(bytes);
            pendingBytes += bytes.byteLength;
            hash?.update(bytes);
            offset += bytes.byteLength;
            hub.stats.bytesDownloaded += bytes.byteLength;
            if (pendingBytes >= writeBatchBytes) await flush();
            if (offset - reported >= every) {
              reported = offset;
              yield* retryLogs(hub.retryNotices);
              yield progress();
            }
          }
        } finally {
          // What arrived before a dropped connection is kept on disk, so that the retry resumes after it.
          try {
            await flush();
          } finally {
            await handle.close();
          }
        }
      }
      if (offset !== size) throw new StreamEnded(`the download stopped at byte ${offset} of ${size}`);
      if (hash !== undefined && hash.digest("hex") !== expectedSha256) {
        await rm(incomplete, { force: true });
        if (resumedFrom > 0 && !restarted) {
          // The bytes kept from an earlier run were bad; start over once before giving up.
          restarted = true;
          offset = 0;
          hash = createHash("sha256");
          continue;
        }
        throw new RemoteError(`The bytes downloaded for ${name} do not match its sha256 ${expectedSha256}; rerun.`, {
          code: "HUB_CHECKSUM_MISMATCH",
          subject: name,
        });
      }
      await inCache(rename(incomplete, state.paths.blob(state.etag)));
      yield progress();
      return;
    } catch (error) {
      if (error instanceof TvhubError) throw error;
      // WebBlob.stream() reports an HTTP error of a range request as a bare message string.
      const retryable = isTransientError(error) || error instanceof StreamEnded || typeof error === "string";
      if (!retryable || failures >= hub.retry.retries) {
        throw toRemoteError({
          error: typeof error === "string" ? new Error(error) : error,
          repo: name,
          hubUrl: hub.hubUrl,
          accessToken: hub.accessToken,
          doing: failures === 0 ? "downloading" : `downloading (after ${failures + 1} attempts)`,
        });
      }
      yield* retryLogs(hub.retryNotices);
      await hub.retry.sleep(retryDelay(hub.retry, failures));
      failures++;
      // A fresh probe: a signed URL may have expired, and a real HTTP error comes back with its status.
      const fresh = await probeFile(state);
      if (fresh === null) throw fileNotFoundError(state, hub.hubUrl);
      if (normalizeEtag(fresh.etag) !== state.etag || fresh.size !== size) {
        throw new RemoteError(`${name} changed on ${hub.hubUrl} while it was downloading; rerun.`, {
          code: "HUB_CHANGED",
          subject: name,
        });
      }
      info = fresh;
      const onDisk = (await sizeOf(incomplete)) ?? 0;
      if (onDisk !== offset) {
        offset = onDisk;
        if (hash !== undefined) hash = await hashPrefix(incomplete, offset);
      }
    }
  }
}

const writeBatchBytes = 4 * 1024 * 1024;

/** The stream ended cleanly but early. */
class StreamEnded extends Error {}

async function hashPrefix(path: string, bytes: number): Promise<Hash> {
  const hash = createHash("sha256");
  if (bytes === 0) return hash;
  for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1 })) hash.update(chunk as Buffer);
  return hash;
}

async function writeAll(handle: Awaited<ReturnType<typeof open>>, chunks: Uint8Array[]): Promise<void> {
  let remaining = chunks;
  while (remaining.length > 0) {
    let { bytesWritten } = await handle.writev(remaining);
    const rest: Uint8Array[] = [];
    for (const chunk of remaining) {
      if (bytesWritten >= chunk.byteLength) {
        bytesWritten -= chunk.byteLength;
      } else {
        rest.push(chunk.subarray(bytesWritten));
        bytesWritten = 0;
      }
    }
    remaining = rest;
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => (s.isFile() ? s.size : undefined),
    () => undefined,
  );
}

async function isFile(path: string): Promise<boolean> {
  return (await sizeOf(path)) !== undefined;
}
