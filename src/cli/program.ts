import { Command } from "commander";
import { commands } from "./commands/index.js";
import type { CliContext } from "./context.js";

/** Builds the commander program; the commands are an explicit list (no import side effects). */
export function createProgram(context: CliContext): Command {
  const program = new Command("tvhub")
    .description("Task vectors and task-arithmetic merges of Hugging Face Hub models.")
    .version(context.version ?? "0.1.0")
    .option("--debug", "print stack traces on errors")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .showHelpAfterError("(run with --help for usage)");
  for (const register of commands) register(program, context);
  for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput());
  return program;
}
