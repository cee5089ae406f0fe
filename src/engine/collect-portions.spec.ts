import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError, RemoteError, UsageError } from "../errors.js";
import type { HubClient, RepoFile } from "../hub/index.js";
import { assignPortions } from "../plan/assign-portions.js";
import { buildPlan } from "../plan/build-plan.js";
import { tinyLlama } from "../plan/testing/tiny-llama.js";
import type { Plan } from "../plan/types.js";
import { planModelLayout } from "../safetensors/plan-model-layout.js";
import { collectPortions } from "./collect-portions.js";
import { planDigest } from "../plan/plan-digest.js";
import { portionRecordPath, type PortionRecord } from "./portion-record.js";
import { joinPatterns } from "../../test/helpers/join-patterns.js";

const version = "9.9.9";
const head = "c".repeat(40);

function planWith(ftRevision: string): Plan {
  return buildPlan({
    operation: "publish-vector",
    base: tinyLlama("org/base", { revision: "b".repeat(40) }),
    finetuned: tinyLlama("org/ft", { revision: ftRevision.repeat(40) }),
    maxShardSize: 20_000,
  });
}

const plan = planWith("f");
const matrix = assignPortions({ layout: plan.layout, count: 3 });
const sha = (path: string) => Buffer.from(path).toString("hex").padEnd(64, "0").slice(0, 64);

/** The record job i (1-based) of a run with this plan commits; its statistics: Σ τ² = 1, 2, 3… per tensor in order. */
function recordOf(index: number, options: { plan?: Plan; tvhub?: string } = {}): PortionRecord {
  const own = options.plan ?? plan;
  const job = matrix[index - 1];
  const tensors = plan.layout.files.filter((file) => job?.files.includes(file.name)).flatMap((file) => file.tensors);
  return {
    format: "tvhub/portion",
    version: 1,
    portion: `${index}/3`,
    plan: planDigest({ plan: own, prefix: "task_vector", tvhubVersion: options.tvhub ?? version }),
    inputs: own.inputs.map((input) => ({
      role: input.role,
      ref: input.ref,
      repo: input.repo ?? null,
      revision: input.revision ?? null,
    })),
    files: (job?.files ?? []).map((path) => ({
      path,
      size: plan.layout.files.find((file) => file.name === path)?.fileSize ?? 0,
      sha256: sha(path),
    })),
    statistics: {
      tensors: tensors.map((name) => [name, plan.outputs.findIndex((output) => output.name === name) + 1]),
      reconstruction: { elements: 100 * index, mismatches: index, maxAbsError: index === 2 ? "Infinity" : index / 10 },
    },
    tvhub: options.tvhub ?? version,
  };
}

interface FakeRepo {
  files: RepoFile[];
  records: Map<string, string>;
  missing?: boolean;
}

/** A repo holding the portion files and records of the given jobs, as the Hub lists them. */
function repoWith(jobs: number[], records: (index: number) => PortionRecord = (index) => recordOf(index)): FakeRepo {
  const repo: FakeRepo = { files: [{ path: ".gitattributes", size: 10 }], records: new Map() };
  for (const index of jobs) {
    const record = records(index);
    for (const file of matrix[index - 1]?.files ?? []) {
      const size = plan.layout.files.find((f) => f.name === file)?.fileSize ?? 0;
      repo.files.push({ path: file, size, lfsSha256: sha(file) });
    }
    const path = portionRecordPath(index, 3);
    repo.records.set(path, JSON.stringify(record));
    repo.files.push({ path, size: 100 });
  }
  return repo;
}

