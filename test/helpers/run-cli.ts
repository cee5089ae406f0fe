/** Runs the built CLI (dist/cli.js, so `npm run build` must have run) as a user would, in a clean environment. */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

export const cliPath = resolve(import.meta.dirname, "../../dist/cli.js");

export interface CliRun {
  code: number | null;
  /** Set when the process was ended by a signal (a test that kills it mid-run). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Called once the process has started, e.g. to kill it at a chosen moment. */
  onSpawn?: (child: ChildProcess) => void;
  /** Called with every chunk of stderr as it arrives. */
  onStderr?: (chunk: string, all: string) => void;
  cwd?: string;
}

/**
 * Runs `node dist/cli.js ...args` with only PATH and `env` set, so no token file, cache or HF_* variable of the
 * machine leaks in (give every run its own HF_HOME).
 */
export function runCli(args: string[], env: Record<string, string> = {}, options: RunCliOptions = {}): Promise<CliRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
      options.onStderr?.(c, stderr);
    });
    options.onSpawn?.(child);
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
  });
}
