import { UsageError } from "../errors.js";

/** The first line of every tvhub comment: an HTML comment GitHub does not render, found again on the next run. */
export function stickyMarker(marker: string): string {
  if (!/^[A-Za-z0-9._:/@-]{1,200}$/.test(marker)) {
    throw new UsageError(`The comment marker "${marker}" may only hold letters, digits and ._:/@- (at most 200).`, {
      code: "GITHUB_BAD_MARKER",
      subject: "marker",
    });
  }
  return `<!-- tvhub:${marker} -->`;
}

/** The first comment of a paginated listing whose body starts with `marker` (leading white space aside). */
export async function findMarkedComment<Comment extends { body?: string | null }>(
  pages: AsyncIterable<{ data: Comment[] }>,
  marker: string,
): Promise<Comment | undefined> {
  for await (const page of pages) {
    const found = page.data.find((comment) => (comment.body ?? "").trimStart().startsWith(marker));
    if (found) return found;
  }
  return undefined;
}
