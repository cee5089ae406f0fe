import { writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { InternalError } from "../../errors.js";
import { createTfjsEvaluator } from "../../eval/create-tfjs-evaluator.js";
import type { Evaluator } from "../../eval/evaluator.js";
import { loadTf, type TfBackend } from "../../eval/load-tf.js";
import { readImageSet, type ImageSet } from "../../eval/read-image-set.js";
import type { ProgressEvent } from "../../util/progress.js";
import type { AppContext } from "../app-context.js";
import { createInMemoryEvaluate } from "../greedy/create-in-memory-evaluate.js";
import type { GreedyTerm } from "../greedy/greedy-types.js";
import { merge } from "../merge.js";
import { info, progressOnly } from "./demo-events.js";
import { demoSetup } from "./demo-setup.js";
import type { Accuracies, DemoVector, PublishedRepo } from "./demo-types.js";
import type { DemoFixtures } from "./find-demo-fixtures.js";
import { publishDemoVectors } from "./publish-demo-vectors.js";
import { readDemoModel, readDemoVectors, type ModelTensors } from "./read-demo-model.js";
import { uploadDemoModels } from "./upload-demo-models.js";

export type DemoSplit = "validation" | "test";

/** A repo `tvhub merge` published for the demo, and the recipe it ran (relative to the output folder). */
export type PublishedMerge = PublishedRepo & { recipe: string };

/** What every stage of the demo shares: the published repos, the evaluation sets and the ways to score a model. */
export interface DemoSession {
  context: AppContext;
  outDir: string;
  signal?: AbortSignal;
  tasks: readonly string[];
  /** The tfjs backend the evaluator runs on. */
  backend: string;
  /** `vit-tiny-digits` → `demo/vit-tiny-digits`. */
  repoOf: (name: string) => string;
  /** Every uploaded model at its commit, by model name. */
  uploaded: ReadonlyMap<string, PublishedRepo>;
  baseRepo: PublishedRepo;
  /** The base, read back from the Hub. */
  base: ModelTensors;
  vectors: readonly DemoVector[];
  vectorOf: (task: string) => DemoVector;
  /** A vector's pinned reference (`repo@revision`), the candidate id of in-memory terms. */
  vectorId: (task: string) => string;
  sets: Record<DemoSplit, ReadonlyMap<string, ImageSet>>;
  /** Accuracy of a model on the given tasks' sets of one split. */
  measure: (model: ModelTensors, scored: readonly string[], split: DemoSplit) => Promise<Accuracies>;
  /** Validation accuracy of base + Σ λ_i τ_i (built in memory with the merge's float32 order), memoized. */
  measureTerms: (terms: readonly GreedyTerm[], scored: readonly string[]) => Promise<Accuracies>;
  /** Test accuracy of a model published on the Hub, read back from it. */
  measurePublished: (published: PublishedRepo, scored: readonly string[]) => AsyncGenerator<ProgressEvent, Accuracies>;
  /** base + Σ λ_i τ_i as float32 tensors, for test numbers of groups that are measured but not published. */
  inMemoryModel: (terms: readonly GreedyTerm[]) => ModelTensors;
  /** Runs a recipe through `tvhub merge`, keeping the recipe file in `outDir/recipes/`. */
  publishMerge: (name: string, text: string) => AsyncGenerator<ProgressEvent, PublishedMerge>;
}

export interface OpenDemoSessionOptions {
  context: AppContext;
  fixtures: DemoFixtures;
  outDir: string;
  tasks: readonly string[];
  backend: TfBackend | "auto";
  signal?: AbortSignal;
  /** Called after each step, with its name (the clock of results.json's `seconds`). */
  lap: (stage: string) => void;
}

/**
 * Uploads the committed models, publishes every fine-tune's task vector with `publish-vector`, reads the base and
 * the vectors back from the Hub and opens the evaluation sets: everything the experiments then share.
 */
export async function* openDemoSession(options: OpenDemoSessionOptions): AsyncGenerator<ProgressEvent, DemoSession> {
  const { context, fixtures, outDir, tasks, signal } = options;
  const repoOf = (name: string) => `${demoSetup.namespace}/${name}`;
  yield info(`Uploading ${fixtures.models.size} models to ${context.hub.hubUrl} as ${demoSetup.namespace}/…`);
  const uploaded = yield* uploadDemoModels({ context, models: fixtures.models, repoOf });
  options.lap("upload");
  const vectors = yield* publishDemoVectors({ context, tasks, repoOf });
  options.lap("publishVectors");
  const vectorOf = (task: string): DemoVector => {
    const found = vectors.find((vector) => vector.task === task);
    if (!found) throw new InternalError(`The demo has no task vector for ${task}.`, { code: "DEMO_NO_VECTOR" });
    return found;
  };
  const vectorId = (task: string) => `${vectorOf(task).repo}@${vectorOf(task).revision}`;

  const { backend } = await loadTf({ backend: options.backend });
  const sets = { validation: new Map<string, ImageSet>(), test: new Map<string, ImageSet>() };
  for (const split of ["validation", "test"] as const) {
    for (const [task, path] of fixtures[split]) sets[split].set(task, await readImageSet({ path }));
  }
  const setOf = (split: DemoSplit, task: string): ImageSet => {
    const set = sets[split].get(task);
    if (!set) throw new InternalError(`The demo has no ${split} set for ${task}.`, { code: "DEMO_NO_SET" });
    return set;
  };
  const evaluators = new Map<string, Evaluator>();
  const evaluatorFor = (list: readonly ImageSet[]): Evaluator => {
    const key = list.map((set) => set.name).join("\u0000");
    let evaluator = evaluators.get(key);
    if (!evaluator)
      evaluators.set(key, (evaluator = createTfjsEvaluator({ datasets: list, backend: options.backend })));
    return evaluator;
  };
  const measure = async (model: ModelTensors, scored: readonly string[], split: DemoSplit): Promise<Accuracies> => {
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
  const base = yield* readDemoModel({ context, published: baseRepo });
  const loaded = yield* readDemoVectors({ context, base: baseRepo, vectors });
  const evaluateMerge = (list: readonly ImageSet[]) =>
    createInMemoryEvaluate({
      evaluator: evaluatorFor(list),
      start: {
        tensors: base.tensors,
        config: base.config,
        ...(base.preprocessorConfig === undefined ? {} : { preprocessorConfig: base.preprocessorConfig }),
      },
      vectors: loaded,
      // Called as a method: the WebAssembly kernels keep their memory on the object.
      addScaled: (step) => context.kernels.addScaled(step),
    });
  const taskOf = (candidate: string) => vectors.find((v) => vectorId(v.task) === candidate)?.task ?? candidate;
  const describeTerms = (terms: readonly GreedyTerm[]) =>
    terms.reduce(
      (text, term) => `${text} ${term.lambda < 0 ? "−" : "+"} ${Math.abs(term.lambda)}·τ(${taskOf(term.candidate)})`,
      "base",
    );
  // A λ of 0 adds nothing (fround(acc + fround(0·τ)) = acc), so such terms are dropped from the key and the model.
  const memo = new Map<string, number>();
  const measureTerms = async (terms: readonly GreedyTerm[], scored: readonly string[]): Promise<Accuracies> => {
    const effective = terms.filter((term) => term.lambda !== 0);
    const key = JSON.stringify(effective.map((term) => [term.candidate, Math.fround(term.lambda)]));
    const missing = scored.filter((task) => !memo.has(`${key}\u0000${task}`));
    if (missing.length > 0) {
      const list = missing.map((task) => setOf("validation", task));
      const evaluation = await evaluateMerge(list)({
        terms: effective,
        label: describeTerms(effective),
        ...(signal ? { signal } : {}),
      });
      missing.forEach((task, i) =>
        memo.set(`${key}\u0000${task}`, detail(evaluation.details, (list[i] as ImageSet).name)),
      );
    }
    return Object.fromEntries(scored.map((task) => [task, memo.get(`${key}\u0000${task}`) as number]));
  };
  const measurePublished = async function* (
    published: PublishedRepo,
    scored: readonly string[],
  ): AsyncGenerator<ProgressEvent, Accuracies> {
    const model = yield* readDemoModel({ context, published });
    return await measure(model, scored, "test");
  };
  const inMemoryModel = (terms: readonly GreedyTerm[]): ModelTensors => {
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
  };
  const publishMerge = async function* (name: string, text: string): AsyncGenerator<ProgressEvent, PublishedMerge> {
    const path = join(outDir, "recipes", `${name}.yml`);
    await writeFile(path, text);
    const result = yield* progressOnly(merge({ context, recipe: { text, source: path } }));
    const published = result.published;
    if (published?.repo === undefined || published.commit === undefined)
      throw new InternalError(`tvhub merge ${path} published nothing.`, { code: "DEMO_NO_COMMIT" });
    return { repo: published.repo, revision: published.commit, recipe: relative(outDir, path) };
  };
  return {
    context,
    outDir,
    ...(signal ? { signal } : {}),
    tasks,
    backend,
    repoOf,
    uploaded,
    baseRepo,
    base,
    vectors,
    vectorOf,
    vectorId,
    sets,
    measure,
    measureTerms,
    measurePublished,
    inMemoryModel,
    publishMerge,
  };
}

function detail(details: Record<string, number> | undefined, name: string): number {
  const value = details?.[name];
  if (value === undefined)
    throw new InternalError(`The evaluator reported no accuracy for ${name}.`, {
      code: "DEMO_NO_DETAIL",
      subject: name,
    });
  return value;
}
