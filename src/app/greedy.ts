import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join, resolve as resolvePath } from "node:path";
import { DataError, UsageError } from "../errors.js";
import { formatLambdaGrid, type LambdaGrid } from "../plan/lambda-grid.js";
import { buildPlan } from "../plan/build-plan.js";
import type { CompatibilityReport } from "../plan/check-compatibility.js";
import { expandTerms, type ExpandedTerm } from "../plan/expand-terms.js";
import { loadRecipe, type LoadedRecipe } from "../plan/load-recipe.js";
import { parseRecipe } from "../plan/parse-recipe.js";
import type { GreedySpec, Recipe, RecipeInput } from "../plan/recipe.js";
import type { InputKind } from "../plan/types.js";
import type { SafetensorsModel } from "../safetensors/types.js";
import type { ComputableDtype } from "../tensor/dtype.js";
import { isComputable } from "../tensor/dtype.js";
import { elementCount } from "../tensor/shape.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { checkFreeSpace } from "../engine/check-free-space.js";
import { checkInputs, type CheckedInputs } from "./check-inputs.js";
import { buildGreedyRecord, type GreedyRecord } from "./greedy/build-greedy-record.js";
import { createDirectoryEvaluate } from "./greedy/create-directory-evaluate.js";
import {
  createGreedyEvaluator,
  type EvaluatorFactories,
  type GreedyEvaluator,
} from "./greedy/create-greedy-evaluator.js";
import { createInMemoryEvaluate } from "./greedy/create-in-memory-evaluate.js";
import { createPlanMaterializer, type PlanMaterializer } from "./greedy/create-plan-materializer.js";
import { detectInputKind } from "./greedy/detect-input-kind.js";
import type { EvaluateTerms, GreedyResult } from "./greedy/greedy-types.js";
import { loadTensorsInMemory, type InMemoryTerm } from "./greedy/load-tensors-in-memory.js";
import { adapterMappingOf } from "./read-adapter-tau.js";
import {
  openCandidates,
  type CandidateSpec,
  type OpenedCandidate,
  type OpenedCandidates,
} from "./greedy/open-candidates.js";
import { openEvaluationCache } from "./greedy/open-evaluation-cache.js";
import { runGreedy } from "./greedy/run-greedy.js";
import type { SkippedCandidate } from "./greedy/screen-candidates.js";
import { IncompatibleError } from "./incompatible-error.js";
import { inputAtTarget } from "./input-at-target.js";
import { gatherSideFiles, merge, type MergeResult } from "./merge.js";
import { overrideOutput } from "./override-output.js";
import { openInput, type OpenedInput } from "./open-input.js";
import { checkPullRequestTarget } from "../engine/check-pull-request-target.js";
import { resolveRef } from "./resolve-ref.js";
import type { ModelRef } from "../hub/index.js";
import { pickDefined } from "../util/pick-defined.js";

/** `tvhub greedy` without a recipe: the flags of the short form. */
export interface GreedyShortForm {
  base: string;
  /**
   * The model the search starts from (the fine-tuned target, or a published vector added at weight 1); absent: the
   * base.
   */
  start?: string;
  /** Named candidates (fine-tunes or published vectors, told apart by their files); or `search`. */
  candidates: string[];
  /** Search the Hub for task vectors of the base instead of naming candidates. */
  search?: { limit?: number };
  evaluator: {
    /** A shell command with `{model}`; its last stdout line is the score. */
    command: string;
    /** The key of the score in the JSON object the command prints. */
    metric?: string;
    direction?: "maximize" | "minimize";
    timeoutSeconds?: number;
  };
  /** @default 0:1:0.05 */
  grid?: LambdaGrid;
  maxRounds?: number;
  minGain?: number;
  to: string;
  private?: boolean;
  dtype?: ComputableDtype;
}

