import { statSync } from "node:fs";
import { homedir } from "node:os";
import { createArithmeticKernels } from "../arithmetic/simd/create-arithmetic-kernels.js";
import { createHubClient } from "../hub/index.js";
import type { AppContext } from "./app-context.js";
import { pickDefined } from "../util/pick-defined.js";

export interface CreateAppContextOptions {
  hubUrl: string;
  accessToken?: string;
  /** Keep Hub downloads in this cache; absent, weights are read as byte ranges. */
  cacheDir?: string;
  /** The first retry's wait (tests shorten it). */
  retryDelayMs?: number;
  /** Aborts a publish in flight (Ctrl-C, a cancelled job): the repo it created is removed. */
  signal?: AbortSignal;
  /** Told when a publish starts and ends, so an interrupt knows whether one is in flight. */
  onPublishing?: (active: boolean) => void;
  /** Where outputs are staged before publishing (TMPDIR for the CLI, RUNNER_TEMP on a runner). */
  workDir: string;
  tvhubVersion: string;
}

/**
 * The one place an AppContext is made: each composition root (cli/, action/) reads its own settings (flags and env,
 * or action inputs) and hands them here.
 */
export function createAppContext(options: CreateAppContextOptions): AppContext {
  return {
    hub: createHubClient({
      hubUrl: options.hubUrl,
      ...pickDefined(options, ["accessToken", "cacheDir", "retryDelayMs", "signal", "onPublishing"]),
    }),
    kernels: createArithmeticKernels(),
    workDir: options.workDir,
    cache: options.cacheDir !== undefined,
    isDirectory: (path) => {
      try {
        return statSync(path).isDirectory();
      } catch {
        return false;
      }
    },
    homeDir: homedir(),
    tvhubVersion: options.tvhubVersion,
  };
}
