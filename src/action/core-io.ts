import * as core from "@actions/core";
import type { EnvMap } from "../github/parse-github-context.js";
import type { ActionIo } from "./main.js";

/** ActionIo over @actions/core: the runner's INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and log commands. */
export function createCoreIo(env: EnvMap): ActionIo {
  return {
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    setFailed: (message) => core.setFailed(message),
    info: (message) => core.info(message),
    warning: (message) => core.warning(message),
    // core.summary throws when the variable is unset (a local run); a summary is a courtesy, not the result.
    appendSummary: async (markdown) => {
      if (!env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(markdown, true).write();
    },
  };
}
