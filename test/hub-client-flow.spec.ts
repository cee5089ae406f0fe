/**
 * The official @huggingface/hub client, unmodified, against a real `tvhub hub serve` process: the publish flow a
 * tvhub user runs, from createRepo to deleteRepo. A fetch guard fails the test if anything leaves loopback.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createHash, randomBytes } from "node:crypto";
import {
  countCommits,
  createRepo,
  deleteFile,
  deleteRepo,
  downloadFile,
  fileExists,
  listCommits,
  listFiles,
  listModels,
  modelInfo,
  parseSafetensorsMetadata,
  pathsInfo,
  repoExists,
  snapshotDownload,
  uploadFiles,
  whoAmI,
  type ListFileEntry,
} from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { guardFetch, startLocalHub, type FetchGuard, type LocalHubProcess } from "./helpers/local-hub.js";
import { tensorsFromConfig, tinyLlamaConfig, writeSynthModel, type SynthModel } from "./helpers/synth.js";

const alice = { name: "alice", token: "hf_alice_flow_token_1" };
const bob = { name: "bob", token: "hf_bob_flow_token_22" };

let hub: LocalHubProcess;
let guard: FetchGuard;
let work: string;
let base: SynthModel;
let sharded: SynthModel;
/** Over the 10 MiB threshold and not matched by .gitattributes: LFS only because of its size. */
const big = randomBytes(12 * 1024 * 1024);

beforeAll(async () => {
  hub = await startLocalHub({ users: [alice, bob], orgs: [{ name: "lab", members: ["alice", "bob"] }] });
  guard = guardFetch(hub.url);
  work = mkdtempSync(join(tmpdir(), "tvhub-flow-"));
  const config = tinyLlamaConfig();
  const tensors = tensorsFromConfig(config);
  base = await writeSynthModel({
    dir: join(work, "base"),
    tensors,
    config,
    card: { extra: { license: "apache-2.0", tags: ["tiny"] } },
  });
  sharded = await writeSynthModel({
    dir: join(work, "ft"),
    tensors,
    config,
    seed: 2,
    maxShardSize: 200_000,
    card: { baseModel: "alice/base", extra: { license: "mit", tags: ["task-vector"], library_name: "transformers" } },
  });
});

afterAll(async () => {
  guard?.restore();
  await hub?.stop();
});

const hubUrl = (): string => hub.url;

