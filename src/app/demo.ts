import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import { InternalError } from "../errors.js";
import { createTfjsEvaluator } from "../eval/create-tfjs-evaluator.js";
import type { Evaluator } from "../eval/evaluator.js";
import { formatLambdaGrid, lambdaGridValues, type LambdaGrid } from "../plan/lambda-grid.js";
import { loadTf, type TfBackend } from "../eval/load-tf.js";
import { readImageSet, type ImageSet } from "../eval/read-image-set.js";
import { parseVitConfig } from "../eval/vit/config.js";
import type { RecipeInput } from "../plan/recipe.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { buildDemoRecipe, type DemoRecipeTerm } from "./demo/build-demo-recipe.js";
import { checkDemoDirections } from "./demo/check-demo-directions.js";
import { demoFinetunes, demoSetup, finetuneName, validationControlFloor } from "./demo/demo-setup.js";
import type {
  Accuracies,
  AdditionResult,
  AnalogyResult,
  DemoModel,
  DemoResults,
  DemoVector,
  GreedyDemoResult,
  LambdaPoint,
  LoraDemoResult,
  NegationResult,
  PublishedRepo,
  TaskCountResult,
} from "./demo/demo-types.js";
import { findDemoFixtures } from "./demo/find-demo-fixtures.js";
import { renderDemoPictures } from "./demo/render-demo-pictures.js";
import { selectLambda } from "./demo/select-lambda.js";
import { createInMemoryEvaluate } from "./greedy/create-in-memory-evaluate.js";
import type { GreedyTerm } from "./greedy/greedy-types.js";
import { greedy } from "./greedy.js";
import { loadTensorsInMemory } from "./greedy/load-tensors-in-memory.js";
import { merge } from "./merge.js";
import { openInput, type OpenedInput } from "./open-input.js";
import { publishVector } from "./publish-vector.js";
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

/** A model's float tensors and the files the evaluator needs with them. */
interface ModelTensors {
  name: string;
  tensors: ReadonlyMap<string, Float32Array>;
  config: unknown;
  preprocessorConfig?: unknown;
}

type Split = "validation" | "test";


/**
 * `tvhub demo`: the paper's experiments on handwritten digits, end to end on a Hub. Uploads the committed tiny
 * ViT and its fine-tunes, publishes every fine-tune's task vector with `publish-vector`, then runs addition
 * (every group of tasks; normalized accuracy), negation (the target falls, the control keeps 95%), an analogy and
 * greedy addition with a distractor. λ is always chosen on the validation sets. Every number in the table is a
 * test-set accuracy of a model `tvhub merge` or `tvhub greedy` published, read back from the Hub; the groups only
 * the accuracy-vs-tasks picture needs are merged in memory with the same float32 arithmetic. Writes results.json,
 * the pictures and the recipes to `outDir`.
 */
