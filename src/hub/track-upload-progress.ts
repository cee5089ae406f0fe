export interface TrackUploadProgressOptions {
  fetch: typeof fetch;
  /** Called with each chunk's size as it leaves for the server. */
  onBytes: (bytes: number) => void;
}

interface ProgressHint {
  progressCallback?: (fraction: number) => void;
  /** Set on the parts of a multipart upload (0-based), which share one callback. */
  part?: number;
  numParts?: number;
}

/**
 * A fetch for `commitIter` that reports LFS upload progress in Node. The library asks for progress with a
 * `progressHint` on PUTs and only honours it with XMLHttpRequest (browsers); here the Blob body is streamed
 * through a counter instead, with its Content-Length kept so that the file still streams from disk.
 */
export function trackUploadProgress(options: TrackUploadProgressOptions): typeof fetch {
  // Parts of one multipart upload report through one callback: keep each part's fraction and report the mean.
  const partsOf = new WeakMap<(fraction: number) => void, Map<number, number>>();
  return (input, init) => {
    if (init === undefined) return options.fetch(input);
    const { progressHint, ...rest } = init as RequestInit & { progressHint?: ProgressHint };
    const body = rest.body;
    if (rest.method !== "PUT" || !(body instanceof Blob)) return options.fetch(input, rest);
    const total = body.size;
    const callback = progressHint?.progressCallback;
    const { part, numParts } = progressHint ?? {};
    const report =
      callback === undefined
        ? undefined
        : part === undefined || numParts === undefined || numParts <= 0
          ? callback
          : (fraction: number) => {
              const parts = partsOf.get(callback) ?? new Map<number, number>();
              partsOf.set(callback, parts);
              parts.set(part, fraction);
              let sum = 0;
              for (const value of parts.values()) sum += value;
              callback(Math.min(sum / numParts, 0.9999));
            };
    let sent = 0;
    const counted = body.stream().pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          sent += chunk.byteLength;
          options.onBytes(chunk.byteLength);
          // The library reports 1 itself once the server has answered.
          if (total > 0) report?.(Math.min(sent / total, 0.9999));
          controller.enqueue(chunk);
        },
      }),
    );
    const headers = new Headers(rest.headers);
    headers.set("Content-Length", String(total));
    return options.fetch(input, { ...rest, headers, body: counted, duplex: "half" } as RequestInit);
  };
}
