import { credentialsOf, type HubContext } from "./hub-context.js";
import { loadHubLibrary } from "./load-hub-library.js";
import { toRemoteError } from "./to-remote-error.js";
import type { ModelSummary, SearchModelsOptions } from "./types.js";

/** Models matching every tag, the name substring and the author, as the Hub lists them (paginated lazily). */
export async function* searchModels(
  options: SearchModelsOptions & { hub: HubContext },
): AsyncGenerator<ModelSummary, void> {
  const { hub } = options;
  const search = {
    ...(options.tags === undefined || options.tags.length === 0 ? {} : { tags: options.tags }),
    ...(options.search === undefined ? {} : { query: options.search }),
    ...(options.author === undefined ? {} : { owner: options.author }),
  };
  const subject = describe(options);
  const { listModels } = await loadHubLibrary();
  try {
    for await (const model of listModels({
      search,
      additionalFields: ["tags", "cardData", "sha"],
      hubUrl: hub.hubUrl,
      fetch: hub.fetch,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...credentialsOf(hub),
    })) {
      const cardData = model.cardData as unknown;
      const updated = model.updatedAt;
      yield {
        id: model.name,
        tags: Array.isArray(model.tags) ? model.tags.filter((tag): tag is string => typeof tag === "string") : [],
        ...(typeof cardData === "object" && cardData !== null && !Array.isArray(cardData)
          ? { cardData: cardData as Record<string, unknown> }
          : {}),
        ...(typeof model.sha === "string" ? { sha: model.sha } : {}),
        ...(updated instanceof Date && !Number.isNaN(updated.getTime()) ? { lastModified: updated } : {}),
      };
    }
  } catch (error) {
    throw toRemoteError({ error, repo: subject, hubUrl: hub.hubUrl, accessToken: hub.accessToken, doing: "searching" });
  }
}

function describe(options: SearchModelsOptions): string {
  const parts = [
    ...(options.tags ?? []).map((tag) => `tag ${tag}`),
    ...(options.search === undefined ? [] : [`"${options.search}"`]),
    ...(options.author === undefined ? [] : [`author ${options.author}`]),
  ];
  return parts.length === 0 ? "all models" : `models with ${parts.join(", ")}`;
}
