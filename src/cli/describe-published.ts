import type { PublishedPullRequest } from "../hub/index.js";

/** Where a publish went, for the summary line: the repo and commit, the pull request it opened, or the folder. */
export function describePublished(published: {
  repo?: string;
  dir?: string;
  commit?: string;
  url: string;
  pullRequest?: PublishedPullRequest;
}): string {
  if (published.pullRequest) {
    const { num, url, ref } = published.pullRequest;
    return (
      `pull request #${num} on ${published.url}: ${url} (commit ${published.commit ?? ""} on ${ref}; main ` +
      "changes when it is merged)"
    );
  }
  return published.repo ? `${published.url} at commit ${published.commit ?? ""}` : (published.dir ?? published.url);
}
