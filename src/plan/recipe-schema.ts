import type { RefinementCtx } from "zod";
import { parseComputableDtype, type ComputableDtype } from "../tensor/dtype.js";
import { parseSize } from "../util/parse-size.js";
import {
  findMergeMethod,
  findParameterProblem,
  mergeMethods as arithmeticMethods,
  recipeParametersOf,
  type MergeMethodName,
  type MethodParameter,
  type NumberParameter,
} from "../arithmetic/merge-methods.js";
import { endpointTasks } from "../util/endpoint-tasks.js";
import { rememberAsync } from "../util/remember-async.js";
import { defaultLambdaGrid, findLambdaGridProblem } from "./lambda-grid.js";

/**
 * The merge methods a recipe may name: exactly the arithmetic registry's, in its order, so that a method exists in
 * recipes when (and only when) a kernel exists for it. The names are PEFT's (`magnitude_prune`, `dare_linear`, ...).
 */
export const mergeMethods = arithmeticMethods.map((method) => method.name) as [MergeMethodName, ...MergeMethodName[]];

export const vocabModes = ["refuse", "extend"] as const;

/** The zod schema of a recipe (its output type is `Recipe`, its input type `RecipeInput`). */
export type RecipeSchema = ReturnType<typeof createRecipeSchema>;

/**
 * The schema of `recipes/*.yml`, built on first use: zod is imported here, not statically, because a static import is
 * hoisted to the top of the CLI bundle and every command would load zod at start, even those that read no recipe.
 */
export const loadRecipeSchema: () => Promise<RecipeSchema> = rememberAsync(() =>
  import("zod").then(({ z }) => createRecipeSchema(z)),
);

