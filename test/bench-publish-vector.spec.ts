import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compareElements,
  compareTaskVectors,
  formatPublishVectorTable,
  publishVectorOptionsFrom,
  type PublishVectorBenchResults,
  type PublishVectorRun,
  type ReportedFile,
  type TorchMeasurement,
} from "../bench/publish-vector.js";
import { UsageError } from "../src/errors.js";
import { openLocalModel } from "../src/safetensors/open-local-model.js";
import { cliPath } from "./helpers/run-cli.js";
import { fineTune, tensorsFromConfig, tinyLlamaConfig, writeSynthModel } from "./helpers/synth.js";

const script = resolve(import.meta.dirname, "../bench/torch-task-vector.py");
const hasTorch = spawnSync("python3", ["-c", "import torch"], { stdio: "ignore" }).status === 0;

describe("publishVectorOptionsFrom", () => {
  it("reads sizes in GB, targets, repetitions, a folder and the Python", () => {
    expect(
      publishVectorOptionsFrom({
        sizes: "0.5, 2",
        targets: "memory",
        repetitions: "1",
        dir: "/big",
        python: "/opt/py/bin/python",
      }),
    ).toEqual({
      sizes: [0.5e9, 2e9],
      targets: ["memory"],
      repetitions: 1,
      dir: "/big",
      torch: { python: "/opt/py/bin/python" },
    });
    expect(publishVectorOptionsFrom({ "no-torch": true })).toEqual({ torch: false });
    expect(publishVectorOptionsFrom({ "torch-overlap": true })).toEqual({ torch: { overlap: true } });
    expect(publishVectorOptionsFrom({})).toEqual({});
  });

  it.each([
    [{ sizes: "half" }, "--sizes half"],
    [{ sizes: "0.5,,2" }, "--sizes 0.5,,2"],
    [{ sizes: "0.01" }, "--sizes 0.01"],
    [{ targets: "ssd" }, "--targets ssd"],
    [{ targets: "disk,disk" }, "--targets disk,disk"],
    [{ repetitions: "0" }, "--repetitions 0"],
    [{ repetitions: "1.5" }, "--repetitions 1.5"],
    [{ "no-torch": true, python: "python3" }, "--no-torch and --python"],
    [{ "no-torch": true, "torch-overlap": true }, "--no-torch and --torch-overlap"],
  ])("refuses %j with a message that names it", (flags, named) => {
    expect(() => publishVectorOptionsFrom(flags)).toThrow(UsageError);
    expect(() => publishVectorOptionsFrom(flags)).toThrow(named);
  });
});

describe("formatPublishVectorTable", () => {
  const torch = (threads: number, seconds: number, publishSeconds: number): TorchMeasurement => ({
    threads,
    seconds,
    runs: [seconds + 1, seconds],
    peakRssBytes: 3000 * 2 ** 20,
    peakAnonBytes: 400 * 2 ** 20,
    publishRatio: publishSeconds / seconds,
    phases: { import: 1.5, compute: seconds / 2, hashAndWrite: seconds / 3, fsync: 0.1, total: seconds - 0.2 },
  });
  const run = (target: "disk" | "memory", publishSeconds: number, withTorch: boolean): PublishVectorRun => ({
    modelBytes: 2.03e9,
    parameters: 1.015e9,
    layers: 9,
    target,
    baselineSeconds: 4,
    publishSeconds,
    publishPeakRssBytes: 200 * 2 ** 20,
    publishPeakAnonBytes: 120 * 2 ** 20,
    ratio: publishSeconds / 4,
    publishBytesPerSecond: 2.03e9 / publishSeconds,
    baselineRuns: [4],
    publishRuns: [publishSeconds],
    loadAverage: 0.5,
    files: [],
    ...(withTorch ? { torch: { oneThread: torch(1, 10, publishSeconds), allCores: torch(2, 8, publishSeconds) } } : {}),
  });
  const results = (withTorch: boolean): PublishVectorBenchResults => ({
    startedAt: "2026-01-01T00:00:00.000Z",
    node: "v20.0.0",
    cpu: "Test CPU",
    cores: 2,
    availableParallelism: 2,
    torch: withTorch,
    ...(withTorch
      ? { torchVersion: "2.13.0+cpu", torchDefaultThreads: 2 }
      : { torchSkipped: 'python3 -c "import torch" failed' }),
    runs: [run("disk", 5, withTorch), run("memory", 4, withTorch)],
    tauChecks: withTorch
      ? [
          {
            modelBytes: 2.03e9,
            compared: ["1 thread", "all cores"],
            tensors: 84,
            bytes: 2.03e9,
            nanBitPatterns: 0,
            identicalFiles: true,
            publishNorm: 12.5,
            torchNorm: 12.5000001,
            normRelativeDifference: 8e-9,
          },
        ]
      : [],
  });

  it("says why there is no PyTorch reference", () => {
    const table = formatPublishVectorTable(results(false));
    expect(table).toContain('No PyTorch reference was run: python3 -c "import torch" failed.');
    expect(table).not.toContain("publish ÷ PyTorch");
  });

  it("puts each PyTorch configuration on its own row with publish-vector's time and the ratio", () => {
    const lines = formatPublishVectorTable(results(true)).split("\n");
    const header = lines.find((line) => line.includes("publish ÷ PyTorch"));
    expect(header).toBeDefined();
    const one = lines.filter((line) => line.includes("1 thread") && line.includes("GB bf16"));
    const all = lines.filter((line) => line.includes("all cores (2)"));
    expect(one).toHaveLength(2);
    expect(all).toHaveLength(2);
    // disk: publish 5 s against 10 s (0.50×, PyTorch 2.00× slower) and 8 s (0.63×, 1.60×); /dev/shm: 4 s.
    expect(one[0]).toMatch(/disk \(fsync\)\s+1 thread\s+10\.00\s+5\.00\s+0\.50×\s+2\.00×\s+3000\s+400\s+1\.5$/);
    expect(all[0]).toMatch(/^\s+all cores \(2\)\s+8\.00\s+5\.00\s+0\.63×\s+1\.60×/);
    expect(one[1]).toMatch(/\/dev\/shm\s+1 thread\s+10\.00\s+4\.00\s+0\.40×/);
    expect(
      lines.some(
        (line) =>
          line.startsWith("τ check, 2.03 GB:") && line.includes("84 tensors") && line.includes("byte-identical files"),
      ),
    ).toBe(true);
  });
});

