import { badRequest } from "../http-error.js";
import type { DiscussionRecord } from "./types.js";

/** Discussions per page of `GET …/discussions`, as on the Hub. */
export const discussionsPerPage = 50;

export interface DiscussionQuery {
  type: "all" | "discussion" | "pull_request";
  status: "all" | "open" | "closed";
  author?: string;
  /** Page index from 0. */
  page: number;
}

/** Reads the filters the clients send (`type`, `status`, `author`, `p`); an unknown value is a 400. */
export function parseDiscussionQuery(query: URLSearchParams): DiscussionQuery {
  const type = query.get("type") ?? "all";
  const status = query.get("status") ?? "all";
  if (type !== "all" && type !== "discussion" && type !== "pull_request") {
    throw badRequest('The discussion "type" filter must be all, discussion or pull_request.', "HUB_BAD_QUERY");
  }
  if (status !== "all" && status !== "open" && status !== "closed") {
    throw badRequest('The discussion "status" filter must be all, open or closed.', "HUB_BAD_QUERY");
  }
  const pageText = query.get("p") ?? "0";
  const page = Number(pageText);
  if (!/^[0-9]{1,9}$/.test(pageText) || !Number.isSafeInteger(page)) {
    throw badRequest('The discussion page "p" must be an integer from 0.', "HUB_BAD_QUERY");
  }
  const author = query.get("author");
  return { type, status, page, ...(author !== null && author !== "" && { author }) };
}

/**
 * One page of the discussions (newest first) that pass the filters, and how many pass in all. `open` takes drafts
 * too, `closed` takes merged pull requests too, as the Hub's tabs do.
 */
export function selectDiscussions(
  records: readonly DiscussionRecord[],
  query: DiscussionQuery,
): { page: DiscussionRecord[]; count: number; start: number } {
  const matching = records.filter(
    (record) =>
      (query.type === "all" || record.isPullRequest === (query.type === "pull_request")) &&
      (query.status === "all" ||
        (query.status === "open") === (record.status === "open" || record.status === "draft")) &&
      (query.author === undefined || record.author.toLowerCase() === query.author.toLowerCase()),
  );
  const start = query.page * discussionsPerPage;
  return { page: matching.slice(start, start + discussionsPerPage), count: matching.length, start };
}