describe("the official client against tvhub hub serve", () => {
  it("identifies the caller", async () => {
    const me = await whoAmI({ hubUrl: hubUrl(), accessToken: alice.token });
    expect(me.name).toBe("alice");
    expect(me.type).toBe("user");
  });

  it("creates a repo with a license, which lands in README front matter", async () => {
    expect(await repoExists({ repo: "alice/base", hubUrl: hubUrl() })).toBe(false);
    const created = await createRepo({
      repo: "alice/base",
      license: "apache-2.0",
      hubUrl: hubUrl(),
      accessToken: alice.token,
    });
    expect(created.repoUrl).toBe(`${hubUrl()}/alice/base`);
    expect(await repoExists({ repo: "alice/base", hubUrl: hubUrl() })).toBe(true);
    const readme = await downloadFile({ repo: "alice/base", path: "README.md", hubUrl: hubUrl() });
    expect(await readme?.text()).toBe("---\nlicense: apache-2.0\n---\n");
    await expect(createRepo({ repo: "alice/base", hubUrl: hubUrl(), accessToken: alice.token })).rejects.toMatchObject({
      statusCode: 409,
    });
  });

  it("uploads small files inline, weights and a file over 10 MB through LFS, in one commit", async () => {
    const before = await modelInfo({ name: "alice/base", hubUrl: hubUrl(), additionalFields: ["sha"] });
    const result = await uploadFiles({
      repo: "alice/base",
      files: [pathToFileURL(`${base.dir}/`), { path: "data/big.dat", content: new Blob([big]) }],
      commitTitle: "Upload the base model",
      hubUrl: hubUrl(),
      accessToken: alice.token,
    });
    expect(result?.commit.oid).toMatch(/^[0-9a-f]{40}$/);
    const info = await modelInfo({
      name: "alice/base",
      hubUrl: hubUrl(),
      additionalFields: ["sha", "tags", "cardData"],
    });
    expect(info.sha).toBe(result?.commit.oid);
    expect(info.sha).not.toBe(before.sha);
    expect(info.tags).toEqual(expect.arrayContaining(["tiny", "safetensors", "license:apache-2.0"]));
    expect(info.cardData).toMatchObject({ license: "apache-2.0" });

    const files = await collect(listFiles({ repo: "alice/base", recursive: true, hubUrl: hubUrl() }));
    const byPath = new Map(files.map((file) => [file.path, file]));
    expect([...byPath.keys()].sort()).toEqual([
      ".gitattributes",
      "README.md",
      "config.json",
      "data",
      "data/big.dat",
      "model.safetensors",
    ]);
    expect(byPath.get("data")?.type).toBe("directory");
    expect(byPath.get("config.json")?.lfs).toBeUndefined();
    expect(byPath.get("data/big.dat")?.lfs).toEqual({
      oid: sha256(big),
      size: big.byteLength,
      pointerSize: expect.any(Number),
    });
    const weights = await readFile(join(base.dir, "model.safetensors"));
    expect(byPath.get("model.safetensors")?.lfs?.oid).toBe(sha256(weights));
    expect(byPath.get("config.json")?.oid).toBe(gitBlobSha1(readFileSync(join(base.dir, "config.json"))));
  });

  it("downloads whole files and byte ranges, and says null for a missing file", async () => {
    const config = await downloadFile({ repo: "alice/base", path: "config.json", hubUrl: hubUrl() });
    expect(await config?.text()).toBe(readFileSync(join(base.dir, "config.json"), "utf8"));
    const blob = await downloadFile({ repo: "alice/base", path: "data/big.dat", hubUrl: hubUrl() });
    expect(blob?.size).toBe(big.byteLength);
    const start = 5 * 1024 * 1024 + 3;
    const slice = new Uint8Array(await (blob as Blob).slice(start, start + 4096).arrayBuffer());
    expect(Buffer.from(slice).equals(big.subarray(start, start + 4096))).toBe(true);
    const tail = new Uint8Array(await (blob as Blob).slice(big.byteLength - 10).arrayBuffer());
    expect(Buffer.from(tail).equals(big.subarray(big.byteLength - 10))).toBe(true);
    expect(await downloadFile({ repo: "alice/base", path: "nope.bin", hubUrl: hubUrl() })).toBeNull();
    expect(await fileExists({ repo: "alice/base", path: "model.safetensors", hubUrl: hubUrl() })).toBe(true);
    expect(await fileExists({ repo: "alice/base", path: "nope.bin", hubUrl: hubUrl() })).toBe(false);
    const pointer = await downloadFile({ repo: "alice/base", path: "data/big.dat", raw: true, hubUrl: hubUrl() });
    expect(await pointer?.text()).toBe(
      `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(big)}\nsize ${big.byteLength}\n`,
    );
  });

  it("reads safetensors headers of a single-file and of a sharded model through range requests", async () => {
    const single = await parseSafetensorsMetadata({
      repo: "alice/base",
      hubUrl: hubUrl(),
      computeParametersCount: true,
    });
    expect(single.sharded).toBe(false);
    const expected = base.tensors.map((t) => t.name).sort();
    if (!single.sharded)
      expect(
        Object.keys(single.header)
          .filter((k) => k !== "__metadata__")
          .sort(),
      ).toEqual(expected);

    await createRepo({ repo: "lab/ft", hubUrl: hubUrl(), accessToken: bob.token });
    await uploadFiles({
      repo: "lab/ft",
      files: [pathToFileURL(`${sharded.dir}/`)],
      hubUrl: hubUrl(),
      accessToken: bob.token,
    });
    const meta = await parseSafetensorsMetadata({ repo: "lab/ft", hubUrl: hubUrl(), computeParametersCount: true });
    expect(meta.sharded).toBe(true);
    if (meta.sharded) {
      const shards = sharded.written.files.map((file) => file.file).sort();
      expect(shards.length).toBeGreaterThan(1);
      expect(Object.keys(meta.headers).sort()).toEqual(shards);
      const names = Object.values(meta.headers).flatMap((header) =>
        Object.keys(header).filter((k) => k !== "__metadata__"),
      );
      expect(names.sort()).toEqual(expected);
      expect(meta.parameterCount).toEqual(single.parameterCount);
    }
  });

  it("lists models by a base_model tag derived from the card", async () => {
    const derived = await collect(
      listModels({
        search: { tags: ["base_model:alice/base"] },
        hubUrl: hubUrl(),
        additionalFields: ["tags", "cardData"],
      }),
    );
    expect(derived.map((m) => m.name)).toEqual(["lab/ft"]);
    expect(derived[0]?.tags).toEqual(
      expect.arrayContaining(["base_model:finetune:alice/base", "license:mit", "transformers", "task-vector"]),
    );
    const byRelation = await collect(
      listModels({ search: { tags: ["base_model:adapter:alice/base"] }, hubUrl: hubUrl() }),
    );
    expect(byRelation).toEqual([]);
    const mine = await collect(listModels({ search: { owner: "alice" }, hubUrl: hubUrl() }));
    expect(mine.map((m) => m.name)).toEqual(["alice/base"]);
    const found = await collect(listModels({ search: { query: "FT" }, hubUrl: hubUrl(), limit: 1 }));
    expect(found.map((m) => m.name)).toEqual(["lab/ft"]);
  });

  it("pages with absolute Link headers the client follows", async () => {
    for (let i = 0; i < 3; i++) {
      await uploadFiles({
        repo: "lab/ft",
        files: [{ path: `notes/${i}.txt`, content: new Blob([`note ${i}`]) }],
        hubUrl: hubUrl(),
        accessToken: alice.token,
      });
    }
    const commits = await collect(listCommits({ repo: "lab/ft", batchSize: 2, hubUrl: hubUrl() }));
    // Three notes, the model folder (one URL), the repo's first commit.
    expect(commits.map((c) => c.title)).toEqual([
      "Add 1 files",
      "Add 1 files",
      "Add 1 files",
      "Add 1 files",
      "initial commit",
    ]);
    expect(new Set(commits.map((c) => c.oid)).size).toBe(5);
    expect(commits[0]?.authors).toEqual([{ username: "alice", avatarUrl: "" }]);
    expect(await countCommits({ repo: "lab/ft", hubUrl: hubUrl() })).toBe(5);

    // The tree endpoint pages too (a page size the client cannot choose, so read it raw and follow the Link).
    const pages: string[][] = [];
    let next: string | undefined = `${hubUrl()}/api/models/lab/ft/tree/main/notes?recursive=false&expand=false&limit=2`;
    while (next) {
      const res: Response = await fetch(next);
      pages.push(((await res.json()) as ListFileEntry[]).map((e) => e.path));
      next = /<(https?:\/\/[^>]+)>;\s+rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
    }
    expect(pages).toEqual([["notes/0.txt", "notes/1.txt"], ["notes/2.txt"]]);
  });

  it("answers model info at a branch and at an older commit, and paths-info with last commits", async () => {
    const commits = await collect(listCommits({ repo: "lab/ft", hubUrl: hubUrl() }));
    const old = commits.at(-2)?.oid as string;
    const atOld = await modelInfo({
      name: "lab/ft",
      revision: old,
      hubUrl: hubUrl(),
      additionalFields: ["sha", "filePaths"],
    });
    expect(atOld.sha).toBe(old);
    expect(atOld.filePaths.some((path) => path.startsWith("notes/"))).toBe(false);
    const head = await modelInfo({ name: "lab/ft", hubUrl: hubUrl(), additionalFields: ["sha", "filePaths"] });
    expect(head.sha).toBe(commits[0]?.oid);
    expect(head.filePaths.filter((path) => path.startsWith("notes/"))).toHaveLength(3);

    const info = await pathsInfo({
      repo: "lab/ft",
      paths: ["notes/0.txt", "config.json", "missing"],
      expand: true,
      hubUrl: hubUrl(),
    });
    expect(info.map((p) => [p.path, p.lastCommit?.id])).toEqual([
      ["notes/0.txt", commits[2]?.oid],
      ["config.json", old],
    ]);
  });

  it("deletes files in a commit and downloads a whole snapshot", async () => {
    await deleteFile({ repo: "lab/ft", path: "notes/1.txt", hubUrl: hubUrl(), accessToken: alice.token });
    const cacheDir = join(work, "cache");
    // The client narrates each file with console.log; keep the test output clean.
    const quiet = vi.spyOn(console, "log").mockImplementation(() => {});
    const snapshot = await snapshotDownload({ repo: "lab/ft", cacheDir, hubUrl: hubUrl() }).finally(() =>
      quiet.mockRestore(),
    );
    const index = await readFile(join(snapshot, "model.safetensors.index.json"), "utf8");
    expect(index).toBe(readFileSync(join(sharded.dir, "model.safetensors.index.json"), "utf8"));
    for (const shard of sharded.written.files) {
      expect(sha256(await readFile(join(snapshot, shard.file)))).toBe(
        sha256(readFileSync(join(sharded.dir, shard.file))),
      );
    }
    await expect(readFile(join(snapshot, "notes/1.txt"))).rejects.toThrow();
    expect(await readFile(join(snapshot, "notes/2.txt"), "utf8")).toBe("note 2");
  });

  it("deletes repos", async () => {
    await deleteRepo({ repo: "lab/ft", hubUrl: hubUrl(), accessToken: alice.token });
    expect(await repoExists({ repo: "lab/ft", hubUrl: hubUrl() })).toBe(false);
    await deleteRepo({ repo: "alice/base", hubUrl: hubUrl(), accessToken: alice.token });
    expect(await collect(listModels({ hubUrl: hubUrl() }))).toEqual([]);
  });

  it("never left loopback and never logged a token", () => {
    expect(guard.violations).toEqual([]);
    expect(hub.stderr()).toContain("POST /api/models/alice/base/commit/main 200");
    for (const token of [alice.token, bob.token]) expect(hub.stderr()).not.toContain(token);
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function gitBlobSha1(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.byteLength}\0`).update(bytes).digest("hex");
}