export async function* demo(options: DemoOptions): AsyncGenerator<ProgressEvent, DemoResults> {
  const { context, outDir, signal } = options;
  const clock = createClock();
  const tasks = [...(options.tasks ?? demoSetup.tasks)];
  const grid = lambdaGridValues({ grid: options.grid ?? { start: 0, stop: 1, step: 0.1 }, subject: "the demo's λ grid" });
  const greedyGrid = options.greedyGrid ?? { start: 0, stop: 1, step: 0.2 };
  const greedyMinGain = options.greedyMinGain ?? 0.01;
  const fixtures = await findDemoFixtures({ root: options.fixtures, tasks });
  const { namespace, control, analogy: roles, distractor } = demoSetup;
  const repoOf = (name: string) => `${namespace}/${name}`;
  await mkdir(join(outDir, "recipes"), { recursive: true });

  // ---------------------------------------------------------------- the models, on the Hub
  yield info(`Uploading ${fixtures.models.size} models to ${context.hub.hubUrl} as ${namespace}/…`);
  const uploaded = new Map<string, PublishedRepo>();
  for (const [name, dir] of fixtures.models) {
    const entries = await readdir(dir, { withFileTypes: true });
    const files = entries.filter((entry) => entry.isFile()).map((entry) => ({ path: entry.name, localPath: join(dir, entry.name) }));
    const result = yield* progressOnly(
      context.hub.publish({
        repo: repoOf(name),
        files,
        commitTitle: `Upload ${name}`,
        commitDescription: "A model of tvhub's offline task-arithmetic demo (demo/models in the tvhub repository).",
      }),
    );
    uploaded.set(name, { repo: repoOf(name), revision: result.commitSha });
  }
  clock.lap("upload");

  const vectors: DemoVector[] = [];
  for (const task of demoFinetunes(tasks)) {
    const finetuned = repoOf(finetuneName(task));
    const to = `${finetuned}-tv`;
    const result = yield* progressOnly(publishVector({ context, finetuned, to }));
    const published = result.published;
    if (published?.commit === undefined) throw new InternalError(`publish-vector ${finetuned} returned no commit.`, { code: "DEMO_NO_COMMIT" });
    vectors.push({ task, finetuned, repo: to, revision: published.commit, norm: published.norm, bytes: published.files.reduce((sum, file) => sum + file.size, 0) });
    yield info(`publish-vector ${finetuned} → ${to} (‖τ‖ = ${published.norm.toFixed(3)})`);
  }
  clock.lap("publishVectors");
  const vectorOf = (task: string): DemoVector => {
    const found = vectors.find((vector) => vector.task === task);
    if (!found) throw new InternalError(`The demo has no task vector for ${task}.`, { code: "DEMO_NO_VECTOR" });
    return found;
  };
  const vectorId = (task: string) => `${vectorOf(task).repo}@${vectorOf(task).revision}`;

  // ---------------------------------------------------------------- evaluation
  const { backend } = await loadTf({ backend: options.backend ?? "auto" });
  const sets = { validation: new Map<string, ImageSet>(), test: new Map<string, ImageSet>() };
  for (const split of ["validation", "test"] as const) {
    for (const [task, path] of fixtures[split]) sets[split].set(task, await readImageSet({ path }));
  }
  const setOf = (split: Split, task: string): ImageSet => {
    const set = sets[split].get(task);
    if (!set) throw new InternalError(`The demo has no ${split} set for ${task}.`, { code: "DEMO_NO_SET" });
    return set;
  };
  const evaluators = new Map<string, Evaluator>();
  const evaluatorFor = (list: readonly ImageSet[]): Evaluator => {
    const key = list.map((set) => set.name).join("\u0000");
    let evaluator = evaluators.get(key);
    if (!evaluator) evaluators.set(key, (evaluator = createTfjsEvaluator({ datasets: list, backend: options.backend ?? "auto" })));
    return evaluator;
  };
  /** Accuracy of a model on the given tasks' sets of one split. */
  const measure = async (model: ModelTensors, scored: readonly string[], split: Split): Promise<Accuracies> => {
    const list = scored.map((task) => setOf(split, task));
    const evaluation = await evaluatorFor(list).evaluate({
      tensors: model.tensors,
      config: model.config,
      ...(model.preprocessorConfig === undefined ? {} : { preprocessorConfig: model.preprocessorConfig }),
      name: model.name,
      ...(signal ? { signal } : {}),
    });
    return Object.fromEntries(scored.map((task, i) => [task, detail(evaluation.details, (list[i] as ImageSet).name)]));
  };

  yield info("Reading the base and every task vector back from the Hub…");
  const baseRepo = uploaded.get(demoSetup.base) as PublishedRepo;
  const base = yield* readModel(context, baseRepo);
  const loaded = yield* readVectors(context, baseRepo, vectors);
  const evaluateMerge = (list: readonly ImageSet[]) =>
    createInMemoryEvaluate({
      evaluator: evaluatorFor(list),
      start: { tensors: base.tensors, config: base.config, ...(base.preprocessorConfig === undefined ? {} : { preprocessorConfig: base.preprocessorConfig }) },
      vectors: loaded,
      // Called as a method: the WebAssembly kernels keep their memory on the object.
      addScaled: (step) => context.kernels.addScaled(step),
    });
  // A λ of 0 adds nothing (fround(acc + fround(0·τ)) = acc), so such terms are dropped from the key and the model.
  const memo = new Map<string, number>();
  /** Validation accuracy of base + Σ λ_i τ_i (built in memory with the merge's float32 order) on the given tasks. */
  const measureTerms = async (terms: readonly GreedyTerm[], scored: readonly string[]): Promise<Accuracies> => {
    const effective = terms.filter((term) => term.lambda !== 0);
    const key = JSON.stringify(effective.map((term) => [term.candidate, Math.fround(term.lambda)]));
    const missing = scored.filter((task) => !memo.has(`${key}\u0000${task}`));
    if (missing.length > 0) {
      const list = missing.map((task) => setOf("validation", task));
      const evaluation = await evaluateMerge(list)({ terms: effective, label: describeTerms(effective), ...(signal ? { signal } : {}) });
      missing.forEach((task, i) => memo.set(`${key}\u0000${task}`, detail(evaluation.details, (list[i] as ImageSet).name)));
    }
    return Object.fromEntries(scored.map((task) => [task, memo.get(`${key}\u0000${task}`) as number]));
  };
  const describeTerms = (terms: readonly GreedyTerm[]) =>
    terms.reduce((text, term) => `${text} ${term.lambda < 0 ? "−" : "+"} ${Math.abs(term.lambda)}·τ(${vectors.find((v) => vectorId(v.task) === term.candidate)?.task ?? term.candidate})`, "base");
  /** Test accuracy of a model published on the Hub, read back from it. */
  const measurePublished = async function* (published: PublishedRepo, scored: readonly string[]): AsyncGenerator<ProgressEvent, Accuracies> {
    const model = yield* readModel(context, published);
    return await measure(model, scored, "test");
  };

  yield info(`Evaluating the base and the fine-tunes on the test sets (tfjs, ${backend} backend)…`);
  const scoredByBase = [control, ...tasks, roles.target];
  const baseModel: DemoModel = { ...baseRepo, test: await measure(base, scoredByBase, "test") };
  const finetunes: DemoModel[] = [];
  for (const task of demoFinetunes(tasks)) {
    if (task === distractor) continue;
    const repo = uploaded.get(finetuneName(task)) as PublishedRepo;
    // The tasks' fine-tunes are the baselines of addition; the analogy compares three others on its target.
    const scored = [...(tasks.includes(task) ? [control, ...tasks] : []), ...(([roles.b, roles.c, roles.oracle] as string[]).includes(task) ? [roles.target] : [])];
    finetunes.push({ ...repo, task, test: scored.length === 0 ? {} : yield* measurePublished(repo, scored) });
  }
  const finetuneOf = (task: string): DemoModel => finetunes.find((model) => model.task === task) as DemoModel;
  clock.lap("finetunes");

  // ---------------------------------------------------------------- addition
  const groups = additionGroups(tasks, options.everyGroupSize ?? true);
  const addition: AdditionResult[] = [];
  for (const [g, group] of groups.entries()) {
    const label = `addition ${group.join(" + ")}`;
    const curve: LambdaPoint[] = [];
    for (const [i, lambda] of grid.entries()) {
      curve.push({ lambda, validation: await measureTerms(group.map((task) => ({ candidate: vectorId(task), lambda })), group) });
      yield { type: "progress", phase: "evaluate", label: `${label} (${g + 1}/${groups.length})`, done: i + 1, total: grid.length, unit: "items" };
    }
    const best = selectLambda({ points: curve, score: (point) => mean(group.map((task) => point.validation[task] as number)) }) as LambdaPoint;
    const shown = group.length === 2 || group.length === tasks.length;
    let test: Accuracies;
    let published: AdditionResult["published"];
    if (shown) {
      const name = `add-${group.join("-")}`;
      const text = await buildDemoRecipe({
        comment: [
          `Task addition: θ = θ_base + λ Σ τ over ${group.join(", ")}.`,
          `λ = ${best.lambda} had the best mean validation accuracy of ${grid.length} values from ${grid[0]} to ${grid[grid.length - 1]} (tvhub demo).`,
        ],
        base: baseRepo.repo,
        to: repoOf(`${demoSetup.base}-${name}`),
        scale: best.lambda,
        terms: group.map((task) => ({ vector: vectorOf(task).repo, weight: 1 })),
      });
      published = yield* publishMerge(name, text);
      test = yield* measurePublished(published, group);
    } else {
      const model = inMemoryModel(group.map((task) => ({ candidate: vectorId(task), lambda: best.lambda })));
      test = await measure(model, group, "test");
    }
    const normalized = Object.fromEntries(group.map((task) => [task, (test[task] as number) / (finetuneOf(task).test[task] as number)]));
    const singles = Object.fromEntries(group.map((single) => [single, mean(group.map((task) => finetuneOf(single).test[task] as number))]));
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
    if (shown) yield info(`${label}: λ ${best.lambda}, test accuracy ${percent(result.accuracy)}, normalized ${result.normalizedAccuracy.toFixed(3)} → ${published?.repo ?? ""}`);
  }
  const byTaskCount: TaskCountResult[] = [];
  for (let count = 1; count <= tasks.length; count++) {
    const same = addition.filter((result) => result.tasks.length === count);
    if (same.length === 0) continue;
    byTaskCount.push({ count, groups: same.length, accuracy: mean(same.map((r) => r.accuracy)), normalizedAccuracy: mean(same.map((r) => r.normalizedAccuracy)) });
  }
  clock.lap("addition");

  // ---------------------------------------------------------------- negation
  const negation: NegationResult[] = [];
  const baseControl = (await measureTerms([], [control]))[control] as number;
  const negationGrid = grid.filter((lambda) => lambda > 0);
  for (const task of tasks) {
    const label = `negation −${task}`;
    const curve: NegationResult["curve"] = [];
    for (const [i, lambda] of negationGrid.entries()) {
      const validation = await measureTerms([{ candidate: vectorId(task), lambda: -lambda }], [control, task]);
      curve.push({ lambda, target: validation[task] as number, control: validation[control] as number });
      yield { type: "progress", phase: "evaluate", label, done: i + 1, total: negationGrid.length, unit: "items" };
    }
    const baseValidation = await measureTerms([], [control, task]);
    const best = selectLambda({ points: curve, score: (point) => -point.target, eligible: (point) => point.control >= validationControlFloor * baseControl });
    const baseline = { base: baseModel.test[task] as number, control: baseModel.test[control] as number };
    const result: NegationResult = {
      task,
      lambda: best?.lambda ?? 0,
      curve,
      baseValidation: { target: baseValidation[task] as number, control: baseValidation[control] as number },
      target: { base: baseline.base, negated: baseline.base },
      control: { base: baseline.control, negated: baseline.control },
    };
    if (best) {
      const name = `minus-${task}`;
      const text = await buildDemoRecipe({
        comment: [
          `Task negation: θ = θ_base − λ τ(${task}), to forget ${task} digits while keeping ${control} ones.`,
          `λ = ${best.lambda} lowered the ${task} validation accuracy most while ${control} kept ${validationControlFloor * 100}% of the base's (tvhub demo).`,
        ],
        base: baseRepo.repo,
        to: repoOf(`${demoSetup.base}-${name}`),
        terms: [{ vector: vectorOf(task).repo, weight: -best.lambda }],
      });
      result.published = yield* publishMerge(name, text);
      const test = yield* measurePublished(result.published, [task, control]);
      result.target.negated = test[task] as number;
      result.control.negated = test[control] as number;
    } else {
      yield { type: "log", level: "warn", message: `Negating ${task} costs ${control} more than ${100 - validationControlFloor * 100}% of the base's validation accuracy at every λ of the grid; nothing was negated.` };
    }
    negation.push(result);
    if (best) yield info(`${label}: λ ${best.lambda}, ${task} ${percent(result.target.base)} → ${percent(result.target.negated)}, ${control} ${percent(result.control.base)} → ${percent(result.control.negated)}`);
  }
  clock.lap("negation");

  // ---------------------------------------------------------------- analogy
  const analogyTerms = (lambda: number): GreedyTerm[] => [
    // The order a recipe's analogy expands to: +τ_C, +τ_B, −τ_A.
    { candidate: vectorId(roles.c), lambda },
    { candidate: vectorId(roles.b), lambda },
    { candidate: vectorId(roles.a), lambda: -lambda },
  ];
  const analogyCurve: AnalogyResult["curve"] = [];
  for (const [i, lambda] of grid.entries()) {
    analogyCurve.push({ lambda, validation: (await measureTerms(analogyTerms(lambda), [roles.target]))[roles.target] as number });
    yield { type: "progress", phase: "evaluate", label: `analogy → ${roles.target}`, done: i + 1, total: grid.length, unit: "items" };
  }
  const analogyBest = selectLambda({ points: analogyCurve, score: (point) => point.validation }) as AnalogyResult["curve"][number];
  const analogyName = `analogy-${roles.target}`;
  const analogyPublished = yield* publishMerge(
    analogyName,
    await buildDemoRecipe({
      comment: [
        `Task analogy: ${roles.a} is to ${roles.b} as ${roles.c} is to ${roles.target}: θ = θ_base + λ (τ_C + τ_B − τ_A).`,
        `No model was trained on ${roles.target}; λ = ${analogyBest.lambda} had the best ${roles.target} validation accuracy (tvhub demo).`,
      ],
      base: baseRepo.repo,
      to: repoOf(`${demoSetup.base}-${analogyName}`),
      terms: [{ analogy: { a: vectorOf(roles.a).repo, b: vectorOf(roles.b).repo, c: vectorOf(roles.c).repo }, weight: analogyBest.lambda } satisfies DemoRecipeTerm],
    }),
  );
  const analogyTest = (yield* measurePublished(analogyPublished, [roles.target]))[roles.target] as number;
  const analogy: AnalogyResult = {
    a: roles.a,
    b: roles.b,
    c: roles.c,
    target: roles.target,
    lambda: analogyBest.lambda,
    curve: analogyCurve,
    test: {
      analogy: analogyTest,
      base: baseModel.test[roles.target] as number,
      b: finetuneOf(roles.b).test[roles.target] as number,
      c: finetuneOf(roles.c).test[roles.target] as number,
      oracle: finetuneOf(roles.oracle).test[roles.target] as number,
    },
    oracle: roles.oracle,
    published: analogyPublished,
  };
  yield info(`analogy → ${roles.target}: λ ${analogy.lambda}, ${percent(analogy.test.analogy)} (base ${percent(analogy.test.base)}, ${roles.b} alone ${percent(analogy.test.b)})`);
  clock.lap("analogy");

  // ---------------------------------------------------------------- greedy addition
  const greedyCandidates = [tasks[0] as string, distractor, ...tasks.slice(1)];
  yield info(`greedy addition over ${greedyCandidates.join(", ")} (λ ∈ ${formatLambdaGrid(greedyGrid)})…`);
  const greedyResult = yield* runDemoGreedy({
    context,
    outDir,
    base: baseRepo.repo,
    to: repoOf(`${demoSetup.base}-greedy`),
    candidates: greedyCandidates.map((task) => ({ task, repo: vectorOf(task).repo })),
    validation: tasks.map((task) => fixtures.validation.get(task) as string),
    grid: greedyGrid,
    minGain: greedyMinGain,
    ...(signal ? { signal } : {}),
  });
  const greedyTest = greedyResult.published ? yield* measurePublished(greedyResult.published, tasks) : await measure(base, tasks, "test");
  // The first round's choice is the best single vector: greedy addition should end above it, on the test sets too.
  const first = greedyResult.rounds[0]?.steps.find((step) => step.kept);
  const singleTest = first ? await measure(inMemoryModel([{ candidate: vectorId(first.task), lambda: first.lambda }]), tasks, "test") : undefined;
  const greedyOutcome: GreedyDemoResult = {
    ...greedyResult,
    test: greedyTest,
    accuracy: mean(tasks.map((task) => greedyTest[task] as number)),
    ...(first && singleTest ? { bestSingle: { task: first.task, lambda: first.lambda, validation: first.score, test: singleTest, accuracy: mean(tasks.map((task) => singleTest[task] as number)) } } : {}),
  };
  yield info(`greedy: kept ${greedyOutcome.kept.map((k) => `${k.task} (λ ${k.lambda})`).join(", ") || "nothing"}; rejected ${greedyOutcome.rejected.join(", ") || "nothing"}`);
  clock.lap("greedy");

  // ---------------------------------------------------------------- LoRA adapters of one task vector
  const lora = yield* runDemoLora({ ranks: options.loraRanks ?? [1, 2, 4, 8, 16], task: tasks[0] as string });
  clock.lap("lora");

  // ---------------------------------------------------------------- similarity
  const similar = yield* progressOnly(similarity({ context, refs: vectors.map((vector) => `${vector.repo}@${vector.revision}`) }));
  clock.lap("similarity");

  const results: DemoResults = {
    format: "tvhub/demo",
    version: 1,
    tvhub: context.tvhubVersion,
    hubUrl: context.hub.hubUrl,
    evaluator: {
      name: "tfjs ViTForImageClassification accuracy",
      backend,
      validation: Object.fromEntries([...sets.validation].map(([task, set]) => [task, set.count])),
      test: Object.fromEntries([...sets.test].map(([task, set]) => [task, set.count])),
    },
    grid,
    control,
    tasks,
    chance: 1 / parseVitConfig({ json: base.config, subject: `${baseRepo.repo}/config.json` }).numLabels,
    base: baseModel,
    finetunes,
    vectors,
    addition,
    byTaskCount,
    negation,
    analogy,
    greedy: greedyOutcome,
    ...(lora ? { lora } : {}),
    similarity: { labels: vectors.map((vector) => vector.task), matrix: similar.matrix },
    checks: [],
    seconds: {},
    files: [],
  };
  results.checks = checkDemoDirections({ results });
  for (const picture of renderDemoPictures({ results })) {
    await writeFile(join(outDir, picture.file), picture.svg);
    results.files.push(picture.file);
  }
  results.files.push(...(await readdir(join(outDir, "recipes"))).sort().map((file) => `recipes/${file}`));
  results.seconds = { ...clock.laps(), total: clock.total() };
  await writeFile(join(outDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  return results;

  /** Runs a recipe through `tvhub merge`, keeping the recipe file next to the results. */
  async function* publishMerge(name: string, text: string): AsyncGenerator<ProgressEvent, PublishedRepo & { recipe: string }> {
    const path = join(outDir, "recipes", `${name}.yml`);
    await writeFile(path, text);
    const result = yield* progressOnly(merge({ context, recipe: { text, source: path } }));
    const published = result.published;
    if (published?.repo === undefined || published.commit === undefined) throw new InternalError(`tvhub merge ${path} published nothing.`, { code: "DEMO_NO_COMMIT" });
    return { repo: published.repo, revision: published.commit, recipe: relative(outDir, path) };
  }

  /**
   * `publish-vector --lora-rank r` of one fine-tune at each rank, then `tvhub merge` of base + the adapter (an
   * adapter is a fine-tune whose τ is its update), read back and scored on the task and the control.
   */
  async function* runDemoLora(run: { ranks: readonly number[]; task: string }): AsyncGenerator<ProgressEvent, LoraDemoResult | undefined> {
    if (run.ranks.length === 0) return undefined;
    const { task } = run;
    const finetuned = repoOf(finetuneName(task));
    const dense = vectorOf(task);
    const result: LoraDemoResult = { task, dense: { bytes: dense.bytes, test: { [task]: finetuneOf(task).test[task] as number, [control]: finetuneOf(task).test[control] as number } }, ranks: [] };
    for (const rank of run.ranks) {
      const to = `${finetuned}-lora-r${rank}`;
      const published = yield* progressOnly(publishVector({ context, finetuned, to, lora: { rank } }));
      if (published.published?.commit === undefined || published.adapter === undefined) throw new InternalError(`publish-vector --lora-rank ${rank} ${finetuned} returned no adapter.`, { code: "DEMO_NO_COMMIT" });
      const name = `lora-r${rank}-${task}`;
      const merged = yield* publishMerge(
        name,
        await buildDemoRecipe({
          comment: [`The fine-tune on ${task} as its rank-${rank} LoRA adapter reproduces it: θ = θ_base + τ_adapter (tvhub demo).`],
          base: baseRepo.repo,
          to: repoOf(`${demoSetup.base}-${name}`),
          terms: [{ finetuned: to, weight: 1 }],
        }),
      );
      const test = yield* measurePublished(merged, [task, control]);
      const bytes = published.published.files.reduce((sum, file) => sum + file.size, 0);
      result.ranks.push({ rank, error: published.adapter.overallError, bytes, adapter: { repo: to, revision: published.published.commit }, test, published: merged });
      yield info(`LoRA rank ${rank} of τ(${task}) → ${to}: ${(bytes / 1024).toFixed(0)} KB, error ${published.adapter.overallError.toFixed(3)}, ${task} ${percent(test[task] as number)} (the fine-tune: ${percent(result.dense.test[task] as number)})`);
    }
    return result;
  }

  /** base + Σ λ_i τ_i as float32 tensors, for test numbers of groups that are measured but not published. */
  function inMemoryModel(terms: readonly GreedyTerm[]): ModelTensors {
    const tensors = new Map<string, Float32Array>();
    for (const [name, values] of base.tensors) {
      const acc = Float32Array.from(values);
      for (const term of terms) {
        const tau = loaded.get(term.candidate)?.get(name);
        if (tau) context.kernels.addScaled({ acc, tau, weight: term.lambda });
      }
      tensors.set(name, acc);
    }
    return { ...base, name: describeTerms(terms), tensors };
  }
}

interface RunDemoGreedyOptions {
  context: AppContext;
  outDir: string;
  base: string;
  to: string;
  /** In the order the search is given them. */
  candidates: ReadonlyArray<{ task: string; repo: string }>;
  /** The tasks' validation sets: the search's score is their mean accuracy. */
  validation: readonly string[];
  grid: LambdaGrid;
  minGain: number;
  signal?: AbortSignal;
}

/** Writes a greedy recipe over the candidates' published vectors and runs it with `tvhub greedy`. */
async function* runDemoGreedy(options: RunDemoGreedyOptions): AsyncGenerator<ProgressEvent, Omit<GreedyDemoResult, "test" | "accuracy">> {
  const { outDir, grid } = options;
  // The tfjs evaluator scores a folder's validation/ sets: exactly the tasks the merged model should do.
  const dataDir = join(outDir, "greedy-data");
  await mkdir(join(dataDir, "validation"), { recursive: true });
  for (const path of options.validation) await copyFile(path, join(dataDir, "validation", basename(path)));
  const recipePath = join(outDir, "recipes", "greedy.yml");
  const value: RecipeInput = {
    version: 1,
    base: options.base,
    output: { to: options.to },
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
    `# Greedy addition over the task vectors of ${options.candidates.map((c) => c.task).join(", ")}, one of them a distractor,`,
    `# ${demoSetup.distractor} (upright digits labelled as the next digit). Each round tries every remaining vector at every λ`,
    "# of the grid on top of the kept ones and keeps the one that raises the mean validation accuracy most, if by more",
    "# than min_gain; the distractor should never be kept. tvhub greedy runs this file again (tvhub demo wrote it).",
    stringify(value, { lineWidth: 0 }),
  ].join("\n");
  await writeFile(recipePath, text);
  // tvhub greedy passes kernels.addScaled on its own; the WebAssembly kernels need their object, so bind them.
  const context = { ...options.context, kernels: boundKernels(options.context.kernels) };
  const run = yield* greedyProgress(greedy({ context, recipe: { text, source: recipePath, dir: dirname(recipePath) }, evaluators: { tfjs: createTfjsEvaluator }, cacheFile: false, ...(options.signal ? { signal: options.signal } : {}) }));
  const taskOf = new Map(run.candidates.map((candidate) => [candidate.id, options.candidates.find((c) => c.repo === candidate.label)?.task ?? candidate.label]));
  const rounds = new Map<number, GreedyDemoResult["rounds"][number]>();
  for (const step of run.search.trajectory) {
    const round = rounds.get(step.round) ?? { round: step.round, steps: [] };
    const task = taskOf.get(step.candidateId) ?? step.candidate;
    round.steps.push({ task, lambda: step.lambda, score: step.score, gain: step.gain, kept: step.kept });
    if (step.kept) round.kept = task;
    rounds.set(step.round, round);
  }
  const kept = run.search.terms.map((term) => ({ task: taskOf.get(term.candidate) ?? term.candidate, lambda: term.lambda }));
  const published = run.merge?.published;
  return {
    candidates: options.candidates.map((candidate) => candidate.task),
    distractor: demoSetup.distractor,
    grid: lambdaGridValues({ grid }),
    minGain: options.minGain,
    rounds: [...rounds.values()],
    kept,
    rejected: options.candidates.map((candidate) => candidate.task).filter((task) => !kept.some((k) => k.task === task)),
    validation: { base: run.search.baseline.score, final: run.search.final.score },
    evaluations: run.search.evaluated,
    ...(published?.repo === undefined || published.commit === undefined ? {} : { published: { repo: published.repo, revision: published.commit, recipe: relative(outDir, recipePath) } }),
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

/** The same kernels, each method callable on its own. */
function boundKernels(kernels: ArithmeticKernels): ArithmeticKernels {
  return {
    implementation: kernels.implementation,
    decodeToF32: (o) => kernels.decodeToF32(o),
    encodeFromF32: (o) => kernels.encodeFromF32(o),
    subtract: (o) => kernels.subtract(o),
    addScaled: (o) => kernels.addScaled(o),
    addScaledDifference: (o) => kernels.addScaledDifference(o),
    computeTaskVector: (o) => kernels.computeTaskVector(o),
    mergeChunk: (o) => kernels.mergeChunk(o),
    sumOfSquares: (o) => kernels.sumOfSquares(o),
    dotProduct: (o) => kernels.dotProduct(o),
    reconstructionError: (o) => kernels.reconstructionError(o),
    countInexactF32: (o) => kernels.countInexactF32(o),
    loraDeltaRows: (o) => kernels.loraDeltaRows(o),
  };
}

/** Every group of tasks whose sum the demo measures: pairs and all tasks (the table), or every size (the picture). */
function additionGroups(tasks: readonly string[], everySize: boolean): string[][] {
  const groups: string[][] = [];
  const n = tasks.length;
  for (let mask = 1; mask < 1 << n; mask++) {
    const group = tasks.filter((_, i) => (mask & (1 << i)) !== 0);
    if (everySize || group.length === 2 || group.length === n) groups.push(group);
  }
  return groups.sort((a, b) => a.length - b.length || tasks.indexOf(a[0] as string) - tasks.indexOf(b[0] as string) || tasks.indexOf(a[1] as string) - tasks.indexOf(b[1] as string));
}

/** A model repo at a commit, read from the Hub into float32 with its config and image processor. */
async function* readModel(context: AppContext, published: PublishedRepo): AsyncGenerator<ProgressEvent, ModelTensors> {
  const input = await openHubInput(context, published);
  try {
    const loaded = yield* progressOnly(loadTensorsInMemory({ base: await input.openForExecute({ cache: context.cache }), start: [], candidates: new Map(), kernels: context.kernels }));
    const processor = await input.readFile("preprocessor_config.json");
    return {
      name: `${published.repo}@${published.revision.slice(0, 10)}`,
      tensors: loaded.start,
      config: input.resolved.config ?? {},
      ...(processor ? { preprocessorConfig: JSON.parse(new TextDecoder().decode(processor)) as unknown } : {}),
    };
  } finally {
    await input.close();
  }
}

/** Every published vector's τ in float32, by its pinned reference. */
async function* readVectors(context: AppContext, base: PublishedRepo, vectors: readonly DemoVector[]): AsyncGenerator<ProgressEvent, Map<string, Map<string, Float32Array>>> {
  const inputs: OpenedInput[] = [];
  try {
    const baseInput = await openHubInput(context, base);
    inputs.push(baseInput);
    const candidates = new Map<string, { kind: "vector"; model: Awaited<ReturnType<OpenedInput["openForExecute"]>> }>();
    for (const vector of vectors) {
      const input = await openHubInput(context, vector);
      inputs.push(input);
      candidates.set(`${vector.repo}@${vector.revision}`, { kind: "vector", model: await input.openForExecute({ cache: context.cache }) });
    }
    const loaded = yield* progressOnly(loadTensorsInMemory({ base: await baseInput.openForExecute({ cache: context.cache }), start: [], candidates, kernels: context.kernels }));
    return loaded.vectors;
  } finally {
    await Promise.allSettled(inputs.map((input) => input.close()));
  }
}

function openHubInput(context: AppContext, published: PublishedRepo): Promise<OpenedInput> {
  const text = `${published.repo}@${published.revision}`;
  return openInput({ ref: { kind: "hub", repo: published.repo, revision: published.revision }, text, hub: context.hub });
}

/**
 * Forwards a sub-command's progress bars and warnings; its info lines ("Checking … (headers only)") would bury the
 * demo's own one line per step.
 */
async function* progressOnly<T>(run: AsyncGenerator<ProgressEvent, T>): AsyncGenerator<ProgressEvent, T> {
  for (;;) {
    const step = await run.next();
    if (step.done) return step.value;
    if (step.value.type === "progress" || step.value.level === "warn") yield step.value;
  }
}

function detail(details: Record<string, number> | undefined, name: string): number {
  const value = details?.[name];
  if (value === undefined) throw new InternalError(`The evaluator reported no accuracy for ${name}.`, { code: "DEMO_NO_DETAIL", subject: name });
  return value;
}

function info(message: string): ProgressEvent {
  return { type: "log", level: "info", message };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** Wall-clock seconds per stage. */
function createClock(): { lap(name: string): void; laps(): Record<string, number>; total(): number } {
  const started = performance.now();
  let last = started;
  const laps: Record<string, number> = {};
  const seconds = (ms: number) => Math.round(ms / 100) / 10;
  return {
    lap(name) {
      const now = performance.now();
      laps[name] = seconds(now - last);
      last = now;
    },
    laps: () => ({ ...laps }),
    total: () => seconds(performance.now() - started),
  };
}
