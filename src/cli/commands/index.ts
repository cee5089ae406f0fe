import type { Command } from "commander";
import type { CliContext } from "../context.js";

export type RegisterCommand = (program: Command, context: CliContext) => void;

/** Every command, in the order `tvhub --help` lists them. */
export const commands: RegisterCommand[] = [];
