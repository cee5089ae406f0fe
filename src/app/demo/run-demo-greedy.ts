import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { createTfjsEvaluator } from "../../eval/create-tfjs-evaluator.js";
import { formatLambdaGrid, lambdaGridValues, type LambdaGrid } from "../../plan/lambda-grid.js";
import type { RecipeInput } from "../../plan/recipe.js";
import type { ProgressEvent } from "../../util/progress.js";
import { greedy } from "../greedy.js";
import { info, mean } from "./demo-events.js";
import { demoSetup } from "./demo-setup.js";
import type { GreedyDemoResult } from "./demo-types.js";
import type { DemoFixtures } from "./find-demo-fixtures.js";
import type { DemoSession } from "./open-demo-session.js";

export interface RunDemoGreedyOptions {
  session: DemoSession;
  fixtures: DemoFixtures;
  grid: LambdaGrid;
  /** A round keeps its best candidate only if the mean validation accuracy rises by more than this. */
  minGain: number;
}

/**
 * Greedy addition with `tvhub greedy` over the tasks' vectors and the distractor (second in line, so that it is
 * tried early), scored on the tasks' validation sets; the final model and the first round's choice (the best single
 * vector) are then measured on the test sets.
 */
export async function* runDemoGreedy(options: RunDemoGreedyOptions): AsyncGenerator<ProgressEvent, GreedyDemoResult> {
  const { session } = options;
  const { tasks } = session;
  const candidates = [tasks[0] as string, demoSetup.distractor, ...tasks.slice(1)];
  yield info(`greedy addition over ${candidates.join(", ")} (λ ∈ ${formatLambdaGrid(options.grid)})…`);
  const run = yield* searchGreedy({
    ...options,
    candidates: candidates.map((task) => ({ task, repo: session.vectorOf(task).repo })),
  });
  const test = run.published
    ? yield* session.measurePublished(run.published, tasks)
    : await session.measure(session.base, tasks, "test");
  // The first round's choice is the best single vector: greedy addition should end above it, on the test sets too.
  const first = run.rounds[0]?.steps.find((step) => step.kept);
  const singleTest = first
    ? await session.measure(
        session.inMemoryModel([{ candidate: session.vectorId(first.task), lambda: first.lambda }]),
        tasks,
        "test",
      )
    : undefined;
  const result: GreedyDemoResult = {
    ...run,
    test,
    accuracy: mean(tasks.map((task) => test[task] as number)),
    ...(first && singleTest
      ? {
          bestSingle: {
            task: first.task,
            lambda: first.lambda,
            validation: first.score,
            test: singleTest,
            accuracy: mean(tasks.map((task) => singleTest[task] as number)),
          },
        }
      : {}),
  };
  yield info(
    `greedy: kept ${result.kept.map((k) => `${k.task} (λ ${k.lambda})`).join(", ") || "nothing"}; rejected ` +
      `${result.rejected.join(", ") || "nothing"}`,
  );
  return result;
}

