import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemoteError } from "../errors.js";
import { startGitHubServer, type GitHubServer } from "../../test/helpers/github-server.js";
import { createGitHubReporter, type CreateGitHubReporterOptions } from "./create-github-reporter.js";

const token = "ghs_loopbackToken1234567890";
const sha = "a".repeat(40);
/** The repository every comment here goes to. */
const acme = { owner: "acme", repo: "models" };
let server: GitHubServer;
let ids = 0;

beforeAll(async () => {
  server = await startGitHubServer({ token, maxPerPage: 10 });
});
afterAll(async () => {
  await server.close();
});

/** Each reporter gets its own pacing key, so one test's writes do not hold up the next. */
function reporter(overrides: Partial<CreateGitHubReporterOptions> = {}) {
  const warnings: string[] = [];
  const created = createGitHubReporter({
    token,
    baseUrl: server.url,
    throttleId: `spec-${ids++}`,
    secondMs: 20,
    writePacing: false,
    log: { info: () => {}, warn: (m) => warnings.push(m) },
    ...overrides,
  });
  return Object.assign(created, { warnings });
}

/** What a sticky comment on acme/models#issueNumber is refused with (undefined when it is posted). */
function refusalOf(github: ReturnType<typeof reporter>, issueNumber: number): Promise<unknown> {
  return github.upsertStickyComment({ ...acme, issueNumber, marker: "m", body: "b" }).then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Makes the next comment posts on acme/models#issueNumber (one unless `times` says) hit a rate limit. */
function rateLimitCommentPosts(
  issueNumber: number,
  limit: { status: number; retryAfter: string; message: string; times?: number },
) {
  server.failNext({
    method: "POST",
    path: new RegExp(`/issues/${issueNumber}/comments$`),
    status: limit.status,
    headers: { "retry-after": limit.retryAfter },
    body: { message: limit.message },
    times: limit.times ?? 1,
  });
}

/** A pull request of acme/models merged as `mergeCommitSha`. */
function addMergedPullRequest(number: number, headSha: string, mergeCommitSha: string) {
  server.addPullRequest("acme", "models", { number, headSha, merged: true, mergeCommitSha });
}

function requestsSince(start: number) {
  return server.state.requests.slice(start);
}

describe("upsertStickyComment", () => {
  it("creates the comment once, then updates it in place", async () => {
    const github = reporter();
    const first = await github.upsertStickyComment({
      ...acme,
      issueNumber: 1,
      marker: "check:recipes/a.yml",
      body: "run 1",
    });
    const second = await github.upsertStickyComment({
      ...acme,
      issueNumber: 1,
      marker: "check:recipes/a.yml",
      body: "run 2",
    });
    const comments = server.issueComments("acme", "models", 1);
    expect(comments).toHaveLength(1);
    expect(first).toMatchObject({ action: "created", target: "pull-request", number: 1 });
    expect(second).toMatchObject({ action: "updated", id: first.id, url: first.url });
    expect(comments[0]?.body).toBe("<!-- tvhub:check:recipes/a.yml -->\nrun 2");
    expect(comments[0]?.edits).toBe(1);
  });

  it("keeps one comment per marker and ignores a person quoting the marker", async () => {
    const github = reporter();
    server.addIssueComments("acme", "models", 2, ["> <!-- tvhub:merge:x -->\n> quoted by a reviewer"]);
    await github.upsertStickyComment({ ...acme, issueNumber: 2, marker: "merge:x", body: "x" });
    await github.upsertStickyComment({ ...acme, issueNumber: 2, marker: "merge:y", body: "y" });
    await github.upsertStickyComment({ ...acme, issueNumber: 2, marker: "merge:x", body: "x2" });
    const bodies = server.issueComments("acme", "models", 2).map((c) => c.body);
    expect(bodies).toEqual([
      "> <!-- tvhub:merge:x -->\n> quoted by a reviewer",
      "<!-- tvhub:merge:x -->\nx2",
      "<!-- tvhub:merge:y -->\ny",
    ]);
  });

  it("follows Link pagination to find its comment on the third page", async () => {
    const github = reporter();
    server.addIssueComments(
      "acme",
      "models",
      3,
      Array.from({ length: 23 }, (_, i) => `chatter ${i}`),
    );
    await github.upsertStickyComment({ ...acme, issueNumber: 3, marker: "plan", body: "first" });
    server.addIssueComments(
      "acme",
      "models",
      3,
      Array.from({ length: 5 }, (_, i) => `more chatter ${i}`),
    );
    const start = server.state.requests.length;
    const result = await github.upsertStickyComment({ ...acme, issueNumber: 3, marker: "plan", body: "second" });
    const comments = server.issueComments("acme", "models", 3);
    expect(comments).toHaveLength(29);
    expect(comments[23]?.body).toBe("<!-- tvhub:plan -->\nsecond");
    expect(result.action).toBe("updated");
    const pages = requestsSince(start)
      .filter((r) => r.method === "GET")
      .map((r) => r.query.page ?? "1");
    expect(pages).toEqual(["1", "2", "3"]);
  });

  it("cuts a body longer than GitHub accepts instead of failing", async () => {
    const github = reporter();
    const body = Array.from({ length: 5000 }, (_, i) => `| row ${i} | ${"x".repeat(20)} |`).join("\n");
    await github.upsertStickyComment({ ...acme, issueNumber: 4, marker: "big", body });
    const stored = server.issueComments("acme", "models", 4)[0]?.body ?? "";
    expect(stored.length).toBeLessThanOrEqual(65_536);
    expect(stored).toMatch(/cut to fit a GitHub comment/);
  });

  it("spaces its writes as GitHub asks unless told not to", async () => {
    const github = reporter({ writePacing: true });
    const began = Date.now();
    await github.upsertStickyComment({ ...acme, issueNumber: 13, marker: "pace", body: "1" });
    await github.upsertStickyComment({ ...acme, issueNumber: 13, marker: "pace", body: "2" });
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
  });

  it("sends the token as `token <value>`", async () => {
    const start = server.state.requests.length;
    await reporter().upsertStickyComment({ ...acme, issueNumber: 5, marker: "auth", body: "b" });
    expect(requestsSince(start).map((r) => r.auth)).toEqual(["token", "token"]);
  });

  it("rejects a marker that could break out of the HTML comment", async () => {
    await expect(
      reporter().upsertStickyComment({ ...acme, issueNumber: 5, marker: "x -->", body: "b" }),
    ).rejects.toThrow(/may only hold letters/);
  });
});

describe("commentOnCommitOrMergedPr", () => {
  it("comments on the pull request whose merge produced the commit", async () => {
    const merge = "b".repeat(40);
    server.addPullRequest("acme", "models", { number: 40, headSha: "c".repeat(40), commits: [merge], merged: false });
    addMergedPullRequest(41, "d".repeat(40), merge);
    const result = await reporter().commentOnCommitOrMergedPr({ ...acme, sha: merge, body: "published" });
    expect(result).toMatchObject({ target: "pull-request", number: 41, action: "created" });
    expect(server.issueComments("acme", "models", 41).map((c) => c.body)).toEqual(["published"]);
    expect(server.issueComments("acme", "models", 40)).toEqual([]);
    expect(server.commitComments("acme", "models", merge)).toEqual([]);
  });

  it("comments on the commit when no merged pull request holds it, and updates that comment on a rerun", async () => {
    const direct = "e".repeat(40);
    server.addPullRequest("acme", "models", { number: 50, headSha: direct, merged: false });
    const github = reporter();
    const first = await github.commentOnCommitOrMergedPr({ ...acme, sha: direct, body: "v1", marker: "publish" });
    const second = await github.commentOnCommitOrMergedPr({ ...acme, sha: direct, body: "v2", marker: "publish" });
    expect(first).toMatchObject({ target: "commit", action: "created" });
    expect(second).toMatchObject({ target: "commit", action: "updated", id: first.id });
    expect(server.commitComments("acme", "models", direct).map((c) => c.body)).toEqual(["<!-- tvhub:publish -->\nv2"]);
    expect(server.issueComments("acme", "models", 50)).toEqual([]);
  });

  it("updates its sticky comment on the merged pull request when given a marker", async () => {
    const merge = "f".repeat(40);
    addMergedPullRequest(60, "1".repeat(40), merge);
    const github = reporter();
    await github.commentOnCommitOrMergedPr({ ...acme, sha: merge, body: "one", marker: "publish" });
    await github.commentOnCommitOrMergedPr({ ...acme, sha: merge, body: "two", marker: "publish" });
    expect(server.issueComments("acme", "models", 60).map((c) => c.body)).toEqual(["<!-- tvhub:publish -->\ntwo"]);
  });
});

describe("errors and limits", () => {
  it("turns a 401 into a one-line RemoteError without the token", async () => {
    const wrong = "ghp_notTheRightTokenAtAll123";
    const github = reporter({ token: wrong });
    const error = await refusalOf(github, 7);
    expect(error).toBeInstanceOf(RemoteError);
    const message = (error as RemoteError).message;
    expect(message).toMatch(
      /^GitHub rejected the token while commenting on acme\/models#7 \(HTTP 401: Bad credentials/,
    );
    expect(message).not.toContain(wrong);
    expect(message).not.toContain("\n");
    expect((error as RemoteError).code).toBe("GITHUB_UNAUTHORIZED");
  });

  it("waits out a secondary rate limit as long as retry-after says, then succeeds", async () => {
    rateLimitCommentPosts(8, {
      status: 403,
      retryAfter: "5",
      message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    });
    const github = reporter({ secondMs: 40 });
    const start = server.state.requests.length;
    const began = Date.now();
    const result = await github.upsertStickyComment({ ...acme, issueNumber: 8, marker: "m", body: "b" });
    expect(result.action).toBe("created");
    expect(Date.now() - began).toBeGreaterThanOrEqual(5 * 40);
    expect(
      requestsSince(start)
        .filter((r) => r.method === "POST")
        .map((r) => r.status),
    ).toEqual([403, 201]);
    expect(server.issueComments("acme", "models", 8)).toHaveLength(1);
    expect(github.warnings.join("\n")).toMatch(/secondary rate limit/);
  });

  it("gives up after a bounded number of rate-limit retries", async () => {
    rateLimitCommentPosts(9, {
      status: 403,
      retryAfter: "1",
      message: "You have exceeded a secondary rate limit.",
      times: 10,
    });
    const start = server.state.requests.length;
    const error = await refusalOf(reporter({ rateLimitRetries: 2 }), 9);
    expect((error as RemoteError).code).toBe("GITHUB_RATE_LIMITED");
    expect((error as RemoteError).message).toMatch(/rate limit stopped tvhub while commenting on acme\/models#9/);
    expect(requestsSince(start).filter((r) => r.method === "POST")).toHaveLength(3);
  });

  it("does not hold the job for a rate limit that asks for a long wait", async () => {
    rateLimitCommentPosts(10, { status: 429, retryAfter: "3600", message: "secondary rate limit" });
    const error = await refusalOf(reporter({ maxRetryAfterSeconds: 60, serverErrorRetries: 0 }), 10);
    expect((error as RemoteError).code).toBe("GITHUB_RATE_LIMITED");
  });

  it("retries a server error and then succeeds", async () => {
    server.failNext({ method: "GET", path: /\/issues\/11\/comments$/, status: 502, body: { message: "Server Error" } });
    const start = server.state.requests.length;
    const result = await reporter().upsertStickyComment({ ...acme, issueNumber: 11, marker: "m", body: "b" });
    expect(result.action).toBe("created");
    expect(requestsSince(start).map((r) => r.status)).toEqual([502, 200, 201]);
  });

  it("says what permission is missing on a plain 403", async () => {
    server.failNext({ method: "POST", status: 403, body: { message: "Resource not accessible by integration" } });
    const error = await refusalOf(reporter(), 12);
    expect((error as RemoteError).code).toBe("GITHUB_FORBIDDEN");
    expect((error as RemoteError).message).toMatch(/Resource not accessible by integration.*pull-requests: write/);
  });

  it("names the API URL when GitHub cannot be reached", async () => {
    const gone = await startGitHubServer({ token });
    const url = gone.url;
    await gone.close();
    const error = await reporter({ baseUrl: url, serverErrorRetries: 0 })
      .commentOnCommitOrMergedPr({ ...acme, sha, body: "b" })
      .catch((e: unknown) => e);
    expect((error as RemoteError).code).toBe("GITHUB_UNREACHABLE");
    expect((error as RemoteError).message).toContain(
      `Could not reach GitHub at ${url} while commenting on commit aaaaaaa of acme/models`,
    );
  });
});
