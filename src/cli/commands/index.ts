import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { apply } from "./apply.js";
import { check } from "./check.js";
import { demo } from "./demo.js";
import { greedy } from "./greedy.js";
import { hubServe } from "./hub-serve.js";
import { hubUpload } from "./hub-upload.js";
import { inspect } from "./inspect.js";
import { merge } from "./merge.js";
import { plan } from "./plan.js";
import { publishVector } from "./publish-vector.js";
import { searchVectors } from "./search-vectors.js";
import { similarity } from "./similarity.js";

export type RegisterCommand = (program: Command, context: CliContext) => void;

/** Every command, in the order `tvhub --help` lists them. */
export const commands: RegisterCommand[] = [
  check,
  publishVector,
  merge,
  apply,
  plan,
  greedy,
  similarity,
  inspect,
  searchVectors,
  hubServe,
  hubUpload,
  demo,
];
