/**
 * The roles of the demo's models and evaluation sets, as scripts/train-demo-models.ts makes them: a tiny ViT
 * pretrained on a broad mix (mostly upright digits, the control task, and some of each task, each task with its own
 * head of ten classes, as in the paper), fine-tunes on four transformations of the digits (the tasks that are
 * added and negated), three half-class fine-tunes and a ceiling for the analogy on a transformation the base never
 * saw, and a fine-tune on wrong labels that greedy addition must reject. Folder names are the repo names; sets are
 * `<task>-val` and `<task>-test`.
 */
export const demoSetup = {
  /**
   * The user the embedded Hub serves and the namespace every demo repo lives in; the fine-tunes' cards name
   * `demo/<base>`.
   */
  namespace: "demo",
  base: "vit-tiny-digits",
  /** The pretraining task: negation must keep the base's accuracy on it. */
  control: "upright",
  /** Added, negated and searched over. */
  tasks: ["rotated", "inverted", "upside", "transposed"],
  /**
   * "upright-low is to scrambled-low as upright-high is to scrambled-high" (scrambled: the 16 patches of 7×7 pixels
   * moved to other places): τ_C + (τ_B − τ_A) gains a task no model was trained on; the oracle is a fine-tune that
   * saw it.
   */
  analogy: { a: "upright-low", b: "scrambled-low", c: "upright-high", target: "scrambled-high", oracle: "scrambled" },
  /** Upright digits labelled as the next digit: its vector can only hurt the union of tasks. */
  distractor: "shifted-labels",
} as const;

/**
 * The paper's bar for negation: the control task keeps 95% of the base's accuracy. As in the paper, λ is the largest
 * whose control clears it on validation; the test sets then check it again, and a test that misses it (200
 * validation images measure an accuracy to about ±2 points) is reported as not holding.
 */
export const controlFloor = 0.95;

export type DemoSetup = typeof demoSetup;

/** `vit-tiny-digits-rotated`: the fine-tune of a task (the folder under demo/models and the repo name). */
export function finetuneName(task: string): string {
  return `${demoSetup.base}-${task}`;
}

/** Every fine-tune the demo uses, in the order it publishes their vectors. */
export function demoFinetunes(tasks: readonly string[]): string[] {
  const { analogy, distractor } = demoSetup;
  return [...tasks, analogy.a, analogy.b, analogy.c, analogy.oracle, distractor].filter(
    (task, i, all) => all.indexOf(task) === i,
  );
}
