import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { DataError } from "../../errors.js";

/** One finished evaluation as the cache keeps it. */
export interface CachedEvaluation {
  /** `evaluationKey(...)`. */
  key: string;
  score: number;
  details?: Record<string, number>;
  /** The model's readable name, for someone reading the file. */
  label: string;
  /** How long the evaluation took. */
  seconds?: number;
}

/** Scores already known, by evaluation key; `put` persists before it resolves. */
export interface EvaluationCache {
  get(key: string): CachedEvaluation | undefined;
  put(entry: CachedEvaluation): Promise<void>;
  /** Entries loaded or added. */
  readonly size: number;
  /** Lines of the file that could not be read (a line cut short by a crash); they are ignored. */
  readonly skippedLines: number;
}

export interface OpenEvaluationCacheOptions {
  /**
   * A JSON Lines file, created when missing and appended to after each evaluation, so a run that is interrupted
   * and started again scores nothing twice. One file can hold many runs: the keys include the run's scope.
   * Without a path the cache lives in memory.
   */
  path?: string;
}

/** Loads the evaluations a previous run recorded (if any) and appends new ones as they finish. */
export async function openEvaluationCache(options: OpenEvaluationCacheOptions = {}): Promise<EvaluationCache> {
  const entries = new Map<string, CachedEvaluation>();
  let skippedLines = 0;
  const { path } = options;
  // A crash mid-append can leave a last line without its newline; the next entry must not be glued to it.
  let needsNewline = false;
  if (path !== undefined) {
    let text = "";
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new DataError(
          `Cannot read the evaluation cache ${path} (${(error as Error).message}); fix its permissions or give ` +
            "another cache file.",
          {
            code: "GREEDY_CACHE_UNREADABLE",
            subject: path,
            cause: error,
          },
        );
      }
    }
    needsNewline = text.length > 0 && !text.endsWith("\n");
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      const entry = parseEntry(line);
      if (entry) entries.set(entry.key, entry);
      else skippedLines++;
    }
  }
  let directoryReady = false;
  return {
    get: (key) => entries.get(key),
    async put(entry) {
      entries.set(entry.key, entry);
      if (path === undefined) return;
      if (!directoryReady) {
        await mkdir(dirname(path), { recursive: true });
        directoryReady = true;
      }
      // One write per line with O_APPEND: concurrent writers interleave whole lines, not bytes of lines.
      await appendFile(path, `${needsNewline ? "\n" : ""}${JSON.stringify(entry)}\n`);
      needsNewline = false;
    },
    get size() {
      return entries.size;
    },
    skippedLines,
  };
}

function parseEntry(line: string): CachedEvaluation | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.key !== "string" || !/^[0-9a-f]{64}$/.test(record.key)) return undefined;
  if (typeof record.score !== "number") return undefined;
  const entry: CachedEvaluation = {
    key: record.key,
    score: record.score,
    label: typeof record.label === "string" ? record.label : "",
  };
  if (typeof record.details === "object" && record.details !== null && !Array.isArray(record.details)) {
    const details = Object.entries(record.details).filter(
      (pair): pair is [string, number] => typeof pair[1] === "number",
    );
    if (details.length > 0) entry.details = Object.fromEntries(details);
  }
  if (typeof record.seconds === "number") entry.seconds = record.seconds;
  return entry;
}
