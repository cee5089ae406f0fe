import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalHub, type LocalHub } from "./start-local-hub.js";

const alice = { name: "alice", token: "hf_alice_refs_spec" };
const bob = { name: "bob", token: "hf_bob_refs_spec_2" };
let hub: LocalHub;

async function call(method: string, path: string, options: { token?: string; json?: unknown; form?: string } = {}) {
  const headers: Record<string, string> = { Authorization: `Bearer ${options.token ?? alice.token}` };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    body = options.form;
  }
  const response = await fetch(`${hub.url}${path}`, { method, headers, ...(body !== undefined && { body }) });
  return {
    status: response.status,
    code: response.headers.get("x-error-code"),
    body: (await response.json()) as Record<string, unknown>,
  };
}

beforeAll(async () => {
  hub = await startLocalHub({ dir: join(mkdtempSync(join(tmpdir(), "tvhub-refs-spec-")), "hub"), users: [alice, bob] });
  expect((await call("POST", "/api/repos/create", { json: { name: "m", organization: null } })).status).toBe(200);
});

afterAll(async () => {
  await hub?.close();
});

describe("refs, repo and card routes as the Python client calls them", () => {
  it("answers an existing repo's create with 409 and its url, which exist_ok reads", async () => {
    expect(await call("POST", "/api/repos/create", { json: { name: "m", organization: null } })).toMatchObject({
      status: 409,
      body: { url: `${hub.url}/alice/m`, error: "You already created this model repo" },
    });
  });

  it(
    "tags: the URL names the revision, the body the tag; 409 again, 400 without a tag, 404 to delete a missing " +
      "one",
    async () => {
      expect(
        (await call("POST", "/api/models/alice/m/tag/main", { json: { tag: "v1", message: "first" } })).status,
      ).toBe(200);
      expect((await call("POST", "/api/models/alice/m/tag/main", { json: { tag: "v1" } })).status).toBe(409);
      expect((await call("POST", "/api/models/alice/m/tag/main", { json: {} })).status).toBe(400);
      expect(
        (await call("POST", "/api/models/alice/m/tag/main", { token: bob.token, json: { tag: "v2" } })).status,
      ).toBe(403);
      const refs = await call("GET", "/api/models/alice/m/refs?include_prs=1");
      const main = (refs.body.branches as Array<{ targetCommit: string }>)[0]?.targetCommit;
      expect(refs.body).toEqual({
        branches: [{ name: "main", ref: "refs/heads/main", targetCommit: main }],
        tags: [{ name: "v1", ref: "refs/tags/v1", targetCommit: main }],
        converts: [],
        pullRequests: [],
      });
      expect((await call("GET", "/api/models/alice/m/refs")).body).not.toHaveProperty("pullRequests");
      expect((await call("GET", "/api/models/alice/m/revision/v1")).body.sha).toBe(main);
      expect((await call("DELETE", "/api/models/alice/m/tag/v1")).status).toBe(200);
      expect(await call("DELETE", "/api/models/alice/m/tag/v1")).toMatchObject({
        status: 404,
        code: "RevisionNotFound",
      });
    },
  );

  it("super-squash takes the message's first line as the title", async () => {
    const squash = await call("POST", "/api/models/alice/m/super-squash/main", {
      json: { message: "Squashed\n\nall of it" },
    });
    expect(squash.status).toBe(200);
    const commits = (await call("GET", "/api/models/alice/m/commits/main")).body as unknown as Array<{
      id: string;
      title: string;
      message: string;
    }>;
    expect(commits.map((c) => [c.id, c.title, c.message])).toEqual([
      [squash.body.commitId, "Squashed", "Squashed\n\nall of it"],
    ]);
  });

  it("paths-info reads the Python client's form as well as the JS client's JSON", async () => {
    const form = await call("POST", "/api/models/alice/m/paths-info/main", {
      form: "paths=.gitattributes&paths=nope&expand=true",
    });
    const json = await call("POST", "/api/models/alice/m/paths-info/main", {
      json: { paths: [".gitattributes", "nope"], expand: true },
    });
    expect(form.status).toBe(200);
    expect(form.body).toEqual(json.body);
    expect((form.body as unknown as Array<Record<string, unknown>>)[0]).toMatchObject({
      path: ".gitattributes",
      securityFileStatus: { status: "unscanned", avScan: null, pickleImportScan: null },
      lastCommit: { title: "Squashed" },
    });
  });

  it("validate-yaml answers every request with a JSON object", async () => {
    expect(
      await call("POST", "/api/validate-yaml", { json: { content: "---\nlicense: mit\n---\n", repoType: "model" } }),
    ).toMatchObject({ status: 200, body: {} });
    expect(await call("POST", "/api/validate-yaml", { json: { content: "---\nlicense: [\n---\n" } })).toMatchObject({
      status: 400,
      body: { errors: [{ message: expect.stringMatching(/^Error parsing YAML metadata/) }] },
    });
    expect(await call("POST", "/api/validate-yaml", { json: { repoType: "model" } })).toMatchObject({
      status: 400,
      body: { errors: [expect.any(Object)] },
    });
    expect(await call("POST", "/api/validate-yaml", { form: "not json" })).toMatchObject({
      status: 400,
      body: { error: expect.any(String) },
    });
  });

  it("moves a repo only for a caller who may write both namespaces, and never onto an existing one", async () => {
    expect((await call("POST", "/api/repos/create", { json: { name: "other", organization: null } })).status).toBe(200);
    expect(
      (await call("POST", "/api/repos/move", { json: { fromRepo: "alice/m", toRepo: "alice/other", type: "model" } }))
        .status,
    ).toBe(409);
    expect(
      (await call("POST", "/api/repos/move", { json: { fromRepo: "alice/m", toRepo: "bob/m", type: "model" } })).status,
    ).toBe(403);
    expect(
      (await call("POST", "/api/repos/move", { token: bob.token, json: { fromRepo: "alice/m", toRepo: "bob/m" } }))
        .status,
    ).toBe(403);
    expect((await call("POST", "/api/repos/move", { json: { fromRepo: "alice/m", toRepo: "m2" } })).status).toBe(400);
    expect(
      await call("POST", "/api/repos/move", { json: { fromRepo: "alice/m", toRepo: "alice/renamed", type: "model" } }),
    ).toMatchObject({
      status: 200,
      body: { url: `${hub.url}/alice/renamed` },
    });
    expect((await call("GET", "/api/models/alice/m")).code).toBe("RepoNotFound");
    expect((await call("GET", "/api/models/alice/renamed")).status).toBe(200);
  });
});
