/**
 * The real Python `huggingface_hub` (2.x in .venv/hf2, 1.x in .venv/hf1), with its defaults, and its `hf` CLI
 * against a real `tvhub hub serve` process. The Python side (test/python/hub_client_scenarios.py) only reports what
 * the client returned or raised; every judgement is made here, and the bytes are checked against the server
 * through plain HTTP as well. Skipped, with a message, only where python3 is absent.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { hasPython, pythonScript, runVenv } from "./helpers/python-venv.js";

const alice = { name: "alice", token: "hf_alice_python_tok1" };
const bob = { name: "bob", token: "hf_bob_python_token2" };
const venvs = [
  { venv: "hf2", version: /^2\./ },
  { venv: "hf1", version: /^1\./ },
];

let hub: LocalHubProcess;
let work: string;

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
const hex40 = /^[0-9a-f]{40}$/;

/** Bytes of a file as the server serves it (plain HTTP, with alice's token): the independent side of each check. */
async function served(repo: string, path: string, revision = "main"): Promise<Buffer> {
  const response = await fetch(`${hub.url}/${repo}/resolve/${encodeURIComponent(revision)}/${path}`, {
    headers: { Authorization: `Bearer ${alice.token}` },
  });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function api(path: string): Promise<unknown> {
  const response = await fetch(`${hub.url}${path}`, { headers: { Authorization: `Bearer ${alice.token}` } });
  return response.json();
}

type Results = Record<string, Record<string, unknown>>;

/** Runs scenarios in one Python process and returns each one's observations; a scenario that raised fails here. */
async function runScenarios(options: {
  venv: string;
  prefix: string;
  scenarios: string[];
  env?: Record<string, string>;
}): Promise<{ version: string; results: Results }> {
  const home = join(work, `${options.prefix}-home`);
  const scratch = join(work, options.prefix);
  mkdirSync(scratch, { recursive: true });
  const config = { endpoint: hub.url, prefix: options.prefix, work: scratch, alice: alice.token, bob: bob.token };
  const run = await runVenv({
    venv: options.venv,
    program: "python",
    args: [pythonScript("hub_client_scenarios.py"), JSON.stringify(config), ...options.scenarios],
    env: { HF_ENDPOINT: hub.url, HF_HOME: home, HF_HUB_CACHE: join(home, "hub"), ...options.env },
  });
  const last = run.stdout.trim().split("\n").at(-1) ?? "";
  if (run.code !== 0 || !last.startsWith("{"))
    throw new Error(`the scenario driver failed (exit ${run.code}):\n${run.stderr.slice(-4000)}`);
  const parsed = JSON.parse(last) as { version: string; results: Results };
  for (const [name, result] of Object.entries(parsed.results)) {
    if ("error" in result) throw new Error(`scenario ${name} raised ${String(result.error)}\n${String(result.trace)}`);
  }
  return parsed;
}

beforeAll(async () => {
  if (!hasPython) return;
  work = mkdtempSync(join(tmpdir(), "tvhub-python-"));
  // `hub.js:hf_hub.js` is the user the official JS client's own spec suite signs in as: the server must accept it.
  hub = await startLocalHub({
    users: [alice, bob, { name: "hub.js", token: "hf_hub.js" }],
    orgs: [{ name: "lab", members: ["alice"] }],
  });
}, 60_000);

afterAll(async () => {
  await hub?.stop();
});

describe.skipIf(!hasPython)(
  hasPython ? "Python huggingface_hub against tvhub hub serve" : "Python huggingface_hub (skipped: python3 not found)",
  () => {
    it("accepts the JS client's own spec token hf_hub.js", async () => {
      const response = await fetch(`${hub.url}/api/whoami-v2`, { headers: { Authorization: "Bearer hf_hub.js" } });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { name: string }).name).toBe("hub.js");
    });

    for (const { venv, version } of venvs) {
      describe(`.venv/${venv} with the client's defaults`, () => {
        let results: Results;
        const p = venv;
        beforeAll(async () => {
          const scenarios = [
            "repos",
            "private",
            "cards",
            "uploads",
            "listing",
            "downloads",
            "datasets",
            "refs",
            "history",
            "extras",
          ];
          // upload_large_folder exists in 1.x only (2.0 removed it for the pipelined upload_folder).
          if (venv === "hf1") scenarios.push("large_folder");
          const run = await runScenarios({ venv, prefix: p, scenarios });
          expect(run.version).toMatch(version);
          results = run.results;
        }, 300_000);

        it("repos: create (exist_ok reads the 409's url), orgs, datasets, move, delete with missing_ok", () => {
          const r = results.repos ?? {};
          expect(r.url).toBe(`${hub.url}/alice/${p}-repos`);
          expect(r.exist_ok_url).toBe(r.url);
          expect(r.conflict).toBe(409);
          expect(r.dataset_url).toBe(`${hub.url}/datasets/alice/${p}-data`);
          expect(r.dataset_exists).toBe(true);
          expect(r.org_url).toBe(`${hub.url}/lab/${p}-org`);
          expect(r.bob_in_org).toBe(403);
          expect([r.moved_from_exists, r.moved_to_exists]).toEqual([false, true]);
          expect(r.deleted_exists).toBe(false);
          expect(r.delete_missing_ok).toBeNull();
          expect(r.delete_missing).toBe("RepositoryNotFoundError");
        });

        it("private repos are a RepositoryNotFoundError to everyone else, also after update_repo_settings", () => {
          const { gated, ...rest } = results.private ?? {};
          // Gating is refused, not faked.
          expect(gated).toMatchObject({
            type: "HfHubHTTPError",
            status: 422,
            message: expect.stringContaining("no gated repos"),
          });
          expect(rest).toEqual({
            alice_private: true,
            bob_info: "RepositoryNotFoundError",
            anon_info: "RepositoryNotFoundError",
            bob_download: "RepositoryNotFoundError",
            bob_exists: false,
            bob_write: "RepositoryNotFoundError",
            settings_private: true,
            bob_after_settings: "RepositoryNotFoundError",
          });
        });

        it(
          "cards: validate-yaml passes good metadata, answers bad YAML and local base models as the Hub " + "does",
          async () => {
            const r = results.cards ?? {};
            expect(r.card_license).toBe("mit");
            expect(r.tags).toEqual(
              expect.arrayContaining(["task-vector", "demo", "license:mit", "base_model:alice/base"]),
            );
            expect(r.bad_yaml).toMatchObject({
              type: "ValueError",
              message: expect.stringMatching(/^Invalid metadata in README\.md\.\n- Error parsing YAML/),
            });
            expect(r.local_base_model).toMatchObject({
              type: "ValueError",
              message: expect.stringContaining('"base_model" with value "/workspace/ckpt" is not valid'),
            });
            expect(r.no_metadata_warnings).toEqual([
              expect.stringContaining("empty or missing yaml metadata in repo card"),
            ]);
            // The refused cards never landed: the last good upload is what the server holds.
            expect(r.readme_now).toBe("# no metadata\n");
            expect((await served(`alice/${p}-cards`, "README.md")).toString()).toBe("# no metadata\n");
          },
        );

        it(
          "uploads: upload_folder, upload_file, unchanged files skipped, copy/delete operations, delete_folder, " +
            "parent_commit 412",
          async () => {
            const r = results.uploads ?? {};
            expect(r.folder_commit_url).toBe(`${hub.url}/alice/${p}-uploads/commit/${String(r.folder_oid)}`);
            expect(r.commits_after_unchanged_upload).toBe(r.commits_before);
            expect(r.stale_parent).toBe(412);
            expect(r.short_parent_ok).toBe(true);
            expect(r.missing_delete).toEqual({ type: "RemoteEntryNotFoundError", status: 404 });
            expect(r.files).toEqual([".gitattributes", "README.md", "copies/one.txt", "one.txt", "three.txt"]);
            expect(r.copy_content).toBe("one\n");
            expect((r.titles as string[]).slice(0, 4)).toEqual([
              "Delete folder sub/deeper with huggingface_hub",
              "Delete two.txt with huggingface_hub",
              "three",
              "mixed ops",
            ]);
            expect((await served(`alice/${p}-uploads`, "copies/one.txt")).toString()).toBe("one\n");
            expect(await api(`/api/models/alice/${p}-uploads/tree/main/sub`)).toMatchObject({
              error: expect.any(String),
            });
          },
        );

        it("listing: paths-info (form data), list_repo_tree(expand), files_metadata, list_models filters", () => {
          const r = results.listing ?? {};
          const head = r.head as string;
          expect(head).toMatch(hex40);
          const file = {
            class: "RepoFile",
            lfs: false,
            security: { safe: false, status: "unscanned" },
            last_commit: { oid: head, title: "listing files" },
          };
          expect(r.paths_info).toEqual([
            { path: "top.txt", size: 4, blob_id: "bf1a1fdefa3c7f4b0180a75a951e9574662a8bc8", ...file },
            { path: "a", class: "RepoFolder", last_commit: { oid: head, title: "listing files" } },
          ]);
          const tree = r.tree as Array<{ path: string; class: string; last_commit: { title: string } }>;
          expect(tree.map((e) => [e.path, e.class, e.last_commit.title])).toEqual([
            [".gitattributes", "RepoFile", "initial commit"],
            ["README.md", "RepoFile", "listing files"],
            ["a", "RepoFolder", "listing files"],
            ["a/b", "RepoFolder", "listing files"],
            ["a/b/c.txt", "RepoFile", "listing files"],
            ["top.txt", "RepoFile", "listing files"],
          ]);
          expect(r.subfolder).toEqual(["a/b/c.txt"]);
          expect(r.top_sibling).toEqual({ size: 4, blob_id: "bf1a1fdefa3c7f4b0180a75a951e9574662a8bc8", lfs: null });
          expect(r.tags).toEqual([`listing-${p}`, "text-classification", "license:mit"]);
          expect(r.pipeline_tag).toBe("text-classification");
          expect(r.by_author).toBe(true);
          expect(r.by_search).toEqual([`alice/${p}-listing`]);
          expect(r.by_filter).toEqual([`alice/${p}-listing`]);
          expect(r.by_tag_and_missing).toEqual([]);
          expect(r.sorted_limited).toBe(2);
          expect(r.full_card).toBe("mit");
          expect(r.full_siblings).toEqual([".gitattributes", "README.md", "a/b/c.txt", "top.txt"]);
          expect(r.datasets).toEqual([`alice/${p}-data`]);
          expect([r.paged_files, r.paged_tree]).toEqual([1101, 1100]);
        });

        it(
          "downloads: cache layout, local_dir, snapshot_download(allow_patterns), the errors the client raises, " +
            "datasets",
          async () => {
            const r = results.downloads ?? {};
            const commit = r.commit as string;
            expect(r.content).toBe('{"a": 1}\n');
            expect(r.snapshot_dir).toBe(`snapshots/${commit}`);
            const configBytes = await served(`alice/${p}-downloads`, "config.json");
            // The cache blob is named by the ETag, the git blob id of a regular file.
            expect(r.blob_is_symlink_target).toBe(
              createHash("sha1").update(`blob ${configBytes.byteLength}\0`).update(configBytes).digest("hex"),
            );
            expect(r.refs_main).toBe(commit);
            expect(r.local_path).toBe("docs/guide.md");
            expect(r.local_metadata).toBe(true);
            expect(r.snapshot_files).toEqual(["docs/guide.md"]);
            expect(r.missing_file).toBe("RemoteEntryNotFoundError");
            expect(r.no_exist_cached).toBe(true);
            expect(r.missing_revision).toBe("RevisionNotFoundError");
            expect(r.missing_repo).toBe("RepositoryNotFoundError");
            expect(r.file_exists).toEqual([true, false]);
            expect(r.dataset_content).toBe("x,y\n1,2\n");
            expect(r.dataset_siblings).toEqual([
              [".gitattributes", 1562],
              ["data/train.csv", 8],
            ]);
          },
        );

        it("datasets like models: card, upload_folder, tag, snapshot at the tag, filter, delete", () => {
          expect(results.datasets).toEqual({
            card_license: "cc-by-4.0",
            tags: [`ds-${p}`, "task_categories:text-classification", "language:en", "license:cc-by-4.0"],
            at_tag: "text,label\nhello,1\n",
            snapshot_folder: `datasets--alice--${p}-dataset`,
            found: [`alice/${p}-dataset`],
            tags_refs: ["v1"],
            tree: ["data/test.csv", "data/train.csv"],
            exists_after_delete: false,
          });
        });

        it.runIf(venv === "hf1")("upload_large_folder (1.x only) creates the repo and uploads every file", () => {
          const r = results.large_folder ?? {};
          expect(r.files).toEqual([
            ".gitattributes",
            "part0/notes.txt",
            "part1/notes.txt",
            "part2/notes.txt",
            "weights.bin",
          ]);
          expect(r.weights_sha256).toBe(r.expected_sha256);
        });

        it(
          "branches and tags: create_tag on main and on a branch, list_repo_refs, downloads at a tag, " + "delete_tag",
          () => {
            const r = results.refs ?? {};
            const first = r.first as string;
            const dev = r.dev as string;
            expect(r.tags).toEqual([
              ["dev-snapshot", "refs/tags/dev-snapshot", dev],
              ["v1.0", "refs/tags/v1.0", first],
            ]);
            expect((r.branches as string[][]).map((b) => b.slice(0, 2))).toEqual([
              ["dev", "refs/heads/dev"],
              ["main", "refs/heads/main"],
            ]);
            expect(r.tag_again).toBe(409);
            expect(r.tag_exist_ok).toBeNull();
            expect([r.at_tag, r.at_dev_tag]).toEqual(["v1\n", "dev\n"]);
            expect([r.tag_sha, r.snapshot_at_tag, r.refs_file]).toEqual([first, first, first]);
            expect(r.tree_at_tag).toEqual([".gitattributes", "version.txt"]);
            expect(r.commits_at_tag).toBe(2);
            expect(r.after_branches).toEqual(["main"]);
            expect(r.after_tags).toEqual(["v1.0"]);
            expect(r.delete_missing_tag).toBe("RevisionNotFoundError");
            expect(r.revision_exists).toEqual([true, false]);
          },
        );

        it("extras: upload_folder(create_pr), copies from another repo, model_info(expand), HfFileSystem", () => {
          const r = results.extras ?? {};
          const repo = `alice/${p}-extras`;
          expect([r.pr_num, r.pr_revision, r.pr_url]).toEqual([1, "refs/pr/1", `${hub.url}/${repo}/discussions/1`]);
          expect(r.main_before).toEqual([".gitattributes", "README.md"]);
          expect(r.pr_files).toEqual([".gitattributes", "README.md", "a.txt", "w.bin"]);
          expect(r.discussions).toEqual([[1, true, "folder for review", "open"]]);
          expect(r.main_after).toEqual(r.pr_files);
          expect(r.copied).toBe("from src\n");
          // A cross-repo LFS copy needs the source's xetHash, which this server never lists (docs/local-hub.md):
          // the client refuses it before sending anything.
          expect(r.lfs_cross_copy).toEqual({ type: "ValueError", message: expect.stringContaining("no xet hash") });
          expect(r.expanded).toEqual({
            sha: true,
            license: "mit",
            pipeline_tag: "fill-mask",
            has_tag: true,
            private: false,
            dates: [true, true],
            siblings: [".gitattributes", "README.md", "a.txt", "copied.txt", "w.bin"],
          });
          expect(r.secured_sha).toBe(true);
          expect(r.by_pipeline_tag).toEqual([repo]);
          expect(r.other_pipeline_tag).toEqual([]);
          expect(r.fs_ls).toEqual([
            `${repo}/.gitattributes`,
            `${repo}/README.md`,
            `${repo}/a.txt`,
            `${repo}/copied.txt`,
            `${repo}/w.bin`,
          ]);
          expect(r.fs_info).toEqual({ type: "file", size: 4096, lfs: true });
          expect(r.fs_range).toEqual([250, 251, 252, 253, 254, 255, 0, 1, 2, 3]);
          expect(r.fs_written).toBe("through fsspec\n");
        });

        it("history: list_repo_commits newest first, super_squash_history leaves one commit with every file", () => {
          const r = results.history ?? {};
          expect(r.titles).toEqual(["add f2", "add f1", "add f0", "initial commit"]);
          expect(r.authors).toEqual(["alice"]);
          expect(r.squashed).toEqual([["squashed", true]]);
          expect(r.files_after).toEqual([".gitattributes", "f0.txt", "f1.txt", "f2.txt"]);
        });
      });

      // The same LFS-sized files through both upload paths the client has: Xet (its default, hf_xet being installed)
      // and classic LFS (what it falls back to with HF_HUB_DISABLE_XET=1).
      const modes: Array<{ name: string; label: string; env: Record<string, string> }> = [
        { name: "xet", label: "defaults (Xet uploads)", env: {} },
        { name: "classic", label: "HF_HUB_DISABLE_XET=1 (classic LFS uploads)", env: { HF_HUB_DISABLE_XET: "1" } },
      ];
      for (const mode of modes) {
        describe(`.venv/${venv} with ${mode.label}`, () => {
          let r: Record<string, unknown>;
          const p = `${venv}-${mode.name}`;
          beforeAll(async () => {
            r = (await runScenarios({ venv, prefix: p, scenarios: ["lfs"], env: mode.env })).results.lfs ?? {};
          }, 300_000);

          it(`lfs (${mode.label}): safetensors and a 10.5 MB file upload, list, download byte for byte`, async () => {
            const weights = await served(`alice/${p}-lfs`, "model.safetensors");
            const big = await served(`alice/${p}-lfs`, "big.bin");
            expect(sha256(weights)).toBe(r.weights_sha256);
            expect(sha256(big)).toBe(r.big_sha256);
            expect(big.byteLength).toBe(r.big_size);
            const lfs = {
              "model.safetensors": sha256(weights),
              "copy/model.safetensors": sha256(weights),
              "big.bin": sha256(big),
            };
            for (const [path, hash] of Object.entries(lfs)) {
              expect((r.sibling_lfs as Record<string, unknown>)[path]).toEqual({
                sha256: hash,
                size: path === "big.bin" ? big.byteLength : weights.byteLength,
              });
              expect((r.tree_lfs as Record<string, { sha256: string }>)[path]?.sha256).toBe(hash);
            }
            expect(r.paths_info_lfs).toBe(sha256(weights));
            // The cache blob of an LFS file is named by its sha256 (the ETag), so local_dir can recognize it later.
            expect([r.download_sha256, r.blob_name, r.copy_sha256]).toEqual([
              sha256(weights),
              sha256(weights),
              sha256(weights),
            ]);
            expect(r.big_download_sha256).toBe(sha256(big));
            expect((await served(`alice/${p}-lfs`, "copy/model.safetensors")).equals(weights)).toBe(true);
          });

          it("get_safetensors_metadata reads single-file and sharded headers through ranged downloads", () => {
            expect(r.safetensors).toEqual({
              "encoder.weight": { dtype: "F32", shape: [4, 8] },
              "encoder.bias": { dtype: "F16", shape: [8] },
            });
            expect(r.safetensors_params).toEqual({ F32: 32, F16: 8 });
            expect(r.sharded).toEqual({
              sharded: true,
              weight_map: {
                "a.weight": "model-00001-of-00002.safetensors",
                "b.weight": "model-00002-of-00002.safetensors",
              },
              params: { F32: 4, BF16: 3 },
              shapes: {
                "model-00001-of-00002.safetensors": { "a.weight": [2, 2] },
                "model-00002-of-00002.safetensors": { "b.weight": [3] },
              },
            });
          });
        });
      }

      describe(`the hf CLI of .venv/${venv}`, () => {
        const repo = `alice/${venv}-cli`;
        const hf = (...args: string[]) =>
          runVenv({
            venv,
            program: "hf",
            args,
            cwd: work,
            env: { HF_ENDPOINT: hub.url, HF_TOKEN: alice.token, HF_HOME: join(work, `${venv}-cli-home`) },
          });

        it(
          "repos create, upload (text and LFS) into the existing repo, tag create/list, download at the tag, " +
            "delete",
          async () => {
            const folder = join(work, `${venv}-cli-folder`);
            mkdirSync(join(folder, "sub"), { recursive: true });
            writeFileSync(join(folder, "README.md"), "---\nlicense: mit\n---\n# cli\n");
            writeFileSync(join(folder, "a.txt"), "a\n");
            writeFileSync(join(folder, "sub", "b.txt"), "b\n");
            // Binary, so the server sends it to LFS: with the defaults the CLI uploads it through Xet.
            const weights = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
            writeFileSync(join(folder, "weights.bin"), weights);
            expect((await hf("repos", "create", repo)).code).toBe(0);
            expect((await hf("repos", "create", repo, "--exist-ok")).code).toBe(0);
            const upload = await hf("upload", repo, folder, ".");
            expect(upload.stderr + upload.stdout).not.toMatch(/Error|Traceback/);
            expect(upload.code).toBe(0);
            expect((await hf("upload", repo, join(folder, "a.txt"), "remote/a.txt")).code).toBe(0);
            expect((await served(repo, "remote/a.txt")).toString()).toBe("a\n");
            expect((await served(repo, "sub/b.txt")).toString()).toBe("b\n");
            expect((await served(repo, "weights.bin")).equals(weights)).toBe(true);

            expect((await hf("repos", "tag", "create", repo, "v1", "-m", "release")).code).toBe(0);
            const tags = await hf("repos", "tag", "list", repo);
            expect(tags.code).toBe(0);
            expect(tags.stdout).toMatch(/v1\s+[0-9a-f]{40}\s+refs\/tags\/v1/);
            expect((await hf("upload", repo, join(folder, "sub", "b.txt"), "remote/a.txt")).code).toBe(0);

            const local = join(work, `${venv}-cli-download`);
            expect((await hf("download", repo, "--local-dir", local, "--revision", "v1")).code).toBe(0);
            expect(readFileSync(join(local, "remote", "a.txt"), "utf8")).toBe("a\n");
            expect(readdirSync(local).sort()).toEqual([
              ".cache",
              ".gitattributes",
              "README.md",
              "a.txt",
              "remote",
              "sub",
              "weights.bin",
            ]);
            expect(readFileSync(join(local, "weights.bin")).equals(weights)).toBe(true);
            expect((await served(repo, "remote/a.txt")).toString()).toBe("b\n");

            expect((await hf("repos", "tag", "delete", repo, "v1", "-y")).code).toBe(0);
            expect(((await api(`/api/models/${repo}/refs`)) as { tags: unknown[] }).tags).toEqual([]);
            expect((await hf("repos", "delete", repo, "-y")).code).toBe(0);
            expect((await fetch(`${hub.url}/api/models/${repo}`)).status).toBe(404);
          },
        );
      });
    }
  },
);