/** Writes a greedy recipe over the candidates' published vectors and runs it with `tvhub greedy`. */
async function* searchGreedy(
  options: RunDemoGreedyOptions & { candidates: ReadonlyArray<{ task: string; repo: string }> },
): AsyncGenerator<ProgressEvent, Omit<GreedyDemoResult, "test" | "accuracy">> {
  const { session, grid } = options;
  const { outDir } = session;
  // The tfjs evaluator scores a folder's validation/ sets: exactly the tasks the merged model should do.
  const dataDir = join(outDir, "greedy-data");
  await mkdir(join(dataDir, "validation"), { recursive: true });
  for (const task of session.tasks) {
    const path = options.fixtures.validation.get(task) as string;
    await copyFile(path, join(dataDir, "validation", basename(path)));
  }
  const recipePath = join(outDir, "recipes", "greedy.yml");
  const value: RecipeInput = {
    version: 1,
    base: session.baseRepo.repo,
    output: { to: session.repoOf(`${demoSetup.base}-greedy`) },
    method: "task_arithmetic",
    greedy: {
      start: "base",
      candidates: options.candidates.map((candidate) => ({ vector: candidate.repo })),
      // Relative to the recipe's folder, as tvhub greedy resolves it: the recipe runs from wherever it is started.
      evaluator: { type: "tfjs", dataset: relative(dirname(recipePath), dataDir), split: "validation" },
      grid: { start: grid.start, stop: grid.stop, step: grid.step },
      min_gain: options.minGain,
    },
  };
  const { stringify } = await import("yaml");
  const text = [
    `# Greedy addition over the task vectors of ${options.candidates.map((c) => c.task).join(", ")}, one of them a ` +
      "distractor,",
    `# ${demoSetup.distractor} (upright digits labelled as the next digit). Each round tries every remaining vector ` +
      "at every λ",
    "# of the grid on top of the kept ones and keeps the one that raises the mean validation accuracy most, if by more",
    "# than min_gain; the distractor should never be kept. tvhub greedy runs this file again (tvhub demo wrote it).",
    stringify(value, { lineWidth: 0 }),
  ].join("\n");
  await writeFile(recipePath, text);
  const run = yield* greedyProgress(
    greedy({
      context: session.context,
      recipe: { text, source: recipePath, dir: dirname(recipePath) },
      evaluators: { tfjs: createTfjsEvaluator },
      cacheFile: false,
      ...(session.signal ? { signal: session.signal } : {}),
    }),
  );
  const taskOf = new Map(
    run.candidates.map((candidate) => [
      candidate.id,
      options.candidates.find((c) => c.repo === candidate.label)?.task ?? candidate.label,
    ]),
  );
  const rounds = new Map<number, GreedyDemoResult["rounds"][number]>();
  for (const step of run.search.trajectory) {
    const round = rounds.get(step.round) ?? { round: step.round, steps: [] };
    const task = taskOf.get(step.candidateId) ?? step.candidate;
    round.steps.push({ task, lambda: step.lambda, score: step.score, gain: step.gain, kept: step.kept });
    if (step.kept) round.kept = task;
    rounds.set(step.round, round);
  }
  const kept = run.search.terms.map((term) => ({
    task: taskOf.get(term.candidate) ?? term.candidate,
    lambda: term.lambda,
  }));
  const published = run.merge?.published;
  return {
    candidates: options.candidates.map((candidate) => candidate.task),
    distractor: demoSetup.distractor,
    grid: lambdaGridValues({ grid }),
    minGain: options.minGain,
    rounds: [...rounds.values()],
    kept,
    rejected: options.candidates
      .map((candidate) => candidate.task)
      .filter((task) => !kept.some((k) => k.task === task)),
    validation: { base: run.search.baseline.score, final: run.search.final.score },
    evaluations: run.search.evaluated,
    ...(published?.repo === undefined || published.commit === undefined
      ? {}
      : { published: { repo: published.repo, revision: published.commit, recipe: relative(outDir, recipePath) } }),
  };
}

/** tvhub greedy's progress, and its one line per round (its other notes would bury the demo's own lines). */
async function* greedyProgress<T>(run: AsyncGenerator<ProgressEvent, T>): AsyncGenerator<ProgressEvent, T> {
  for (;;) {
    const step = await run.next();
    if (step.done) return step.value;
    const event = step.value;
    if (event.type === "progress") yield { ...event, label: `greedy ${event.label ?? ""}`.trim() };
    else if (event.level === "warn") yield event;
    else if (event.message.startsWith("Round ")) {
      // Scores arrive as full doubles (0.42374999999999996); four decimals say as much here.
      const message = event.message.replace(/\d+\.\d{5,}/g, (number) => String(Number(Number(number).toFixed(4))));
      yield info(`greedy ${message.charAt(0).toLowerCase()}${message.slice(1)}`);
    }
  }
}
