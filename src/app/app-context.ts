import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import type { HubClient } from "../hub/index.js";

/** What the composition roots hand every use case: the ports, and the few facts about the machine they read. */
export interface AppContext {
  hub: HubClient;
  kernels: ArithmeticKernels;
  /** Where runs stage their outputs before publishing (a folder on the same disk as local targets). */
  workDir: string;
  /** Keep Hub downloads in the Hub cache (the CLI's default; the Action streams ranges instead). */
  cache: boolean;
  /** Tells `org/name` that exists as a folder from a Hub repo (DESIGN.md "resolve"). */
  isDirectory: (path: string) => boolean;
  homeDir?: string;
  tvhubVersion: string;
}
