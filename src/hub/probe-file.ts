import type { FileDownloadInfoOutput } from "@huggingface/hub";
import { credentialsOf, type HubContext } from "./hub-context.js";
import { describeFile } from "./describe-file.js";
import { loadHubLibrary } from "./load-hub-library.js";
import { toRemoteError } from "./to-remote-error.js";
import type { RepoFileRef } from "./types.js";
import { withRetries } from "./with-retries.js";

export interface ProbeFileOptions extends RepoFileRef {
  hub: HubContext;
}

/** Size, etag and download URL of a file at a pinned commit (one `Range: bytes=0-0` request); null when absent. */
export async function probeFile(options: ProbeFileOptions): Promise<FileDownloadInfoOutput | null> {
  const { hub, repo, sha, path } = options;
  const { fileDownloadInfo } = await loadHubLibrary();
  try {
    return await withRetries({
      policy: hub.retry,
      run: () =>
        fileDownloadInfo({ repo, path, revision: sha, hubUrl: hub.hubUrl, fetch: hub.fetch, ...credentialsOf(hub) }),
    });
  } catch (error) {
    throw toRemoteError({
      error,
      repo: describeFile(options),
      hubUrl: hub.hubUrl,
      accessToken: hub.accessToken,
      doing: "reading",
    });
  }
}
