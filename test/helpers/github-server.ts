/**
 * A loopback GitHub REST API server with just the endpoints tvhub calls, so the real octokit (and the bundled
 * Action) can be tested with no network. State is plain data the tests read and seed directly.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeComment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
  /** How many times the comment was edited through the API. */
  edits: number;
}

export interface FakePull {
  number: number;
  state: "open" | "closed";
  merged_at: string | null;
  merge_commit_sha: string | null;
  head: { sha: string };
  html_url: string;
  /** The commits the pull request carries; `commits/{sha}/pulls` finds it by any of them or its merge commit. */
  commits: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The authorization scheme the request used: the expected token as `token X` or `Bearer X`, another, or none. */
  auth: "token" | "bearer" | "wrong" | "none";
  status: number;
}

export interface FaultRule {
  method?: string;
  /** Matched against the path without the query string. */
  path?: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many matching requests get the fault. @default 1 */
  times?: number;
}

export interface GitHubServerState {
  /** Keyed `owner/repo#number`. */
  issueComments: Map<string, FakeComment[]>;
  /** Keyed `owner/repo@sha`. */
  commitComments: Map<string, FakeComment[]>;
  /** Keyed `owner/repo`. */
  pulls: Map<string, FakePull[]>;
  requests: RecordedRequest[];
}

export interface StartGitHubServerOptions {
  /** The token every request must carry. */
  token: string;
  /** The largest `per_page` the server honours (GitHub's is 100); smaller values make pagination cheap to test. */
  maxPerPage?: number;
  /** The login shown as the author of comments made through the API. @default "github-actions[bot]" */
  login?: string;
}

export interface GitHubServer {
  /** The API base URL, e.g. http://127.0.0.1:PORT; pass it as GITHUB_API_URL or octokit's baseUrl. */
  url: string;
  state: GitHubServerState;
  issueComments(owner: string, repo: string, issueNumber: number): FakeComment[];
  commitComments(owner: string, repo: string, sha: string): FakeComment[];
  /** Seeds comments written by someone else (as a person would). */
  addIssueComments(owner: string, repo: string, issueNumber: number, bodies: string[], login?: string): void;
  addPullRequest(
    owner: string,
    repo: string,
    pull: { number: number; headSha: string; merged?: boolean; mergeCommitSha?: string; commits?: string[] },
  ): void;
  /** Makes the next matching requests fail with the given status, headers and body. */
  failNext(rule: FaultRule): void;
  close(): Promise<void>;
}

