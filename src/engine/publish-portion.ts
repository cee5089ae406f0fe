import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { HubClient } from "../hub/index.js";
import { portionFiles } from "../plan/assign-portions.js";
import type { Plan } from "../plan/types.js";
import type { ProgressEvent } from "../util/progress.js";
import type { ExecuteResult } from "./execute-plan.js";
import { planDigest } from "../plan/plan-digest.js";
import { inStagingFolder } from "./stage-output.js";
import {
  encodeNumber,
  encodeReconstruction,
  portionRecordPath,
  type PublishedPortion,
  type PortionRecord,
} from "./portion-record.js";

export interface PublishPortionOptions {
  hub: HubClient;
  /** The target repo `org/name`. */
  repo: string;
  plan: Plan;
  /** `model` or `task_vector`. */
  prefix: string;
  /** Which job of how many (from 1). */
  index: number;
  count: number;
  /** Where the job's files are staged before upload. */
  workDir: string;
  /**
   * Computes the given output files into `dir` (executePlan with `files`), with the inputs opened as the use case opens
   * them.
   */
  execute(options: { dir: string; files: readonly string[] }): AsyncGenerator<ProgressEvent, ExecuteResult>;
  /** Task vectors: keep the job's share of the card's statistics in its record. */
  statistics: boolean;
  /** What the commit says the output is, e.g. "Task vector of org/ft against org/base". */
  title: string;
  /** Visibility when this job happens to create the repo. */
  private?: boolean;
  tvhubVersion: string;
}

/**
 * One job of a matrix run: computes its share of the output files (the same bytes a single run writes) and commits
 * them with its portion record. Jobs commit side by side, each on top of whatever the others committed, and touch no
 * file but their own; the finalize step ties the files together.
 */
export async function* publishPortion(options: PublishPortionOptions): AsyncGenerator<ProgressEvent, PublishedPortion> {
  const { plan, index, count, repo } = options;
  const assignment = portionFiles({ layout: plan.layout, count, index, label: "The portion count" });
  const portion = `${index}/${count}`;
  yield {
    type: "log",
    level: "info",
    message:
      `Portion ${portion}: ${assignment.files.length} of ${plan.layout.files.length} output files ` +
      `(${assignment.files[0] ?? ""}${
        assignment.files.length > 1 ? " … " + `${assignment.files[assignment.files.length - 1] ?? ""}` : ""
      }).`,
  };
  const staging = {
    parent: options.workDir,
    prefix: "tvhub-portion-",
    what: `portion ${portion}`,
    needed: assignment.bytes + 1024 * 1024,
    advice: "set TMPDIR to a folder on a disk with room, or split the run into more portions",
  };
  return yield* inStagingFolder(staging, async function* (stageDir) {
    const executed = yield* options.execute({ dir: stageDir, files: assignment.files });
    const files = executed.written.files.map((file) => ({ path: file.file, size: file.size, sha256: file.sha256 }));
    const record: PortionRecord = {
      format: "tvhub/portion",
      version: 1,
      portion,
      plan: planDigest({ plan, prefix: options.prefix, tvhubVersion: options.tvhubVersion }),
      inputs: plan.inputs.map((input) => ({
        role: input.role,
        ref: input.ref,
        repo: input.repo ?? null,
        revision: input.revision ?? null,
      })),
      files,
      statistics: options.statistics
        ? {
            tensors: [...executed.tensors].map(([name, stats]) => [name, encodeNumber(stats.sumOfSquares)]),
            reconstruction: encodeReconstruction(executed.reconstruction),
          }
        : null,
      tvhub: options.tvhubVersion,
    };
    const recordPath = portionRecordPath(index, count);
    const recordBytes = new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`);
    await mkdir(join(stageDir, ".tvhub"), { recursive: true });
    await writeFile(join(stageDir, recordPath), recordBytes);
    const published = yield* options.hub.publish({
      repo,
      files: [
        ...files.map((file) => ({ path: file.path, localPath: join(stageDir, file.path) })),
        { path: recordPath, content: recordBytes },
      ],
      commitTitle: `${options.title}: portion ${portion}`,
      commitDescription:
        `Output files ${files.map((file) => file.path).join(", ")} of a run split over ${count} ` +
        `jobs, made with tvhub ${options.tvhubVersion}; the finalize step adds the index, tvhub.json and the ` +
        "card.",
      concurrent: true,
      ...(options.private === undefined ? {} : { private: options.private }),
    });
    return {
      portion,
      repo,
      commit: published.commitSha,
      url: published.repoUrl,
      files: [...files, { path: recordPath, size: recordBytes.byteLength }],
    };
  });
}
