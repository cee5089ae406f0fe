/**
 * Runs programs from the project's Python virtualenvs (`.venv/NAME`, made by scripts/setup-python.sh) with an
 * environment that can only reach loopback: every proxy variable points at a closed local port, so a client that
 * forgets the local Hub's endpoint fails at once instead of reaching huggingface.co.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");

/** Whether `python3` runs here; tests that need Python skip (with a message) only when it does not. */
export const hasPython = spawnSync("python3", ["--version"], { stdio: "ignore" }).status === 0;

/** `.venv/NAME/bin/PROGRAM`; throws with the command that creates it when the virtualenv is missing. */
export function venvProgram(venv: string, program: string): string {
  const path = resolve(root, ".venv", venv, "bin", program);
  if (!existsSync(path))
    throw new Error(
      `${path} is missing; run \`bash scripts/setup-python.sh\` (CI's .ci/run does) to create .venv/${venv}.`,
    );
  return path;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunVenvOptions {
  venv: string;
  program: string;
  args: string[];
  /** Added to a clean environment (PATH, HOME and the loopback-only proxy settings). */
  env: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs a venv program to completion; never rejects on a non-zero exit (the test asserts on `code`). */
export function runVenv(options: RunVenvOptions): Promise<RunResult> {
  const closed = "http://127.0.0.1:9";
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: options.env.HF_HOME ?? process.env.HOME ?? "/tmp",
    HTTP_PROXY: closed,
    HTTPS_PROXY: closed,
    http_proxy: closed,
    https_proxy: closed,
    ALL_PROXY: closed,
    NO_PROXY: "127.0.0.1,localhost,::1",
    no_proxy: "127.0.0.1,localhost,::1",
    HF_HUB_DISABLE_TELEMETRY: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    ...options.env,
  };
  return new Promise((done) => {
    execFile(
      venvProgram(options.venv, options.program),
      options.args,
      { env, cwd: options.cwd ?? root, timeout: options.timeoutMs ?? 240_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        done({ code, stdout, stderr });
      },
    );
  });
}

export const pythonScript = (name: string): string => resolve(root, "test", "python", name);
