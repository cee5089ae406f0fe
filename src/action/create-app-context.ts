import { statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import type { AppContext } from "../app/app-context.js";
import { createArithmeticKernels } from "../arithmetic/simd/create-arithmetic-kernels.js";
import { createHubClient, parseRetryDelay } from "../hub/index.js";
import type { EnvMap } from "../github/parse-github-context.js";
import type { HubAccess } from "./use-cases.js";
import { actionVersion } from "./version.js";

/**
 * The use cases' context on a runner: no Hub cache (a hosted runner's disk is smaller than one 7B model's inputs),
 * so weights are read as byte ranges, and outputs are staged under RUNNER_TEMP.
 */
export function createAppContext(options: { hub: HubAccess; env: EnvMap; signal?: AbortSignal }): AppContext {
  const retryDelayMs = parseRetryDelay(options.env.TVHUB_RETRY_DELAY_MS);
  return {
    hub: createHubClient({
      hubUrl: options.hub.hubUrl,
      ...(options.hub.accessToken ? { accessToken: options.hub.accessToken } : {}),
      ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
      // A cancelled job: a publish in flight removes the repo it created and says what it left.
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    }),
    kernels: createArithmeticKernels(),
    workDir: options.env.RUNNER_TEMP ?? tmpdir(),
    cache: false,
    isDirectory: (path) => {
      try {
        return statSync(path).isDirectory();
      } catch {
        return false;
      }
    },
    homeDir: homedir(),
    tvhubVersion: actionVersion,
  };
}