export interface GreedyOptions {
  context: AppContext;
  /**
   * A recipe with a greedy section (its YAML as read and its path, or one already validated), or the short form's
   * flags, which become such a recipe.
   */
  recipe: { text: string; source: string; dir?: string } | LoadedRecipe | { shortForm: GreedyShortForm };
  /** Overrides the recipe's `output.to`. */
  to?: string;
  /** Overrides the recipe's `output.private`. */
  private?: boolean;
  /** Accept inputs and candidates whose card names another base (never shape mismatches). */
  force?: boolean;
  /** Run the search, then check and plan the final merge without writing it. */
  dryRun?: boolean;
  /** The command line, for the card. */
  command?: string;
  /**
   * The evaluation cache: a JSON Lines file (created when missing), or false to keep scores in memory only.
   * @default a file per search scope under `cacheDir`
   */
  cacheFile?: string | false;
  /** Where per-scope cache files go when `cacheFile` is not given. @default `<workDir>/tvhub-greedy` */
  cacheDir?: string;
  /** Evaluations run at once (commands and endpoints; an in-memory evaluator runs one at a time). @default 1 */
  concurrency?: number;
  /**
   * Bytes of float32 an in-memory search may hold (the start and every candidate's τ); a larger one writes each
   * candidate to a folder instead. @default 4 GiB
   */
  memoryBudget?: number;
  /** Leave candidate folders on disk (to debug a scorer). @default false */
  keepCandidates?: boolean;
  /** The tfjs and endpoint evaluators, which load large libraries; without them only command evaluators run. */
  evaluators?: EvaluatorFactories;
  /** Sent to an endpoint evaluator. */
  endpointToken?: string;
  /** A command evaluator's output, line by line (for --verbose). */
  onEvaluatorOutput?: (output: { stream: "stdout" | "stderr"; line: string }) => void;
  signal?: AbortSignal;
  /** Publish the final merge as a new Hub pull request on the default branch, for review. */
  createPr?: boolean;
}

/** A candidate the search tried. */
export interface TriedCandidate {
  id: string;
  label: string;
  kind: InputKind;
  /** The pinned reference the published recipe names it by. */
  ref: string;
}

export interface GreedyRunResult {
  /** The greedy recipe as run (`--to`, `--private` applied). */
  recipe: Recipe;
  source: string;
  /** The check of the base and the start model's inputs. */
  report: CompatibilityReport;
  candidates: TriedCandidate[];
  skipped: SkippedCandidate[];
  search: GreedyResult;
  /** tvhub.json's `greedy` field. */
  record: GreedyRecord;
  /** What the score is. */
  metric: string;
  /** The evaluator's name. */
  evaluator: string;
  /** Candidates were built in memory (tfjs), not written to folders. */
  inMemory: boolean;
  /** Where scores were cached; null when they were kept in memory. */
  cacheFile: string | null;
  /** The merge of the start and the kept candidates; absent when no candidate was kept (nothing is published). */
  merge?: MergeResult;
}

const defaultMemoryBudget = 4 * 1024 ** 3;
/** What messages call the recipe the short form's flags make. */
const shortFormSource = "tvhub greedy";

/**
 * `tvhub greedy`: greedy addition of task vectors (Ilharco et al. 2023, section 6.1). Checks the base and the start
 * model from headers, gathers the candidates (named, or a Hub search screened on cards before any file is read),
 * scores the start plus each candidate at each λ of the grid, keeps the best candidate of each round while it raises
 * the validation score by more than the minimum gain, and publishes the start plus the kept candidates like
 * `tvhub merge`, with every round's scores and decisions in the card and tvhub.json. Scores are cached by (search
 * scope, candidate terms), so a rerun after an interruption evaluates only what is missing.
 */
export async function* greedy(options: GreedyOptions): AsyncGenerator<ProgressEvent, GreedyRunResult> {
  const { context } = options;
  const resolved = yield* resolveGreedy(options);
  const { recipe, startTerms, where } = resolved;
  const unique = new Map<string, { text: string; kind: InputKind; label: string }>();
  for (const term of startTerms)
    unique.set(`${term.kind}\u0000${term.ref}`, {
      text: term.ref,
      kind: term.kind,
      label: where(`${term.origin}.${term.kind}`, "--start"),
    });
  yield {
    type: "log",
    level: "info",
    message:
      "Checking " +
      `${recipe.base}${
        unique.size > 0 ? ` and the start model's ${unique.size} ` + `input${unique.size === 1 ? "" : "s"}` : ""
      } ` +
      "(headers only)…",
  };
  const checked = await checkInputs({
    context,
    base: recipe.base,
    baseLabel: where("base", "--base"),
    inputs: [...unique.values()],
    vocab: "refuse",
    ...(options.force === undefined ? {} : { force: options.force }),
  });
  const held: HeldResources = { extraWeights: [] };
  try {
    const { report } = checked;
    for (const finding of report.findings)
      if (finding.severity === "warning") yield { type: "log", level: "warn", message: finding.message };
    if (!report.ok) throw new IncompatibleError(report);
    const startInputs = new Map<string, OpenedInput>();
    [...unique.keys()].forEach((key, i) => startInputs.set(key, checked.inputs[i] as OpenedInput));
    const start: StartModel = {
      terms: startTerms,
      inputOf: (term) => startInputs.get(`${term.kind}\u0000${term.ref}`) as OpenedInput,
    };
    const candidates = yield* gatherCandidates({ options, resolved, checked, start });
    held.candidates = candidates;
    options.signal?.throwIfAborted();
    const evaluation = yield* prepareEvaluation({ options, resolved, checked, start, candidates, held });
    const found = yield* searchCandidates({ options, resolved, checked, candidates, evaluation });
    options.signal?.throwIfAborted();
    if (found.search.terms.length === 0) {
      yield {
        type: "log",
        level: "warn",
        message:
          `No candidate raised the validation score above the start's ${found.search.baseline.score}; ` +
          "nothing was published.",
      };
      return found;
    }
    return { ...found, merge: yield* publishChoice({ options, resolved, checked, start, candidates, found }) };
  } finally {
    await Promise.allSettled(held.extraWeights.map((model) => model.close()));
    await held.materializer?.close();
    if (held.candidateDir !== undefined && !options.keepCandidates)
      await rm(held.candidateDir, { recursive: true, force: true });
    await held.candidates?.close();
    await checked.close();
  }
}

