import { badRequest } from "./http-error.js";

/** What listing needs to know about one repo. */
export interface RepoListing {
  id: string;
  author: string;
  tags: readonly string[];
  pipelineTag?: string;
  libraryName?: string;
  createdAt: string;
  lastModified: string;
  usedStorage: number;
}

export interface RepoQuery {
  /** Case-insensitive substring of the repo id. */
  search?: string;
  /** Exact namespace (case-insensitive, as on the Hub). */
  author?: string;
  /** Every one must be among the repo's tags. */
  filters: string[];
  pipelineTag?: string;
  library?: string;
  sort: SortKey;
  /** -1 descending (the Hub's default), 1 ascending. */
  direction: 1 | -1;
}

export type SortKey = "id" | "createdAt" | "lastModified" | "downloads" | "likes" | "trendingScore" | "mainSize";

/** Where the previous page stopped: the sort value and id of its last item. */
export interface RepoCursor {
  value: string | number;
  id: string;
}

export interface SelectReposOptions<T extends RepoListing> {
  repos: readonly T[];
  query: RepoQuery;
  after?: RepoCursor;
  limit: number;
}

/** Filters, orders (ties by id) and cuts one page; the cursor is keyset-based, so pages stay stable under writes. */
export function selectRepos<T extends RepoListing>(options: SelectReposOptions<T>): { page: T[]; next?: RepoCursor } {
  const { query } = options;
  const search = query.search?.toLowerCase();
  const author = query.author?.toLowerCase();
  const matching = options.repos.filter(
    (repo) =>
      (search === undefined || repo.id.toLowerCase().includes(search)) &&
      (author === undefined || repo.author.toLowerCase() === author) &&
      query.filters.every((tag) => repo.tags.includes(tag)) &&
      (query.pipelineTag === undefined || repo.pipelineTag === query.pipelineTag) &&
      (query.library === undefined || repo.libraryName === query.library || repo.tags.includes(query.library)),
  );
  const order = (a: RepoCursor, b: RepoCursor): number => {
    const byValue = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
    if (byValue !== 0) return byValue * query.direction;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
  const keyed = matching.map((repo) => ({ repo, key: { value: sortValue(repo, query.sort), id: repo.id } }));
  keyed.sort((a, b) => order(a.key, b.key));
  const { after } = options;
  const start = after === undefined ? 0 : keyed.findIndex((item) => order(item.key, after) > 0);
  const rest = start === -1 ? [] : keyed.slice(start);
  const page = rest.slice(0, options.limit);
  const last = page.at(-1);
  return { page: page.map((item) => item.repo), ...(rest.length > page.length && last && { next: last.key }) };
}

const sortKeys: Record<string, SortKey> = {
  id: "id",
  createdAt: "createdAt",
  created_at: "createdAt",
  lastModified: "lastModified",
  last_modified: "lastModified",
  downloads: "downloads",
  likes: "likes",
  likes30d: "likes",
  trendingScore: "trendingScore",
  trending_score: "trendingScore",
  mainSize: "mainSize",
  usedStorage: "mainSize",
};

/** Reads `search`, `author`, `filter` (repeatable), `pipeline_tag`, `library`, `sort` and `direction`. */
export function parseRepoQuery(params: URLSearchParams): RepoQuery {
  const sortText = params.get("sort");
  const sort = sortText === null || sortText === "" ? "lastModified" : sortKeys[sortText];
  if (sort === undefined) {
    throw badRequest(`Cannot sort by "${sortText}"; use one of ${Object.keys(sortKeys).join(", ")}.`, "HUB_BAD_QUERY");
  }
  const directionText = params.get("direction");
  if (directionText !== null && directionText !== "-1" && directionText !== "1") {
    throw badRequest('Query parameter "direction" must be -1 or 1.', "HUB_BAD_QUERY");
  }
  const optional = (name: string): string | undefined => {
    const value = params.get(name);
    return value === null || value === "" ? undefined : value;
  };
  const query: RepoQuery = {
    filters: params
      .getAll("filter")
      .flatMap((value) => value.split(","))
      .filter((tag) => tag !== ""),
    sort,
    direction: directionText === "1" ? 1 : -1,
  };
  const search = optional("search");
  const author = optional("author");
  const pipelineTag = optional("pipeline_tag");
  const library = optional("library");
  if (search !== undefined) query.search = search;
  if (author !== undefined) query.author = author;
  if (pipelineTag !== undefined) query.pipelineTag = pipelineTag;
  if (library !== undefined) query.library = library;
  return query;
}

function sortValue(repo: RepoListing, key: SortKey): string | number {
  switch (key) {
    case "id":
      return repo.id;
    case "createdAt":
      return repo.createdAt;
    case "lastModified":
      return repo.lastModified;
    case "mainSize":
      return repo.usedStorage;
    default:
      // Downloads, likes and trending are always zero on a local Hub: the tie-break by id decides.
      return 0;
  }
}