function hubOf(repo: FakeRepo): HubClient {
  const unused = () => {
    throw new Error("not used by collectPortions");
  };
  return {
    hubUrl: "http://hub.test",
    pin: async ({ repo: name }) => {
      if (repo.missing) throw new RemoteError(`${name} was not found.`, { code: "HUB_NOT_FOUND" });
      return { repo: name, requested: "main", sha: head };
    },
    modelInfo: async ({ repo: name, sha: at }) => {
      expect(at).toBe(head);
      return { repo: name, sha: at, private: false, tags: [], files: repo.files };
    },
    readSmallFile: async ({ path, sha: at }) => {
      expect(at).toBe(head);
      const text = repo.records.get(path);
      return text === undefined ? null : new TextEncoder().encode(text);
    },
    openFile: unused,
    downloadToCache: unused,
    publish: unused,
    searchModels: unused,
    whoami: unused,
    stats: () => ({ bytesDownloaded: 0, bytesUploaded: 0 }),
  };
}

let stageDir: string;
beforeAll(async () => {
  stageDir = await mkdtemp(join(tmpdir(), "tvhub-collect-"));
});
afterAll(async () => {
  await rm(stageDir, { recursive: true, force: true });
});

/** `count` null: as `--finalize` without `--portions`. */
const collect = (repo: FakeRepo, count: number | null = 3) =>
  collectPortions({
    hub: hubOf(repo),
    repo: "org/tv",
    plan,
    prefix: "task_vector",
    ...(count === null ? {} : { count }),
    stageDir,
    statistics: true,
    tvhubVersion: version,
  });