/** The search's recipe as it runs, its target and the names its messages use. */
interface ResolvedGreedy {
  loaded: LoadedRecipe;
  source: string;
  spec: GreedySpec;
  recipe: Recipe;
  /** What a message calls a recipe field (or, for the short form, the flag it came from). */
  where: (field: string, flag: string) => string;
  target: ModelRef;
  startTerms: StartTerm[];
  namedCandidates: CandidateSpec[];
}

type StartTerm = ExpandedTerm & { lambda: number };

/** The model every candidate is added to: the start terms, and each one's opened input. */
interface StartModel {
  terms: readonly StartTerm[];
  inputOf: (term: { kind: InputKind; ref: string }) => OpenedInput;
}

/** What the search opens beside the checked inputs, closed when it ends. */
interface HeldResources {
  /** Weights opened for the in-memory search that are not the inputs' own (Hub cache copies). */
  extraWeights: SafetensorsModel[];
  materializer?: PlanMaterializer;
  candidateDir?: string;
  candidates?: OpenedCandidates;
}

interface StageOptions {
  options: GreedyOptions;
  resolved: ResolvedGreedy;
  checked: CheckedInputs;
}

/** The resolve stage: the recipe (or the short form's), the target, and a refusal of any input that is the target. */
async function* resolveGreedy(options: GreedyOptions): AsyncGenerator<ProgressEvent, ResolvedGreedy> {
  const { context } = options;
  const loaded =
    "shortForm" in options.recipe
      ? yield* shortFormRecipe(context, options.recipe.shortForm)
      : "recipe" in options.recipe
        ? options.recipe
        : await loadRecipe(options.recipe);
  const { source } = loaded;
  const spec = loaded.recipe.greedy;
  if (spec === undefined) {
    throw new UsageError(
      `${source} has no greedy section, so there is nothing to search; run it with tvhub merge ${source}, or add ` +
        "greedy: with candidates and an evaluator.",
      {
        code: "RECIPE_NOT_GREEDY",
        subject: "greedy",
      },
    );
  }
  refuseUnsupported(loaded);
  const recipe = overrideOutput(loaded.recipe, options);
  // The short form's fields came from flags, and messages name the flag.
  const short = source === shortFormSource;
  const where = (field: string, flag: string) => (short ? flag : `${source}: ${field}`);
  const targetLabel = options.to === undefined ? where("output.to", "--to") : "--to";
  const target = resolveRef(context, recipe.output.to, targetLabel, false);
  // Before the search, not after it: a wrong target must not cost an hour of evaluations.
  checkPullRequestTarget({ createPr: options.createPr, stage: undefined, target, label: targetLabel });
  const startTerms =
    spec.start === "recipe"
      ? expandTerms({ recipe }).map((term) => ({ ...term, lambda: recipe.scale * term.weight }))
      : [];
  const namedCandidates = Array.isArray(spec.candidates)
    ? candidateSpecs(spec.candidates, (i) => where(`greedy.candidates[${i}]`, `--candidate ${i + 1}`))
    : [];
  if (target.kind === "hub") {
    const named = inputAtTarget(context, target.repo, [
      { text: recipe.base, label: where("base", "--base") },
      ...startTerms.map((t) => ({ text: t.ref, label: where(t.origin, "--start") })),
      ...namedCandidates,
    ]);
    if (named !== undefined) {
      throw new UsageError(
        `The output ${target.repo} is also an input of the search (${named.label}); publish the result to another ` +
          "repo.",
        { code: "TARGET_IS_INPUT", subject: target.repo },
      );
    }
  }
  return { loaded, source, spec, recipe, where, target, startTerms, namedCandidates };
}

