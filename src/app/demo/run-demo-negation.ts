import type { ProgressEvent } from "../../util/progress.js";
import { buildDemoRecipe } from "./build-demo-recipe.js";
import { info, percent } from "./demo-events.js";
import { demoSetup, controlFloor } from "./demo-setup.js";
import type { DemoModel, NegationResult } from "./demo-types.js";
import type { DemoSession } from "./open-demo-session.js";
import { selectLambda } from "./select-lambda.js";

export interface RunDemoNegationOptions {
  session: DemoSession;
  grid: readonly number[];
  /** The base with its test accuracy on the control and every task. */
  base: DemoModel;
}

/**
 * Task negation, θ = θ_base − λ τ, for each task: λ is the one that lowers the task's validation accuracy most while
 * the control keeps controlFloor of the base's there; the negated model is published by `tvhub merge`
 * and scored on the test sets. A task no λ can negate without costing the control is reported, not published.
 */
export async function* runDemoNegation(
  options: RunDemoNegationOptions,
): AsyncGenerator<ProgressEvent, NegationResult[]> {
  const { session, base } = options;
  const { control } = demoSetup;
  const negation: NegationResult[] = [];
  const baseControl = (await session.measureTerms([], [control]))[control] as number;
  const negationGrid = options.grid.filter((lambda) => lambda > 0);
  for (const task of session.tasks) {
    const label = `negation −${task}`;
    const curve: NegationResult["curve"] = [];
    for (const [i, lambda] of negationGrid.entries()) {
      const validation = await session.measureTerms(
        [{ candidate: session.vectorId(task), lambda: -lambda }],
        [control, task],
      );
      curve.push({ lambda, target: validation[task] as number, control: validation[control] as number });
      yield { type: "progress", phase: "evaluate", label, done: i + 1, total: negationGrid.length, unit: "items" };
    }
    const baseValidation = await session.measureTerms([], [control, task]);
    const best = selectLambda({
      points: curve,
      score: (point) => -point.target,
      eligible: (point) => point.control >= controlFloor * baseControl,
    });
    const baseline = { base: base.test[task] as number, control: base.test[control] as number };
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
          `λ = ${best.lambda} lowered the ${task} validation accuracy most while ${control} kept ` +
            `${controlFloor * 100}% of the base's (tvhub demo).`,
        ],
        base: session.baseRepo.repo,
        to: session.repoOf(`${demoSetup.base}-${name}`),
        terms: [{ vector: session.vectorOf(task).repo, weight: -best.lambda }],
      });
      result.published = yield* session.publishMerge(name, text);
      const test = yield* session.measurePublished(result.published, [task, control]);
      result.target.negated = test[task] as number;
      result.control.negated = test[control] as number;
      yield info(
        `${label}: λ ${best.lambda}, ${task} ${percent(result.target.base)} → ${percent(result.target.negated)}, ` +
          `${control} ${percent(result.control.base)} → ${percent(result.control.negated)}`,
      );
    } else {
      yield {
        type: "log",
        level: "warn",
        message:
          `Negating ${task} costs ${control} more than ${100 - controlFloor * 100}% of the base's ` +
          "validation accuracy at every λ of the grid; nothing was negated.",
      };
    }
    negation.push(result);
  }
  return negation;
}
