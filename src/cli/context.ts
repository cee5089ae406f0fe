import type { Interrupt } from "./interrupt.js";

/** What the composition root hands every command: the process's environment and streams, read once. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** Secrets known at start (HF_TOKEN, GITHUB_TOKEN) that must never be printed. */
  secrets: string[];
  version?: string;
  /** Signals during the run (bin.ts); absent when main is called in-process. */
  interrupt?: Interrupt;
  /** A command that finished but must not exit 0 (a check that found mismatches) sets it. */
  exitCode?: number;
}