/** The candidates stage: the named ones or the Hub's, screened on their cards and headers; none left is an error. */
async function* gatherCandidates(
  stage: StageOptions & { start: StartModel },
): AsyncGenerator<ProgressEvent, OpenedCandidates> {
  const { options, resolved, checked, start } = stage;
  const { spec, recipe, target } = resolved;
  const candidates = yield* openCandidates({
    context: options.context,
    base: checked.base,
    candidates: resolved.namedCandidates,
    ...(Array.isArray(spec.candidates) ? {} : { search: spec.candidates.search }),
    inStart: start.terms.flatMap((term) => {
      const input = start.inputOf(term);
      return input.resolved.repo === undefined ? [identityOf(input)] : [input.resolved.repo, identityOf(input)];
    }),
    ...(target.kind === "hub" ? { target: target.repo } : {}),
    ...(options.force === undefined ? {} : { force: options.force }),
  });
  for (const skip of candidates.skipped)
    yield { type: "log", level: "info", message: `Skipped ${skip.label}: ${skip.reason}` };
  for (const warning of candidates.warnings) yield { type: "log", level: "warn", message: warning.message };
  if (candidates.accepted.length === 0) {
    throw new DataError(
      `None of the ${candidates.accepted.length + candidates.skipped.length} ` +
        `candidate${candidates.skipped.length === 1 ? "" : "s"} can be added to ` +
        `${recipe.base}${
          candidates.skipped.length > 0
            ? " (all were skipped: " + `${candidates.skipped.map((s) => s.label).join(", ")})`
            : ""
        }; ` +
        "give candidates of this base.",
      { code: "GREEDY_NO_CANDIDATES", subject: "greedy.candidates" },
    );
  }
  return candidates;
}

/** How candidates are scored: the evaluator, where (in memory or written to folders), and the cache of scores. */
interface Evaluation {
  built: GreedyEvaluator;
  inMemory: boolean;
  evaluate: EvaluateTerms;
  startId: string;
  scope: string;
  cacheFile: string | null;
  cache: Awaited<ReturnType<typeof openEvaluationCache>>;
}

interface PrepareEvaluationOptions extends StageOptions {
  start: StartModel;
  candidates: OpenedCandidates;
  held: HeldResources;
}

/** The evaluation stage: builds the evaluator, opens the score cache, and loads the tensors or prepares the folders. */
async function* prepareEvaluation(stage: PrepareEvaluationOptions): AsyncGenerator<ProgressEvent, Evaluation> {
  const { options, resolved, checked, start, candidates } = stage;
  const { context } = options;
  const { spec, recipe, loaded, where } = resolved;
  const built = await createGreedyEvaluator({
    spec: spec.evaluator,
    source: where("greedy.evaluator", "--eval-command"),
    ...("dir" in loaded && loaded.dir !== undefined ? { dir: loaded.dir } : {}),
    ...(options.evaluators === undefined ? {} : { factories: options.evaluators }),
    ...(options.endpointToken === undefined ? {} : { endpointToken: options.endpointToken }),
    ...(options.onEvaluatorOutput === undefined ? {} : { onOutput: options.onEvaluatorOutput }),
  });
  const floatParameters = checked.base.resolved.tensors
    .filter((t) => isComputable(t.dtype))
    .reduce((sum, t) => sum + (elementCount(t.shape) ?? 0), 0);
  const inMemoryBytes = floatParameters * 4 * (2 + candidates.accepted.length);
  const inMemory = built.inMemory && inMemoryBytes <= (options.memoryBudget ?? defaultMemoryBudget);

  const startIds = start.terms.map((term) => identityOf(start.inputOf(term)));
  const startId = [
    identityOf(checked.base),
    ...start.terms.map(
      (term, i) =>
        `${term.lambda < 0 ? "-" : "+"} ${Math.abs(Math.fround(term.lambda))}·${term.kind}:${startIds[i] as string}`,
    ),
  ].join(" ");
  const scope = JSON.stringify(["tvhub/greedy", built.scope, recipe.output.dtype ?? null]);
  const cacheFile =
    options.cacheFile === false
      ? null
      : (options.cacheFile ??
        join(
          options.cacheDir ?? join(context.workDir, "tvhub-greedy"),
          `${createHash("sha256").update(`${scope}\n${startId}`).digest("hex").slice(0, 24)}.jsonl`,
        ));
  const cache = await openEvaluationCache(cacheFile === null ? {} : { path: cacheFile });
  if (cache.size > 0)
    yield {
      type: "log",
      level: "info",
      message:
        `${cache.size} evaluation${cache.size === 1 ? "" : "s"} found in the cache ${cacheFile ?? ""}; they ` +
        "are not run again.",
    };
  const evaluate = inMemory
    ? yield* inMemoryEvaluate({ ...stage, built })
    : await directoryEvaluate({ ...stage, built });
  return { built, inMemory, evaluate, startId, scope, cacheFile, cache };
}

