import type { ProgressEvent } from "../../util/progress.js";
import { info } from "./demo-events.js";
import { demoFinetunes, demoSetup, finetuneName } from "./demo-setup.js";
import type { DemoModel, PublishedRepo } from "./demo-types.js";
import type { DemoSession } from "./open-demo-session.js";

export interface MeasureDemoModelsOptions {
  session: DemoSession;
}

/** Test accuracy of the base on every set, and of each fine-tune on the sets it is a baseline for. */
export async function* measureDemoModels(
  options: MeasureDemoModelsOptions,
): AsyncGenerator<ProgressEvent, { base: DemoModel; finetunes: DemoModel[] }> {
  const { session } = options;
  const { tasks } = session;
  const { control, analogy: roles, distractor } = demoSetup;
  yield info(`Evaluating the base and the fine-tunes on the test sets (tfjs, ${session.backend} backend)…`);
  const base: DemoModel = {
    ...session.baseRepo,
    test: await session.measure(session.base, [control, ...tasks, roles.target], "test"),
  };
  const finetunes: DemoModel[] = [];
  for (const task of demoFinetunes(tasks)) {
    if (task === distractor) continue;
    const repo = session.uploaded.get(finetuneName(task)) as PublishedRepo;
    // The tasks' fine-tunes are the baselines of addition; the analogy compares three others on its target.
    const scored = [
      ...(tasks.includes(task) ? [control, ...tasks] : []),
      ...(([roles.b, roles.c, roles.oracle] as string[]).includes(task) ? [roles.target] : []),
    ];
    finetunes.push({ ...repo, task, test: scored.length === 0 ? {} : yield* session.measurePublished(repo, scored) });
  }
  return { base, finetunes };
}