describe("compareElements", () => {
  const bf16 = (...values: number[]) => new Uint8Array(new Uint16Array(values).buffer);
  it("accepts NaN against NaN of other bits, counted, and finds the first other difference", () => {
    expect(compareElements("BF16", bf16(1, 0x7fc0, 3), bf16(1, 0xffff, 3))).toEqual({ nans: 1 });
    expect(compareElements("BF16", bf16(0x7fc0, 2, 0x7f80), bf16(0xffc1, 2, 0x7f81))).toEqual({ first: 2, nans: 1 });
    // −0 against +0 is a difference: τ's bits must agree, not only its values.
    expect(compareElements("BF16", bf16(0x8000), bf16(0))).toEqual({ first: 0, nans: 0 });
    expect(
      compareElements(
        "F32",
        new Uint8Array(new Float32Array([Number.NaN, 1]).buffer),
        new Uint8Array(new Float32Array([1, 1]).buffer),
      ),
    ).toEqual({ first: 0, nans: 0 });
    expect(compareElements("I64", new Uint8Array(8), new Uint8Array(8).fill(1))).toEqual({ first: 0, nans: 0 });
  });
});

describe.skipIf(!hasTorch)("bench/torch-task-vector.py against publish-vector", () => {
  let work: string;
  const pairs = { clean: { base: "", finetuned: "" }, specials: { base: "", finetuned: "" } };

  beforeAll(async () => {
    expect(existsSync(cliPath), "run npm run build first").toBe(true);
    work = await mkdtemp(join(tmpdir(), "tvhub-bench-torch-"));
    const config = tinyLlamaConfig({ vocabSize: 1000 });
    for (const kind of ["clean", "specials"] as const) {
      const tensors = tensorsFromConfig(config, { dtype: "BF16" });
      // An integer buffer, which never enters τ; and NaN, ±Inf, −0 and subnormals in one tensor of the other pair.
      tensors.push({ name: "model.position_ids", dtype: "I64", shape: [32], fill: "arange" });
      if (kind === "specials") tensors[1] = { ...tensors[1]!, specials: true };
      const pair = { base: join(work, `${kind}-base`), finetuned: join(work, `${kind}-ft`) };
      const model = await writeSynthModel({ dir: pair.base, tensors, config, maxShardSize: 150_000 });
      await fineTune({ base: model, dir: pair.finetuned, maxShardSize: 150_000 });
      pairs[kind] = pair;
    }
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  const publish = (pair: { base: string; finetuned: string }, to: string, maxShardSize: number) => {
    const run = spawnSync(
      process.execPath,
      [
        cliPath,
        "publish-vector",
        "--base",
        pair.base,
        "--finetuned",
        pair.finetuned,
        "--to",
        to,
        "--max-shard-size",
        String(maxShardSize),
        "--json",
        "--quiet",
      ],
      {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", HF_HOME: join(work, "hf-home") },
      },
    );
    expect(run.status, run.stderr).toBe(0);
    return { dir: to, ...(JSON.parse(run.stdout) as { files: ReportedFile[]; norm: number | null }) };
  };
  const torch = (
    pair: { base: string; finetuned: string },
    to: string,
    maxShardSize: number,
    threads: number,
    overlap = false,
  ) => {
    const args = [
      script,
      "--base",
      pair.base,
      "--finetuned",
      pair.finetuned,
      "--to",
      to,
      "--max-shard-size",
      String(maxShardSize),
      "--threads",
      String(threads),
    ];
    const run = spawnSync("python3", overlap ? [...args, "--overlap"] : args, { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    return {
      dir: to,
      ...(JSON.parse(run.stdout) as {
        files: ReportedFile[];
        norm: number | null;
        threads: number;
        overlap: boolean;
        tensors: number;
      }),
    };
  };

  it(
    "writes the same shards, index and sha256 as publish-vector, with one thread and with all, with and without " +
      "--overlap",
    async () => {
      const ours = publish(pairs.clean, join(work, "tvhub-sharded"), 100_000);
      expect(ours.files.map((file) => file.path)).toContain("task_vector.safetensors.index.json");
      for (const [threads, overlap] of [
        [1, false],
        [0, false],
        [1, true],
      ] as const) {
        const theirs = torch(pairs.clean, join(work, `torch-sharded-${threads}-${overlap}`), 100_000, threads, overlap);
        if (threads === 1) expect(theirs.threads).toBe(1);
        expect(theirs.overlap).toBe(overlap);
        expect(theirs.files).toEqual(ours.files);
        const check = await compareTaskVectors({ publish: ours, torch: theirs, label: `PyTorch ${threads} threads` });
        expect(check).toMatchObject({ tensors: theirs.tensors, nanBitPatterns: 0, identicalFiles: true });
        expect(check.normRelativeDifference).toBeLessThan(1e-6);
        // The integer buffer is left out by both.
        const model = await openLocalModel({ path: theirs.dir, prefixes: ["task_vector"] });
        expect(model.has("model.position_ids")).toBe(false);
        expect(model.tensors()).toHaveLength(check.tensors);
        await model.close();
      }
    },
  );

  // One run of each on the clean pair with the default shard size, shared by the two tests below.
  let single: { ours: ReturnType<typeof publish>; theirs: ReturnType<typeof torch> } | undefined;
  const singleFile = () =>
    (single ??= {
      ours: publish(pairs.clean, join(work, "tvhub-single"), 5_000_000_000),
      theirs: torch(pairs.clean, join(work, "torch-single"), 5_000_000_000, 1),
    });

  it("writes one task_vector.safetensors under the default shard size", async () => {
    const { ours, theirs } = singleFile();
    expect(ours.files.map((file) => file.path)).toEqual(["task_vector.safetensors"]);
    expect(theirs.files).toEqual(ours.files);
  });

  it("agrees on NaN, ±Inf, −0 and subnormals, NaN bits aside", async () => {
    const ours = publish(pairs.specials, join(work, "tvhub-specials"), 5_000_000_000);
    const theirs = torch(pairs.specials, join(work, "torch-specials"), 5_000_000_000, 1);
    expect(ours.norm).toBeNull();
    expect(theirs.norm).toBeNull();
    const check = await compareTaskVectors({ publish: ours, torch: theirs, label: "PyTorch 1 thread" });
    expect(check.nanBitPatterns).toBeGreaterThan(0);
    expect(check.identicalFiles).toBe(false);
  });

  it("fails loudly when a τ element or a reported sha256 differs", async () => {
    const { ours, theirs } = singleFile();
    const file = join(theirs.dir, "task_vector.safetensors");
    const bytes = readFileSync(file);
    const dataStart = 8 + Number(bytes.readBigUInt64LE(0));
    const model = await openLocalModel({ path: theirs.dir, prefixes: ["task_vector"] });
    const target = model.tensors()[0]!;
    await model.close();
    // Element 3 of the first tensor in the file: flip its lowest bit.
    const at = dataStart + target.begin + 3 * 2;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 1, at);
    writeFileSync(file, bytes);
    const options = { publish: ours, torch: theirs, label: "PyTorch 1 thread" };
    await expect(compareTaskVectors(options)).rejects.toThrow(
      /PyTorch 1 thread reported task_vector\.safetensors as \d+ bytes with sha256 [0-9a-f]{64}, but the file has/,
    );
    const honest = [{ ...theirs.files[0]!, sha256: createHash("sha256").update(bytes).digest("hex") }];
    await expect(compareTaskVectors({ ...options, torch: { ...theirs, files: honest } })).rejects.toThrow(
      new RegExp(
        `PyTorch 1 thread and publish-vector disagree: ${target.name.replaceAll(".", "\\.")} element 3 is ` +
          "0x[0-9a-f]{4} in publish-vector's τ and 0x[0-9a-f]{4} in PyTorch's",
      ),
    );
  });
});