/** Candidates built in memory (tfjs evaluators): the start and every candidate's τ are loaded once, in float32. */
async function* inMemoryEvaluate(
  stage: PrepareEvaluationOptions & { built: GreedyEvaluator },
): AsyncGenerator<ProgressEvent, EvaluateTerms> {
  const { options, resolved, checked, start, candidates, held, built } = stage;
  const { context } = options;
  const { recipe } = resolved;
  const weightsOf = async (input: OpenedInput): Promise<SafetensorsModel> => {
    const model = await input.openForExecute({ cache: context.cache });
    if (model !== input.model) held.extraWeights.push(model);
    return model;
  };
  const baseWeights = await weightsOf(checked.base);
  const termOf = async (kind: InputKind, input: OpenedInput): Promise<InMemoryTerm> => {
    const adapter = adapterMappingOf(input, checked.base);
    return { kind, model: await weightsOf(input), ...(adapter ? { adapter } : {}) };
  };
  const startWeights: Array<InMemoryTerm & { lambda: number }> = [];
  for (const term of start.terms)
    startWeights.push({ ...(await termOf(term.kind, start.inputOf(term))), lambda: term.lambda });
  const candidateWeights = new Map<string, InMemoryTerm>();
  for (const candidate of candidates.accepted)
    candidateWeights.set(candidate.id, await termOf(candidate.kind, candidate.input));
  const loadedTensors = yield* loadTensorsInMemory({
    base: baseWeights,
    start: startWeights,
    candidates: candidateWeights,
    kernels: context.kernels,
    ...(recipe.output.dtype === undefined ? {} : { dtype: recipe.output.dtype }),
  });
  return createInMemoryEvaluate({
    evaluator: built.evaluator,
    start: {
      tensors: loadedTensors.start,
      config: checked.base.resolved.config ?? {},
      ...(await preprocessorConfig(checked.base)),
    },
    vectors: loadedTensors.vectors,
    dtypes: loadedTensors.dtypes,
    addScaled: (options) => context.kernels.addScaled(options),
  });
}

/** Candidates written to folders (command and endpoint evaluators), as `tvhub merge` would write each one. */
async function directoryEvaluate(stage: PrepareEvaluationOptions & { built: GreedyEvaluator }): Promise<EvaluateTerms> {
  const { options, resolved, checked, start, candidates, held, built } = stage;
  const { context } = options;
  const startRecipe = startRecipeOf(resolved.recipe, start.terms);
  const inputs = new Map<string, OpenedInput>([[resolved.recipe.base, checked.base]]);
  for (const term of start.terms) inputs.set(term.ref, start.inputOf(term));
  for (const candidate of candidates.accepted) inputs.set(candidate.ref, candidate.input);
  const plan = buildPlan({
    operation: "merge",
    recipe: startRecipe,
    models: Object.fromEntries([...inputs].map(([ref, input]) => [ref, input.resolved])),
  });
  const sideFiles = await gatherSideFiles({ context, plan, recipe: startRecipe, checked, inputOf: () => checked.base });
  const candidateTerms = new Map(candidates.accepted.map((c) => [c.id, { kind: c.kind, ref: c.ref }]));
  held.materializer = createPlanMaterializer({
    context,
    recipe: startRecipe,
    inputs,
    candidates: candidateTerms,
    sideFiles,
  });
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  await mkdir(context.workDir, { recursive: true });
  held.candidateDir = await mkdtemp(join(context.workDir, "tvhub-greedy-"));
  await checkFreeSpace({
    dir: held.candidateDir,
    what: `${concurrency} candidate model${concurrency === 1 ? "" : "s"} at a time`,
    needed: (plan.layout.writeBytes + sideFiles.reduce((sum, file) => sum + file.bytes.byteLength, 0)) * concurrency,
    advice: "set TMPDIR to a folder on a disk with room",
  });
  return createDirectoryEvaluate({
    evaluator: built.evaluator,
    workDir: held.candidateDir,
    materialize: held.materializer.materialize,
    ...(options.keepCandidates ? { keep: true } : {}),
  });
}

