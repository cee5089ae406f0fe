/**
 * Xet uploads end to end: the real Python client (2.x and 1.x, defaults: hf_xet installed, so every LFS-sized file
 * goes through Xet) and the `hf` CLI upload to a real `tvhub hub serve`; the files come back byte for byte through
 * Python's hf_hub_download, the official JS client and tvhub itself. Then the protocol edges no client shows:
 * token access rules, and corrupt xorbs and shards refused with nothing kept. Skipped only where python3 is absent.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { downloadFile } from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardFetch, startLocalHub, type FetchGuard, type LocalHubProcess } from "./helpers/local-hub.js";
import { hasPython, pythonScript, runVenv, venvProgram } from "./helpers/python-venv.js";
import { runCli } from "./helpers/run-cli.js";

const alice = { name: "alice", token: "hf_alice_xet_token1" };
const bob = { name: "bob", token: "hf_bob_xet_token22" };
const fixtures = resolve(import.meta.dirname, "fixtures/xet");
const lz4 = {
  xorb: "a45c9424af91ee7d928d9cb45bbd86eb7a6989e250b856216d6fabb8d13120ba",
  sha256: "9b644a3d3fc05fc200212f6ee749bd14c848a8b93b6dd4e6a5039e7d2f445bb5",
  size: 760000,
};
const bg4 = { xorb: "45cdd3e6e80d03939b824e6da9a41ad35af02b05a5167632285bbdfd6528c24f" };

let hub: LocalHubProcess;
let work: string;
let guard: FetchGuard;
/** The one server `fetch` may reach: the shared one, or the one a test starts for itself. */
let reachable = (): string => hub.url;

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
const auth = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

interface Scenario {
  repo: string;
  local: Record<string, string>;
  downloaded: Record<string, string>;
}

/** The scenario driver's command line and environment, for `prefix`'s own scratch folder. */
function scenarioCommand(
  prefix: string,
  scenarios: string[],
  server = hub,
): { args: string[]; env: Record<string, string> } {
  const scratch = join(work, prefix);
  mkdirSync(scratch, { recursive: true });
  const home = join(scratch, "home");
  return {
    args: [
      pythonScript("xet_scenarios.py"),
      JSON.stringify({ prefix, work: scratch, token: alice.token }),
      ...scenarios,
    ],
    env: {
      HF_ENDPOINT: server.url,
      HF_HOME: home,
      HF_HUB_CACHE: join(home, "hub"),
      HF_XET_CACHE: join(home, "xet"),
      HF_HUB_DISABLE_PROGRESS_BARS: "1",
    },
  };
}

async function runScenarios(
  venv: string,
  prefix: string,
  scenarios: string[],
  server = hub,
): Promise<{ version: string; results: Record<string, Scenario> }> {
  const run = await runVenv({ venv, program: "python", ...scenarioCommand(prefix, scenarios, server) });
  const last = run.stdout.trim().split("\n").at(-1) ?? "";
  if (run.code !== 0 || !last.startsWith("{"))
    throw new Error(`xet_scenarios.py failed (exit ${run.code}):\n${run.stderr.slice(-4000)}`);
  const parsed = JSON.parse(last) as {
    version: string;
    results: Record<string, Scenario & { error?: string; trace?: string }>;
  };
  for (const [name, result] of Object.entries(parsed.results)) {
    if (result.error !== undefined) throw new Error(`scenario ${name} raised ${result.error}\n${result.trace}`);
  }
  return parsed;
}

/** The file as every other client gets it: plain HTTP from resolve, and the official JS client. */
async function checkServed(repo: string, files: Record<string, string>): Promise<void> {
  for (const [path, expected] of Object.entries(files)) {
    const response = await fetch(`${hub.url}/${repo}/resolve/main/${path}`, { headers: auth(alice.token) });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-xet-hash")).toBeNull();
    expect(sha256(new Uint8Array(await response.arrayBuffer())), `${repo}/${path} over resolve`).toBe(expected);
    const blob = await downloadFile({ repo, path, hubUrl: hub.url, accessToken: alice.token });
    expect(sha256(new Uint8Array(await blob!.arrayBuffer())), `${repo}/${path} through @huggingface/hub`).toBe(
      expected,
    );
  }
}

