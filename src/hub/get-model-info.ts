import { credentialsOf, type HubContext } from "./hub-context.js";
import { loadHubLibrary } from "./load-hub-library.js";
import { toRemoteError } from "./to-remote-error.js";
import type { ModelInfo, RepoFile } from "./types.js";
import { withRetries } from "./with-retries.js";

export interface GetModelInfoOptions {
  hub: HubContext;
  /** `org/name` */
  repo: string;
  /** A pinned commit. */
  sha: string;
}

/** The card metadata, tags and file list of a repo at a pinned commit. */
export async function getModelInfo(options: GetModelInfoOptions): Promise<ModelInfo> {
  const { hub, repo, sha } = options;
  const common = { hubUrl: hub.hubUrl, fetch: hub.fetch, ...credentialsOf(hub) };
  const { listFiles, modelInfo } = await loadHubLibrary();
  try {
    const info = await withRetries({
      policy: hub.retry,
      run: () =>
        modelInfo({
          ...common,
          name: repo,
          revision: sha,
          additionalFields: ["sha", "cardData", "tags", "library_name"],
        }),
    });
    const files = await withRetries({
      policy: hub.retry,
      run: async () => {
        const found: RepoFile[] = [];
        for await (const entry of listFiles({ ...common, repo, revision: sha, recursive: true })) {
          if (entry.type !== "file") continue;
          found.push({
            path: entry.path,
            size: entry.size,
            ...(entry.oid === undefined ? {} : { oid: entry.oid }),
            ...(entry.lfs === undefined ? {} : { lfsSha256: entry.lfs.oid }),
          });
        }
        return found;
      },
    });
    const cardData = isRecord(info.cardData) ? info.cardData : undefined;
    const tags = Array.isArray(info.tags) ? info.tags.filter((tag): tag is string => typeof tag === "string") : [];
    const license = licenseOf(cardData, tags);
    return {
      repo,
      sha,
      private: info.private === true,
      tags,
      files,
      ...(cardData === undefined ? {} : { cardData }),
      ...(license === undefined ? {} : { license }),
      ...(typeof info.library_name === "string" ? { libraryName: info.library_name } : {}),
      ...(typeof info.task === "string" ? { pipelineTag: info.task } : {}),
    };
  } catch (error) {
    throw toRemoteError({
      error,
      repo: `${repo}@${sha}`,
      hubUrl: hub.hubUrl,
      accessToken: hub.accessToken,
      doing: "reading the metadata of",
    });
  }
}

function licenseOf(cardData: Record<string, unknown> | undefined, tags: string[]): string | undefined {
  const fromCard = cardData?.license;
  if (typeof fromCard === "string") return fromCard;
  return tags.find((tag) => tag.startsWith("license:"))?.slice("license:".length);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