interface SearchCandidatesOptions extends StageOptions {
  candidates: OpenedCandidates;
  evaluation: Evaluation;
}

/** The search stage: the rounds of greedy addition over the grid, and the record tvhub.json keeps of them. */
async function* searchCandidates(stage: SearchCandidatesOptions): AsyncGenerator<ProgressEvent, GreedyRunResult> {
  const { options, resolved, checked, candidates, evaluation } = stage;
  const { spec, recipe, source, startTerms } = resolved;
  const { built, inMemory } = evaluation;
  if (spec.evaluator.type === "endpoint") {
    yield {
      type: "log",
      level: "warn",
      message:
        `${built.evaluator.name} scores whatever the endpoint serves; unless it serves each candidate folder ` +
        "in turn, every candidate gets the same score and none is kept.",
    };
  }
  const gridText = formatLambdaGrid(spec.grid);
  yield {
    type: "log",
    level: "info",
    message:
      `Searching ${candidates.accepted.length} candidate${candidates.accepted.length === 1 ? "" : "s"} over ` +
      `λ ∈ ${gridText} with ${built.evaluator.name}${inMemory ? " (in memory)" : ""}…`,
  };
  const labels = new Map(candidates.accepted.map((c) => [c.id, c.label]));
  const search = yield* forwardGreedy(
    runGreedy({
      start: { id: evaluation.startId, label: startTerms.length === 0 ? "base" : "start" },
      scope: evaluation.scope,
      candidates: candidates.accepted.map((c) => ({ id: c.id, label: c.label })),
      grid: spec.grid,
      ...(spec.max_rounds === undefined ? {} : { maxRounds: spec.max_rounds }),
      minGain: spec.min_gain,
      evaluate: evaluation.evaluate,
      cache: evaluation.cache,
      concurrency: inMemory ? 1 : Math.max(1, Math.floor(options.concurrency ?? 1)),
      ...(options.signal ? { signal: options.signal } : {}),
    }),
    labels,
  );
  const record = buildGreedyRecord({
    result: search,
    skipped: candidates.skipped,
    evaluator: built.evaluator.name,
    grid: spec.grid,
    minGain: spec.min_gain,
    ...(spec.max_rounds === undefined ? {} : { maxRounds: spec.max_rounds }),
    start: describeStart(recipe, startTerms),
  });
  return {
    recipe,
    source,
    report: checked.report,
    candidates: candidates.accepted.map(({ id, label, kind, ref }) => ({ id, label, kind, ref })),
    skipped: candidates.skipped,
    search,
    record,
    metric: built.metric,
    evaluator: built.evaluator.name,
    inMemory,
    cacheFile: evaluation.cacheFile,
  };
}

interface PublishChoiceOptions extends StageOptions {
  start: StartModel;
  candidates: OpenedCandidates;
  found: GreedyRunResult;
}

/**
 * The publish stage: the start plus the kept candidates, merged and published like `tvhub merge`, scores in the card.
 */
async function* publishChoice(stage: PublishChoiceOptions): AsyncGenerator<ProgressEvent, MergeResult> {
  const { options, resolved, checked, start, candidates, found } = stage;
  const { search, record } = found;
  const byId = new Map(candidates.accepted.map((c) => [c.id, c]));
  const final = await finalRecipe({
    recipe: resolved.recipe,
    loaded: resolved.loaded,
    startTerms: start.terms,
    startInputs: start.terms.map(start.inputOf),
    base: checked.base,
    kept: search.terms.map((t) => ({ candidate: byId.get(t.candidate) as OpenedCandidate, lambda: t.lambda })),
  });
  return yield* merge({
    context: options.context,
    recipe: final,
    ...pickDefined(options, ["force", "dryRun", "command"]),
    ...(options.createPr === true && { createPr: true }),
    search: {
      validation: { metric: found.metric, baseline: search.baseline.score, score: search.final.score },
      trajectory: search.trajectory,
      skipped: candidates.skipped.map((skip) => ({ candidate: skip.label, reason: skip.reason })),
      record: { ...record, recipe: resolved.loaded.text, source: resolved.source },
    },
  });
}

