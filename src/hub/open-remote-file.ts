import type { FileDownloadInfoOutput } from "@huggingface/hub";
import { RemoteError } from "../errors.js";
import { checkRange } from "../safetensors/check-range.js";
import type { ByteSource } from "../safetensors/types.js";
import { describeFile } from "./describe-file.js";
import { fileNotFoundError } from "./file-not-found-error.js";
import type { HubContext } from "./hub-context.js";
import { isHubApiError } from "./is-hub-api-error.js";
import { isTransientError, TransientError } from "./is-transient-error.js";
import { downloadBlob } from "./download-blob.js";
import { probeFile } from "./probe-file.js";
import { toRemoteError } from "./to-remote-error.js";
import type { RepoFileRef } from "./types.js";
import { withRetries } from "./with-retries.js";

export interface OpenRemoteFileOptions extends RepoFileRef {
  hub: HubContext;
  /** What a probe already returned, to save a request. */
  info?: FileDownloadInfoOutput;
  /**
   * Reads longer than this are split into several range requests, so that a dropped connection costs one
   * part, not the whole read.
   * @default 64 MiB
   */
  partBytes?: number;
}

/**
 * A ByteSource that reads a Hub file with HTTP range requests, retrying a dropped or failed range with
 * exponential backoff. Nothing is fetched until `read` is called.
 */
export async function openRemoteFile(options: OpenRemoteFileOptions): Promise<ByteSource> {
  const { hub } = options;
  const name = describeFile(options);
  const partBytes = options.partBytes ?? 64 * 1024 * 1024;
  const probed = options.info ?? (await probeFile(options));
  if (probed === null) throw fileNotFoundError(options, hub.hubUrl);
  let info: FileDownloadInfoOutput = probed;
  const size = info.size;

  // A signed CDN URL can expire during a long run; a fresh probe gets a new one.
  const blobOf = (current: FileDownloadInfoOutput): Promise<Blob> =>
    downloadBlob({ hub, repo: options.repo, sha: options.sha, path: options.path, info: current });
  let blob = await blobOf(info);
  const hubOrigin = new URL(hub.hubUrl).origin;

  const readPart = async (start: number, end: number): Promise<Uint8Array> => {
    let refresh = false;
    const bytes = await withRetries({
      policy: hub.retry,
      isRetryable: (error) => {
        refresh = isExpiredUrl(error, info, hubOrigin);
        return refresh || isTransientError(error);
      },
      run: async () => {
        if (refresh) {
          const fresh = await probeFile(options);
          if (fresh === null) throw fileNotFoundError(options, hub.hubUrl);
          info = fresh;
          blob = await blobOf(fresh);
        }
        const buffer = await blob.slice(start, end).arrayBuffer();
        if (buffer.byteLength > end - start) {
          throw new RemoteError(
            `${hub.hubUrl} answered a range request for ${name} with ${buffer.byteLength} bytes instead of ` +
              `${end - start}; check that --hub-url points at a Hugging Face Hub.`,
            {
              code: "HUB_RANGE_IGNORED",
              subject: name,
            },
          );
        }
        if (buffer.byteLength < end - start) {
          throw new TransientError(`the Hub sent ${buffer.byteLength} of the ${end - start} bytes asked for`);
        }
        return new Uint8Array(buffer);
      },
    }).catch((error: unknown) => {
      throw toRemoteError({ error, repo: name, hubUrl: hub.hubUrl, accessToken: hub.accessToken, doing: "reading" });
    });
    hub.stats.bytesDownloaded += bytes.byteLength;
    return bytes;
  };

  const headKey = `${options.repo}@${options.sha}/${options.path}`;
  return {
    name,
    size,
    async read(start: number, end: number): Promise<Uint8Array> {
      checkRange(name, size, start, end);
      // The head of a file (its header) is read by the check and again by the execution: once is enough.
      const head = hub.heads?.get(headKey);
      if (head !== undefined && end <= head.byteLength) return head.slice(start, end);
      if (hub.heads !== undefined && start === 0 && end <= headBytes) {
        const bytes = await readPart(0, end);
        hub.heads.set(headKey, bytes);
        return bytes.slice();
      }
      if (end - start <= partBytes) return end === start ? new Uint8Array(0) : readPart(start, end);
      const out = new Uint8Array(end - start);
      for (let at = start; at < end; at += partBytes) {
        out.set(await readPart(at, Math.min(end, at + partBytes)), at - start);
      }
      return out;
    },
  };
}

/** Reads from the start of a file up to this long are kept (a safetensors header and its first bytes). */
const headBytes = 1024 * 1024;

function isExpiredUrl(error: unknown, info: FileDownloadInfoOutput, hubOrigin: string): boolean {
  return (
    isHubApiError(error) &&
    (error.statusCode === 401 || error.statusCode === 403) &&
    new URL(info.url).origin !== hubOrigin
  );
}
