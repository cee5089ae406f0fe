import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { DataError, RemoteError, TvhubError } from "../errors.js";
import { cacheWriteError } from "./cache-write-error.js";
import { describeFile } from "./describe-file.js";
import type { HubContext } from "./hub-context.js";
import { TransientError } from "./is-transient-error.js";
import { linkSnapshot } from "./link-snapshot.js";
import { downloadBlob } from "./download-blob.js";
import { probeFile } from "./probe-file.js";
import { normalizeEtag, resolveCachePaths } from "./resolve-cache-paths.js";
import { toRemoteError } from "./to-remote-error.js";
import type { RepoFileRef } from "./types.js";
import { withRetries } from "./with-retries.js";
import { writeAtomically } from "./write-atomically.js";

export interface ReadSmallFileOptions extends RepoFileRef {
  hub: HubContext;
  /**
   * A larger file is refused rather than loaded into memory.
   * @default 16 MiB
   */
  maxBytes?: number;
}

/**
 * Reads a whole small file (config.json, README.md, an index) at a pinned commit, or returns null when the
 * commit has no such file. With a cache directory, both answers are kept in the Hub cache (the file as a
 * blob and snapshot link, its absence as a `.no_exist` marker), so a second run asks nothing.
 */
export async function readSmallFile(options: ReadSmallFileOptions): Promise<Uint8Array | null> {
  const { hub } = options;
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const name = describeFile(options);
  const paths =
    hub.cacheDir === undefined ? undefined : resolveCachePaths({ cacheDir: hub.cacheDir, repo: options.repo });
  const inCache = <T>(work: Promise<T>): Promise<T> =>
    work.catch((error: unknown) => {
      throw error instanceof TvhubError ? error : cacheWriteError(name, hub.cacheDir ?? "", error);
    });

  if (paths !== undefined) {
    const snapshot = paths.snapshot(options.sha, options.path);
    const cachedSize = await stat(snapshot).then(
      (s) => (s.isFile() ? s.size : undefined),
      () => undefined,
    );
    if (cachedSize !== undefined) {
      checkSize(name, cachedSize, maxBytes);
      return new Uint8Array(await readFile(snapshot));
    }
    if (
      await stat(paths.noExist(options.sha, options.path)).then(
        () => true,
        () => false,
      )
    )
      return null;
  }

  const info = await probeFile(options);
  if (info === null) {
    if (paths !== undefined) await inCache(writeAtomically(paths.noExist(options.sha, options.path), ""));
    return null;
  }
  checkSize(name, info.size, maxBytes);
  const etag = normalizeEtag(info.etag);

  const bytes = await withRetries({
    policy: hub.retry,
    run: async () => {
      const blob = await downloadBlob({ hub, repo: options.repo, sha: options.sha, path: options.path, info });
      const buffer = new Uint8Array(await blob.arrayBuffer());
      if (buffer.byteLength !== info.size)
        throw new TransientError(`the Hub sent ${buffer.byteLength} of ${info.size} bytes`);
      return buffer;
    },
  }).catch((error: unknown) => {
    throw toRemoteError({ error, repo: name, hubUrl: hub.hubUrl, accessToken: hub.accessToken, doing: "reading" });
  });
  hub.stats.bytesDownloaded += bytes.byteLength;

  if (/^[0-9a-f]{64}$/.test(etag) && createHash("sha256").update(bytes).digest("hex") !== etag) {
    throw new RemoteError(`The bytes downloaded for ${name} do not match its sha256 ${etag}; rerun.`, {
      code: "HUB_CHECKSUM_MISMATCH",
      subject: name,
    });
  }

  if (paths !== undefined) {
    const blobPath = paths.blob(etag);
    const present = await stat(blobPath).then(
      (s) => s.size === bytes.byteLength,
      () => false,
    );
    if (!present) await inCache(writeAtomically(blobPath, bytes));
    const ref = hub.pins.get(`${options.repo}@${options.sha}`);
    await inCache(
      linkSnapshot({ paths, sha: options.sha, path: options.path, etag, ...(ref === undefined ? {} : { ref }) }),
    );
  }
  return bytes;
}

function checkSize(name: string, size: number, maxBytes: number): void {
  if (size > maxBytes) {
    throw new DataError(`${name} has ${size} bytes, more than the ${maxBytes} tvhub reads whole; check the file.`, {
      code: "HUB_FILE_TOO_LARGE",
      subject: name,
    });
  }
}