/** Greedy events become progress and a log line per round; the search's result is returned. */
async function* forwardGreedy(
  run: ReturnType<typeof runGreedy>,
  labels: ReadonlyMap<string, string>,
): AsyncGenerator<ProgressEvent, GreedyResult> {
  for (;;) {
    const step = await run.next();
    if (step.done) return step.value;
    const event = step.value;
    if (event.type === "progress" || event.type === "log") yield event;
    else if (event.type === "greedy-baseline")
      yield { type: "log", level: "info", message: `Start model: ${event.score}${event.cached ? " (cached)" : ""}` };
    else if (event.type === "greedy-round") {
      const kept = event.kept;
      yield {
        type: "log",
        level: "info",
        message: kept
          ? `Round ${event.round}: kept ${labels.get(kept.candidate) ?? kept.candidate} at λ ${kept.lambda}, score ` +
            `${event.score}`
          : `Round ${event.round}: no candidate raised the score above ${event.score}; stopping.`,
      };
    }
  }
}

function refuseUnsupported(loaded: LoadedRecipe): void {
  const { recipe, source } = loaded;
  if (recipe.method !== "task_arithmetic") {
    throw new UsageError(
      `${source}: greedy addition adds task vectors one at a time with task_arithmetic, so method ${recipe.method} ` +
        "does not apply; set method: task_arithmetic.",
      {
        code: "GREEDY_METHOD",
        subject: "method",
      },
    );
  }
  if (recipe.overrides.length > 0) {
    throw new UsageError(
      `${source}: overrides do not apply to a greedy search; remove them, then merge the published result with ` +
        "overrides if you need them.",
      {
        code: "GREEDY_OVERRIDES",
        subject: "overrides",
      },
    );
  }
  if (recipe.vocab !== "refuse") {
    throw new UsageError(
      `${source}: a greedy search needs every candidate to share the base's vocabulary; remove vocab: ${recipe.vocab}.`,
      { code: "GREEDY_VOCAB", subject: "vocab" },
    );
  }
}

function candidateSpecs(
  list: Extract<GreedySpec["candidates"], unknown[]>,
  labelOf: (index: number) => string,
): CandidateSpec[] {
  return list.map((entry, i) => {
    const label = labelOf(i);
    if (typeof entry === "string") return { text: entry, label };
    return "vector" in entry
      ? { text: entry.vector, kind: "vector" as const, label }
      : { text: entry.finetuned, kind: "finetuned" as const, label };
  });
}

/** An input's identity in the evaluation cache: `org/name@<sha>`, or the folder's absolute path. */
function identityOf(input: OpenedInput): string {
  const { resolved } = input;
  return resolved.repo === undefined ? resolvePath(resolved.ref) : `${resolved.repo}@${resolved.revision ?? ""}`;
}

/** The reference a published recipe names an input by: pinned to the commit the search read. */
function pinnedRef(input: OpenedInput): string {
  const { resolved } = input;
  return resolved.repo === undefined ? resolved.ref : `${resolved.repo}@${resolved.revision ?? ""}`;
}

/** The recipe of the start model alone (base and start terms, scale applied), which every candidate extends. */
function startRecipeOf(recipe: Recipe, startTerms: readonly StartTerm[]): Recipe {
  const { greedy: _greedy, ...rest } = recipe;
  return {
    ...rest,
    scale: 1,
    vectors: startTerms.map((term) =>
      term.kind === "vector" ? { vector: term.ref, weight: term.lambda } : { finetuned: term.ref, weight: term.lambda },
    ),
  };
}

function describeStart(recipe: Recipe, startTerms: readonly StartTerm[]): string {
  return [
    recipe.base,
    ...startTerms.map((term) => `${term.lambda < 0 ? "−" : "+"} ${Math.abs(term.lambda)}·τ(${term.ref})`),
  ].join(" ");
}

interface FinalRecipeOptions {
  recipe: Recipe;
  loaded: LoadedRecipe;
  startTerms: ReadonlyArray<ExpandedTerm & { lambda: number }>;
  startInputs: readonly OpenedInput[];
  base: OpenedInput;
  kept: ReadonlyArray<{ candidate: OpenedCandidate; lambda: number }>;
}

/**
 * The merge the search chose, as a recipe `tvhub merge` runs again: the base, the start terms and the kept
 * candidates with their λ, every Hub input pinned to the commit that was scored.
 */
