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
      // main() prints usage errors as the one `tvhub: ...` sentence every failure is (and as JSON with --json).
      outputError: () => undefined,
    });
  for (const register of commands) register(program, context);
  // Every level (hub serve, hub upload too): errors come back to main() instead of exiting the process.
  const configure = (command: Command): void => {
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput(program.configureOutput());
      configure(sub);
    }
  };
  configure(program);
  return program;
}
