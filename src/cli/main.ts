import { CommanderError, type Command } from "commander";
import { exitCodeOf, isTvhubError } from "../errors.js";
import type { CliContext } from "./context.js";
import { describeSystemError } from "./describe-system-error.js";
import type { Interrupt } from "./interrupt.js";
import { createProgram } from "./program.js";
import { redact } from "./redact.js";
import { printError } from "./print-results.js";

export interface MainOptions {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream;
  /** SIGINT/SIGTERM handling of the process (bin.ts); a publish in flight listens to it. */
  interrupt?: Interrupt;
}

/**
 * The error boundary: one sentence on stderr (`tvhub: ...`), an exit code by error family, a stack only with
 * --debug; with --json, the same failure as `{"error": {"code", "message"}}` on stdout too, for scripts.
 */
export async function main(options: MainOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const debug = options.argv.includes("--debug");
  const json = options.argv.includes("--json");
  const secrets = [options.env.HF_TOKEN, options.env.GITHUB_TOKEN].filter((s): s is string => Boolean(s));
  const context: CliContext = {
    env: options.env,
    stdout,
    stderr,
    secrets,
    ...(options.interrupt === undefined ? {} : { interrupt: options.interrupt }),
  };
  const program = createProgram(context);
  const fail = (code: string, message: string, exitCode: number, stack?: string): number => {
    const tokens = [...context.secrets, ...tokensIn(options.argv)];
    const text = redact(message, tokens);
    printError({
      stdout,
      stderr,
      code,
      message: text,
      json,
      ...(debug && stack !== undefined ? { stack: redact(stack, tokens) } : {}),
    });
    return exitCode;
  };
  try {
    await program.parseAsync(options.argv, { from: "user" });
    return context.exitCode ?? 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0)
        return 0;
      return fail("USAGE", usageSentence(error, program, options.argv), 2);
    }
    const described = isTvhubError(error) ? error : describeSystemError(error);
    if (described !== undefined)
      return fail(described.code, described.message, exitCodeOf[described.family], String(described.stack));
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? String(error.stack) : undefined;
    const advice = debug
      ? "this is a bug in tvhub; please report it with the stack trace below"
      : "this is a bug in tvhub; please report it (rerun with --debug for the stack trace)";
    return fail("INTERNAL", `unexpected error: ${message.replace(/\.$/, "")}; ${advice}.`, 70, stack);
  }
}

/** commander's "error: unknown option '--x'" as the documented one sentence, with the command's own help. */
function usageSentence(error: CommanderError, program: Command, argv: readonly string[]): string {
  const reason = error.message.replace(/^error: /, "").replace(/\.$/, "");
  const names: string[] = [];
  let command: Command | undefined = program;
  for (const arg of argv) {
    const sub: Command | undefined = command?.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub === undefined) break;
    names.push(sub.name());
    command = sub;
  }
  return `${reason}; see tvhub ${names.length > 0 ? `${names.join(" ")} ` : ""}--help.`;
}

function tokensIn(argv: string[]): string[] {
  return argv.filter((arg, i) => arg.startsWith("hf_") || argv[i - 1] === "--token");
}
