import type { RepoRecord } from "../types.js";
import { repoIdOf } from "../types.js";
import type { DiscussionEvent, DiscussionRecord } from "./types.js";

/** The Hub's user object; clients read `.name` and fail on `null`, so an author is always an object. */
export function userJson(name: string): Record<string, unknown> {
  return { type: "user", name, fullname: name, avatarUrl: "", isHf: false, isPro: false, isOwner: false };
}

/** An item of `GET …/discussions`. */
export function discussionJson(repo: RepoRecord, record: DiscussionRecord): Record<string, unknown> {
  return {
    num: record.num,
    title: record.title,
    status: record.status,
    createdAt: record.createdAt,
    isPullRequest: record.isPullRequest,
    author: userJson(record.author),
    repo: { name: repoIdOf(repo), type: repo.type },
    numComments: record.events.filter((event) => event.type === "comment").length,
    pinned: false,
    topReactions: [],
  };
}

/** `GET …/discussions/{num}`: the item plus its events and, for a pull request, its target and conflicts. */
export function discussionDetailsJson(
  repo: RepoRecord,
  record: DiscussionRecord,
  filesWithConflicts: readonly string[],
): Record<string, unknown> {
  const json: Record<string, unknown> = { ...discussionJson(repo, record), events: record.events.map(eventJson) };
  if (record.pullRequest) {
    json.changes = {
      base: record.pullRequest.base,
      ...(record.pullRequest.mergeCommitId !== undefined && { mergeCommitId: record.pullRequest.mergeCommitId }),
    };
    json.filesWithConflicts = filesWithConflicts;
  }
  return json;
}

export function eventJson(event: DiscussionEvent): Record<string, unknown> {
  const common = { id: event.id, type: event.type, createdAt: event.createdAt, author: userJson(event.author) };
  switch (event.type) {
    case "comment": {
      const latest = {
        raw: event.data.content,
        html: htmlOf(event.data.content),
        updatedAt: event.createdAt,
        author: userJson(event.author),
      };
      return {
        ...common,
        data: {
          edited: false,
          hidden: false,
          numEdits: 0,
          editors: [event.author],
          reactions: [],
          latest,
          history: [latest],
        },
      };
    }
    case "status-change":
      return { ...common, data: { status: event.data.status } };
    case "commit":
      return { ...common, data: { subject: event.data.subject, oid: event.data.oid } };
    case "title-change":
      return { ...common, data: { from: event.data.from, to: event.data.to } };
  }
}

/** The comment as HTML: escaped text in paragraphs (this Hub renders no Markdown). */
function htmlOf(text: string): string {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  return escaped
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${paragraph.replace(/\n/g, "<br>")}</p>`)
    .join("\n");
}
