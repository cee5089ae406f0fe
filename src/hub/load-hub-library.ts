import { rememberAsync } from "../util/remember-async.js";

/** The `@huggingface/hub` module namespace. */
export type HubLibrary = typeof import("@huggingface/hub");

let loaded: HubLibrary | undefined;

/**
 * `@huggingface/hub`, imported on the first Hub call and shared after. A dynamic import: a static one would be hoisted
 * to the top of the CLI bundle, and every command (even `--version`, or a run between local folders) would pay for
 * loading the library at start.
 */
export const loadHubLibrary: () => Promise<HubLibrary> = rememberAsync(() =>
  import("@huggingface/hub").then((library) => (loaded = library)),
);

/**
 * The library if a call has loaded it, for synchronous error checks: an error can only be one of its classes (a
 * `HubApiError`, say) when it was loaded, so `undefined` answers "no" to `instanceof` without loading anything.
 */
export function loadedHubLibrary(): HubLibrary | undefined {
  return loaded;
}
