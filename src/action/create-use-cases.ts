import { check } from "../app/check.js";
import { IncompatibleError } from "../app/incompatible-error.js";
import { publishVector } from "../app/publish-vector.js";
import { UsageError } from "../errors.js";
import type { EnvMap } from "../github/parse-github-context.js";
import { drain } from "../util/progress.js";
import { createAppContext } from "./create-app-context.js";
import { reportFromPlan } from "./report-from-plan.js";
import type { ActionUseCases, PublishedRepo } from "./use-cases.js";

/**
 * Wires the Action's port to the use cases in src/app. A use case this build does not have fails the step with
 * a clear message instead of doing half the work.
 */
export function createUseCases(options: { env: EnvMap } = { env: {} }): ActionUseCases {
  const { env } = options;
  return {
    async check(input) {
      if (input.recipe !== undefined) return unavailable("check with a recipe");
      const context = createAppContext({ hub: input.hub, env });
      const result = await check({
        context,
        ...(input.base === undefined ? {} : { base: input.base }),
        inputs: input.finetuned === undefined ? [] : [{ text: input.finetuned, kind: "finetuned" }],
      });
      const inputs = result.inputs.map((i) => ({ role: i.role, ref: i.ref, ...(i.repo ? { repo: i.repo } : {}), ...(i.revision ? { revision: i.revision } : {}) }));
      return { report: reportFromPlan({ kind: "check", compatibility: result.report, inputs, downloadBytes: result.weightBytes }) };
    },
    async publishVector(input) {
      if (input.stage !== undefined) return unavailable("publish-vector with shards");
      const context = createAppContext({ hub: input.hub, env });
      try {
        const result = await drain(
          publishVector({ context, base: input.base, finetuned: input.finetuned, to: input.to, dryRun: input.dryRun }),
          input.onProgress,
        );
        const published: PublishedRepo[] =
          result.published?.repo && result.published.commit
            ? [
                {
                  repo: result.published.repo,
                  url: result.published.url,
                  commitSha: result.published.commit,
                  commitUrl: `${context.hub.hubUrl}/${result.published.repo}/commit/${result.published.commit}`,
                },
              ]
            : [];
        return { report: reportFromPlan({ kind: "task-vector", compatibility: result.report, plan: result.plan, target: input.to, published }) };
      } catch (error) {
        if (error instanceof IncompatibleError) return { report: reportFromPlan({ kind: "task-vector", compatibility: error.report, target: input.to }) };
        throw error;
      }
    },
    merge: () => unavailable("merge"),
    greedy: () => unavailable("greedy"),
    plan: () => unavailable("plan"),
  };
}

function unavailable(command: string): Promise<never> {
  return Promise.reject(
    new UsageError(`command "${command}" is not available in this build of the tvhub Action; use a release that includes it.`, {
      code: "ACTION_NOT_AVAILABLE",
      subject: "command",
    }),
  );
}
