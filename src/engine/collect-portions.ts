import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { emptyReconstructionStats } from "../arithmetic/reconstruction-error.js";
import { DataError, InternalError, TvhubError, UsageError } from "../errors.js";
import { isPortionRecordPath, type HubClient, type RepoFile } from "../hub/index.js";
import { assignPortions } from "../plan/assign-portions.js";
import type { Plan } from "../plan/types.js";
import { planModelLayout } from "../safetensors/plan-model-layout.js";
import type { TensorStatistics } from "./execute-plan.js";
import { planDigest } from "../plan/plan-digest.js";
import type { ProducedOutput } from "./produced-output.js";
import { decodeNumber, portionRecordPath, type PortionRecord } from "./portion-record.js";

export interface CollectPortionsOptions {
  hub: HubClient;
  /** The target repo `org/name` the portion jobs committed to. */
  repo: string;
  plan: Plan;
  /** `model` or `task_vector`. */
  prefix: string;
  /** How many jobs the matrix had; absent: the portion records on the Hub say. */
  count?: number;
  /** The index file is written here. */
  stageDir: string;
  /** Task vectors: the card's statistics are put together from the jobs' shares. */
  statistics: boolean;
  tvhubVersion: string;
}

/** The portion jobs' files as a single run would report them; only the index is staged, the rest is kept. */
export interface CollectedPortions extends ProducedOutput {
  /** The commit whose files were checked; the finalize commit must land right on top of it. */
  head: string;
  keep: string[];
  count: number;
}

/** What is wrong with one job's share, in words that finish "portion 2/3 …". */
interface PortionProblem {
  portion: string;
  missing: boolean;
  text: string;
}

const maxRecordBytes = 64 * 1024 * 1024;

/**
 * The finalize step's check: lists the target at its head and makes sure every job of the matrix committed its
 * files, with the planned sizes and the sha256 its record states (the Hub's LFS oid), from the same plan as this
 * run. Anything missing or different is one DataError naming each portion, before anything is written. Then puts
 * the pieces together as a single run would have them: the files with their hashes, the index, the statistics.
 * The finalize commit (publishFiles with `keep`) then deletes the portion records and any weights of an earlier run.
 */
