import type { ProgressEvent } from "../../util/progress.js";
import type { GreedyTerm } from "../greedy/greedy-types.js";
import { buildDemoRecipe, type DemoRecipeTerm } from "./build-demo-recipe.js";
import { info, percent } from "./demo-events.js";
import { demoSetup } from "./demo-setup.js";
import type { AnalogyResult, DemoModel } from "./demo-types.js";
import type { DemoSession } from "./open-demo-session.js";
import { selectLambda } from "./select-lambda.js";

export interface RunDemoAnalogyOptions {
  session: DemoSession;
  grid: readonly number[];
  base: DemoModel;
  finetuneOf: (task: string) => DemoModel;
}

/**
 * The analogy "A is to B as C is to D": θ = θ_base + λ (τ_C + τ_B − τ_A), λ chosen on D's validation set, published
 * by `tvhub merge` (a recipe's analogy term) and scored on D's test set beside the base, B and C alone, and the
 * fine-tune that saw D.
 */
export async function* runDemoAnalogy(options: RunDemoAnalogyOptions): AsyncGenerator<ProgressEvent, AnalogyResult> {
  const { session, grid, base, finetuneOf } = options;
  const { analogy: roles } = demoSetup;
  const terms = (lambda: number): GreedyTerm[] => [
    // The order a recipe's analogy expands to: +τ_C, +τ_B, −τ_A.
    { candidate: session.vectorId(roles.c), lambda },
    { candidate: session.vectorId(roles.b), lambda },
    { candidate: session.vectorId(roles.a), lambda: -lambda },
  ];
  const curve: AnalogyResult["curve"] = [];
  for (const [i, lambda] of grid.entries()) {
    curve.push({
      lambda,
      validation: (await session.measureTerms(terms(lambda), [roles.target]))[roles.target] as number,
    });
    yield {
      type: "progress",
      phase: "evaluate",
      label: `analogy → ${roles.target}`,
      done: i + 1,
      total: grid.length,
      unit: "items",
    };
  }
  const best = selectLambda({ points: curve, score: (point) => point.validation }) as AnalogyResult["curve"][number];
  const name = `analogy-${roles.target}`;
  const { vectorOf } = session;
  const published = yield* session.publishMerge(
    name,
    await buildDemoRecipe({
      comment: [
        `Task analogy: ${roles.a} is to ${roles.b} as ${roles.c} is to ${roles.target}: θ = θ_base + λ (τ_C + τ_B − ` +
          "τ_A).",
        `No model was trained on ${roles.target}; λ = ${best.lambda} had the best ${roles.target} validation ` +
          "accuracy (tvhub demo).",
      ],
      base: session.baseRepo.repo,
      to: session.repoOf(`${demoSetup.base}-${name}`),
      terms: [
        {
          analogy: { a: vectorOf(roles.a).repo, b: vectorOf(roles.b).repo, c: vectorOf(roles.c).repo },
          weight: best.lambda,
        } satisfies DemoRecipeTerm,
      ],
    }),
  );
  const test = (yield* session.measurePublished(published, [roles.target]))[roles.target] as number;
  const analogy: AnalogyResult = {
    a: roles.a,
    b: roles.b,
    c: roles.c,
    target: roles.target,
    lambda: best.lambda,
    curve,
    test: {
      analogy: test,
      base: base.test[roles.target] as number,
      b: finetuneOf(roles.b).test[roles.target] as number,
      c: finetuneOf(roles.c).test[roles.target] as number,
      oracle: finetuneOf(roles.oracle).test[roles.target] as number,
    },
    oracle: roles.oracle,
    published,
  };
  yield info(
    `analogy → ${roles.target}: λ ${analogy.lambda}, ${percent(analogy.test.analogy)} (base ` +
      `${percent(analogy.test.base)}, ${roles.b} alone ${percent(analogy.test.b)})`,
  );
  return analogy;
}
