import { UsageError } from "../errors.js";
import { parseModelRef } from "../hub/parse-model-ref.js";

export const commands = ["check", "publish-vector", "merge", "greedy", "plan"] as const;
export type ActionCommand = (typeof commands)[number];

/** Every input action.yml declares, as the runner hands them over (trimmed strings, "" when not given). */
export const inputNames = [
  "command",
  "recipe",
  "base",
  "finetuned",
  "to",
  "hf-token",
  "hub-url",
  "github-token",
  "comment",
  "dry-run",
  "portions",
  "portion",
  "shards",
  "shard",
  "finalize",
  "create-pr",
] as const;
export type InputName = (typeof inputNames)[number];
export type RawInputs = Record<InputName, string>;

/** Inputs whose values are masked in the log the moment they are read. */
export const secretInputs: readonly InputName[] = ["hf-token", "github-token"];

/** Which portion of a matrix run this job does (DESIGN.md scale-out: a matrix of jobs, then one finalize job). */
export type PortionStage = { kind: "portion"; index: number; count: number } | { kind: "finalize"; count: number };

export interface ActionInputs {
  command: ActionCommand;
  /** A recipe file (merge, greedy; check and plan accept it instead of base + finetuned). */
  recipe?: string;
  base?: string;
  finetuned?: string;
  /** The publish target: a Hub repo `org/name`, or a directory. */
  to?: string;
  hfToken?: string;
  /** The Hub endpoint without a trailing slash. */
  hubUrl: string;
  githubToken?: string;
  comment: boolean;
  /** Check and plan, upload nothing. */
  dryRun: boolean;
  /** For `plan`: how many jobs the matrix has. */
  portions?: number;
  stage?: PortionStage;
  /** Publish as a new Hub pull request on the default branch, for review, instead of committing to it. */
  createPr: boolean;
}

export interface ParseInputsOptions {
  raw: RawInputs;
  /** GITHUB_EVENT_NAME: `dry-run` defaults to true on pull-request events. */
  eventName: string;
  /** Tells a bare `org/name` that exists as a directory in the workspace from a Hub id. */
  isDirectory?: (path: string) => boolean;
}

export const defaultHubUrl = "https://huggingface.co";
const publishing: readonly ActionCommand[] = ["publish-vector", "merge", "greedy"];

