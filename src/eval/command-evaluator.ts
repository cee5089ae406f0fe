import { spawn, type ChildProcess } from "node:child_process";
import { DataError, InternalError, UsageError } from "../errors.js";
import type { Evaluation, EvaluationInput, Evaluator } from "./evaluator.js";
import { quoteShellArg } from "./quote-shell-arg.js";

export interface CreateCommandEvaluatorOptions {
  /**
   * A command line run by the shell (`/bin/sh -c` on Linux and macOS, `cmd.exe /d /s /c` on Windows), so pipes,
   * `&&`, redirections and environment variables work as in a terminal. Every `{model}` is replaced by the
   * candidate's folder, already quoted for the shell: write `python eval.py --model {model}`, not `"{model}"`
   * (a `{model}` the user quoted anyway, `"{model}"` or `'{model}'`, is treated the same). The rest of the line is
   * passed as written, so quote your own arguments as you would in a terminal.
   *
   * The command prints its result as the last non-empty line of stdout: a JSON object such as
   * `{"score": 0.87, "loss": 0.41}`, or just a number. Anything before that line is ignored, and stderr is shown
   * (its last lines) when the command fails.
   */
  command: string;
  /** The key of the score in the JSON object; without it, `score`, or a bare number. @default "score" */
  metric?: string;
  /**
   * `minimize` for a loss: the evaluator reports minus the value, so that higher is still better. @default "maximize"
   */
  direction?: "maximize" | "minimize";
  /** A run that takes longer is stopped (its whole process group) and fails. @default 3600 */
  timeoutSeconds?: number;
  /** Between SIGTERM and SIGKILL when a command is stopped. @default 5 */
  killGraceSeconds?: number;
  /** The working directory. @default the current one */
  cwd?: string;
  /** The command's environment. @default the environment tvhub runs in */
  env?: Readonly<Record<string, string | undefined>>;
  /** Receives the command's output line by line (a `--verbose` log). */
  onOutput?: (output: { stream: "stdout" | "stderr"; line: string }) => void;
  /** `win32` uses cmd.exe quoting and kills with taskkill. @default the platform tvhub runs on */
  platform?: NodeJS.Platform;
}

/** Bytes of stdout kept to find the last line, and of stderr kept for an error message. */
const stdoutKeep = 64 * 1024;
const stderrKeep = 8 * 1024;
const stderrLinesShown = 12;

/**
 * Scores a candidate folder with a command of the user's: `{model}` in the command line becomes the folder, and
 * the last line the command prints is the score. Each evaluation runs in its own process group, so a timeout or
 * an abort stops the scorer and everything it started.
 */
