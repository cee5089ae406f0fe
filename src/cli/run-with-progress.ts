import { drain, type ProgressEvent } from "../util/progress.js";
import type { CliContext } from "./context.js";
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
