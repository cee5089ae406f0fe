import type { FileDownloadInfoOutput } from "@huggingface/hub";
import { fileNotFoundError } from "./file-not-found-error.js";
import { credentialsOf, type HubContext } from "./hub-context.js";
import { loadHubLibrary } from "./load-hub-library.js";
import type { RepoFileRef } from "./types.js";

export interface DownloadBlobOptions extends RepoFileRef {
  hub: HubContext;
  /** What a probe of the file returned: its size, etag and download URL. */
  info: FileDownloadInfoOutput;
}

/**
 * A Hub file as a Blob that fetches its bytes (or a slice's) when read, over plain HTTP rather than Xet so that
 * range reads and resumed downloads work; a file gone since the probe is a not-found error.
 */
export async function downloadBlob(options: DownloadBlobOptions): Promise<Blob> {
  const { hub, repo, sha, path } = options;
  const { downloadFile } = await loadHubLibrary();
  const blob = await downloadFile({
    repo,
    path,
    revision: sha,
    hubUrl: hub.hubUrl,
    fetch: hub.fetch,
    downloadInfo: options.info,
    xet: false,
    ...credentialsOf(hub),
  });
  if (blob === null) throw fileNotFoundError({ repo, sha, path }, hub.hubUrl);
  return blob;
}
