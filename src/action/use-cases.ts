import type { ProgressSink } from "../util/progress.js";
import type { PortionStage } from "./inputs.js";

/**
 * The use cases the Action calls, as a port: deps.ts wires them to src/app, tests pass object literals.
 * Each takes one options object and returns what the report needs; a failure is a thrown TvhubError.
 */
export interface ActionUseCases {
  check(options: CheckUseCaseOptions): Promise<UseCaseOutcome>;
  publishVector(options: PublishVectorUseCaseOptions): Promise<UseCaseOutcome>;
  merge(options: MergeUseCaseOptions): Promise<UseCaseOutcome>;
  greedy(options: GreedyUseCaseOptions): Promise<UseCaseOutcome>;
  plan(options: PlanUseCaseOptions): Promise<PlanOutcome>;
}

/** Where the Hub is and how to authenticate to it. */
export interface HubAccess {
  hubUrl: string;
  accessToken?: string;
}

export interface UseCaseBaseOptions {
  hub: HubAccess;
  onProgress: ProgressSink;
  /** Aborted when the runner cancels the job. */
  signal?: AbortSignal;
}

export interface CheckUseCaseOptions extends UseCaseBaseOptions {
  /** A recipe: check every input it names against its base. */
  recipe?: string;
  /** Or a pair: `org/name[@rev]` or a directory each. */
  base?: string;
  finetuned?: string;
}

export interface PublishVectorUseCaseOptions extends UseCaseBaseOptions {
  base: string;
  finetuned: string;
  to: string;
  /** Check and plan, upload nothing. */
  dryRun: boolean;
  /** One portion of a matrix run, or its finalize step; absent for a single-job run. */
  stage?: PortionStage;
  /** Open a Hub pull request on the default branch instead of committing to it. */
  createPr?: boolean;
}

export interface MergeUseCaseOptions extends UseCaseBaseOptions {
  recipe: string;
  /** Overrides the recipe's output. */
  to?: string;
  dryRun: boolean;
  stage?: PortionStage;
  createPr?: boolean;
}

export interface GreedyUseCaseOptions extends UseCaseBaseOptions {
  recipe: string;
  to?: string;
  /** Still evaluates the candidates (that is the plan of a greedy run), but uploads nothing. */
  dryRun: boolean;
  createPr?: boolean;
}

export interface PlanUseCaseOptions extends UseCaseBaseOptions {
  recipe?: string;
  base?: string;
  finetuned?: string;
  to?: string;
  /** How many jobs the work is split into. */
  portions: number;
}

export interface UseCaseOutcome {
  report: RunReport;
}

export interface PlanOutcome extends UseCaseOutcome {
  /** One entry per job, in order; `portion` is what the job passes as its `portion` input ("2/3"). */
  matrix: Array<{
    portion: string;
    tensors: number;
    bytes: number /** The output files the job computes and commits. */;
    files?: string[];
  }>;
}

/** What a run found and did, in the terms the PR comment, the job summary and `report-json` use. */
export interface RunReport {
  /** What the run produces. */
  kind: "check" | "task-vector" | "merged-model";
  /** False when the check found an error (a shape or lineage mismatch): the step fails and the report says why. */
  compatible: boolean;
  findings: Finding[];
  /** Every input with the revision the run pinned. */
  inputs: ReportInput[];
  /** What publish writes (or would write, on a dry run). */
  outputs: PlannedOutput[];
  /** Weight bytes the run downloads (a dry run: would download). */
  downloadBytes: number;
  /** Commits made on the Hub; empty on a dry run. */
  published: PublishedRepo[];
  /** Greedy runs: every step of the search. */
  validation?: ValidationTable;
}

export interface Finding {
  level: "error" | "warning" | "info";
  /** The tensor, field or file the finding is about. */
  subject?: string;
  message: string;
}

export interface ReportInput {
  role: "base" | "finetuned" | "vector" | "candidate";
  /** As written in the inputs or the recipe. */
  ref: string;
  /** The Hub repo, for Hub inputs. */
  repo?: string;
  /** The pinned 40-hex commit, for Hub inputs. */
  revision?: string;
}

export interface PlannedOutput {
  /** `org/name` or a directory. */
  target: string;
  files: Array<{ path: string; bytes: number }>;
  tensors: number;
  dtype: string;
}

export interface PublishedRepo {
  repo: string;
  /** The repo's web page. */
  url: string;
  commitSha: string;
  /** The commit's web page. */
  commitUrl: string;
  /** The Hub pull request the publish opened (input create-pr); then the commit is its head, not main's. */
  pullRequest?: { num: number; url: string };
}

export interface ValidationTable {
  /** e.g. "accuracy". */
  metric: string;
  /** The base model's score, before any vector is added. */
  baseline?: number;
  rows: ValidationRow[];
}

export interface ValidationRow {
  step: number;
  candidate: string;
  /** The best λ on the grid for this candidate. */
  lambda: number;
  score: number;
  kept: boolean;
}