function createRecipeSchema(z: typeof import("zod").z) {
  const modelRef = z.string().refine((text) => text.length > 0 && text.trim() === text, {
    error: "expected a model reference such as org/name, org/name@revision or ./directory",
  });

  const finiteNumber = z.number();

  const sizeText = z.union([z.string(), z.number()]).transform((value, ctx) => {
    try {
      return typeof value === "number" ? parseSize(String(value)) : parseSize(value);
    } catch {
      ctx.addIssue({
        code: "custom",
        message: `expected a size such as 5GB, 500MB or 2GiB, got ${JSON.stringify(value)}`,
        input: value,
      });
      return z.NEVER;
    }
  });

  const dtypeText = z.string().transform((value, ctx): ComputableDtype => {
    const dtype = parseComputableDtype(value);
    if (dtype === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `expected one of bf16, f16, f32 or f64, got ${JSON.stringify(value)}`,
        input: value,
      });
      return z.NEVER;
    }
    return dtype;
  });

  /**
   * Method parameters as a recipe writes them, every name the registry knows; which a method accepts is checked below.
   */
  const parametersSchema = z
    .strictObject(
      Object.fromEntries(
        registryParameters().map((entry) => [
          entry.name,
          parameterSchema(z, entry).optional().describe(entry.description),
        ]),
      ),
    )
    .describe(
      `Parameters of the merge method. ${arithmeticMethods
        .map(
          (m) =>
            `${m.name} takes ${
              recipeParametersOf(m)
                .map((p) => p.name)
                .join(", ") || "none"
            }`,
        )
        .join("; ")}.`,
    );

  /** A published task-vector repo or a fine-tuned model, without a weight (analogy parts, greedy candidates). */
  const vectorRef = z
    .strictObject({
      /** A published task-vector repo (tvhub publish-vector output). */
      vector: modelRef.describe("A published task-vector repo: org/name, org/name@revision or ./directory."),
    })
    .describe("A published task vector.");
  const finetunedRef = z
    .strictObject({
      /** A fine-tuned model; τ = θ_ft − θ_base is computed on the fly. */
      finetuned: modelRef.describe(
        "A fine-tuned model whose task vector θ_ft − θ_base is computed on the fly: org/name, org/name@revision or " +
          "./directory.",
      ),
    })
    .describe("A fine-tuned model.");
  const termRef = z.union([vectorRef, finetunedRef], {
    error: "expected { vector: <task-vector repo> } or { finetuned: <model> }",
  });

  /** λ for one term; negative = negation. */
  const weight = finiteNumber.describe(
    "λ for this term: the task vector is multiplied by scale × weight. A negative weight negates the task " +
      "(forgetting).",
  );

  /** One entry of `vectors`. */
  const termSchema = z.union(
    [
      z
        .strictObject({
          /** A published task-vector repo. */
          vector: modelRef.describe("A published task-vector repo: org/name, org/name@revision or ./directory."),
          /** λ for this term; negative = negation. */
          weight,
        })
        .describe("A published task vector with its weight."),
      z
        .strictObject({
          /** A fine-tuned model; its τ is computed against the base on the fly. */
          finetuned: modelRef.describe(
            "A fine-tuned model whose task vector θ_ft − θ_base is computed on the fly: org/name, org/name@revision " +
              "or ./directory.",
          ),
          /** λ for this term; negative = negation. */
          weight,
        })
        .describe("A fine-tuned model with its weight."),
      z
        .strictObject({
          /** "a is to b as c is to d": adds τ_c + τ_b − τ_a, in that order, each times `weight`. */
          analogy: z
            .strictObject({
              /** A: the task whose vector is subtracted. */
              a: termRef.describe("A: the task whose vector is subtracted."),
              /** B: what A becomes; its vector is added. */
              b: termRef.describe("B: what A becomes; its vector is added."),
              /** C: the task to transfer to; its vector is added. */
              c: termRef.describe("C: the task to transfer to; its vector is added."),
            })
            .describe("A task analogy, 'A is to B as C is to D': expands to +τ_C, +τ_B, −τ_A, in that order."),
          /** λ applied to all three terms. */
          weight: finiteNumber.describe("λ applied to each of the three terms (the a term gets −weight)."),
        })
        .describe("A task analogy with its weight."),
    ],
    { error: "expected an entry with one of vector, finetuned or analogy" },
  );

  const overrideSchema = z
    .strictObject({
      /** Tensor names to match, as a glob: `*` matches any run of characters (dots included), `?` one character. */
      glob: z
        .string()
        .min(1)
        .optional()
        .describe(
          "Tensor names to match, as a glob over the whole name: * matches any characters (dots included), ? " +
            "exactly one. Example: *embed_tokens*",
        ),
      /** Tensor names to match, as a JavaScript regular expression searched anywhere in the name. */
      regex: z
        .string()
        .min(1)
        .optional()
        .describe(
          "Tensor names to match, as a JavaScript regular expression searched anywhere in the name (anchor with ^ " +
            "and $). Example: ^model\\.layers\\.(0|1)\\.",
        ),
      /** `base`: the matching tensors are copied from the base unchanged. */
      keep: z.literal("base").optional().describe("keep: base copies the matching tensors from the base unchanged."),
      /** Replaces the global `scale` for matching tensors. */
      scale: finiteNumber.optional().describe("Replaces the global scale for the matching tensors."),
      /** Method parameters for the matching tensors, over the recipe's. */
      parameters: parametersSchema.optional(),
    })
    .describe("A per-tensor override. The first override whose pattern matches a tensor applies to it.");

  const searchSchema = z
    .strictObject({
      /** Substring of the repo name. */
      query: z.string().min(1).optional().describe("A substring of the repo name."),
      /** Only repos of this user or organisation. */
      author: z.string().min(1).optional().describe("Only repos of this user or organisation."),
      /** Every tag must match. */
      tags: z
        .array(z.string().min(1))
        .optional()
        .describe("Tags every candidate must carry, e.g. a dataset or language tag."),
      /** `finetuned`: models whose card names the base; `vector`: published task vectors of the base. */
      kind: z
        .enum(["finetuned", "vector"])
        .default("finetuned")
        .describe(
          "finetuned: fine-tunes whose card declares the recipe's base; vector: published task vectors of that base.",
        ),
      /** At most this many candidates. */
      limit: z.number().int().gte(1).lte(1000).default(50).describe("At most this many candidates."),
    })
    .describe("Find candidates on the Hub among models whose card declares the recipe's base.");

  const candidateSchema = z.union(
    [
      modelRef.describe(
        "A fine-tuned model or a published task vector, told apart by its files (a tvhub.json record or the " +
          "task-vector tag).",
      ),
      vectorRef,
      finetunedRef,
    ],
    {
      error: "expected a model reference, { vector: <task-vector repo> } or { finetuned: <model> }",
    },
  );

  /** Whether a higher or a lower score is better. @default "maximize" */
  const direction = z
    .enum(["maximize", "minimize"])
    .default("maximize")
    .describe("Whether a higher or a lower score is better.");

  const evaluatorSchema = z
    .discriminatedUnion("type", [
      z
        .strictObject({
          /** Which evaluator. */
          type: z.literal("command"),
          /** Run through the shell with `{model}` replaced by the merged model's directory. */
          command: z
            .string()
            .min(1)
            .describe(
              "A shell command; {model} is replaced by the directory of the candidate merged model. It prints the " +
                "score: a number on its last line, or a JSON object holding metric.",
            ),
          /** The key of the JSON object the command prints; without it, the last line is the score. */
          metric: z
            .string()
            .min(1)
            .optional()
            .describe(
              "The key of the score in the JSON object the command prints; without it, the last line of stdout is " +
                "the score.",
            ),
          direction,
          /** A run that takes longer fails. */
          timeout_seconds: z
            .number()
            .gt(0)
            .default(3600)
            .describe("Seconds before the command is stopped and the run fails."),
        })
        .describe("Score each candidate with a command of your own."),
      z
        .strictObject({
          /** Which evaluator. */
          type: z.literal("tfjs"),
          /** A dataset the built-in evaluator knows, or a path to one. */
          dataset: z
            .string()
            .min(1)
            .describe("A dataset the built-in tfjs evaluator knows (e.g. digits/rotated) or a path to one."),
          /** The split scored. @default "validation" */
          split: z
            .string()
            .min(1)
            .default("validation")
            .describe("The split to score on; keep the test split for the final report."),
          /** accuracy (maximized) or loss (minimized). @default "accuracy" */
          metric: z.enum(["accuracy", "loss"]).default("accuracy").describe("accuracy is maximized, loss minimized."),
          /** Examples per forward pass. @default 256 */
          batch_size: z.number().int().gte(1).default(256).describe("Examples per forward pass."),
          /** Score on at most this many examples. */
          max_examples: z.number().int().gte(1).optional().describe("Score on at most this many examples."),
        })
        .describe("Score each candidate in-process with TensorFlow.js."),
      z
        .strictObject({
          /** Which evaluator. */
          type: z.literal("endpoint"),
          /** An inference endpoint that serves the candidate. */
          url: z
            .url({ protocol: /^https?$/ })
            .describe("The inference endpoint that serves the candidate merged model."),
          /** A JSON Lines file of `{ "input": ..., "label": ... }`. */
          dataset: z.string().min(1).describe('A JSON Lines file of {"input": ..., "label": ...} examples.'),
          /** How an answer is scored against its label. @default "accuracy" */
          metric: z
            .enum(["accuracy", "exact_match"])
            .default("accuracy")
            .describe("How an answer is scored against its label."),
          /** Score on at most this many examples. */
          max_examples: z.number().int().gte(1).optional().describe("Score on at most this many examples."),
          /** What the endpoint serves. @default "text-classification" */
          task: z
            .enum(endpointTasks)
            .default("text-classification")
            .describe(
              "The inference task the endpoint serves: text-classification, fill-mask, question-answering, " +
                "text-generation, summarization or translation.",
            ),
          /** Task parameters sent with every request. */
          parameters: z
            .record(z.string(), z.unknown())
            .optional()
            .describe("Task parameters sent with every request, e.g. { max_new_tokens: 32 } for text-generation."),
        })
        .describe("Score each candidate through a Hugging Face inference endpoint."),
    ])
    .describe("How each candidate merge is scored on held-out validation data.");

  const gridSchema = z
    .strictObject({
      /** The first λ. @default 0 */
      start: finiteNumber.default(defaultLambdaGrid.start).describe("The first λ tried."),
      /** The last λ, included. @default 1 */
      stop: finiteNumber.default(defaultLambdaGrid.stop).describe("The last λ tried (included)."),
      /** The spacing of the λ values. @default 0.05 */
      step: finiteNumber.gt(0).default(defaultLambdaGrid.step).describe("The spacing of the λ values."),
    })
    .describe(
      "The λ values tried for each candidate: start, start + step, ..., stop (the paper's 21 values by default).",
    );

  const greedySchema = z
    .strictObject({
      /** `base`: start from the base alone; `recipe`: start from the recipe's `vectors`. */
      start: z
        .enum(["base", "recipe"])
        .default("base")
        .describe("base: start from the base model alone; recipe: start from the merge the recipe's vectors describe."),
      /** A list of models or task vectors, or a Hub search. */
      candidates: z
        .union([z.array(candidateSchema).min(1), z.strictObject({ search: searchSchema })], {
          error: "expected a list of candidates or { search: { ... } }",
        })
        .describe(
          "The models to try adding: a list (a plain reference is read as a published task vector or a fine-tune " +
            "from its files), or { search: ... } on the Hub.",
        ),
      /** How each candidate merge is scored: command, tfjs or endpoint. */
      evaluator: evaluatorSchema,
      /** The λ values tried for each candidate. @default the paper's 0.0, 0.05, ..., 1.0 */
      grid: gridSchema.default({ ...defaultLambdaGrid }),
      /** Stop after this many candidates have been added. */
      max_rounds: z
        .number()
        .int()
        .gte(1)
        .optional()
        .describe("Stop after this many candidates have been kept. Default: until no candidate helps."),
      /** A candidate is kept only when it raises the score by more than this. */
      min_gain: finiteNumber
        .gte(0)
        .default(0)
        .describe("A candidate is kept only when it raises the validation score by more than this."),
    })
    .describe("Greedy addition: try each candidate over the λ grid and keep those that raise the validation score.");

  /** The object `recipes/*.yml` holds. Field docs become `recipes/schema.json` and recipes/README.md. */
  const recipeSchema = z
    .strictObject({
      /** Recipe format version; this tvhub reads version 1. */
      version: z.literal(1).describe("The recipe format version. This tvhub reads version 1."),
      /** The base model every task vector is relative to. */
      base: modelRef.describe(
        "The base model every task vector is relative to: org/name, org/name@revision or ./directory.",
      ),
      /** Where and how the merged model is written. */
      output: z
        .strictObject({
          /** A Hub repo (`org/name`) to publish to, or a local directory (`./out`). */
          to: modelRef.describe("Where the merged model goes: a Hub repo (org/name) or a local directory (./out)."),
          /** Visibility when the repo has to be created. */
          private: z
            .boolean()
            .default(false)
            .describe("Create the repo as private. An existing repo keeps its visibility."),
          /** Output dtype of float tensors; default: the base's. */
          dtype: dtypeText
            .optional()
            .describe(
              "The dtype of float tensors in the output: bf16, f16, f32 or f64. Default: the base's dtype, tensor " +
                "by tensor.",
            ),
          /** Largest shard; transformers' default is 5GB. */
          max_shard_size: sizeText
            .default(5_000_000_000)
            .describe("The largest output file, e.g. 5GB (decimal, like transformers) or 4GiB. Default 5GB."),
          /**
           * Publish merged − base as a PEFT LoRA adapter instead of the merged model (publish-vector --lora-rank's
           * options).
           */
          lora: z
            .strictObject({
              rank: z
                .union([z.number().int().gte(1), z.literal("auto")])
                .describe("The LoRA rank of every factored weight, or auto (with max_error)."),
              max_error: z
                .number()
                .gt(0)
                .lt(1)
                .optional()
                .describe("With rank auto: the largest relative error ‖τ − BA‖/‖τ‖ per tensor."),
              max_rank: z.number().int().gte(1).optional().describe("With rank auto: the largest rank."),
              embeddings: z
                .enum(["save", "lora"])
                .default("save")
                .describe("Embeddings and heads: save (modules_to_save, full values) or lora."),
              oversampling: z
                .number()
                .int()
                .gte(0)
                .default(10)
                .describe("Randomized SVD: extra sketch columns beyond the rank."),
              iterations: z.number().int().gte(0).default(2).describe("Randomized SVD: power iterations."),
              seed: z
                .number()
                .int()
                .gte(0)
                .default(0)
                .describe("Randomized SVD: the seed of the Gaussian test matrices."),
            })
            .refine((lora) => lora.rank !== "auto" || lora.max_error !== undefined, {
              message: "rank auto needs max_error, the largest relative error per tensor (e.g. 0.05)",
              path: ["max_error"],
            })
            .refine((lora) => lora.rank === "auto" || (lora.max_error === undefined && lora.max_rank === undefined), {
              message: "max_error and max_rank go with rank auto",
              path: ["max_error"],
            })
            .optional()
            .describe(
              "Publish the merge as a PEFT LoRA adapter of merged − base (truncated SVD of each weight) instead of " +
                "the merged model.",
            ),
        })
        .describe("Where and how the merged model is written."),
      /** How the task vectors are combined. */
      method: z
        .enum(mergeMethods)
        .default("task_arithmetic")
        .describe(
          `How the task vectors are combined: ${mergeMethods.slice(0, -1).join(", ")} or ${mergeMethods.at(-1)} ` +
            "(recipes/README.md says what each computes).",
        ),
      /** Method parameters; see each method. */
      parameters: parametersSchema.optional(),
      /** Global λ: every weight is multiplied by it. */
      scale: finiteNumber.default(1).describe("A global λ that multiplies every weight. Default 1.0."),
      /** The task vectors, in the order they are added (the order is part of the result). */
      vectors: z
        .array(termSchema)
        .default([])
        .describe(
          "The task vectors, added in this order (float32 accumulation in recipe order is what makes results " +
            "reproducible bit for bit).",
        ),
      /** Per-tensor overrides; the first match wins. */
      overrides: z
        .array(overrideSchema)
        .default([])
        .describe("Per-tensor overrides, matched by name; the first match wins."),
      /** What to do when a fine-tune has more vocabulary rows than the base. */
      vocab: z
        .enum(vocabModes)
        .default("refuse")
        .describe(
          "refuse: a fine-tune whose vocabulary differs from the base's is an error. extend: merge the shared rows " +
            "and take the extra rows (and the tokenizer) from the fine-tune that added them.",
        ),
      /** Greedy addition of candidates, scored on validation data. */
      greedy: greedySchema.optional(),
    })
    .superRefine((recipe, ctx) => {
      checkParameters(recipe.method, recipe.parameters, ["parameters"], ctx);
      checkTerms(recipe, ctx);
      recipe.overrides.forEach((override, i) => {
        const path = ["overrides", i];
        const patterns = [override.glob, override.regex].filter((p) => p !== undefined).length;
        if (patterns !== 1) {
          ctx.addIssue({
            code: "custom",
            path,
            message: patterns === 0 ? "give a tensor name pattern: glob or regex" : "give glob or regex, not both",
          });
        }
        if (override.regex !== undefined) {
          try {
            new RegExp(override.regex);
          } catch (error) {
            ctx.addIssue({
              code: "custom",
              path: [...path, "regex"],
              message: `not a valid regular expression (${(error as Error).message})`,
              input: override.regex,
            });
          }
        }
        const actions = [override.keep, override.scale, override.parameters].filter((a) => a !== undefined).length;
        if (actions === 0)
          ctx.addIssue({
            code: "custom",
            path,
            message: "say what to do with the matching tensors: keep: base, scale or parameters",
          });
        if (override.keep !== undefined && actions > 1) {
          ctx.addIssue({
            code: "custom",
            path: [...path, "keep"],
            message: "keep: base copies the tensor unchanged, so scale and parameters do not apply; remove them",
          });
        }
        if (override.parameters !== undefined)
          checkParameters(
            recipe.method,
            { ...recipe.parameters, ...override.parameters },
            [...path, "parameters"],
            ctx,
            override.parameters,
          );
      });
      if (recipe.vectors.length === 0 && recipe.greedy === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["vectors"],
          message: "list at least one task vector (or add a greedy section)",
        });
      }
      if (recipe.greedy?.start === "recipe" && recipe.vectors.length === 0) {
        ctx.addIssue({
          code: "custom",
          path: ["greedy", "start"],
          message: "start: recipe needs at least one entry in vectors; use start: base",
        });
      }
      const grid = recipe.greedy?.grid;
      const problem = grid === undefined ? undefined : findLambdaGridProblem(grid);
      if (problem !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["greedy", "grid", problem.key],
          message: problem.field,
          input: grid?.[problem.key],
        });
      }
    });

  return recipeSchema;
}

