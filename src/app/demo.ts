import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { lambdaGridValues, type LambdaGrid } from "../plan/lambda-grid.js";
import type { TfBackend } from "../eval/load-tf.js";
import type { ImageSet } from "../eval/read-image-set.js";
import { parseVitConfig } from "../eval/vit/config.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { checkDemoDirections } from "./demo/check-demo-directions.js";
import { createClock, progressOnly } from "./demo/demo-events.js";
import { demoSetup } from "./demo/demo-setup.js";
import type { DemoModel, DemoResults } from "./demo/demo-types.js";
import { findDemoFixtures } from "./demo/find-demo-fixtures.js";
import { measureDemoModels } from "./demo/measure-demo-models.js";
import { openDemoSession } from "./demo/open-demo-session.js";
import { publishDemoPictures } from "./demo/publish-demo-pictures.js";
import { renderDemoPictures } from "./demo/render-demo-pictures.js";
import { runDemoAddition } from "./demo/run-demo-addition.js";
import { runDemoAnalogy } from "./demo/run-demo-analogy.js";
import { runDemoGreedy } from "./demo/run-demo-greedy.js";
import { runDemoLora } from "./demo/run-demo-lora.js";
import { runDemoNegation } from "./demo/run-demo-negation.js";
import { similarity } from "./similarity.js";

export interface DemoOptions {
  /**
   * A Hub the demo may fill: its client must hold a write token of the user `demo` (the fine-tunes' cards name
   * `demo/vit-tiny-digits` as their base). `tvhub demo` gives it a fresh embedded local Hub.
   */
  context: AppContext;
  /** The `demo/` folder of a tvhub clone: `models/` and `data/` (see findDemoFixtures). */
  fixtures: string;
  /** Where results.json, the pictures and the recipes of every merge go; created when missing. */
  outDir: string;
  /** The tasks that are added, negated and searched over. @default all four of demoSetup.tasks */
  tasks?: readonly string[];
  /**
   * λ tried by addition, negation and the analogy. @default 0, 0.1, …, 1 (the paper's grid has twice as many
   * values and finds the same optima on these models within a step; this one keeps the demo within two minutes)
   */
  grid?: LambdaGrid;
  /** λ greedy addition tries for each candidate in each round. @default 0, 0.2, …, 1 */
  greedyGrid?: LambdaGrid;
  /**
   * A greedy round keeps its best candidate only if the mean validation accuracy rises by more than this.
   * @default 0.01 (8 of the 800 validation images; 200 images per task measure accuracy to about ±2 points)
   */
  greedyMinGain?: number;
  /**
   * Sweep every group size (1 to all tasks) for the accuracy-vs-tasks picture; otherwise only the pairs and all
   * tasks, the groups the table shows. @default true
   */
  everyGroupSize?: boolean;
  /** The ranks of the LoRA adapters the first task's τ is published as; empty for none. @default 1, 2, 4, 8, 16 */
  loraRanks?: readonly number[];
  /** @default "auto" */
  backend?: TfBackend | "auto";
  signal?: AbortSignal;
}

/**
 * `tvhub demo`: the paper's experiments on handwritten digits, end to end on a Hub. Uploads the committed tiny
 * ViT and its fine-tunes, publishes every fine-tune's task vector with `publish-vector`, then runs addition
 * (every group of tasks; normalized accuracy), negation (the target falls, the control keeps 95%), an analogy,
 * greedy addition with a distractor and one τ as LoRA adapters of several ranks. λ is always chosen on the
 * validation sets. Every number in the table is a test-set accuracy of a model `tvhub merge` or `tvhub greedy`
 * published, read back from the Hub; the groups only the accuracy-vs-tasks picture needs are merged in memory with
 * the same float32 arithmetic. Writes results.json, the pictures and the recipes to `outDir`, and publishes each
 * picture into the repos it describes.
 */
