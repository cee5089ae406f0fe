import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { hubServe } from "./hub-serve.js";

export type RegisterCommand = (program: Command, context: CliContext) => void;

/** Every command, in the order `tvhub --help` lists them. */
export const commands: RegisterCommand[] = [hubServe];
