import type { Command } from "commander";

/** The `tvhub hub` group that `hub serve` and `hub upload` live in, made by whichever registers first. */
export function hubGroup(program: Command): Command {
  return (
    program.commands.find((command) => command.name() === "hub") ??
    program
      .command("hub")
      .description("The local Hugging Face Hub: serve one from a directory, upload your own models to a Hub.")
  );
}