/** Access-log lines of the Xet upload path since `from` (a position in the server's stderr). */
function xetCalls(from: number): { xorbs: number; shards: number; lfs: number } {
  const log = hub.stderr().slice(from);
  return {
    xorbs: (log.match(/POST \/xet-cas\/v1\/xorbs\/\S+ 200/g) ?? []).length,
    shards: (log.match(/POST \/xet-cas\/v1\/shards 200/g) ?? []).length,
    lfs: (log.match(/info\/lfs\/objects\/batch|\/lfs-upload\//g) ?? []).length,
  };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-xet-"));
  hub = await startLocalHub({ users: [alice, bob] });
  guard = guardFetch(() => reachable());
}, 30_000);

afterAll(async () => {
  guard?.restore();
  await hub?.stop();
});

describe.skipIf(!hasPython)("Xet uploads from the Python client", () => {
  it("huggingface_hub 2.x: upload_file of 12 MB and ~60 MB, upload_folder of several LFS files, the same bytes " +
    "again to another repo", async () => {
    const from = hub.stderr().length;
    const { version, results } = await runScenarios("hf2", "py2", ["upload_file", "upload_folder", "reupload"]);
    expect(version).toMatch(/^2\./);
    const { upload_file: files, upload_folder: folder, reupload } = results;
    expect(files!.downloaded).toEqual(files!.local);
    expect(Object.keys(files!.local)).toEqual(["twelve.bin", "data/sixty.bin"]);
    expect(folder!.downloaded).toEqual(folder!.local);
    expect(reupload!.downloaded).toBe(reupload!.local);
    await checkServed(files!.repo, files!.local);
    await checkServed(folder!.repo, folder!.local);
    const calls = xetCalls(from);
    expect(calls.lfs).toBe(0);
    expect(calls.xorbs).toBeGreaterThanOrEqual(3);
    expect(calls.shards).toBe(4);
    // Files are LFS files in git, as they would be after a classic LFS upload.
    const tree = (await (
      await fetch(`${hub.url}/api/models/${files!.repo}/tree/main/data`, { headers: auth(alice.token) })
    ).json()) as Array<{ path: string; lfs?: { oid: string; size: number } }>;
    expect(tree.find((entry) => entry.path === "data/sixty.bin")?.lfs?.oid).toBe(files!.local["data/sixty.bin"]);
  }, 300_000);

  it("huggingface_hub 2.x: an LFS file through Xet into a pull request", async () => {
    const { results } = await runScenarios("hf2", "py2pr", ["upload_pr"]);
    const pr = results.upload_pr! as Scenario & { revision: string };
    expect(pr.revision).toBe("refs/pr/1");
    expect(pr.downloaded).toEqual(pr.local);
    expect(hub.stderr()).toMatch(/GET \/api\/models\/alice\/py2pr-pr\/xet-write-token\/None 200/);
    const main = (await (
      await fetch(`${hub.url}/api/models/${pr.repo}/tree/main`, { headers: auth(alice.token) })
    ).json()) as Array<{ path: string }>;
    expect(main.map((entry) => entry.path)).not.toContain("weights.bin");
  }, 120_000);

  it("tvhub inspect reads the safetensors file Python uploaded through Xet", async () => {
    const run = await runCli(["inspect", `${alice.name}/py2-model`, "--json"], {
      HF_ENDPOINT: hub.url,
      HF_TOKEN: alice.token,
      HF_HOME: join(work, "tvhub-home"),
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { totals: { tensors: number; parameters: number } };
    expect(report.totals).toMatchObject({ tensors: 3, parameters: 512 * 1024 + 1024 * 1024 + 1024 });
  }, 120_000);

  it("huggingface_hub 1.x: upload_file of 12 MB and ~60 MB", async () => {
    const from = hub.stderr().length;
    const { version, results } = await runScenarios("hf1", "py1", ["upload_file"]);
    expect(version).toMatch(/^1\./);
    expect(results.upload_file!.downloaded).toEqual(results.upload_file!.local);
    await checkServed(results.upload_file!.repo, results.upload_file!.local);
    expect(xetCalls(from)).toMatchObject({ lfs: 0, shards: 2 });
  }, 300_000);

  it("the hf CLI uploads a large file", async () => {
    const file = join(work, "cli-upload.bin");
    const bytes = Buffer.alloc(14 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(file, bytes);
    const from = hub.stderr().length;
    const home = join(work, "cli-home");
    const env = {
      HF_ENDPOINT: hub.url,
      HF_TOKEN: alice.token,
      HF_HOME: home,
      HF_XET_CACHE: join(home, "xet"),
      HF_HUB_DISABLE_PROGRESS_BARS: "1",
    };
    // `hf upload` creates the repo itself.
    const upload = await runVenv({
      venv: "hf2",
      program: "hf",
      args: ["upload", "alice/cli-xet", file, "weights/cli-upload.bin"],
      env,
    });
    expect(upload.code, upload.stderr).toBe(0);
    await checkServed("alice/cli-xet", { "weights/cli-upload.bin": sha256(bytes) });
    expect(xetCalls(from)).toMatchObject({ lfs: 0, shards: 1 });
  }, 300_000);
});

describe.skipIf(!hasPython)("a server killed during a Xet upload", () => {
  it("keeps nothing half-written, and the same upload succeeds after a restart", async () => {
    let server = await startLocalHub({ users: [alice] });
    const { dir } = server;
    // Stop the server once the first of the file's two xorbs is stored, before its shard, and the client with it.
    const command = scenarioCommand("crash", ["upload_large"], server);
    const client = spawn(venvProgram("hf2", "python"), command.args, {
      env: { PATH: process.env.PATH ?? "", NO_PROXY: "127.0.0.1", ...command.env },
      stdio: "ignore",
    });
    const exited = new Promise((done) => client.once("exit", done));
    await new Promise<void>((done, fail) => {
      const timer = setInterval(() => {
        if (/POST \/xet-cas\/v1\/xorbs\/\S+ 200/.test(server.stderr())) {
          clearInterval(timer);
          done();
        } else if (client.exitCode !== null) {
          clearInterval(timer);
          fail(new Error(`the upload ended before the server could be stopped; log:\n${server.stderr()}`));
        }
      }, 20);
    });
    await server.kill();
    client.kill("SIGKILL");
    await exited;
    expect(server.stderr()).not.toMatch(/POST \/xet-cas\/v1\/shards 200/);

    server = await startLocalHub({ users: [alice], dir });
    const restarted = server;
    reachable = () => restarted.url;
    try {
      expect(readdirSync(join(dir, "tmp"))).toEqual([]);
      const tree = (await (
        await fetch(`${server.url}/api/models/alice/crash-large/tree/main`, { headers: auth(alice.token) })
      ).json()) as Array<{ path: string }>;
      expect(tree.map((entry) => entry.path)).not.toContain("large.bin");
      const { results } = await runScenarios("hf2", "crash", ["upload_large"], server);
      expect(results.upload_large!.downloaded).toEqual(results.upload_large!.local);
    } finally {
      reachable = () => hub.url;
      await server.stop();
    }
  }, 300_000);
});

describe("the Xet token endpoints and CAS, at the protocol level", () => {
  const cas = `/xet-cas/v1`;
  let write: { accessToken: string; casUrl: string; exp: number };

  beforeAll(async () => {
    for (const [token, body] of [
      [alice.token, { type: "model", name: "xet-proto" }],
      [alice.token, { type: "model", name: "xet-private", private: true }],
    ] as const) {
      const response = await fetch(`${hub.url}/api/repos/create`, {
        method: "POST",
        headers: { ...auth(token), "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
    }
    const response = await fetch(`${hub.url}/api/models/alice/xet-proto/xet-write-token/main`, {
      headers: auth(alice.token),
    });
    write = (await response.json()) as typeof write;
  });

  const post = (path: string, body: Uint8Array, token = write.accessToken): Promise<Response> =>
    fetch(`${hub.url}${path}`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body });

  it("issues tokens in the body and in the headers, under the same access rules as the rest of the Hub", async () => {
    const response = await fetch(`${hub.url}/api/models/alice/xet-private/xet-read-token/main`, {
      headers: auth(alice.token),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { accessToken: string; exp: number; casUrl: string };
    expect(body.casUrl).toBe(`${hub.url}/xet-cas`);
    expect(response.headers.get("x-xet-cas-url")).toBe(body.casUrl);
    expect(response.headers.get("x-xet-access-token")).toBe(body.accessToken);
    expect(Number(response.headers.get("x-xet-token-expiration"))).toBe(body.exp);
    expect(body.exp - Date.now() / 1000).toBeGreaterThan(15 * 60);
    // A private repo does not exist for others; writing needs a token, and the namespace's write access.
    expect((await fetch(`${hub.url}/api/models/alice/xet-private/xet-read-token/main`)).status).toBe(404);
    expect(
      (await fetch(`${hub.url}/api/models/alice/xet-private/xet-read-token/main`, { headers: auth(bob.token) })).status,
    ).toBe(404);
    expect((await fetch(`${hub.url}/api/models/alice/xet-proto/xet-read-token/main`)).status).toBe(200);
    expect((await fetch(`${hub.url}/api/models/alice/xet-proto/xet-write-token/main`)).status).toBe(401);
    expect(
      (await fetch(`${hub.url}/api/models/alice/xet-proto/xet-write-token/main`, { headers: auth(bob.token) })).status,
    ).toBe(403);
    expect(
      (
        await fetch(`${hub.url}/api/models/alice/xet-proto/xet-write-token/None?create_pr=1`, {
          headers: auth(alice.token),
        })
      ).status,
    ).toBe(200);
    // CAS calls take CAS tokens only: none, a Hub token, a tampered one are 401; a read token cannot upload.
    const xorb = readFileSync(join(fixtures, "bg4.xorb"));
    expect((await fetch(`${hub.url}${cas}/xorbs/default/${bg4.xorb}`, { method: "POST", body: xorb })).status).toBe(
      401,
    );
    expect((await post(`${cas}/xorbs/default/${bg4.xorb}`, xorb, alice.token)).status).toBe(401);
    expect((await post(`${cas}/xorbs/default/${bg4.xorb}`, xorb, `${write.accessToken.slice(0, -2)}xx`)).status).toBe(
      401,
    );
    expect((await post(`${cas}/xorbs/default/${bg4.xorb}`, xorb, body.accessToken)).status).toBe(403);
  });

  it("refuses a corrupt xorb with 400 and keeps nothing of it; stores a good one once", async () => {
    const xorb = readFileSync(join(fixtures, "lz4.xorb"));
    const corrupt = Buffer.from(xorb);
    corrupt[5000]! ^= 0x01;
    const refused = await post(`${cas}/xorbs/default/${lz4.xorb}`, corrupt);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/xorb .* is refused/);
    expect(existsSync(join(hub.dir, "xet", "xorbs", lz4.xorb.slice(0, 2), lz4.xorb))).toBe(false);
    expect(readdirSync(join(hub.dir, "tmp"))).toEqual([]);
    // Named by another xorb's hash: refused too.
    expect((await post(`${cas}/xorbs/default/${bg4.xorb}`, xorb)).status).toBe(400);
    const stored = await post(`${cas}/xorbs/default/${lz4.xorb}`, xorb);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({ was_inserted: true });
    expect(await (await post(`${cas}/xorbs/default/${lz4.xorb}`, xorb)).json()).toEqual({ was_inserted: false });
  });

  it(
    "refuses a shard whose xorb is missing or whose sha256 is wrong, and the commit that names an unregistered " +
      "file",
    async () => {
      expect((await post(`${cas}/shards`, readFileSync(join(fixtures, "bg4.shard")))).status).toBe(400);
      const shard = readFileSync(join(fixtures, "lz4.shard"));
      // The metadata extension (the file's sha256) is the 48 bytes before the file section's bookend; change one byte.
      const wrongSha = Buffer.from(shard);
      const sha256At = shard.indexOf(Buffer.alloc(32, 0xff)) - 48;
      wrongSha[sha256At]! ^= 0x01;
      const refused = await post(`${cas}/shards`, wrongSha);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toMatch(/does not have the sha256/);
      const wrongTerm = Buffer.from(shard);
      wrongTerm.writeUInt32LE(lz4.size - 1, 48 + 48 + 36);
      expect((await post(`${cas}/shards`, wrongTerm)).status).toBe(400);
      expect((await post(`${cas}/shards`, Buffer.from("not a shard"))).status).toBe(400);
      expect(await commitLfs(lz4.sha256)).toBe(422);

      const accepted = await post(`${cas}/shards`, shard);
      expect(accepted.status).toBe(200);
      expect(await accepted.json()).toEqual({ result: 1 });
      expect(await commitLfs(lz4.sha256)).toBe(200);
      const served = await fetch(`${hub.url}/alice/xet-proto/resolve/main/fixture.bin`);
      expect(sha256(new Uint8Array(await served.arrayBuffer()))).toBe(lz4.sha256);
    },
  );

  it("answers 404 where it serves nothing on purpose: v2 shards, global dedup, Xet reconstruction", async () => {
    expect((await post(`/xet-cas/v2/shards`, readFileSync(join(fixtures, "lz4.shard")))).status).toBe(404);
    expect(
      (await fetch(`${hub.url}${cas}/chunks/default-merkledb/${lz4.xorb}`, { headers: auth(write.accessToken) }))
        .status,
    ).toBe(404);
    expect(
      (await fetch(`${hub.url}/xet-cas/v2/reconstructions/${lz4.xorb}`, { headers: auth(write.accessToken) })).status,
    ).toBe(404);
  });
});

async function commitLfs(oid: string): Promise<number> {
  const lines = [
    { key: "header", value: { summary: "fixture through Xet" } },
    { key: "lfsFile", value: { path: "fixture.bin", algo: "sha256", oid, size: lz4.size } },
  ];
  const response = await fetch(`${hub.url}/api/models/alice/xet-proto/commit/main`, {
    method: "POST",
    headers: { ...auth(alice.token), "Content-Type": "application/x-ndjson" },
    body: lines.map((line) => JSON.stringify(line)).join("\n"),
  });
  await response.arrayBuffer();
  return response.status;
}
