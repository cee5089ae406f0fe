import { statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import type { AppContext } from "../app/app-context.js";
import { createArithmeticKernels } from "../arithmetic/simd/create-arithmetic-kernels.js";
import { createHubClient } from "../hub/index.js";
import type { CliContext } from "./context.js";
import { resolveHubSettings, type HubFlags } from "./hub-options.js";

export interface CliAppFlags extends HubFlags {
  /** commander's `--no-cache` */
  cache?: boolean;
}

/** The composition root for use cases: env and flags → a Hub client, kernels and the machine's facts. */
export function createAppContext(context: CliContext, flags: CliAppFlags): AppContext {
  const settings = resolveHubSettings(flags, context.env);
  if (settings.accessToken && !context.secrets.includes(settings.accessToken)) context.secrets.push(settings.accessToken);
  const cache = flags.cache !== false;
  const hub = createHubClient({
    hubUrl: settings.hubUrl,
    ...(settings.accessToken === undefined ? {} : { accessToken: settings.accessToken }),
    ...(cache ? { cacheDir: settings.cacheDir } : {}),
    ...(settings.retryDelayMs === undefined ? {} : { retryDelayMs: settings.retryDelayMs }),
    ...(context.interrupt === undefined ? {} : { signal: context.interrupt.signal, onPublishing: context.interrupt.onPublishing }),
  });
  return {
    hub,
    kernels: createArithmeticKernels(),
    workDir: context.env.TMPDIR ?? tmpdir(),
    cache,
    isDirectory: (path) => {
      try {
        return statSync(path).isDirectory();
      } catch {
        return false;
      }
    },
    homeDir: homedir(),
    tvhubVersion: context.version ?? "0.1.0",
  };
}