export async function collectPortions(options: CollectPortionsOptions): Promise<CollectedPortions> {
  const { hub, repo, plan } = options;
  const head = await pinHead(hub, repo);
  const listing = head === undefined ? [] : (await hub.modelInfo({ repo, sha: head })).files;
  const byPath = new Map(listing.map((file) => [file.path, file]));
  const records = listing.map((file) => file.path).filter((path) => isPortionRecordPath(path));
  const count = options.count ?? countFromRecords(repo, records);
  const matrix = assignPortions({ layout: plan.layout, count, label: "The portion count" });
  const digest = planDigest({ plan, prefix: options.prefix, tvhubVersion: options.tvhubVersion });
  const sizes = new Map(plan.layout.files.map((file) => [file.name, file.fileSize]));

  const problems: PortionProblem[] = [];
  const found: PortionRecord[] = [];
  for (const [i, job] of matrix.entries()) {
    const recordPath = portionRecordPath(i + 1, count);
    const absent = job.files.filter((path) => !byPath.has(path));
    const bytes =
      byPath.has(recordPath) && head !== undefined
        ? await hub.readSmallFile({ repo, sha: head, path: recordPath, maxBytes: maxRecordBytes })
        : null;
    if (bytes === null) {
      problems.push({ portion: job.portion, missing: true, text: `is missing (${job.files.join(", ")})` });
      continue;
    }
    const record = parseRecord(bytes, job.portion);
    if (typeof record === "string") {
      problems.push({ portion: job.portion, missing: false, text: record });
      continue;
    }
    if (record.plan !== digest) {
      problems.push({
        portion: job.portion,
        missing: false,
        text: `was made from another plan (${planDifference(record, plan)})`,
      });
      continue;
    }
    if (absent.length > 0) {
      problems.push({ portion: job.portion, missing: true, text: `is missing ${absent.join(", ")}` });
      continue;
    }
    const damage = job.files
      .map((path) => fileProblem(path, sizes.get(path), byPath.get(path), record))
      .find((text) => text !== undefined);
    if (damage !== undefined) {
      problems.push({ portion: job.portion, missing: false, text: damage });
      continue;
    }
    if (options.statistics && record.statistics === null) {
      problems.push({
        portion: job.portion,
        missing: false,
        text: "has a record without the statistics a task vector's card needs",
      });
      continue;
    }
    found.push(record);
  }
  if (problems.length > 0) throw portionsError(repo, problems);

  const layout = planModelLayout({
    tensors: plan.outputs,
    prefix: options.prefix,
    maxShardSize: plan.layout.maxShardSize,
  });
  if (layout.files.map((file) => file.file).join("\n") !== plan.layout.files.map((file) => file.name).join("\n")) {
    throw new InternalError(`The plan's files and the writer's layout for ${repo} differ; please report this.`, {
      code: "PORTIONS_LAYOUT_DIFFERS",
    });
  }
  const recorded = new Map(found.flatMap((record) => record.files.map((file) => [file.path, file] as const)));
  const files = plan.layout.files.map((file) => ({
    path: file.name,
    size: file.fileSize,
    sha256: recorded.get(file.name)?.sha256 ?? "",
  }));
  const staged: string[] = [];
  if (layout.index) {
    const bytes = new TextEncoder().encode(layout.index.text);
    await writeFile(join(options.stageDir, layout.index.file), bytes);
    files.push({
      path: layout.index.file,
      size: bytes.byteLength,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
    staged.push(layout.index.file);
  }

  const tensors = new Map<string, TensorStatistics>();
  let reconstruction = emptyReconstructionStats;
  if (options.statistics) {
    // Contiguous shares in layout order: the records' tensors, one after the other, are the single run's write order.
    for (const record of found) {
      for (const [name, sum] of record.statistics?.tensors ?? [])
        tensors.set(name, { sumOfSquares: decodeNumber(sum) ?? Number.NaN });
      const part = record.statistics?.reconstruction;
      if (part) {
        const maxAbsError = decodeNumber(part.maxAbsError) ?? Number.NaN;
        reconstruction = {
          elements: reconstruction.elements + part.elements,
          mismatches: reconstruction.mismatches + part.mismatches,
          // biome-ignore lint/complexity/useMathMinMax: a NaN error must not poison the maximum, as Math.max would.
          maxAbsError: maxAbsError > reconstruction.maxAbsError ? maxAbsError : reconstruction.maxAbsError,
        };
      }
    }
  }

  return {
    head: head ?? "",
    count,
    files,
    staged,
    keep: plan.layout.files.map((file) => file.name),
    tensors,
    reconstruction,
  };
}

async function pinHead(hub: HubClient, repo: string): Promise<string | undefined> {
  try {
    return (await hub.pin({ repo })).sha;
  } catch (error) {
    // No repo: no job has committed yet, which the check below reports portion by portion.
    if (error instanceof TvhubError && error.code === "HUB_NOT_FOUND") return undefined;
    throw error;
  }
}

function countFromRecords(repo: string, records: readonly string[]): number {
  const counts = [...new Set(records.map((path) => Number(/-of-(\d+)\.json$/.exec(path)?.[1])))].sort((a, b) => a - b);
  if (counts.length === 1) return counts[0] as number;
  if (counts.length === 0) {
    throw new DataError(
      `${repo} holds no portion of a matrix run; run the portion jobs (--portion i/N) first, then finalize.`,
      { code: "PORTIONS_MISSING", subject: repo },
    );
  }
  throw new UsageError(
    `${repo} holds portions of runs split ${counts.join(" and ")} ways; give --portions with the count of the run ` +
      "to finalize.",
    {
      code: "PORTIONS_AMBIGUOUS",
      subject: repo,
    },
  );
}

function parseRecord(bytes: Uint8Array, portion: string): PortionRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return "has a record that is not JSON";
  }
  const record = value as Partial<PortionRecord> | null;
  if (typeof record !== "object" || record === null || record.format !== "tvhub/portion" || record.version !== 1)
    return "has a record that is not a tvhub portion record (version 1)";
  if (record.portion !== portion) return `has a record that says it is portion ${String(record.portion)}`;
  const filesOk =
    Array.isArray(record.files) &&
    record.files.every(
      (file) => typeof file?.path === "string" && typeof file.size === "number" && typeof file.sha256 === "string",
    );
  const statisticsOk =
    record.statistics === null ||
    (typeof record.statistics === "object" &&
      record.statistics !== undefined &&
      Array.isArray(record.statistics.tensors) &&
      record.statistics.tensors.every(
        (entry) => Array.isArray(entry) && typeof entry[0] === "string" && decodeNumber(entry[1]) !== undefined,
      ) &&
      typeof record.statistics.reconstruction?.elements === "number" &&
      typeof record.statistics.reconstruction.mismatches === "number" &&
      decodeNumber(record.statistics.reconstruction.maxAbsError) !== undefined);
  if (typeof record.plan !== "string" || !Array.isArray(record.inputs) || !filesOk || !statisticsOk)
    return "has a damaged record";
  return record as PortionRecord;
}