export function createCommandEvaluator(options: CreateCommandEvaluatorOptions): Evaluator {
  const command = options.command.trim();
  if (!command.includes("{model}")) {
    throw new UsageError(
      `The evaluation command ${JSON.stringify(redact(command))} has no {model}; put {model} where the candidate's ` +
        "folder goes, e.g. python eval.py --model {model}.",
      { code: "COMMAND_NO_MODEL", subject: "command" },
    );
  }
  const timeoutSeconds = options.timeoutSeconds ?? 3600;
  if (!(timeoutSeconds > 0)) {
    throw new UsageError(`The evaluation timeout is ${timeoutSeconds} seconds; give a positive number.`, {
      code: "COMMAND_BAD_TIMEOUT",
      subject: "timeout_seconds",
    });
  }
  const metric = options.metric ?? "score";
  const minimize = options.direction === "minimize";
  const windows = (options.platform ?? process.platform) === "win32";

  return {
    name: `command(${metric}${minimize ? ", minimized" : ""}): ${redact(command)}`,
    async evaluate(input: EvaluationInput): Promise<Evaluation> {
      if (input.modelDir === undefined) {
        throw new InternalError(
          "The command evaluator scores a model folder; write the candidate to a folder first " +
            "(createDirectoryEvaluate).",
          {
            code: "COMMAND_NEEDS_FOLDER",
          },
        );
      }
      const label = labelOf(input);
      const line = command.replace(/(["']?)\{model\}\1/g, () =>
        quoteShellArg({ value: input.modelDir as string, shell: windows ? "cmd" : "sh" }),
      );
      const run = await runCommand({
        line,
        label,
        timeoutMs: timeoutSeconds * 1000,
        graceMs: (options.killGraceSeconds ?? 5) * 1000,
        windows,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.onOutput === undefined ? {} : { onOutput: options.onOutput }),
        ...(input.signal === undefined ? {} : { signal: input.signal }),
      });
      const value = readScore({
        stdout: run.stdout,
        metric,
        explicitMetric: options.metric !== undefined,
        label,
        stderr: run.stderr,
      });
      return minimize
        ? { score: -value.score, details: { ...value.details, [metric]: value.score } }
        : Object.keys(value.details).length > 0
          ? value
          : { score: value.score };
    },
  };
}

/** What messages call the candidate: the name the caller gave (`start + 0.5·org/a`), else its folder. */
function labelOf(input: EvaluationInput): string {
  const name = (input as { name?: unknown }).name;
  return typeof name === "string" && name.length > 0 ? name : (input.modelDir ?? "the model");
}

interface RunCommandOptions {
  line: string;
  label: string;
  timeoutMs: number;
  graceMs: number;
  windows: boolean;
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  onOutput?: CreateCommandEvaluatorOptions["onOutput"];
  signal?: AbortSignal;
}

async function runCommand(options: RunCommandOptions): Promise<{ stdout: string; stderr: string }> {
  const { label, signal } = options;
  signal?.throwIfAborted();
  let child: ChildProcess;
  try {
    child = spawn(options.line, {
      shell: true,
      // Its own process group (POSIX): a timeout or abort can stop the shell and everything it started.
      detached: !options.windows,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.env === undefined ? {} : { env: options.env as NodeJS.ProcessEnv }),
    });
  } catch (error) {
    throw spawnError(label, error);
  }
  const stdout = new Tail(stdoutKeep, "stdout", options.onOutput);
  const stderr = new Tail(stderrKeep, "stderr", options.onOutput);
  child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));

  let stopped: "timeout" | "abort" | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: "timeout" | "abort") => {
    if (stopped) return;
    stopped = why;
    killGroup(child, "SIGTERM", options.windows);
    killTimer = setTimeout(() => killGroup(child, "SIGKILL", options.windows), options.graceMs);
    killTimer.unref();
  };
  // setTimeout takes at most 2^31 − 1 ms (24.8 days); a longer delay would fire at once.
  const timer = setTimeout(() => stop("timeout"), Math.min(options.timeoutMs, 2 ** 31 - 1));
  const onAbort = () => stop("abort");
  signal?.addEventListener("abort", onAbort, { once: true });

  try {
    const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code, exitSignal) => {
        // Whatever the scorer left running in its group (a server, a worker) ends with it; the pipes close then.
        if (!options.windows) killGroup(child, "SIGTERM", false);
        const closed = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          resolve({ code, signal: exitSignal });
        }, 2000);
        child.once("close", () => {
          clearTimeout(closed);
          resolve({ code, signal: exitSignal });
        });
      });
    }).catch((error: unknown) => {
      throw spawnError(label, error);
    });
    stdout.flush();
    stderr.flush();
    const tail = stderrTail(stderr.text());
    if (stopped === "abort")
      throw (
        signal?.reason ??
        new DataError(`The evaluation of ${label} was cancelled.`, { code: "COMMAND_ABORTED", subject: label })
      );
    if (stopped === "timeout") {
      throw new DataError(
        `The evaluation command for ${label} did not finish within ${formatSeconds(options.timeoutMs / 1000)} and ` +
          `was stopped; raise the timeout (timeout_seconds) or make the scorer faster${tail}`,
        { code: "COMMAND_TIMEOUT", subject: label },
      );
    }
    if (outcome.code !== 0) {
      const how =
        outcome.code === null ? `was killed by ${outcome.signal ?? "a signal"}` : `exited with code ${outcome.code}`;
      throw new DataError(
        `The evaluation command for ${label} ${how}; fix the scorer and run again (finished evaluations are ` +
          `cached)${tail}`,
        { code: "COMMAND_FAILED", subject: label },
      );
    }
    return { stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    clearTimeout(timer);
    clearTimeout(killTimer);
    signal?.removeEventListener("abort", onAbort);
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals, windows: boolean): void {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    if (windows) {
      // cmd.exe's children are not in a POSIX group; taskkill /T walks the tree.
      spawn("taskkill", ["/pid", String(pid), "/T", "/F"], { stdio: "ignore", windowsHide: true }).on(
        "error",
        () => {},
      );
    } else {
      process.kill(-pid, signal);
    }
  } catch {
    // ESRCH: the group has already exited.
  }
}

