import { readFileSync, statSync } from "node:fs";
import { UsageError } from "../errors.js";
import { createGitHubReporter } from "../github/create-github-reporter.js";
import type { EnvMap } from "../github/parse-github-context.js";
import { createUseCases } from "./create-use-cases.js";
import type { ActionDeps } from "./main.js";
import { actionVersion } from "./version.js";

export interface CreateActionDepsOptions {
  env: EnvMap;
  signal?: AbortSignal;
}

/** The composition root's real dependencies: the event file, src/app's use cases, octokit, the file system. */
export function createActionDeps(options: CreateActionDepsOptions): ActionDeps {
  const { env } = options;
  return {
    env,
    readEvent: () => readEvent(env.GITHUB_EVENT_PATH),
    useCases: createUseCases({ env }),
    createReporter: ({ token, baseUrl, log }) => createGitHubReporter({ token, baseUrl, log }),
    isDirectory: (path) => {
      try {
        return statSync(path).isDirectory();
      } catch {
        return false;
      }
    },
    version: actionVersion,
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

function readEvent(path: string | undefined): unknown {
  if (!path) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (error) {
    throw new UsageError(
      `Could not read the event payload at GITHUB_EVENT_PATH (${path}): ` +
        `${error instanceof Error ? error.message : String(error)}.`,
      {
        code: "ACTION_BAD_EVENT",
        subject: "GITHUB_EVENT_PATH",
        cause: error,
      },
    );
  }
}