/** One parameter name across the registry: its kind, and each method's description, range and default. */
interface RegistryParameter {
  name: string;
  entries: Array<{ methods: string[]; parameter: MethodParameter }>;
  description: string;
}

/** Every recipe parameter the registry's methods take, each name once, in the registry's order. */
function registryParameters(): RegistryParameter[] {
  const byName = new Map<string, RegistryParameter>();
  for (const method of arithmeticMethods) {
    for (const parameter of recipeParametersOf(method)) {
      let entry = byName.get(parameter.name);
      if (entry === undefined)
        byName.set(parameter.name, (entry = { name: parameter.name, entries: [], description: "" }));
      const same = entry.entries.find(
        (e) => e.parameter.description === parameter.description && e.parameter.default === parameter.default,
      );
      if (same) same.methods.push(method.name);
      else entry.entries.push({ methods: [method.name], parameter });
    }
  }
  for (const entry of byName.values()) {
    entry.description = entry.entries
      .map(
        (e) =>
          `${e.methods.join(", ")}: ` +
          `${e.parameter.description.charAt(0).toLowerCase()}${e.parameter.description.slice(1)} Default ` +
          `${String(e.parameter.default)}.`,
      )
      .join(" ");
  }
  return [...byName.values()];
}

/** The zod type of one parameter name: a boolean, or a number with the range every method that takes it shares. */
function parameterSchema(z: typeof import("zod").z, entry: RegistryParameter) {
  const parameters = entry.entries.map((e) => e.parameter);
  if (parameters.every((p) => p.kind === "boolean")) return z.boolean();
  const numbers = parameters.filter((p): p is NumberParameter => p.kind !== "boolean");
  if (numbers.length !== parameters.length)
    throw new Error(`The registry's parameter ${entry.name} is a number for one method and a switch for another.`);
  const [first] = numbers as [NumberParameter];
  const shared = numbers.every(
    (p) =>
      p.min === first.min &&
      p.max === first.max &&
      !!p.minExclusive === !!first.minExclusive &&
      !!p.maxExclusive === !!first.maxExclusive &&
      !!p.integer === !!first.integer,
  );
  let schema = first.integer && shared ? z.number().int() : z.number();
  if (!shared) return schema;
  if (first.min !== -Number.MAX_VALUE) schema = first.minExclusive ? schema.gt(first.min) : schema.gte(first.min);
  if (first.max !== Number.MAX_VALUE) schema = first.maxExclusive ? schema.lt(first.max) : schema.lte(first.max);
  return schema;
}

