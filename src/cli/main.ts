import { CommanderError } from "commander";
import { exitCodeOf, isTvhubError } from "../errors.js";
import type { CliContext } from "./context.js";
import { createProgram } from "./program.js";
import { redact } from "./redact.js";

export interface MainOptions {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream;
}

/** The error boundary: one line on stderr, an exit code by error family, a stack only with --debug. */
export async function main(options: MainOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const debug = options.argv.includes("--debug");
  const secrets = [options.env.HF_TOKEN, options.env.GITHUB_TOKEN].filter((s): s is string => Boolean(s));
  const context: CliContext = { env: options.env, stdout, stderr, secrets };
  const program = createProgram(context);
  try {
    await program.parseAsync(options.argv, { from: "user" });
    return context.exitCode ?? 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0) return 0;
      return 2;
    }
    const tokens = [...context.secrets, ...tokensIn(options.argv)];
    if (isTvhubError(error)) {
      stderr.write(`tvhub: ${redact(error.message, tokens)}\n`);
      if (debug) stderr.write(`${redact(String(error.stack), tokens)}\n`);
      return exitCodeOf[error.family];
    }
    const message = error instanceof Error ? error.message : String(error);
    stderr.write(`tvhub: unexpected error: ${redact(message, tokens)}. Rerun with --debug and report it.\n`);
    if (debug && error instanceof Error) stderr.write(`${redact(String(error.stack), tokens)}\n`);
    return 70;
  }
}

function tokensIn(argv: string[]): string[] {
  return argv.filter((arg, i) => arg.startsWith("hf_") || argv[i - 1] === "--token");
}
