import { stat } from "node:fs/promises";
import { openFileSource } from "../safetensors/file-source.js";
import type { ByteSource } from "../safetensors/types.js";
import { drain } from "../util/progress.js";
import { describeFile } from "./describe-file.js";
import { downloadToCache } from "./download-to-cache.js";
import type { HubContext } from "./hub-context.js";
import { openRemoteFile } from "./open-remote-file.js";
import { resolveCachePaths } from "./resolve-cache-paths.js";
import type { RepoFileRef } from "./types.js";

export interface OpenFileOptions extends RepoFileRef {
  hub: HubContext;
  /**
   * Fetch the whole file into the Hub cache first (resumable), then read it from disk. Without a cache
   * directory this is ignored and reads are range requests.
   * @default false
   */
  download?: boolean;
}

/**
 * Random access to a Hub file: the cache copy when there is one, else a download into the cache, else range requests.
 */
export async function openFile(options: OpenFileOptions): Promise<ByteSource> {
  const { hub } = options;
  const name = describeFile(options);
  if (hub.cacheDir !== undefined) {
    const snapshot = resolveCachePaths({ cacheDir: hub.cacheDir, repo: options.repo }).snapshot(
      options.sha,
      options.path,
    );
    if (
      await stat(snapshot).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return openFileSource({ path: snapshot, name });
    if (options.download === true) return openFileSource({ path: await drain(downloadToCache(options)), name });
  }
  return openRemoteFile(options);
}