/** Which input the job pinned at another revision than this run did; otherwise the recipe or the version differs. */
function planDifference(record: PortionRecord, plan: Plan): string {
  for (const [i, input] of plan.inputs.entries()) {
    const theirs = record.inputs[i];
    if (theirs === undefined || theirs.ref !== input.ref) break;
    if ((theirs.revision ?? null) !== (input.revision ?? null)) {
      return (
        `it read ${input.ref} at ${short(theirs.revision)}, this run pinned ${short(input.revision ?? null)}; ` +
        "pin the revision in the recipe"
      );
    }
  }
  return `another recipe, other options or another tvhub version: it ran tvhub ${record.tvhub}`;
}

function fileProblem(
  path: string,
  plannedSize: number | undefined,
  listed: RepoFile | undefined,
  record: PortionRecord,
): string | undefined {
  const own = record.files.find((file) => file.path === path);
  if (own === undefined) return `has a record that does not list ${path}`;
  if (listed !== undefined && listed.size !== plannedSize)
    return `has ${path} at ${listed.size} bytes where the plan has ${plannedSize ?? 0}`;
  if (own.size !== plannedSize) return `recorded ${path} at ${own.size} bytes where the plan has ${plannedSize ?? 0}`;
  if (listed?.lfsSha256 !== undefined && listed.lfsSha256 !== own.sha256)
    return `has a ${path} whose sha256 is not the one its job recorded (another run overwrote it)`;
  return undefined;
}

function portionsError(repo: string, problems: readonly PortionProblem[]): DataError {
  const jobs = problems.length === 1 ? "that job" : "those jobs";
  const advice = `run ${jobs} of the matrix again, then finalize`;
  if (problems.every((problem) => problem.missing && problem.text.startsWith("is missing ("))) {
    const list = joinWords(problems.map((problem) => `${problem.portion} ${problem.text.slice("is missing ".length)}`));
    return new DataError(`${repo} is missing portion${problems.length === 1 ? "" : "s"} ${list}; ${advice}.`, {
      code: "PORTIONS_MISSING",
      subject: repo,
    });
  }
  const list = joinWords(problems.map((problem) => `portion ${problem.portion} ${problem.text}`));
  return new DataError(`${repo} is not ready to finalize: ${list}; ${advice}.`, {
    code: problems.every((problem) => problem.missing) ? "PORTIONS_MISSING" : "PORTIONS_MISMATCH",
    subject: repo,
  });
}

function joinWords(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join("");
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1] ?? ""}`;
}

function short(revision: string | null): string {
  return revision === null ? "a local folder" : revision.slice(0, 7);
}
