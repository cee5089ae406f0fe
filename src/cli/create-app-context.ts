import { tmpdir } from "node:os";
import type { AppContext } from "../app/app-context.js";
import { createAppContext as appContextOf } from "../app/create-app-context.js";
import type { CliContext } from "./context.js";
import { resolveHubSettings, type HubFlags } from "./hub-options.js";

export interface CliAppFlags extends HubFlags {
  /** commander's `--no-cache` */
  cache?: boolean;
}

/** The composition root for use cases: env and flags → a Hub client, kernels and the machine's facts. */
export function createAppContext(context: CliContext, flags: CliAppFlags): AppContext {
  const settings = resolveHubSettings(flags, context.env);
  if (settings.accessToken && !context.secrets.includes(settings.accessToken))
    context.secrets.push(settings.accessToken);
  return appContextOf({
    hubUrl: settings.hubUrl,
    ...(settings.accessToken === undefined ? {} : { accessToken: settings.accessToken }),
    ...(flags.cache !== false ? { cacheDir: settings.cacheDir } : {}),
    ...(settings.retryDelayMs === undefined ? {} : { retryDelayMs: settings.retryDelayMs }),
    ...(context.interrupt === undefined
      ? {}
      : { signal: context.interrupt.signal, onPublishing: context.interrupt.onPublishing }),
    workDir: context.env.TMPDIR ?? tmpdir(),
    tvhubVersion: context.version ?? "0.1.0",
  });
}
