import { UsageError } from "../errors.js";
import type { OutputLayout } from "./types.js";

export interface AssignPortionsOptions {
  layout: OutputLayout;
  /** How many jobs share the work: 1 to the number of output files. */
  count: number;
  /** How the error for too many jobs names the option (`--portions`, `input "portions"`). @default "--portions" */
  label?: string;
}

/** One job of a matrix run: the output files it computes and commits. */
export interface PortionAssignment {
  /** `i/N`, what the job passes as `--shard` (the Action's `portion` input). */
  portion: string;
  /** Output files in layout order; together the jobs cover every file once. */
  files: string[];
  tensors: number;
  /** Bytes of those files (headers included): what the job writes and uploads. */
  bytes: number;
}

/**
 * Splits the plan's output files over `count` jobs as contiguous runs of files, choosing the split whose largest
 * job is smallest (by bytes), so the matrix finishes when its slowest job does. Deterministic: the same layout and
 * count give the same assignment on every runner, which is what lets each job compute only its own files.
 */
export function assignPortions(options: AssignPortionsOptions): PortionAssignment[] {
  const { layout, count } = options;
  const files = layout.files;
  const label = options.label ?? "--portions";
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(`${label} must be a whole number of jobs, at least 1; got ${count}.`, {
      code: "PORTIONS_BAD_COUNT",
      subject: label,
    });
  }
  if (count > files.length) {
    throw new UsageError(
      `${label} ${count} asks for more jobs than the output has files (${files.length}); give at most ` +
        `${files.length}, or lower the maximum shard size (output.max_shard_size, --max-shard-size) so there are ` +
        "more files to share.",
      { code: "PORTIONS_TOO_MANY", subject: label },
    );
  }
  const sizes = files.map((file) => file.fileSize);
  const groups = splitContiguous(sizes, count);
  return groups.map(([from, to], i) => {
    const mine = files.slice(from, to);
    return {
      portion: `${i + 1}/${count}`,
      files: mine.map((file) => file.name),
      tensors: mine.reduce((sum, file) => sum + file.tensors.length, 0),
      bytes: mine.reduce((sum, file) => sum + file.fileSize, 0),
    };
  });
}

/** The assignment of job `index` (1-based) of `count`. */
export function portionFiles(options: AssignPortionsOptions & { index: number }): PortionAssignment {
  const assignment = assignPortions(options)[options.index - 1];
  if (!Number.isSafeInteger(options.index) || options.index < 1 || assignment === undefined) {
    throw new UsageError(
      `Portion ${options.index}/${options.count} does not exist; portions are numbered 1 to ${options.count}.`,
      {
        code: "PORTIONS_BAD_INDEX",
        subject: options.label ?? "--portion",
      },
    );
  }
  return assignment;
}

/**
 * `count` non-empty contiguous ranges [from, to) of `sizes` whose largest sum is the smallest possible: binary search
 * on that largest sum (a greedy fill decides whether a bound is feasible). Many splits reach it; each range then ends
 * where its sum comes closest to an even share of what is left, among the ends that keep the rest feasible.
 */
function splitContiguous(sizes: readonly number[], count: number): Array<[number, number]> {
  let low = Math.max(0, ...sizes);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  let high = total;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (rangesNeeded(sizes, middle) <= count) high = middle;
    else low = middle + 1;
  }
  const needed = suffixRangesNeeded(sizes, low);
  const ranges: Array<[number, number]> = [];
  let from = 0;
  let remaining = total;
  for (let range = 0; range < count; range++) {
    const left = count - range - 1;
    if (left === 0) {
      ranges.push([from, sizes.length]);
      break;
    }
    const share = remaining / (left + 1);
    let best: { to: number; sum: number } | undefined;
    let sum = 0;
    for (let to = from + 1; to <= sizes.length - left; to++) {
      sum += sizes[to - 1] ?? 0;
      if (sum > low) break;
      if ((needed[to] ?? 0) > left) continue;
      if (best === undefined || Math.abs(sum - share) < Math.abs(best.sum - share)) best = { to, sum };
    }
    // The bound is feasible, so some end always is; the fallback only keeps the types honest.
    const end = best ?? { to: from + 1, sum: sizes[from] ?? 0 };
    ranges.push([from, end.to]);
    remaining -= end.sum;
    from = end.to;
  }
  return ranges;
}

/**
 * For every start i, the fewest ranges of sum ≤ bound that cover sizes[i..]: greedy from i, chained through the end of
 * its first range.
 */
function suffixRangesNeeded(sizes: readonly number[], bound: number): number[] {
  const needed = new Array<number>(sizes.length + 1).fill(0);
  let end = sizes.length;
  let sum = 0;
  for (let i = sizes.length - 1; i >= 0; i--) {
    sum += sizes[i] ?? 0;
    while (sum > bound) sum -= sizes[--end] ?? 0;
    needed[i] = 1 + (needed[end] ?? 0);
  }
  return needed;
}

function rangesNeeded(sizes: readonly number[], bound: number): number {
  let ranges = 1;
  let sum = 0;
  for (const size of sizes) {
    if (sum + size > bound) {
      ranges++;
      sum = 0;
    }
    sum += size;
  }
  return ranges;
}