/**
 * The method's parameters: every key is one it takes, every value in its range and the combination one it accepts,
 * all from the registry. `given` are the keys this place of the recipe wrote (an override's, over the recipe's).
 */
function checkParameters(
  name: MergeMethodName,
  parameters: Record<string, unknown> | undefined,
  path: Array<string | number>,
  ctx: RefinementCtx,
  given: Record<string, unknown> | undefined = parameters,
): void {
  if (parameters === undefined) return;
  const method = findMergeMethod(name);
  if (method === undefined) return;
  const accepted = recipeParametersOf(method).map((p) => p.name);
  for (const key of Object.keys(given ?? {})) {
    if (accepted.includes(key)) continue;
    const hint =
      key === "density" && accepted.includes("drop_rate")
        ? `${name} takes drop_rate, the probability of dropping an entry (mergekit's density is 1 − drop_rate)`
        : key === "lambda"
          ? `${name} has no λ of its own; the recipe's scale multiplies every weight`
          : accepted.length === 0
            ? `${name} takes no parameters`
            : `${name} takes ` +
              `${accepted.length === 1 ? accepted[0] : `${accepted.slice(0, -1).join(", ")} and ${accepted.at(-1)}`}`;
    ctx.addIssue({ code: "custom", path: [...path, key], message: `not a parameter of ${name}; ${hint}` });
    return;
  }
  const problem = findParameterProblem(method, parameters, recipeParametersOf(method));
  if (problem?.kind === "value") {
    ctx.addIssue({
      code: "custom",
      path: [...path, problem.name],
      message: `${name} needs ${problem.needs}, got ${String(problem.value)}`,
      input: problem.value,
    });
  }
}