export async function* demo(options: DemoOptions): AsyncGenerator<ProgressEvent, DemoResults> {
  const { context, outDir } = options;
  const clock = createClock();
  const tasks = [...(options.tasks ?? demoSetup.tasks)];
  const grid = lambdaGridValues({
    grid: options.grid ?? { start: 0, stop: 1, step: 0.1 },
    subject: "the demo's λ grid",
  });
  const fixtures = await findDemoFixtures({ root: options.fixtures, tasks });
  await mkdir(join(outDir, "recipes"), { recursive: true });

  const session = yield* openDemoSession({
    context,
    fixtures,
    outDir,
    tasks,
    backend: options.backend ?? "auto",
    ...(options.signal ? { signal: options.signal } : {}),
    lap: (stage) => clock.lap(stage),
  });
  const { base, finetunes } = yield* measureDemoModels({ session });
  const finetuneOf = (task: string): DemoModel => finetunes.find((model) => model.task === task) as DemoModel;
  clock.lap("finetunes");
  const { addition, byTaskCount } = yield* runDemoAddition({
    session,
    grid,
    finetuneOf,
    everyGroupSize: options.everyGroupSize ?? true,
  });
  clock.lap("addition");
  const negation = yield* runDemoNegation({ session, grid, base });
  clock.lap("negation");
  const analogy = yield* runDemoAnalogy({ session, grid, base, finetuneOf });
  clock.lap("analogy");
  const greedy = yield* runDemoGreedy({
    session,
    fixtures,
    grid: options.greedyGrid ?? { start: 0, stop: 1, step: 0.2 },
    minGain: options.greedyMinGain ?? 0.01,
  });
  clock.lap("greedy");
  const lora = yield* runDemoLora({
    session,
    task: tasks[0] as string,
    ranks: options.loraRanks ?? [1, 2, 4, 8, 16],
    finetuneOf,
  });
  clock.lap("lora");
  const similar = yield* progressOnly(
    similarity({ context, refs: session.vectors.map((vector) => `${vector.repo}@${vector.revision}`) }),
  );
  clock.lap("similarity");

  const measured: Omit<DemoResults, "files" | "pictures"> = {
    format: "tvhub/demo",
    version: 1,
    tvhub: context.tvhubVersion,
    hubUrl: context.hub.hubUrl,
    evaluator: {
      name: "tfjs ViTForImageClassification accuracy",
      backend: session.backend,
      validation: Object.fromEntries([...session.sets.validation].map(([task, set]) => [task, set.count])),
      test: Object.fromEntries([...session.sets.test].map(([task, set]) => [task, set.count])),
    },
    grid,
    control: demoSetup.control,
    tasks,
    chance: chanceOf(session.sets.test.get(tasks[0] as string), session.base.config, session.baseRepo.repo),
    base,
    finetunes,
    vectors: [...session.vectors],
    addition,
    byTaskCount,
    negation,
    analogy,
    greedy,
    ...(lora ? { lora } : {}),
    similarity: { labels: session.vectors.map((vector) => vector.task), matrix: similar.matrix },
    checks: [],
    seconds: {},
  };
  measured.checks = checkDemoDirections({ results: measured });
  const pictures = renderDemoPictures({ results: measured });
  for (const picture of pictures) await writeFile(join(outDir, picture.file), picture.svg);
  const commits = yield* publishDemoPictures({ context, results: measured, pictures });
  clock.lap("pictures");
  const results: DemoResults = {
    ...measured,
    files: [
      ...pictures.map((picture) => picture.file),
      ...(await readdir(join(outDir, "recipes"))).sort().map((file) => `recipes/${file}`),
    ],
    pictures: commits,
    seconds: { ...clock.laps(), total: clock.total() },
  };
  await writeFile(join(outDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

/**
 * Accuracy by guessing on a task: one over the classes its images are scored among. A set that names its labels is
 * scored among those (the task's own head of the model; see createTfjsEvaluator), otherwise among all of them.
 */
function chanceOf(set: ImageSet | undefined, config: unknown, repo: string): number {
  return 1 / (set?.id2label?.length ?? parseVitConfig({ json: config, subject: `${repo}/config.json` }).numLabels);
}
