import type { ProgressEvent } from "../../util/progress.js";
import { buildDemoRecipe } from "./build-demo-recipe.js";
import { info, mean, percent } from "./demo-events.js";
import { demoSetup } from "./demo-setup.js";
import type { Accuracies, AdditionResult, DemoModel, LambdaPoint, TaskCountResult } from "./demo-types.js";
import type { DemoSession } from "./open-demo-session.js";
import { selectLambda } from "./select-lambda.js";

export interface RunDemoAdditionOptions {
  session: DemoSession;
  grid: readonly number[];
  /** Each task's fine-tune, with its test accuracy on every task: the baselines of normalized accuracy. */
  finetuneOf: (task: string) => DemoModel;
  /** Every group size (the accuracy-vs-tasks picture), or only the pairs and all tasks (the table). */
  everyGroupSize: boolean;
}

/**
 * Task addition, θ = θ_base + λ Σ τ, for groups of tasks: λ chosen on validation (the best mean accuracy over the
 * group), then the test accuracy and the paper's normalized accuracy. The groups in the table (pairs and all tasks)
 * are published by `tvhub merge` and read back; the others are merged in memory with the same arithmetic.
 */
export async function* runDemoAddition(
  options: RunDemoAdditionOptions,
): AsyncGenerator<ProgressEvent, { addition: AdditionResult[]; byTaskCount: TaskCountResult[] }> {
  const { session, grid, finetuneOf } = options;
  const { tasks, vectorId } = session;
  const groups = additionGroups(tasks, options.everyGroupSize);
  const addition: AdditionResult[] = [];
  for (const [g, group] of groups.entries()) {
    const label = `addition ${group.join(" + ")}`;
    const curve: LambdaPoint[] = [];
    for (const [i, lambda] of grid.entries()) {
      curve.push({
        lambda,
        validation: await session.measureTerms(
          group.map((task) => ({ candidate: vectorId(task), lambda })),
          group,
        ),
      });
      yield {
        type: "progress",
        phase: "evaluate",
        label: `${label} (${g + 1}/${groups.length})`,
        done: i + 1,
        total: grid.length,
        unit: "items",
      };
    }
    const best = selectLambda({
      points: curve,
      score: (point) => mean(group.map((task) => point.validation[task] as number)),
    }) as LambdaPoint;
    const shown = group.length === 2 || group.length === tasks.length;
    let test: Accuracies;
    let published: AdditionResult["published"];
    if (shown) {
      const name = `add-${group.join("-")}`;
      const text = await buildDemoRecipe({
        comment: [
          `Task addition: θ = θ_base + λ Σ τ over ${group.join(", ")}.`,
          `λ = ${best.lambda} had the best mean validation accuracy of ${grid.length} values from ${grid[0]} to ` +
            `${grid[grid.length - 1]} (tvhub demo).`,
        ],
        base: session.baseRepo.repo,
        to: session.repoOf(`${demoSetup.base}-${name}`),
        scale: best.lambda,
        terms: group.map((task) => ({ vector: session.vectorOf(task).repo, weight: 1 })),
      });
      published = yield* session.publishMerge(name, text);
      test = yield* session.measurePublished(published, group);
    } else {
      test = await session.measure(
        session.inMemoryModel(group.map((task) => ({ candidate: vectorId(task), lambda: best.lambda }))),
        group,
        "test",
      );
    }
    const normalized = Object.fromEntries(
      group.map((task) => [task, (test[task] as number) / (finetuneOf(task).test[task] as number)]),
    );
    const singles = Object.fromEntries(
      group.map((single) => [single, mean(group.map((task) => finetuneOf(single).test[task] as number))]),
    );
    const result: AdditionResult = {
      tasks: group,
      lambda: best.lambda,
      curve,
      test,
      normalized,
      accuracy: mean(group.map((task) => test[task] as number)),
      normalizedAccuracy: mean(group.map((task) => normalized[task] as number)),
      singles,
      ...(published === undefined ? {} : { published }),
    };
    addition.push(result);
    if (shown)
      yield info(
        `${label}: λ ${best.lambda}, test accuracy ${percent(result.accuracy)}, normalized ` +
          `${result.normalizedAccuracy.toFixed(3)} → ${published?.repo ?? ""}`,
      );
  }
  const byTaskCount: TaskCountResult[] = [];
  for (let count = 1; count <= tasks.length; count++) {
    const same = addition.filter((result) => result.tasks.length === count);
    if (same.length === 0) continue;
    byTaskCount.push({
      count,
      groups: same.length,
      accuracy: mean(same.map((r) => r.accuracy)),
      normalizedAccuracy: mean(same.map((r) => r.normalizedAccuracy)),
    });
  }
  return { addition, byTaskCount };
}

/** Every group of tasks whose sum the demo measures: pairs and all tasks (the table), or every size (the picture). */
function additionGroups(tasks: readonly string[], everySize: boolean): string[][] {
  const groups: string[][] = [];
  const n = tasks.length;
  for (let mask = 1; mask < 1 << n; mask++) {
    const group = tasks.filter((_, i) => (mask & (1 << i)) !== 0);
    if (everySize || group.length === 2 || group.length === n) groups.push(group);
  }
  return groups.sort(
    (a, b) =>
      a.length - b.length ||
      tasks.indexOf(a[0] as string) - tasks.indexOf(b[0] as string) ||
      tasks.indexOf(a[1] as string) - tasks.indexOf(b[1] as string),
  );
}
