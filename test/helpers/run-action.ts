/**
 * Runs the bundled Action the way the GitHub runner does: `node dist/action.js` with the inputs as INPUT_* variables
 * (hyphens kept, action.yml defaults filled in), the event payload in a file at GITHUB_EVENT_PATH, and
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY pointing at files the test reads back. Nothing of the test's own environment
 * leaks in (the suite may itself run inside GitHub Actions).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";

const root = resolve(import.meta.dirname, "../..");
export const actionEntry = resolve(root, "dist/action.js");

export interface RunBundledActionOptions {
  /** Inputs by their action.yml names (`hf-token`); missing ones get action.yml's defaults, as on the runner. */
  inputs: Record<string, string>;
  /** GITHUB_EVENT_NAME and the payload written to GITHUB_EVENT_PATH. */
  event: { name: string; payload: unknown };
  sha: string;
  ref: string;
  /** GITHUB_API_URL: the loopback GitHub server. */
  apiUrl: string;
  /** Stands in for `${{ github.token }}` in action.yml defaults. */
  githubToken: string;
  /** @default "acme/models" */
  repository?: string;
  /** The job's working directory (GITHUB_WORKSPACE); a fresh temporary one by default. */
  workspace?: string;
  /** @default 60000 */
  timeoutMs?: number;
  /** More variables of the job's environment (`TVHUB_RETRY_DELAY_MS`, say). */
  env?: Record<string, string>;
}

export interface BundledActionResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The last value of each output written to GITHUB_OUTPUT. */
  outputs: Record<string, string>;
  /** Every output name in the order it was written (defaults first). */
  outputWrites: string[];
  summary: string;
  /** Values masked with ::add-mask::. */
  masked: string[];
  /** Messages of ::error:: commands (setFailed). */
  errors: string[];
  /** Messages of ::warning:: commands. */
  warnings: string[];
}

interface ActionYml {
  inputs: Record<string, { default?: string }>;
}

export async function runBundledAction(options: RunBundledActionOptions): Promise<BundledActionResult> {
  const dir = mkdtempSync(join(tmpdir(), "tvhub-action-"));
  const workspace = options.workspace ?? dir;
  const eventPath = join(dir, "event.json");
  const outputPath = join(dir, "github_output");
  const summaryPath = join(dir, "step_summary");
  writeFileSync(eventPath, JSON.stringify(options.event.payload));
  writeFileSync(outputPath, "");
  writeFileSync(summaryPath, "");

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: options.event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_REPOSITORY: options.repository ?? "acme/models",
    GITHUB_SHA: options.sha,
    GITHUB_REF: options.ref,
    GITHUB_RUN_ID: "4242",
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: dir,
    ...options.env,
  };
  const action = parse(readFileSync(resolve(root, "action.yml"), "utf8")) as ActionYml;
  for (const [name, spec] of Object.entries(action.inputs)) {
    const given = options.inputs[name];
    const value = given ?? (spec.default ?? "").replace("${{ github.token }}", options.githubToken);
    if (value !== "" || given !== undefined) env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
  }
  for (const name of Object.keys(options.inputs)) {
    if (!(name in action.inputs)) throw new Error(`runBundledAction: action.yml declares no input "${name}"`);
  }

  const child = spawn(process.execPath, [actionEntry], { cwd: workspace, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timeoutMs = options.timeoutMs ?? 60_000;
  const exitCode = await new Promise<number | null>((done, fail) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`the action ran longer than ${timeoutMs} ms; stdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      done(code);
    });
  });

  const { outputs, order } = parseOutputFile(readFileSync(outputPath, "utf8"));
  const commands = (name: string) =>
    stdout
      .split("\n")
      .filter((line) => line.startsWith(`::${name}`))
      .map((line) => unescapeData(line.slice(line.indexOf("::", 2) + 2)));
  return {
    exitCode,
    stdout,
    stderr,
    outputs,
    outputWrites: order,
    summary: readFileSync(summaryPath, "utf8"),
    masked: commands("add-mask"),
    errors: commands("error"),
    warnings: commands("warning"),
  };
}

/** The `name<<DELIMITER\nvalue\nDELIMITER` records @actions/core appends to GITHUB_OUTPUT. */
function parseOutputFile(text: string): { outputs: Record<string, string>; order: string[] } {
  const outputs: Record<string, string> = {};
  const order: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i] ?? "");
    if (!match) continue;
    const [, name, delimiter] = match as unknown as [string, string, string];
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? "");
    outputs[name] = value.join("\n");
    order.push(name);
  }
  return { outputs, order };
}

/** Workflow-command data escaping (%25, %0D, %0A). */
function unescapeData(text: string): string {
  return text.replace(/%0A/g, "\n").replace(/%0D/g, "\r").replace(/%25/g, "%");
}
