/** Accuracy by task (`rotated` → 0.93): the share of an evaluation set's images classified right. */
export type Accuracies = Record<string, number>;

/** A repo the demo published, at the commit it made. */
export interface PublishedRepo {
  repo: string;
  revision: string;
}

/** A model uploaded to the embedded Hub, and its accuracy on the test split of every task it was evaluated on. */
export interface DemoModel extends PublishedRepo {
  /** The task it was fine-tuned on; absent for the base. */
  task?: string;
  test: Accuracies;
}

/** A task vector `tvhub publish-vector` published. */
export interface DemoVector extends PublishedRepo {
  task: string;
  /** The fine-tune it was computed from. */
  finetuned: string;
  /** ‖τ‖₂ as the card reports it. */
  norm: number;
  /** The size of its files (weights, card, tvhub.json). */
  bytes: number;
}

/** One λ of a sweep and the validation accuracies measured there. */
export interface LambdaPoint {
  lambda: number;
  validation: Accuracies;
}

/** θ = θ_base + λ Σ τ_t over a group of tasks. */
export interface AdditionResult {
  tasks: string[];
  /** Chosen on validation: the highest mean accuracy over the group's tasks. */
  lambda: number;
  /** The sweep λ was chosen from. */
  curve: LambdaPoint[];
  /** Test accuracy of the merged model on each task of the group. */
  test: Accuracies;
  /** test[t] / (the test accuracy of t's own fine-tune), the paper's normalized accuracy. */
  normalized: Record<string, number>;
  /** Mean test accuracy over the group's tasks. */
  accuracy: number;
  /** Mean normalized accuracy over the group's tasks. */
  normalizedAccuracy: number;
  /** Each of the group's fine-tunes, alone, scored the same way (mean test accuracy over the group's tasks). */
  singles: Record<string, number>;
  /** Present for the groups in the table (pairs and all tasks), whose merge `tvhub merge` published. */
  published?: PublishedRepo & { recipe: string };
}

/** Mean over every group of the same size: the paper's "accuracy as more tasks are added". */
export interface TaskCountResult {
  count: number;
  groups: number;
  accuracy: number;
  normalizedAccuracy: number;
}

/** θ = θ_base − λ τ_t: forget a task while keeping the control task. */
export interface NegationResult {
  task: string;
  /**
   * Chosen on validation: the lowest target accuracy among the λ that keep ≥ 95% of the base's control accuracy
   * there (the paper's criterion; the test numbers are checked against it again); 0 when no λ does.
   */
  lambda: number;
  /** The sweep: target and control validation accuracy at each λ > 0. */
  curve: Array<{ lambda: number; target: number; control: number }>;
  /** The base's validation accuracies (λ = 0); a λ is eligible when control ≥ 0.95 × this control. */
  baseValidation: { target: number; control: number };
  /** Test accuracy on the negated task, before (the base) and after. */
  target: { base: number; negated: number };
  /** Test accuracy on the control task, before and after. */
  control: { base: number; negated: number };
  /** Absent when no λ kept the control (the negated numbers are then the base's). */
  published?: PublishedRepo & { recipe: string };
}

/** "A is to B as C is to D": θ = θ_base + λ (τ_C + τ_B − τ_A), for a task D no model was trained on. */
export interface AnalogyResult {
  a: string;
  b: string;
  c: string;
  target: string;
  lambda: number;
  curve: Array<{ lambda: number; validation: number }>;
  /** Test accuracy on the target task. */
  test: {
    analogy: number;
    base: number;
    /** B's fine-tune alone (the same transformation, other classes). */
    b: number;
    /** C's fine-tune alone (the same classes, untransformed). */
    c: number;
    /** A fine-tune that did see the target task (all classes, transformed): the ceiling, not a competitor. */
    oracle: number;
  };
  oracle: string;
  published: PublishedRepo & { recipe: string };
}

/** `tvhub greedy` over the tasks' vectors plus the distractor. */
export interface GreedyDemoResult {
  candidates: string[];
  distractor: string;
  grid: number[];
  /** A round's best candidate is kept only when it raises the mean validation accuracy by more than this. */
  minGain: number;
  /** Every round: each remaining candidate's best λ and validation score, and the one kept, if any. */
  rounds: Array<{
    round: number;
    kept?: string;
    steps: Array<{ task: string; lambda: number; score: number; gain: number; kept: boolean }>;
  }>;
  /** In the order added. */
  kept: Array<{ task: string; lambda: number }>;
  rejected: string[];
  /** Mean validation accuracy over the tasks, of the base and of the final model. */
  validation: { base: number; final: number };
  /** Test accuracy of the final model on each task, and the mean. */
  test: Accuracies;
  accuracy: number;
  /**
   * The first round's choice, the best single vector at its best λ, measured on the test sets like the final model:
   * greedy addition should end above it. Absent when the first round kept nothing.
   */
  bestSingle?: { task: string; lambda: number; validation: number; test: Accuracies; accuracy: number };
  evaluations: number;
  /** The start plus the kept vectors, as `tvhub greedy` published it; absent when nothing was kept. */
  published?: PublishedRepo & { recipe: string };
}

/** One fine-tune's τ published as PEFT LoRA adapters of several ranks (`publish-vector --lora-rank r`). */
export interface LoraDemoResult {
  task: string;
  /** The dense task vector for comparison: the size of its files and the fine-tune's test accuracy (base + τ). */
  dense: { bytes: number; test: Accuracies };
  ranks: Array<{
    rank: number;
    /** ‖τ − BA‖ / ‖τ‖ over every factored tensor, as publish-vector reports it. */
    error: number;
    /** The size of the adapter's files (weights, config, card, tvhub.json). */
    bytes: number;
    adapter: PublishedRepo;
    /** base + the adapter's update (λ = 1), published by `tvhub merge` and read back, on the task and the control. */
    test: Accuracies;
    published: PublishedRepo & { recipe: string };
  }>;
}

/** A direction the paper reports, checked on this run's test numbers. */
export interface DemoCheck {
  ok: boolean;
  what: string;
}

/** A commit that put some of the demo's pictures into a repo they describe, linked from its card. */
export interface DemoPictureCommit extends PublishedRepo {
  files: string[];
}

/** Everything `tvhub demo` measured; written to results.json. */
export interface DemoResults {
  format: "tvhub/demo";
  version: 1;
  tvhub: string;
  hubUrl: string;
  /** The evaluator and the number of images in each set. */
  evaluator: { name: string; backend: string; validation: Record<string, number>; test: Record<string, number> };
  /** The λ values tried by addition, negation and the analogy. */
  grid: number[];
  control: string;
  tasks: string[];
  /** Accuracy by guessing: one over the number of classes a task is scored among (ten digits). */
  chance: number;
  base: DemoModel;
  finetunes: DemoModel[];
  vectors: DemoVector[];
  addition: AdditionResult[];
  byTaskCount: TaskCountResult[];
  negation: NegationResult[];
  analogy: AnalogyResult;
  greedy: GreedyDemoResult;
  /** Absent when the run was asked for no LoRA ranks. */
  lora?: LoraDemoResult;
  similarity: { labels: string[]; matrix: Array<Array<number | null>> };
  checks: DemoCheck[];
  /** Wall-clock seconds per stage, and in total. */
  seconds: Record<string, number>;
  /** The pictures and recipes written next to results.json, relative to it. */
  files: string[];
  /** Where each picture was also published: into the repos it describes. */
  pictures: DemoPictureCommit[];
}
