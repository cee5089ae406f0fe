/**
 * Access rules, path safety, limits and commit ordering of `tvhub hub serve`, driven through the official client
 * where it can express the request, and through raw HTTP where a hostile client would go around it.
 */
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { request } from "node:http";
import { dirname } from "node:path";
import {
  createRepo,
  deleteRepo,
  downloadFile,
  fileExists,
  HubApiError,
  listCommits,
  listFiles,
  listModels,
  modelInfo,
  repoExists,
  uploadFile,
  uploadFiles,
  whoAmI,
} from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardFetch, startLocalHub, type FetchGuard, type LocalHubProcess } from "./helpers/local-hub.js";

const alice = { name: "alice", token: "hf_alice_access_token" };
const bob = { name: "bob", token: "hf_bob_access_token_2" };
const carol = { name: "carol", token: "hf_carol_access_token" };

let hub: LocalHubProcess;
let guard: FetchGuard;
const hubUrl = (): string => hub.url;
/** The client types require a token; this is how a caller without one reaches it (it sends `Bearer undefined`). */
const anonymous = {} as { accessToken: string };

beforeAll(async () => {
  hub = await startLocalHub({ users: [alice, bob, carol], orgs: [{ name: "lab", members: ["alice", "carol"] }] });
  guard = guardFetch(hub.url);
  await createRepo({ repo: "alice/public", hubUrl: hubUrl(), accessToken: alice.token });
  await uploadFile({
    repo: "alice/public",
    file: { path: "hello.txt", content: new Blob(["hello"]) },
    hubUrl: hubUrl(),
    accessToken: alice.token,
  });
  await createRepo({ repo: "alice/secret", private: true, hubUrl: hubUrl(), accessToken: alice.token });
  await uploadFile({
    repo: "alice/secret",
    file: { path: "plan.txt", content: new Blob(["secret"]) },
    hubUrl: hubUrl(),
    accessToken: alice.token,
  });
  await createRepo({ repo: "lab/internal", private: true, hubUrl: hubUrl(), accessToken: alice.token });
});

afterAll(async () => {
  guard?.restore();
  await hub?.stop();
});