async function finalRecipe(options: FinalRecipeOptions): Promise<LoadedRecipe> {
  const { recipe, loaded } = options;
  const value: RecipeInput = {
    version: 1,
    base: pinnedRef(options.base),
    output: {
      to: recipe.output.to,
      ...(recipe.output.private ? { private: true } : {}),
      ...(recipe.output.dtype === undefined ? {} : { dtype: recipe.output.dtype.toLowerCase() }),
      ...(recipe.output.max_shard_size === 5_000_000_000 ? {} : { max_shard_size: recipe.output.max_shard_size }),
    },
    method: "task_arithmetic",
    vectors: [
      ...options.startTerms.map((term, i) =>
        termValue(term.kind, pinnedRef(options.startInputs[i] as OpenedInput), term.lambda),
      ),
      ...options.kept.map(({ candidate, lambda }) => termValue(candidate.kind, candidate.ref, lambda)),
    ],
  };
  const source = `${loaded.source} (the merge the search chose)`;
  const from = loaded.source === shortFormSource ? "" : ` from ${loaded.source}`;
  const { stringify } = await import("yaml");
  const text =
    `# The merge tvhub greedy chose${from}; tvhub merge runs it ` + `again.\n${stringify(value, { lineWidth: 0 })}`;
  return { recipe: await parseRecipe({ value, source }), text, source };
}

function termValue(
  kind: InputKind,
  ref: string,
  weight: number,
): { vector: string; weight: number } | { finetuned: string; weight: number } {
  return kind === "vector" ? { vector: ref, weight } : { finetuned: ref, weight };
}

/** The base's preprocessor_config.json, which image evaluators need with the tensors. */
async function preprocessorConfig(base: OpenedInput): Promise<{ preprocessorConfig?: unknown }> {
  if (!base.files.includes("preprocessor_config.json")) return {};
  const bytes = await base.readFile("preprocessor_config.json");
  if (!bytes) return {};
  try {
    return { preprocessorConfig: JSON.parse(new TextDecoder().decode(bytes)) as unknown };
  } catch {
    throw new DataError(`${base.resolved.ref}: preprocessor_config.json is not valid JSON; fix the file.`, {
      code: "INPUT_BAD_JSON",
      subject: "preprocessor_config.json",
    });
  }
}

/** The short form as a recipe; the start's kind (fine-tune or published vector) is read from the model. */
async function* shortFormRecipe(
  context: AppContext,
  form: GreedyShortForm,
): AsyncGenerator<ProgressEvent, LoadedRecipe> {
  if (form.candidates.length > 0 && form.search) {
    throw new UsageError("Give candidates with --candidate or search the Hub with --search-candidates, not both.", {
      code: "GREEDY_CANDIDATES_AND_SEARCH",
      subject: "--candidate",
    });
  }
  if (form.candidates.length === 0 && !form.search) {
    throw new UsageError("greedy needs candidates: --candidate REF (repeatable) or --search-candidates.", {
      code: "GREEDY_NO_CANDIDATES",
      subject: "--candidate",
    });
  }
  let startKind: InputKind = "finetuned";
  if (form.start !== undefined) {
    yield { type: "log", level: "info", message: `Reading ${form.start} (headers only)…` };
    const input = await openInput({
      ref: resolveRef(context, form.start, "--start"),
      text: form.start,
      hub: context.hub,
    });
    startKind = detectInputKind(input.resolved);
    await input.close();
  }
  const value: RecipeInput = {
    version: 1,
    base: form.base,
    output: {
      to: form.to,
      ...(form.private ? { private: true } : {}),
      ...(form.dtype === undefined ? {} : { dtype: form.dtype.toLowerCase() }),
    },
    method: "task_arithmetic",
    ...(form.start === undefined ? {} : { vectors: [termValue(startKind, form.start, 1)] }),
    greedy: {
      start: form.start === undefined ? "base" : "recipe",
      candidates: form.search
        ? { search: { kind: "vector", ...(form.search.limit === undefined ? {} : { limit: form.search.limit }) } }
        : form.candidates,
      evaluator: {
        type: "command",
        command: form.evaluator.command,
        ...(form.evaluator.metric === undefined ? {} : { metric: form.evaluator.metric }),
        ...(form.evaluator.direction === undefined ? {} : { direction: form.evaluator.direction }),
        ...(form.evaluator.timeoutSeconds === undefined ? {} : { timeout_seconds: form.evaluator.timeoutSeconds }),
      },
      ...(form.grid === undefined ? {} : { grid: form.grid }),
      ...(form.maxRounds === undefined ? {} : { max_rounds: form.maxRounds }),
      ...(form.minGain === undefined ? {} : { min_gain: form.minGain }),
    },
  };
  const source = shortFormSource;
  const recipe = await parseRecipe({ value, source });
  const { stringify } = await import("yaml");
  const text =
    "# The search tvhub greedy ran, as a recipe; tvhub greedy runs it " +
    `again.\n${stringify(value, { lineWidth: 0 })}`;
  return { recipe, text, source };
}