async function failureOf(work: Promise<unknown>): Promise<Error> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe("collectPortions", () => {
  it(
    "puts every job's share together as one run has it: files with their hashes, the index, the statistics in " +
      "write order",
    async () => {
      expect(plan.layout.files.length).toBeGreaterThanOrEqual(6);
      const collected = await collect(repoWith([1, 2, 3]));
      const layout = planModelLayout({
        tensors: plan.outputs,
        prefix: "task_vector",
        maxShardSize: plan.layout.maxShardSize,
      });
      expect(collected.head).toBe(head);
      expect(collected.count).toBe(3);
      expect(collected.keep).toEqual(plan.layout.files.map((file) => file.name));
      expect(collected.files.map((file) => file.path)).toEqual([
        ...plan.layout.files.map((file) => file.name),
        "task_vector.safetensors.index.json",
      ]);
      expect(collected.files[0]).toEqual({
        path: plan.layout.files[0]?.name,
        size: plan.layout.files[0]?.fileSize,
        sha256: sha(plan.layout.files[0]?.name ?? ""),
      });
      expect(collected.staged).toEqual(["task_vector.safetensors.index.json"]);
      expect(await readdir(stageDir)).toEqual(["task_vector.safetensors.index.json"]);
      expect(await readFile(join(stageDir, "task_vector.safetensors.index.json"), "utf8")).toBe(layout.index?.text);
      expect([...collected.tensors.keys()]).toEqual(layout.writeOrder.map((tensor) => tensor.name));
      expect(collected.tensors.get(plan.outputs[3]?.name ?? "")).toEqual({ sumOfSquares: 4 });
      expect(collected.reconstruction).toEqual({ elements: 600, mismatches: 6, maxAbsError: Infinity });
    },
  );

  it("reads the count from the portion records when none is given", async () => {
    expect((await collect(repoWith([1, 2, 3]), null)).count).toBe(3);
  });

  it("names the one missing portion and its files", async () => {
    const error = await failureOf(collect(repoWith([1, 3])));
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ code: "PORTIONS_MISSING", subject: "org/tv" });
    expect(error.message).toBe(
      `org/tv is missing portion 2/3 (${matrix[1]?.files.join(", ")}); run that job of the matrix again, then ` +
        "finalize.",
    );
  });

  it("names every missing portion, also when the repo does not exist yet", async () => {
    const error = await failureOf(collect(repoWith([2])));
    expect(error.message).toBe(
      `org/tv is missing portions 1/3 (${matrix[0]?.files.join(", ")}) and 3/3 (${matrix[2]?.files.join(", ")}); ` +
        "run those jobs of the matrix again, then finalize.",
    );
    const none = await failureOf(collect({ files: [], records: new Map(), missing: true }));
    expect(none.message).toMatch(
      joinPatterns(
        /^org\/tv is missing portions 1\/3 \(.*\), 2\/3 \(.*\) and 3\/3 \(.*\); /,
        /run those jobs of the matrix again, then finalize\.$/,
      ),
    );
  });

  it("refuses a portion made from another plan, saying which input moved", async () => {
    const moved = planWith("1");
    const error = await failureOf(
      collect(repoWith([1, 2, 3], (index) => recordOf(index, index === 2 ? { plan: moved } : {}))),
    );
    expect(error).toMatchObject({ code: "PORTIONS_MISMATCH" });
    expect(error.message).toBe(
      "org/tv is not ready to finalize: portion 2/3 was made from another plan (it read org/ft at 1111111, this run " +
        "pinned fffffff; pin the revision in the recipe); run that job of the matrix again, then finalize.",
    );
    const other = await failureOf(
      collect(repoWith([1, 2, 3], (index) => recordOf(index, index === 3 ? { tvhub: "1.0.0" } : {}))),
    );
    expect(other.message).toContain(
      "portion 3/3 was made from another plan (another recipe, other options or another tvhub version: it ran tvhub " +
        "1.0.0)",
    );
  });

  it(
    "refuses a file whose size or hash is not the one its job recorded, and a missing file of a recorded " + "portion",
    async () => {
      const first = matrix[0]?.files[0] ?? "";
      const resized = repoWith([1, 2, 3]);
      resized.files = resized.files.map((file) => (file.path === first ? { ...file, size: file.size + 1 } : file));
      const sizeError = await failureOf(collect(resized));
      expect(sizeError.message).toContain(
        `portion 1/3 has ${first} at ${(plan.layout.files[0]?.fileSize ?? 0) + 1} bytes where the plan has ` +
          `${plan.layout.files[0]?.fileSize ?? 0}`,
      );

      const overwritten = repoWith([1, 2, 3]);
      overwritten.files = overwritten.files.map((file) =>
        file.path === first ? { ...file, lfsSha256: "0".repeat(64) } : file,
      );
      expect((await failureOf(collect(overwritten))).message).toContain(
        `portion 1/3 has a ${first} whose sha256 is not the one its job recorded (another run overwrote it)`,
      );

      const lost = repoWith([1, 2, 3]);
      lost.files = lost.files.filter((file) => file.path !== first);
      const lostError = await failureOf(collect(lost));
      expect(lostError).toMatchObject({ code: "PORTIONS_MISSING" });
      expect(lostError.message).toBe(
        `org/tv is not ready to finalize: portion 1/3 is missing ${first}; run that job of the matrix again, then ` +
          "finalize.",
      );
    },
  );

  it("refuses a damaged record, and a repo with no portion or portions of two different runs", async () => {
    const damaged = repoWith([1, 2, 3]);
    damaged.records.set(portionRecordPath(2, 3), "{not json");
    expect((await failureOf(collect(damaged))).message).toContain("portion 2/3 has a record that is not JSON");

    const empty = await failureOf(collect({ files: [{ path: "README.md", size: 1 }], records: new Map() }, null));
    expect(empty).toMatchObject({ code: "PORTIONS_MISSING" });
    expect(empty.message).toBe(
      "org/tv holds no portion of a matrix run; run the portion jobs (--portion i/N) first, then finalize.",
    );

    const mixed = repoWith([1, 2, 3]);
    mixed.files.push({ path: ".tvhub/portion-1-of-4.json", size: 10 });
    const ambiguous = await failureOf(collect(mixed, null));
    expect(ambiguous).toBeInstanceOf(UsageError);
    expect(ambiguous.message).toBe(
      "org/tv holds portions of runs split 3 and 4 ways; give --portions with the count of the run to finalize.",
    );
  });
});