describe("writing needs the token of an owner or org member", () => {
  it("refuses anonymous writes with 401", async () => {
    await expect(createRepo({ repo: "alice/anon", hubUrl: hubUrl(), ...anonymous })).rejects.toMatchObject({
      statusCode: 401,
    });
    await expect(
      uploadFile({
        repo: "alice/public",
        file: { path: "x.txt", content: new Blob(["x"]) },
        hubUrl: hubUrl(),
        ...anonymous,
      }),
    ).rejects.toMatchObject({ statusCode: 401 });
    await expect(deleteRepo({ repo: "alice/public", hubUrl: hubUrl(), ...anonymous })).rejects.toMatchObject({
      statusCode: 401,
    });
    const commit = await fetch(`${hubUrl()}/api/models/alice/public/commit/main`, {
      method: "POST",
      headers: { "Content-Type": "application/x-ndjson" },
      body: JSON.stringify({ key: "header", value: { summary: "anon" } }),
    });
    expect(commit.status).toBe(401);
    expect(await fileExists({ repo: "alice/public", path: "x.txt", hubUrl: hubUrl() })).toBe(false);
  });

  it(
    "refuses writes to someone else's namespace with 403, and a wrong token with 401 that does not echo " + "it",
    async () => {
      await expect(
        createRepo({ repo: "alice/by-bob", hubUrl: hubUrl(), accessToken: bob.token }),
      ).rejects.toMatchObject({
        statusCode: 403,
      });
      await expect(
        uploadFile({
          repo: "alice/public",
          file: { path: "x.txt", content: new Blob(["x"]) },
          hubUrl: hubUrl(),
          accessToken: bob.token,
        }),
      ).rejects.toMatchObject({ statusCode: 403 });
      await expect(
        deleteRepo({ repo: "alice/public", hubUrl: hubUrl(), accessToken: bob.token }),
      ).rejects.toMatchObject({
        statusCode: 403,
      });
      expect(await repoExists({ repo: "alice/public", hubUrl: hubUrl() })).toBe(true);

      const wrong = "hf_not_a_real_token_99";
      const res = await fetch(`${hubUrl()}/api/whoami-v2`, { headers: { Authorization: `Bearer ${wrong}` } });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain(wrong);
      await expect(whoAmI({ hubUrl: hubUrl(), accessToken: wrong })).rejects.toBeInstanceOf(HubApiError);
    },
  );

  it("lets org members write to the org", async () => {
    const result = await uploadFile({
      repo: "lab/internal",
      file: { path: "by-carol.txt", content: new Blob(["carol"]) },
      hubUrl: hubUrl(),
      accessToken: carol.token,
    });
    expect(result?.commit.oid).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe("private repos are invisible to everyone else", () => {
  it("answers as if the repo did not exist", async () => {
    for (const who of [anonymous, { accessToken: bob.token }]) {
      expect(await repoExists({ repo: "alice/secret", hubUrl: hubUrl(), ...who })).toBe(false);
      await expect(modelInfo({ name: "alice/secret", hubUrl: hubUrl(), ...who })).rejects.toMatchObject({
        statusCode: 404,
      });
      await expect(
        downloadFile({ repo: "alice/secret", path: "plan.txt", hubUrl: hubUrl(), ...who }),
      ).rejects.toMatchObject({
        statusCode: 404,
      });
      expect(await fileExists({ repo: "alice/secret", path: "plan.txt", hubUrl: hubUrl(), ...who })).toBe(false);
      const listed = [];
      for await (const model of listModels({ hubUrl: hubUrl(), ...who })) listed.push(model.name);
      expect(listed).toEqual(["alice/public"]);
    }
    // Writing to it is a 404 too, not a 403 that would confirm it exists.
    await expect(
      uploadFile({
        repo: "alice/secret",
        file: { path: "x.txt", content: new Blob(["x"]) },
        hubUrl: hubUrl(),
        accessToken: bob.token,
      }),
    ).rejects.toMatchObject({ statusCode: 404 });
    await expect(deleteRepo({ repo: "alice/secret", hubUrl: hubUrl(), accessToken: bob.token })).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("gives the same bytes for a private repo as for a missing one", async () => {
    const hidden = await fetch(`${hubUrl()}/alice/secret/resolve/main/plan.txt`, {
      headers: { Authorization: `Bearer ${bob.token}` },
    });
    const missing = await fetch(`${hubUrl()}/alice/nothing/resolve/main/plan.txt`, {
      headers: { Authorization: `Bearer ${bob.token}` },
    });
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get("x-error-code")).toBe("RepoNotFound");
    expect(await hidden.text()).toBe(await missing.text());
  });

  it("shows it to its owner and to members of its org", async () => {
    const plan = await downloadFile({
      repo: "alice/secret",
      path: "plan.txt",
      hubUrl: hubUrl(),
      accessToken: alice.token,
    });
    expect(await plan?.text()).toBe("secret");
    const info = await modelInfo({ name: "lab/internal", hubUrl: hubUrl(), accessToken: carol.token });
    expect(info.private).toBe(true);
    const listed = [];
    for await (const model of listModels({ hubUrl: hubUrl(), accessToken: carol.token })) listed.push(model.name);
    expect(listed.sort()).toEqual(["alice/public", "lab/internal"]);
  });
});

describe("paths that could leave the repo are refused with 400", () => {
  it("refuses traversal, backslashes and NUL in URLs, before touching anything", async () => {
    for (const path of [
      "/alice/public/resolve/main/../../../../etc/passwd",
      "/alice/public/resolve/main/%2e%2e/%2e%2e/etc/passwd",
      "/alice/public/resolve/main/..%5C..%5Cetc%5Cpasswd",
      "/alice/public/resolve/main/hello.txt%00.png",
      "/alice/public/resolve/main//etc/passwd",
      "/api/models/alice/public/tree/main/..",
    ]) {
      const res = await rawRequest({ path });
      expect(res.status, path).toBe(400);
      expect(res.body, path).not.toContain("root:");
    }
  });

  it("refuses such paths in uploads, whether the client checks them or not", async () => {
    for (const path of ["../escape.txt", "/etc/escape.txt", "a\\..\\escape.txt", "a/../../escape.txt", "nul\0.txt"]) {
      await expect(
        uploadFiles({
          repo: "alice/public",
          files: [{ path, content: new Blob(["x"]) }],
          hubUrl: hubUrl(),
          accessToken: alice.token,
        }),
        path,
      ).rejects.toMatchObject({ statusCode: 400 });
    }
    // Straight to the commit endpoint, skipping preupload.
    const res = await fetch(`${hubUrl()}/api/models/alice/public/commit/main`, {
      method: "POST",
      headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/x-ndjson" },
      body: [
        JSON.stringify({ key: "header", value: { summary: "escape" } }),
        JSON.stringify({ key: "file", value: { path: "../../escape.txt", content: "eA==", encoding: "base64" } }),
      ].join("\n"),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringContaining("..") });
    const files = [];
    for await (const file of listFiles({ repo: "alice/public", recursive: true, hubUrl: hubUrl() }))
      files.push(file.path);
    expect(files.sort()).toEqual([".gitattributes", "hello.txt"]);
    // The server's directory is the only thing in its parent folder: nothing was written beside it.
    expect(readdirSync(dirname(hub.dir))).toEqual(["hub"]);
  });
});

describe("limits and upload checks", () => {
  it("refuses oversized bodies and headers", async () => {
    const huge = await rawRequest({
      path: "/api/repos/create",
      method: "POST",
      headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json" },
      body: Buffer.alloc(17 * 1024 * 1024, 0x20),
    });
    expect(huge.status).toBe(413);
    const header = await rawRequest({ path: "/api/models", headers: { "X-Padding": "x".repeat(20_000) } });
    expect(header.status).toBe(431);
    // A commit line over the limit is refused as it streams in, and the client still gets the answer.
    const longLine = await fetch(`${hubUrl()}/api/models/alice/public/commit/main`, {
      method: "POST",
      headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/x-ndjson" },
      body: `${JSON.stringify({ key: "header", value: { summary: "big" } })}\n${JSON.stringify({
        key: "file",
        value: { path: "big.txt", encoding: "base64", content: "A".repeat(17 * 1024 * 1024) },
      })}`,
    });
    expect(longLine.status).toBe(413);
    expect(((await longLine.json()) as { error: string }).error).toMatch(/limit/);
  });

  it("keeps an LFS upload only if it matches the declared sha256 and size, through a signed link", async () => {
    const content = Buffer.from("lfs object body");
    const oid = createHash("sha256").update(content).digest("hex");
    const batch = await fetch(`${hubUrl()}/alice/public.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/vnd.git-lfs+json" },
      body: JSON.stringify({
        operation: "upload",
        transfers: ["basic", "multipart", "xet"],
        objects: [{ oid, size: content.length }],
      }),
    });
    const json = (await batch.json()) as {
      transfer: string;
      objects: Array<{ actions?: { upload: { href: string } } }>;
    };
    expect(json.transfer).toBe("basic");
    const href = json.objects[0]?.actions?.upload.href as string;
    expect(new URL(href).origin).toBe(hubUrl());
    expect(href).not.toContain(alice.token);

    const wrongBytes = await fetch(href, { method: "PUT", body: Buffer.from("lfs object bodY") });
    expect(wrongBytes.status).toBe(400);
    const forged = await fetch(href.replace(/signature=[^&]+/, "signature=AAAA"), { method: "PUT", body: content });
    expect(forged.status).toBe(403);
    const ok = await fetch(href, { method: "PUT", body: content });
    expect(ok.status).toBe(200);
    // Another repo cannot commit the object by naming its hash: it never uploaded it.
    const steal = await fetch(`${hubUrl()}/api/models/lab/internal/commit/main`, {
      method: "POST",
      headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/x-ndjson" },
      body: [
        JSON.stringify({ key: "header", value: { summary: "steal" } }),
        JSON.stringify({ key: "lfsFile", value: { path: "x.bin", algo: "sha256", oid, size: content.length } }),
      ].join("\n"),
    });
    expect(steal.status).toBe(422);
  });
});

describe("commits", () => {
  it("refuses a stale parentCommit with 412 and keeps the branch where it was", async () => {
    const [head] = await commitsOf("alice/public");
    const first = await uploadFile({
      repo: "alice/public",
      file: { path: "a.txt", content: new Blob(["a"]) },
      parentCommit: head,
      hubUrl: hubUrl(),
      accessToken: alice.token,
    });
    await expect(
      uploadFile({
        repo: "alice/public",
        file: { path: "b.txt", content: new Blob(["b"]) },
        parentCommit: head,
        hubUrl: hubUrl(),
        accessToken: alice.token,
      }),
    ).rejects.toMatchObject({ statusCode: 412 });
    expect((await commitsOf("alice/public"))[0]).toBe(first?.commit.oid);
    expect(await fileExists({ repo: "alice/public", path: "b.txt", hubUrl: hubUrl() })).toBe(false);
  });

  it("serializes concurrent commits to one repo without losing any", async () => {
    const before = await commitsOf("alice/public");
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        uploadFile({
          repo: "alice/public",
          file: { path: `parallel/${i}.txt`, content: new Blob([`${i}`]) },
          hubUrl: hubUrl(),
          accessToken: alice.token,
        }),
      ),
    );
    const after = await commitsOf("alice/public");
    expect(after.length).toBe(before.length + 6);
    expect(new Set(after.slice(0, 6))).toEqual(new Set(results.map((r) => r?.commit.oid)));
    const files = [];
    for await (const file of listFiles({ repo: "alice/public", path: "parallel", hubUrl: hubUrl() }))
      files.push(file.path);
    expect(files).toEqual(Array.from({ length: 6 }, (_, i) => `parallel/${i}.txt`));
  });

  it("never logged a token", () => {
    for (const token of [alice.token, bob.token, carol.token]) expect(hub.stderr()).not.toContain(token);
    expect(guard.violations).toEqual([]);
  });
});

async function commitsOf(repo: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const commit of listCommits({ repo, hubUrl: hubUrl() })) ids.push(commit.oid);
  return ids;
}

/** A request exactly as written (fetch would normalize `..` away and refuse some headers). */
function rawRequest(options: {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
}): Promise<{ status: number; body: string }> {
  const url = new URL(hubUrl());
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: options.path,
        method: options.method ?? "GET",
        headers: options.headers,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