interface ReadScoreOptions {
  stdout: string;
  stderr: string;
  metric: string;
  explicitMetric: boolean;
  label: string;
}

/** The last non-empty stdout line: a JSON object holding `metric` (other numbers become details), or a number. */
function readScore(options: ReadScoreOptions): { score: number; details: Record<string, number> } {
  const { metric, label } = options;
  const lines = options.stdout
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const last = lines.at(-1);
  const expected = `print a JSON object such as {"${metric}": 0.87} as the last line of stdout`;
  if (last === undefined) {
    throw new DataError(
      `The evaluation command for ${label} printed nothing on stdout; ${expected}${stderrTail(options.stderr)}`,
      { code: "COMMAND_NO_SCORE", subject: label },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(last);
  } catch {
    throw new DataError(
      `The evaluation command for ${label} ended with ${JSON.stringify(shorten(last))}, which is not JSON; ` +
        `${expected}.`,
      { code: "COMMAND_NO_SCORE", subject: label },
    );
  }
  if (typeof value === "number" && !options.explicitMetric) return { score: value, details: {} };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DataError(
      `The evaluation command for ${label} ended with ${JSON.stringify(shorten(last))}, not a JSON object; ` +
        `${expected}.`,
      { code: "COMMAND_NO_SCORE", subject: label },
    );
  }
  const record = value as Record<string, unknown>;
  const score = record[metric];
  if (typeof score !== "number") {
    const keys = Object.keys(record);
    const found =
      score === undefined
        ? `has no "${metric}"${
            keys.length > 0
              ? ` (it has ${keys
                  .slice(0, 8)
                  .map((k) => `"${k}"`)
                  .join(", ")})`
              : ""
          }`
        : `has "${metric}": ${JSON.stringify(score)}, not a number`;
    throw new DataError(
      `The evaluation command for ${label} printed a JSON object that ${found}; ${expected}, or set the metric to ` +
        "the key it prints.",
      { code: "COMMAND_NO_SCORE", subject: label },
    );
  }
  const details = Object.fromEntries(
    Object.entries(record).filter(
      (entry): entry is [string, number] => entry[0] !== metric && typeof entry[1] === "number",
    ),
  );
  return { score, details };
}

/** Keeps the last `limit` bytes of a stream and forwards whole lines to a listener. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  private partial = "";
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly limit: number,
    private readonly stream: "stdout" | "stderr",
    private readonly listener: CreateCommandEvaluatorOptions["onOutput"],
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
    if (this.listener) {
      const text = this.partial + this.decoder.decode(chunk, { stream: true });
      const lines = text.split(/\r?\n/);
      this.partial = lines.pop() ?? "";
      for (const line of lines) this.listener({ stream: this.stream, line });
    }
  }

  flush(): void {
    if (this.listener && this.partial.length > 0) this.listener({ stream: this.stream, line: this.partial });
    this.partial = "";
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return new TextDecoder().decode(all.length > this.limit ? all.subarray(all.length - this.limit) : all);
  }
}

/** The end of stderr, for an error message: `; its stderr ends with:` and the last lines, or a full stop. */
function stderrTail(stderr: string): string {
  const lines = stderr.split(/\r?\n/).filter((line) => line.trim().length > 0);
  if (lines.length === 0) return ".";
  return `; its stderr ends with:\n${lines
    .slice(-stderrLinesShown)
    .map((line) => `  ${redact(shorten(line, 500))}`)
    .join("\n")}`;
}

function spawnError(label: string, error: unknown): DataError {
  return new DataError(
    `The evaluation command for ${label} could not be started ` +
      `(${error instanceof Error ? error.message : String(error)}); check that the shell and the program exist.`,
    {
      code: "COMMAND_SPAWN_FAILED",
      subject: label,
      cause: error,
    },
  );
}

/** Hub tokens in a command line or its output never reach a card, a log or an error message. */
function redact(text: string): string {
  return text.replace(/\bhf_[A-Za-z0-9]{6,}/g, "hf_***");
}

function shorten(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function formatSeconds(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${Number(seconds.toPrecision(4))} s`;
}