export async function startGitHubServer(options: StartGitHubServerOptions): Promise<GitHubServer> {
  const maxPerPage = options.maxPerPage ?? 100;
  const login = options.login ?? "github-actions[bot]";
  const state: GitHubServerState = {
    issueComments: new Map(),
    commitComments: new Map(),
    pulls: new Map(),
    requests: [],
  };
  const faults: Array<FaultRule & { left: number }> = [];
  let nextId = 1000;
  let remaining = 5000;
  let base = "";

  const newComment = (body: string, htmlUrl: string, author: string): FakeComment => {
    const id = nextId++;
    const now = new Date().toISOString();
    return {
      id,
      body,
      html_url: `${htmlUrl}-${id}`,
      user: { login: author, type: author.endsWith("[bot]") ? "Bot" : "User" },
      created_at: now,
      updated_at: now,
      edits: 0,
    };
  };
  const listOf = <T>(map: Map<string, T[]>, key: string): T[] => {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    return list;
  };
  const findComment = (map: Map<string, FakeComment[]>, prefix: string, id: number): FakeComment | undefined => {
    for (const [key, list] of map) if (key.startsWith(prefix)) for (const c of list) if (c.id === id) return c;
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://loopback");
    const method = req.method ?? "GET";
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const authorization = req.headers.authorization ?? "";
    const auth: RecordedRequest["auth"] =
      authorization === `token ${options.token}`
        ? "token"
        : authorization === `Bearer ${options.token}`
          ? "bearer"
          : authorization
            ? "wrong"
            : "none";
    const record: RecordedRequest = { method, path, query, auth, status: 0 };
    state.requests.push(record);
    const raw = await readBody(req);

    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      remaining = Math.max(0, remaining - 1);
      res.writeHead(status, {
        "content-type": "application/json; charset=utf-8",
        "x-github-request-id": `LOOP:${state.requests.length}`,
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": String(remaining),
        "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
        "x-ratelimit-resource": "core",
        ...headers,
      });
      res.end(status === 204 ? undefined : JSON.stringify(body));
    };
    const notFound = () =>
      send(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });

    if (auth !== "token" && auth !== "bearer") {
      send(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
      return;
    }
    const fault = faults.find(
      (f) => f.left > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(path)),
    );
    if (fault) {
      fault.left--;
      send(fault.status, fault.body ?? { message: `fault ${fault.status}` }, fault.headers);
      return;
    }
    let json: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        json = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        send(400, { message: "Problems parsing JSON" });
        return;
      }
    }
    const body = typeof json.body === "string" ? json.body : undefined;
    const tooLong = () =>
      send(422, {
        message: "Validation Failed",
        errors: [
          {
            resource: "IssueComment",
            code: "custom",
            field: "body",
            message: "body is too long (maximum is 65536 characters)",
          },
        ],
      });

    let m: RegExpExecArray | null;
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path))) {
      const [, owner, repo, n] = m as unknown as [string, string, string, string];
      const key = `${owner}/${repo}#${n}`;
      if (method === "GET") {
        const list = state.issueComments.get(key) ?? [];
        paginate(list, query, path, send);
        return;
      }
      if (method === "POST") {
        if (body === undefined) return send(422, { message: "Invalid request: body is missing" });
        if (body.length > 65_536) return tooLong();
        const comment = newComment(body, `${base}/${owner}/${repo}/pull/${n}#issuecomment`, login);
        listOf(state.issueComments, key).push(comment);
        return send(201, comment);
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(path)) && method === "PATCH") {
      const [, owner, repo, id] = m as unknown as [string, string, string, string];
      const comment = findComment(state.issueComments, `${owner}/${repo}#`, Number(id));
      if (!comment) return notFound();
      if (body === undefined) return send(422, { message: "Invalid request: body is missing" });
      if (body.length > 65_536) return tooLong();
      comment.body = body;
      comment.edits++;
      comment.updated_at = new Date().toISOString();
      return send(200, comment);
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([0-9a-f]{40})\/pulls$/.exec(path)) && method === "GET") {
      const [, owner, repo, sha] = m as unknown as [string, string, string, string];
      const pulls = (state.pulls.get(`${owner}/${repo}`) ?? []).filter(
        (p) => p.commits.includes(sha) || p.merge_commit_sha === sha,
      );
      return send(
        200,
        pulls.map(({ commits: _commits, ...pull }) => pull),
      );
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([0-9a-f]{40})\/comments$/.exec(path))) {
      const [, owner, repo, sha] = m as unknown as [string, string, string, string];
      const key = `${owner}/${repo}@${sha}`;
      if (method === "GET") {
        paginate(state.commitComments.get(key) ?? [], query, path, send);
        return;
      }
      if (method === "POST") {
        if (body === undefined) return send(422, { message: "Invalid request: body is missing" });
        if (body.length > 65_536) return tooLong();
        const comment = newComment(body, `${base}/${owner}/${repo}/commit/${sha}#commitcomment`, login);
        listOf(state.commitComments, key).push(comment);
        return send(201, { ...comment, commit_id: sha });
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/comments\/(\d+)$/.exec(path)) && method === "PATCH") {
      const [, owner, repo, id] = m as unknown as [string, string, string, string];
      const comment = findComment(state.commitComments, `${owner}/${repo}@`, Number(id));
      if (!comment) return notFound();
      if (body === undefined) return send(422, { message: "Invalid request: body is missing" });
      comment.body = body;
      comment.edits++;
      comment.updated_at = new Date().toISOString();
      return send(200, comment);
    }
    notFound();
  };

  const paginate = (
    list: FakeComment[],
    query: Record<string, string>,
    path: string,
    send: (s: number, b: unknown, h?: Record<string, string>) => void,
  ) => {
    const perPage = Math.min(Math.max(Number(query.per_page ?? 30) || 30, 1), maxPerPage);
    const page = Math.max(Number(query.page ?? 1) || 1, 1);
    const last = Math.max(Math.ceil(list.length / perPage), 1);
    const link = (p: number, rel: string) => `<${base}${path}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, "prev"), link(1, "first"));
    if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
    send(200, list.slice((page - 1) * perPage, page * perPage), links.length > 0 ? { link: links.join(", ") } : {});
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    state,
    issueComments: (owner, repo, n) => state.issueComments.get(`${owner}/${repo}#${n}`) ?? [],
    commitComments: (owner, repo, sha) => state.commitComments.get(`${owner}/${repo}@${sha}`) ?? [],
    addIssueComments(owner, repo, n, bodies, author = "someone") {
      const list = listOf(state.issueComments, `${owner}/${repo}#${n}`);
      for (const body of bodies) list.push(newComment(body, `${base}/${owner}/${repo}/pull/${n}#issuecomment`, author));
    },
    addPullRequest(owner, repo, pull) {
      const merged = pull.merged ?? false;
      listOf(state.pulls, `${owner}/${repo}`).push({
        number: pull.number,
        state: merged ? "closed" : "open",
        merged_at: merged ? new Date().toISOString() : null,
        merge_commit_sha: pull.mergeCommitSha ?? null,
        head: { sha: pull.headSha },
        html_url: `${base}/${owner}/${repo}/pull/${pull.number}`,
        commits: pull.commits ?? [pull.headSha],
      });
    },
    failNext(rule) {
      faults.push({ ...rule, left: rule.times ?? 1 });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
