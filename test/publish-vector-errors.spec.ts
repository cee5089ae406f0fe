/**
 * `tvhub publish-vector` on bad input and bad luck, end to end against `tvhub hub serve`: each failure is one
 * line on stderr with the right exit code, no token anywhere, nothing new on the Hub and nothing partial in the
 * cache; a dropped connection and an interrupted run finish on their own or on the rerun without sending bytes twice.
 */
import { execFileSync, type ChildProcess } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRepo } from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadFolder } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runCli, type CliRun } from "./helpers/run-cli.js";
import { fineTune, tensorsFromConfig, tinyLlamaConfig, writeSynthModel } from "./helpers/synth.js";
import { startTcpProxy, type TcpProxy } from "./helpers/tcp-proxy.js";
import { joinPatterns } from "./helpers/join-patterns.js";

const token = "hf_alice_errors_token_0123456789";
let hub: LocalHubProcess;
let work: string;
let homes = 0;

/** Whether this machine lets the test mount a small tmpfs (root on Linux); the full-disk cases need one. */
const canMount = ((): boolean => {
  const probe = mkdtempSync(join(tmpdir(), "tvhub-mount-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], { stdio: "ignore" });
    execFileSync("umount", [probe], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
})();

/**
 * The medium pair: about 11 MB per model in BF16, enough for a transfer to be caught halfway (the cache writes
 * downloads in 4 MiB batches, so a partial file exists only past that).
 */
const midConfig = () => tinyLlamaConfig({ hiddenSize: 256, headDim: 32, layers: 4, vocabSize: 4096 });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-pv-errors-"));
  hub = await startLocalHub({ users: [{ name: "alice", token }] });
  const upload = (repo: string, dir: string) => uploadFolder({ hubUrl: hub.url, token, repo, dir });

  const config = tinyLlamaConfig();
  const base = await writeSynthModel({ dir: join(work, "base"), tensors: tensorsFromConfig(config), config, seed: 3 });
  const ft = await fineTune({ base, dir: join(work, "ft"), baseModel: "alice/base" });
  await upload("alice/base", base.dir);
  await upload("alice/ft", ft.dir);
  await createRepo({ repo: "alice/secret-ft", accessToken: token, hubUrl: hub.url, private: true });
  await upload("alice/secret-ft", ft.dir);

  const mid = midConfig();
  const midBase = await writeSynthModel({
    dir: join(work, "mid-base"),
    tensors: tensorsFromConfig(mid),
    config: mid,
    seed: 5,
  });
  const midFt = await fineTune({ base: midBase, dir: join(work, "mid-ft"), baseModel: "alice/mid-base" });
  await upload("alice/mid-base", midBase.dir);
  await upload("alice/mid-ft", midFt.dir);

  const pickles = join(work, "pickles");
  await mkdir(pickles);
  await writeFile(join(pickles, "config.json"), JSON.stringify(config));
  await writeFile(
    join(pickles, "README.md"),
    "---\nbase_model: alice/base\n---\n# A fine-tune saved with torch.save\n",
  );
  await writeFile(join(pickles, "pytorch_model.bin"), new Uint8Array(4096));
  await upload("alice/pickle-ft", pickles);

  const occupied = join(work, "occupied");
  await mkdir(occupied);
  await writeFile(join(occupied, "notes.txt"), "someone's other work\n");
  await upload("alice/occupied", occupied);
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  if (hub) rmSync(hub.dir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A fresh HF_HOME per run unless one is given, so runs do not share a cache by accident. */
function env(
  options: { home?: string; hubUrl?: string; token?: string | null; tmp?: string } = {},
): Record<string, string> {
  const home = options.home ?? join(work, `home-${++homes}`);
  return {
    HF_HOME: home,
    HF_ENDPOINT: options.hubUrl ?? hub.url,
    ...(options.token === null ? {} : { HF_TOKEN: options.token ?? token }),
    ...(options.tmp === undefined ? {} : { TMPDIR: options.tmp }),
  };
}

/** Every repo of alice with its head commit: a failed run must leave this exactly as it was. */
async function hubState(): Promise<string[]> {
  const response = await fetch(`${hub.url}/api/models?author=alice&limit=500`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const models = (await response.json()) as Array<{ id: string; sha: string }>;
  return models.map((m) => `${m.id}@${m.sha}`).sort();
}

interface LogLine {
  method: string;
  path: string;
  status: string;
  bytes: number;
}

/** The server's access log (`<time> METHOD path status bytes ms`), from line `from` on. */
function accessLog(from = 0): LogLine[] {
  return hub
    .stderr()
    .split("\n")
    .slice(from)
    .map((line) => /^\S+ (GET|HEAD|POST|PUT|DELETE) (\S+) (\d+!?) (\d+) \d+ms$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ method: m[1] ?? "", path: m[2] ?? "", status: m[3] ?? "", bytes: Number(m[4]) }));
}

const logLength = () => hub.stderr().split("\n").length - 1;

/** The server logs a request when its response closes, which can reach this process after the client exits. */
async function logSettled(): Promise<void> {
  for (let last = -1; last !== hub.stderr().length; ) {
    last = hub.stderr().length;
    await new Promise((done) => setTimeout(done, 150));
  }
}

/** Full-body GETs of weight files: a run refused before it reads weights makes none. */
const weightDownloads = (lines: LogLine[]) =>
  lines.filter((l) => l.method === "GET" && /\/resolve\/[^/]+\/.*\.safetensors$/.test(l.path) && l.bytes > 100_000);

function expectRefusal(run: CliRun, exitCode: number, message: RegExp): void {
  expect(run.stdout).toBe("");
  expect(run.stderr).toMatch(/^tvhub: [^\n]+\n$/);
  expect(run.stderr).toMatch(message);
  expect(run.code).toBe(exitCode);
  expect(run.stdout + run.stderr).not.toContain(token);
}

/** Every `.incomplete` download left under a folder. */
function incompleteFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((path) => path.endsWith(".incomplete"));
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

function mountTmpfs(size: string): string {
  const dir = mkdtempSync(join(work, "small-disk-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  return dir;
}

function unmount(dir: string): void {
  execFileSync("umount", [dir]);
  rmSync(dir, { recursive: true, force: true });
}

describe("tvhub publish-vector refuses bad input with one sentence and leaves nothing behind", () => {
  it("an unknown repo: exit 1, named, nothing created", async () => {
    const before = await hubState();
    const run = await runCli(
      ["publish-vector", "--base", "alice/base", "--finetuned", "alice/nope", "--to", "alice/out-unknown"],
      env(),
    );
    expectRefusal(
      run,
      1,
      joinPatterns(
        /^tvhub: alice\/nope was not found on http:\/\/127\.0\.0\.1:\d+ \(or the token cannot see it\); /,
        /check the name and the token\.\n$/,
      ),
    );
    expect(await hubState()).toEqual(before);
  });

  it("an unknown revision: exit 1, naming the revision", async () => {
    const before = await hubState();
    const run = await runCli(
      ["publish-vector", "--base", "alice/base", "--finetuned", "alice/ft@v9", "--to", "alice/out-revision"],
      env(),
    );
    expectRefusal(
      run,
      1,
      joinPatterns(
        /^tvhub: alice\/ft has no branch, tag or commit "v9" on http:\/\/127\.0\.0\.1:\d+; /,
        /check the revision after @\.\n$/,
      ),
    );
    expect(await hubState()).toEqual(before);
  });

  it("a private repo without a token: exit 1, suggesting --token; with the token the same run succeeds", async () => {
    const out = join(work, "out-private");
    const run = await runCli(
      ["publish-vector", "--base", "alice/base", "--finetuned", "alice/secret-ft", "--to", out],
      env({ token: null }),
    );
    expectRefusal(
      run,
      1,
      /^tvhub: alice\/secret-ft was not found on \S+; check the name, or pass --token if it is private\.\n$/,
    );
    expect(existsSync(out)).toBe(false);
    const withToken = await runCli(
      ["publish-vector", "--base", "alice/base", "--finetuned", "alice/secret-ft", "--to", out, "--quiet"],
      env(),
    );
    expect(withToken.stderr).toBe("");
    expect(withToken.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["README.md", "task_vector.safetensors", "tvhub.json"]);
  });

  it("a model with only .bin pickles: exit 1, saying tvhub reads safetensors and how to convert", async () => {
    const before = await hubState();
    const run = await runCli(["publish-vector", "--finetuned", "alice/pickle-ft", "--to", "alice/out-pickles"], env());
    expectRefusal(
      run,
      1,
      joinPatterns(
        /^tvhub: alice\/pickle-ft@[0-9a-f]{10}: /,
        /the weights are PyTorch pickles \(pytorch_model\.bin\) but tvhub reads only safetensors/,
      ),
    );
    expect(run.stderr).toContain(
      "convert them first, e.g. with transformers' model.save_pretrained(folder, safe_serialization=True)",
    );
    expect(await hubState()).toEqual(before);
  });

  it("a target repo holding other work: exit 1 before any weight is downloaded, no new commit", async () => {
    const before = await hubState();
    const from = logLength();
    const run = await runCli(["publish-vector", "--finetuned", "alice/ft", "--to", "alice/occupied"], env());
    expectRefusal(
      run,
      1,
      joinPatterns(
        /^tvhub: alice\/occupied already holds files that no tvhub publish put there \(notes\.txt\); /,
        /publish to a new name, or move those files away first\.\n$/,
      ),
    );
    await logSettled();
    expect(weightDownloads(accessLog(from))).toEqual([]);
    expect(await hubState()).toEqual(before);
  });

  it("a target folder holding other work: exit 1, the folder untouched", async () => {
    const out = join(work, "out-occupied");
    mkdirSync(out);
    await writeFile(join(out, "train.py"), "print('mine')\n");
    const run = await runCli(["publish-vector", "--finetuned", "alice/ft", "--to", out], env());
    expectRefusal(
      run,
      1,
      joinPatterns(
        /already holds files that no tvhub publish put there \(train\.py\); /,
        /publish to a new name, or move those files away first\.\n$/,
      ),
    );
    expect(readdirSync(out)).toEqual(["train.py"]);
    expect(readdirSync(work).filter((name) => name.startsWith(".out-occupied"))).toEqual([]);
  });

  it("the base model's own repo or folder as the target: refused, the model untouched", async () => {
    const before = await hubState();
    const intoRepo = await runCli(["publish-vector", "--finetuned", "alice/ft", "--to", "alice/base"], env());
    expectRefusal(
      intoRepo,
      1,
      joinPatterns(
        /^tvhub: alice\/base already holds files that no tvhub publish put there /,
        /\(config\.json, model\.safetensors\); publish to a new name/,
      ),
    );
    expect(await hubState()).toEqual(before);
    const folder = join(work, "base");
    const files = readdirSync(folder).sort();
    const intoFolder = await runCli(["publish-vector", "--finetuned", "alice/ft", "--to", folder], env());
    expectRefusal(
      intoFolder,
      1,
      /already holds files that no tvhub publish put there \(config\.json, model\.safetensors\); publish to a new name/,
    );
    expect(readdirSync(folder).sort()).toEqual(files);
  });

  it("an earlier tvhub publish as the target: replaced by a new commit, or in place in a folder", async () => {
    const repo = "alice/republished";
    const out = join(work, "republished");
    for (const dtype of ["bf16", "f32"]) {
      for (const to of [repo, out]) {
        const run = await runCli(
          ["publish-vector", "--finetuned", "alice/ft", "--to", to, "--dtype", dtype, "--json"],
          env(),
        );
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
      }
    }
    const commits = (await (
      await fetch(`${hub.url}/api/models/${repo}/commits/main`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as unknown[];
    expect(commits.length).toBe(3);
    expect(readdirSync(out).sort()).toEqual(["README.md", "task_vector.safetensors", "tvhub.json"]);
    expect(JSON.parse(readFileSync(join(out, "tvhub.json"), "utf8"))).toMatchObject({ dtype: "F32" });
  });

  it("publishing to the Hub without a token: exit 2 before any weight is downloaded", async () => {
    const before = await hubState();
    const from = logLength();
    const run = await runCli(
      ["publish-vector", "--finetuned", "alice/ft", "--to", "alice/out-anonymous"],
      env({ token: null }),
    );
    expectRefusal(
      run,
      2,
      /^tvhub: Publishing to alice\/out-anonymous needs a write token; pass --token or set HF_TOKEN\.\n$/,
    );
    await logSettled();
    expect(weightDownloads(accessLog(from))).toEqual([]);
    expect(await hubState()).toEqual(before);
  });

  it("publishing into another user's namespace: exit 1 before any weight is downloaded", async () => {
    const before = await hubState();
    const run = await runCli(["publish-vector", "--finetuned", "alice/ft", "--to", "bob/out"], env());
    expectRefusal(
      run,
      1,
      joinPatterns(
        /^tvhub: The token belongs to alice, who cannot publish to bob\/out \(not a member of bob\); /,
        /publish under alice\/ or an organisation alice belongs to\.\n$/,
      ),
    );
    expect(await hubState()).toEqual(before);
  });

  it.skipIf(!canMount)(
    "a full disk under the target: exit 1 saying how much space is needed, nothing left on it",
    async () => {
      const disk = mountTmpfs("256k");
      try {
        const from = logLength();
        const run = await runCli(["publish-vector", "--finetuned", "alice/ft", "--to", join(disk, "tv")], env());
        expectRefusal(
          run,
          1,
          joinPatterns(
            /^tvhub: The disk holding \S+small-disk-\w+ is too full: /,
            /the task vector needs \d+(\.\d+)? [kM]B there and \d+(\.\d+)? kB is free; /,
            /free some space, or write --to a folder on a disk with room\.\n$/,
          ),
        );
        expect(readdirSync(disk)).toEqual([]);
        await logSettled();
        expect(weightDownloads(accessLog(from))).toEqual([]);
      } finally {
        unmount(disk);
      }
    },
  );

  it.skipIf(!canMount)(
    "a full disk under the staging folder of a Hub publish: exit 1, naming TMPDIR, nothing on the Hub",
    async () => {
      const disk = mountTmpfs("256k");
      try {
        const before = await hubState();
        const run = await runCli(
          ["publish-vector", "--finetuned", "alice/ft", "--to", "alice/out-full"],
          env({ tmp: disk }),
        );
        expectRefusal(
          run,
          1,
          joinPatterns(
            /^tvhub: The disk holding \S+ is too full: the task vector needs .+ there and .+ is free; /,
            /free some space, or set TMPDIR to a folder on a disk with room\.\n$/,
          ),
        );
        expect(readdirSync(disk)).toEqual([]);
        expect(await hubState()).toEqual(before);
      } finally {
        unmount(disk);
      }
    },
  );

  it.skipIf(!canMount)(
    "a full disk under the Hub cache: exit 1 saying how much is needed, no .incomplete left, and a rerun with room " +
      "completes",
    async () => {
      const disk = mountTmpfs("256k");
      const out = join(work, "out-cache-full");
      try {
        const run = await runCli(["publish-vector", "--finetuned", "alice/ft", "--to", out], env({ home: disk }));
        expectRefusal(
          run,
          1,
          joinPatterns(
            /^tvhub: The disk holding the Hub cache at \S+ is full: /,
            /alice\/(ft|base)@[0-9a-f]{7,10}:model\.safetensors needs \d+ kB there; /,
            /free that much space or set HF_HUB_CACHE to a folder on a disk with room\.\n$/,
          ),
        );
        expect(incompleteFiles(disk)).toEqual([]);
        expect(existsSync(out)).toBe(false);
      } finally {
        unmount(disk);
      }
      const rerun = await runCli(["publish-vector", "--finetuned", "alice/ft", "--to", out, "--quiet"], env());
      expect(rerun.stderr).toBe("");
      expect(rerun.code).toBe(0);
      expect(existsSync(join(out, "task_vector.safetensors"))).toBe(true);
    },
  );
});

describe("tvhub publish-vector through a dropped connection and an interrupted run", () => {
  let proxy: TcpProxy;
  /** The τ of the medium pair from an undisturbed run, and what that run downloaded. */
  let reference: { bytes: Buffer; downloaded: number };

  beforeAll(async () => {
    proxy = await startTcpProxy({ target: hub.url });
    const out = join(work, "mid-reference");
    const run = await runCli(["publish-vector", "--finetuned", "alice/mid-ft", "--to", out, "--json"], env());
    expect(run.code).toBe(0);
    reference = {
      bytes: readFileSync(join(out, "task_vector.safetensors")),
      downloaded: (JSON.parse(run.stdout) as { bytesDownloaded: number }).bytesDownloaded,
    };
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
  });

  it(
    "a connection dropped mid-download is resumed with a range request: same bytes, nothing fetched " + "twice",
    async () => {
      const from = logLength();
      proxy.cutOnce(1_000_000);
      const out = join(work, "mid-dropped");
      const run = await runCli(
        ["publish-vector", "--finetuned", "alice/mid-ft", "--to", out, "--json"],
        env({ hubUrl: proxy.url }),
      );
      await logSettled();
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(proxy.cuts()).toBe(1);
      const log = accessLog(from).filter((l) => /\/resolve\/[0-9a-f]{40}\/model\.safetensors$/.test(l.path));
      const cut = log.find((l) => l.status === "200!");
      expect(cut, "the server saw a download cut short").toBeDefined();
      expect(
        log.some((l) => l.path === cut?.path && l.status === "206" && l.bytes > 100_000),
        "the rest came as a range",
      ).toBe(true);
      expect(readFileSync(join(out, "task_vector.safetensors")).equals(reference.bytes)).toBe(true);
      // Resumed, not restarted: every byte of the files arrived once.
      expect((JSON.parse(run.stdout) as { bytesDownloaded: number }).bytesDownloaded).toBe(reference.downloaded);
    },
  );

  it.skipIf(!canMount)(
    "a disk that fills up during the run: exit 1 saying it is full and how much the task vector needs, nothing left " +
      "on it",
    async () => {
      const disk = mountTmpfs("16m");
      try {
        proxy.throttle({ down: 4_000_000 });
        let run: Promise<CliRun> | undefined;
        try {
          run = runCli(
            ["publish-vector", "--finetuned", "alice/mid-ft", "--to", join(disk, "tv")],
            env({ hubUrl: proxy.url }),
          );
          // The space check has passed once the staging folder exists; someone else then takes the rest of the disk.
          await waitFor("the staging folder", () => readdirSync(disk).some((name) => name.startsWith(".tv.tvhub-")));
          const filler = openSync(join(disk, "filler"), "w");
          try {
            for (const block = new Uint8Array(1 << 20); ; ) writeSync(filler, block);
          } catch (error) {
            expect((error as NodeJS.ErrnoException).code).toBe("ENOSPC");
          } finally {
            closeSync(filler);
          }
        } finally {
          proxy.throttle({});
        }
        expectRefusal(
          await run,
          1,
          joinPatterns(
            /^tvhub: The disk holding \S+small-disk-\w+ is full: the task vector needs 1\d\.\d MB there; /,
            /free some space, or write --to a folder on a disk with room\.\n$/,
          ),
        );
        expect(readdirSync(disk)).toEqual(["filler"]);
      } finally {
        unmount(disk);
      }
    },
  );

  it("a run killed mid-download resumes from the bytes in the cache when rerun", async () => {
    const home = join(work, "home-killed-download");
    const blobs = join(home, "hub");
    proxy.throttle({ down: 4_000_000 });
    let child: ChildProcess | undefined;
    const out = join(work, "mid-killed-download");
    const killed = runCli(
      ["publish-vector", "--finetuned", "alice/mid-ft", "--to", out],
      env({ home, hubUrl: proxy.url }),
      { onSpawn: (c) => (child = c) },
    );
    try {
      await waitFor("a partial download", () =>
        incompleteFiles(blobs).some((file) => statSync(join(blobs, file)).size >= 4 * 1024 * 1024),
      );
    } finally {
      child?.kill("SIGKILL");
      proxy.throttle({});
    }
    expect((await killed).signal).toBe("SIGKILL");
    const partial = incompleteFiles(blobs);
    expect(partial.length).toBeGreaterThan(0);

    const from = logLength();
    const rerun = await runCli(["publish-vector", "--finetuned", "alice/mid-ft", "--to", out, "--json"], env({ home }));
    await logSettled();
    expect(rerun.stderr).toBe("");
    expect(rerun.code).toBe(0);
    expect(incompleteFiles(blobs)).toEqual([]);
    expect(readFileSync(join(out, "task_vector.safetensors")).equals(reference.bytes)).toBe(true);
    const downloaded = (JSON.parse(rerun.stdout) as { bytesDownloaded: number }).bytesDownloaded;
    expect(downloaded).toBeLessThan(reference.downloaded - 4 * 1024 * 1024);
    expect(
      accessLog(from).some(
        (l) => /\/resolve\/[0-9a-f]{40}\/model\.safetensors$/.test(l.path) && l.status === "206" && l.bytes > 100_000,
      ),
    ).toBe(true);
  });

  it(
    "a run killed mid-upload: the rerun computes from the cache and does not send LFS objects the Hub already " + "has",
    async () => {
      const home = join(work, "home-killed-upload");
      const repo = "alice/mid-tv";
      const shard = ["--max-shard-size", "3MB"];
      const puts = (lines: LogLine[]) =>
        lines.filter((l) => l.method === "PUT" && l.path.startsWith(`/lfs-upload/models/${repo}/`));
      const from = logLength();
      proxy.throttle({ up: 4_000_000 });
      let child: ChildProcess | undefined;
      const killed = runCli(
        ["publish-vector", "--finetuned", "alice/mid-ft", "--to", repo, ...shard],
        env({ home, hubUrl: proxy.url }),
        {
          onSpawn: (c) => (child = c),
        },
      );
      try {
        await waitFor("a completed LFS upload", () => puts(accessLog(from)).some((l) => l.status === "200"));
      } finally {
        child?.kill("SIGKILL");
        proxy.throttle({});
      }
      expect((await killed).signal).toBe("SIGKILL");
      await logSettled();
      const first = puts(accessLog(from));
      const stored = new Set(first.filter((l) => l.status === "200").map((l) => l.path));
      expect(stored.size).toBeGreaterThan(0);
      // Nothing was committed: the repo holds only what the Hub puts in a new one.
      const files = (await (
        await fetch(`${hub.url}/api/models/${repo}/tree/main`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as Array<{ path: string }>;
      expect(files.map((f) => f.path)).toEqual([".gitattributes"]);

      const rerunFrom = logLength();
      const rerun = await runCli(
        ["publish-vector", "--finetuned", "alice/mid-ft", "--to", repo, ...shard, "--json"],
        env({ home }),
      );
      await logSettled();
      expect(rerun.stderr).toBe("");
      expect(rerun.code).toBe(0);
      const result = JSON.parse(rerun.stdout) as {
        bytesDownloaded: number;
        bytesUploaded: number;
        files: Array<{ path: string; size: number }>;
      };
      expect(result.bytesDownloaded).toBe(0);
      const second = puts(accessLog(rerunFrom));
      for (const line of second) expect(stored.has(line.path), `${line.path} was sent again`).toBe(false);
      const total = result.files.filter((f) => f.path.endsWith(".safetensors")).reduce((sum, f) => sum + f.size, 0);
      expect(result.files.filter((f) => f.path.endsWith(".safetensors")).length).toBeGreaterThanOrEqual(3);
      expect(result.bytesUploaded).toBeLessThan(total);
      // Each object the Hub holds arrived whole exactly once.
      const completed = puts(accessLog(from))
        .filter((l) => l.status === "200")
        .map((l) => l.path);
      expect(new Set(completed).size).toBe(completed.length);
    },
  );
});
