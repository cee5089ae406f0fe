import type { AppContext } from "../app/app-context.js";
import type { TransferStats } from "../hub/index.js";
import { drain, type ProgressEvent } from "../util/progress.js";
import type { CliContext } from "./context.js";
import { createAppContext, type CliAppFlags } from "./create-app-context.js";
import type { HubFlags } from "./hub-options.js";
import { createProgressRenderer } from "./progress-renderer.js";

/** Runs a use case, drawing its progress on stderr only for a person watching (a TTY, no --json, no --quiet). */
export async function runWithProgress<T>(
  context: CliContext,
  flags: HubFlags,
  run: AsyncGenerator<ProgressEvent, T>,
): Promise<T> {
  const renderer = createProgressRenderer({
    stream: context.stderr,
    enabled: context.stdout.isTTY === true && !flags.json && !flags.quiet,
    quiet: flags.quiet === true || flags.json === true,
  });
  try {
    return await drain(run, renderer.sink);
  } finally {
    renderer.finish();
  }
}

/**
 * A command's run: the use case's context from the flags, the use case with its progress drawn, and what it
 * downloaded and uploaded (the printout's last figures).
 */
export async function runUseCase<T>(
  context: CliContext,
  flags: CliAppFlags,
  useCase: (appContext: AppContext) => AsyncGenerator<ProgressEvent, T>,
): Promise<{ result: T; stats: TransferStats }> {
  const appContext = createAppContext(context, flags);
  const result = await runWithProgress(context, flags, useCase(appContext));
  return { result, stats: appContext.hub.stats() };
}
