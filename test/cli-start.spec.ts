/**
 * A command loads only the npm packages it uses (issue #9): the CLI bundle keeps its dependencies external, and a
 * static import of one is hoisted to the top of the bundle, where it would load at the start of every command
 * (@huggingface/inference alone costs ~0.2 s). These runs record, through a module loader hook, every package the
 * built CLI (`npm run build`) resolves an import into, and compare that list with what each command needs.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadFolder } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { cliPath, type CliRun } from "./helpers/run-cli.js";
import { fineTune, tensorsFromConfig, tinyLlamaConfig, writeSynthModel } from "./helpers/synth.js";

const hook = pathToFileURL(join(import.meta.dirname, "helpers/record-packages.mjs")).href;
const token = "hf_alice_cli_start_token";

/** Every SDK whose import is expensive; the commands below must load none they do not use. */
const heavy = [
  "@huggingface/hub",
  "@huggingface/inference",
  "@tensorflow/tfjs",
  "@tensorflow/tfjs-core",
  "zod",
  "octokit",
  "yaml",
];

let work: string;
let runs = 0;

/**
 * Runs `node dist/cli.js ...args` with the recording hook; resolves with the run and the packages it loaded, sorted.
 */
function runRecorded(args: string[], env: Record<string, string> = {}): Promise<CliRun & { packages: string[] }> {
  const record = join(work, `packages-${runs++}.txt`);
  writeFileSync(record, "");
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", hook, cliPath, ...args], {
      env: { PATH: process.env.PATH ?? "", HF_HOME: join(work, "hf-home"), TVHUB_RECORD_PACKAGES: record, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("close", (code, signal) => {
      const packages = [...new Set(readFileSync(record, "utf8").split("\n").filter(Boolean))].sort();
      done({ code, signal, stdout, stderr, packages });
    });
  });
}

let base: string;
let finetuned: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-cli-start-"));
  const config = tinyLlamaConfig();
  const model = await writeSynthModel({
    dir: join(work, "base"),
    tensors: tensorsFromConfig(config, { dtype: "BF16" }),
    config,
    seed: 3,
  });
  const ft = await fineTune({
    base: model,
    dir: join(work, "ft"),
    baseModel: "alice/base",
    card: { extra: { license: "mit" } },
  });
  base = model.dir;
  finetuned = ft.dir;
}, 60_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("what the CLI loads", () => {
  it("the hook sees a package the CLI loads on demand (so an empty list means something)", async () => {
    const recipe = join(work, "merge.yml");
    writeFileSync(
      recipe,
      `version: 1\nbase: ${base}\noutput: { to: ${join(work, "merged")} }\nvectors:\n  - finetuned: ` +
        `${finetuned}\n    weight: 0.5\n`,
    );
    const run = await runRecorded(["merge", recipe, "--dry-run", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    // A recipe needs the YAML parser and the schema library, and nothing that talks to a Hub or evaluates.
    expect(run.packages).toEqual(["commander", "yaml", "zod"]);
  });

  it("--version and --help load commander and nothing else", async () => {
    for (const args of [["--version"], ["--help"], ["publish-vector", "--help"]]) {
      const run = await runRecorded(args);
      expect(run.code, args.join(" ")).toBe(0);
      expect(run.stdout.length).toBeGreaterThan(0);
      expect(run.packages, args.join(" ")).toEqual(["commander"]);
    }
  });

  it("publish-vector between two local folders loads no SDK: no Hub client, schema library or evaluator", async () => {
    const dryRun = await runRecorded([
      "publish-vector",
      "--base",
      base,
      "--finetuned",
      finetuned,
      "--to",
      join(work, "tv-dry"),
      "--dry-run",
      "--json",
    ]);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    const real = await runRecorded([
      "publish-vector",
      "--base",
      base,
      "--finetuned",
      finetuned,
      "--to",
      join(work, "tv"),
      "--json",
    ]);
    expect(real.code, real.stderr).toBe(0);
    expect(readFileSync(join(work, "tv", "README.md"), "utf8")).toContain("base_model_relation: finetune");
    for (const run of [dryRun, real]) {
      // The fine-tune's card (front matter) and the task vector's card are YAML; nothing else is needed.
      expect(run.packages.filter((name) => name !== "yaml")).toEqual(["commander"]);
    }
  });

  describe("against a local Hub", () => {
    let hub: LocalHubProcess;

    beforeAll(async () => {
      hub = await startLocalHub({ users: [{ name: "alice", token }] });
      await uploadFolder({ hubUrl: hub.url, token, repo: "alice/base", dir: base });
      await uploadFolder({ hubUrl: hub.url, token, repo: "alice/ft", dir: finetuned });
    }, 60_000);

    afterAll(async () => {
      await hub?.stop();
    });

    it("a Hub command pays for @huggingface/hub and for nothing it does not use", async () => {
      const run = await runRecorded(
        [
          "publish-vector",
          "--base",
          "alice/base",
          "--finetuned",
          "alice/ft",
          "--to",
          "alice/ft-tv",
          "--dry-run",
          "--json",
        ],
        {
          HF_ENDPOINT: hub.url,
          HF_TOKEN: token,
        },
      );
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      // @huggingface/hub brings its own dependencies (xet chunking, hashing); of the heavy SDKs, it is the only one.
      expect(run.packages.filter((name) => heavy.includes(name) && name !== "yaml")).toEqual(["@huggingface/hub"]);
    });
  });
});