/** The number of task vectors the method combines, and whether its weights can take a scale at all. */
function checkTerms(
  recipe: {
    method: MergeMethodName;
    vectors: ReadonlyArray<object>;
    scale: number;
    overrides: ReadonlyArray<{ scale?: number | undefined }>;
  },
  ctx: RefinementCtx,
): void {
  const method = findMergeMethod(recipe.method);
  if (method === undefined) return;
  const count = recipe.vectors.reduce<number>((sum, term) => sum + ("analogy" in term ? 3 : 1), 0);
  const { min, max } = method.terms ?? { min: 1 };
  if (count > 0 && (count < min || (max !== undefined && count > max))) {
    const wanted = max === min ? `exactly ${min}` : max === undefined ? `at least ${min}` : `${min} to ${max}`;
    ctx.addIssue({
      code: "custom",
      path: ["vectors"],
      message: `${recipe.method} combines ${wanted} task vectors, but the recipe lists ${count}`,
    });
  }
  if (!method.weightsScale) {
    const scaled =
      recipe.scale !== 1
        ? ["scale"]
        : recipe.overrides.findIndex((o) => o.scale !== undefined) >= 0
          ? ["overrides", recipe.overrides.findIndex((o) => o.scale !== undefined), "scale"]
          : undefined;
    if (scaled !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: scaled,
        message:
          `${recipe.method}'s weights only say where between the task vectors the merge lies, so a scale ` +
          "would cancel out; remove it",
      });
    }
  }
}