/** Parses and cross-checks the inputs once, before anything touches the Hub; each error names its input. */
export function parseInputs(options: ParseInputsOptions): ActionInputs {
  const { raw } = options;
  const command = raw.command;
  if (!isCommand(command)) {
    throw bad(
      "command",
      command === ""
        ? `is required; give one of ${commands.join(", ")}`
        : `must be one of ${commands.join(", ")}; got "${command}"`,
    );
  }
  const isPullRequest = options.eventName === "pull_request" || options.eventName === "pull_request_target";
  const inputs: ActionInputs = {
    command,
    hubUrl: parseHubUrl(raw["hub-url"]),
    comment: parseBoolean("comment", raw.comment, true),
    dryRun: parseBoolean("dry-run", raw["dry-run"], isPullRequest),
    createPr: parseBoolean("create-pr", raw["create-pr"], false),
  };
  const ref = (name: "base" | "finetuned") => {
    if (raw[name] === "") return undefined;
    parseModelRef({
      text: raw[name],
      label: `input "${name}":`,
      ...(options.isDirectory ? { isDirectory: options.isDirectory } : {}),
    });
    return raw[name];
  };
  const base = ref("base");
  const finetuned = ref("finetuned");
  if (raw.to !== "") {
    parseModelRef({
      text: raw.to,
      label: 'input "to":',
      allowRevision: false,
      ...(options.isDirectory ? { isDirectory: options.isDirectory } : {}),
    });
    inputs.to = raw.to;
  }
  if (raw.recipe !== "") inputs.recipe = raw.recipe;
  if (base !== undefined) inputs.base = base;
  if (finetuned !== undefined) inputs.finetuned = finetuned;
  if (raw["hf-token"] !== "") inputs.hfToken = raw["hf-token"];
  if (raw["github-token"] !== "") inputs.githubToken = raw["github-token"];

  const usesModels = base !== undefined || finetuned !== undefined;
  switch (command) {
    case "publish-vector":
      if (inputs.recipe !== undefined)
        throw bad("recipe", `is not used by publish-vector; give base, finetuned and to instead`);
      for (const name of ["base", "finetuned", "to"] as const) {
        if (raw[name] === "") throw bad(name, "is required with command publish-vector");
      }
      break;
    case "merge":
    case "greedy":
      if (inputs.recipe === undefined)
        throw bad("recipe", `is required with command ${command}; give a path such as recipes/merge.yml`);
      if (usesModels)
        throw bad(base !== undefined ? "base" : "finetuned", `is not used by ${command}; the recipe names the models`);
      break;
    case "check":
    case "plan":
      if (inputs.recipe !== undefined && usesModels) {
        throw bad("recipe", `and base/finetuned are two ways to name the models; give one of them, not both`);
      }
      if (inputs.recipe === undefined && (base === undefined || finetuned === undefined)) {
        throw bad(
          base === undefined ? "base" : "finetuned",
          `is required with command ${command} when no recipe is given (or give a recipe)`,
        );
      }
      break;
  }

  // `shards` and `shard` are the inputs' names before 0.2 (a shard is a safetensors file); still read, deprecated.
  const portionsText = raw.portions !== "" ? raw.portions : (raw.shards ?? "");
  const portionText = raw.portion !== "" ? raw.portion : (raw.shard ?? "");
  const portions = portionsText === "" ? undefined : parseCount("portions", portionsText);
  const finalize = parseBoolean("finalize", raw.finalize, false);
  if (command === "plan") {
    inputs.portions = portions ?? 1;
  } else if (portionText !== "") {
    if (command !== "merge" && command !== "publish-vector")
      throw bad("portion", `only applies to merge and publish-vector; got command ${command}`);
    if (finalize)
      throw bad(
        "finalize",
        `and portion are different jobs of a matrix run; a job does one portion or the finalize step, not both`,
      );
    inputs.stage = parsePortion(portionText);
    if (portions !== undefined && portions !== inputs.stage.count)
      throw bad("portions", `is ${portions} but input "portion" says ${inputs.stage.count}`);
  } else if (finalize) {
    if (command !== "merge" && command !== "publish-vector")
      throw bad("finalize", `only applies to merge and publish-vector; got command ${command}`);
    if (portions === undefined)
      throw bad("portions", "is required with finalize: true; give the number of portions the matrix computed");
    inputs.stage = { kind: "finalize", count: portions };
  } else if (portions !== undefined) {
    throw bad("portions", `only applies to command plan, or with finalize: true`);
  }
  if (inputs.stage !== undefined && inputs.dryRun) {
    throw bad(
      "dry-run",
      "is true, but a portion or finalize job commits to the Hub; run matrix jobs on pushes only, or set dry-run: " +
        "false",
    );
  }

  if (inputs.createPr && !publishing.includes(command)) {
    throw bad("create-pr", `only applies to ${publishing.join(", ")}; command ${command} publishes nothing`);
  }
  if (inputs.createPr && inputs.stage !== undefined) {
    throw bad(
      "create-pr",
      "cannot be combined with portion or finalize: the jobs of a matrix run commit to the branch side by side; " +
        "publish in one job to open a pull request",
    );
  }
  if (publishing.includes(command) && !inputs.dryRun) {
    if (inputs.hfToken === undefined) {
      throw bad(
        "hf-token",
        `is required to publish (command ${command}, dry-run false); pass a write token, e.g. \${{ secrets.HF_TOKEN }}`,
      );
    }
  }
  if (inputs.hfToken !== undefined && !inputs.hfToken.startsWith("hf_")) {
    throw bad("hf-token", `must be a Hugging Face access token starting with "hf_"; check the secret it comes from`);
  }
  return inputs;
}

function isCommand(value: string): value is ActionCommand {
  return (commands as readonly string[]).includes(value);
}

function bad(name: InputName, problem: string): UsageError {
  return new UsageError(`input "${name}" ${problem}.`, { code: "ACTION_BAD_INPUT", subject: name });
}

/** YAML 1.2 core booleans, as @actions/core's getBooleanInput accepts them. */
function parseBoolean(name: InputName, value: string, fallback: boolean): boolean {
  if (value === "") return fallback;
  if (["true", "True", "TRUE"].includes(value)) return true;
  if (["false", "False", "FALSE"].includes(value)) return false;
  throw bad(name, `must be true or false; got "${value}"`);
}

function parseHubUrl(value: string): string {
  if (value === "") return defaultHubUrl;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad("hub-url", `must be an http(s) URL such as https://huggingface.co; got "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw bad("hub-url", `must be an http(s) URL; got "${value}"`);
  if (url.username || url.password) throw bad("hub-url", "must not carry credentials; pass the token as hf-token");
  return value.replace(/\/+$/, "");
}

function parseCount(name: InputName, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1000) {
    throw bad(name, `must be a whole number from 1 to 1000; got "${value}"`);
  }
  return Number(value);
}

function parsePortion(value: string): PortionStage {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || count < 1 || index > count || count > 1000) {
    throw bad("portion", `must look like i/N with 1 ≤ i ≤ N, e.g. 2/3 (from the plan's matrix); got "${value}"`);
  }
  return { kind: "portion", index, count };
}
