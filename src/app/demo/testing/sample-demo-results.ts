import type { DemoResults } from "../demo-types.js";

const sha = (digit: string) => digit.repeat(40);

/**
 * A small, consistent results object for specs: two tasks, a grid of three λ, made-up accuracies whose directions
 * hold (each check passes) unless a spec changes them.
 */
export function sampleDemoResults(): DemoResults {
  const grid = [0, 0.5, 1];
  return {
    format: "tvhub/demo",
    version: 1,
    tvhub: "0.1.0",
    hubUrl: "http://127.0.0.1:4000",
    evaluator: {
      name: "tfjs ViTForImageClassification accuracy",
      backend: "wasm",
      validation: { upright: 200, rotated: 200, inverted: 200, "rotated-high": 100 },
      test: { upright: 600, rotated: 600, inverted: 600, "rotated-high": 300 },
    },
    grid,
    control: "upright",
    tasks: ["rotated", "inverted"],
    chance: 0.1,
    base: {
      repo: "demo/vit-tiny-digits",
      revision: sha("a"),
      test: { upright: 0.98, rotated: 0.5, inverted: 0.45, "rotated-high": 0.15 },
    },
    finetunes: [
      {
        repo: "demo/vit-tiny-digits-rotated",
        revision: sha("b"),
        task: "rotated",
        test: { upright: 0.7, rotated: 0.95, inverted: 0.1, "rotated-high": 0.96 },
      },
      {
        repo: "demo/vit-tiny-digits-inverted",
        revision: sha("c"),
        task: "inverted",
        test: { upright: 0.6, rotated: 0.15, inverted: 0.9 },
      },
      { repo: "demo/vit-tiny-digits-upright-low", revision: sha("d"), task: "upright-low", test: {} },
      {
        repo: "demo/vit-tiny-digits-rotated-low",
        revision: sha("e"),
        task: "rotated-low",
        test: { "rotated-high": 0.3 },
      },
      {
        repo: "demo/vit-tiny-digits-upright-high",
        revision: sha("f"),
        task: "upright-high",
        test: { "rotated-high": 0.2 },
      },
    ],
    vectors: ["rotated", "inverted", "upright-low", "rotated-low", "upright-high", "shifted-labels"].map((task, i) => ({
      task,
      finetuned: `demo/vit-tiny-digits-${task}`,
      repo: `demo/vit-tiny-digits-${task}-tv`,
      revision: sha(String(i)),
      norm: 2 + i / 10,
      bytes: 300_000,
    })),
    addition: [
      {
        tasks: ["rotated"],
        lambda: 1,
        curve: grid.map((lambda) => ({ lambda, validation: { rotated: 0.2 + 0.7 * lambda } })),
        test: { rotated: 0.9 },
        normalized: { rotated: 0.9 / 0.95 },
        accuracy: 0.9,
        normalizedAccuracy: 0.9 / 0.95,
        singles: { rotated: 0.95 },
      },
      {
        tasks: ["inverted"],
        lambda: 1,
        curve: grid.map((lambda) => ({ lambda, validation: { inverted: 0.1 + 0.8 * lambda } })),
        test: { inverted: 0.9 },
        normalized: { inverted: 1 },
        accuracy: 0.9,
        normalizedAccuracy: 1,
        singles: { inverted: 0.9 },
      },
      {
        tasks: ["rotated", "inverted"],
        lambda: 0.5,
        curve: grid.map((lambda) => ({ lambda, validation: { rotated: 0.2 + lambda, inverted: 0.1 + lambda } })),
        test: { rotated: 0.9, inverted: 0.85 },
        normalized: { rotated: 0.9 / 0.95, inverted: 0.85 / 0.9 },
        accuracy: 0.875,
        normalizedAccuracy: (0.9 / 0.95 + 0.85 / 0.9) / 2,
        singles: { rotated: 0.525, inverted: 0.525 },
        published: {
          repo: "demo/vit-tiny-digits-add-rotated-inverted",
          revision: sha("7"),
          recipe: "recipes/add-rotated-inverted.yml",
        },
      },
    ],
    byTaskCount: [
      { count: 1, groups: 2, accuracy: 0.9, normalizedAccuracy: (0.9 / 0.95 + 1) / 2 },
      { count: 2, groups: 1, accuracy: 0.875, normalizedAccuracy: (0.9 / 0.95 + 0.85 / 0.9) / 2 },
    ],
    negation: [
      {
        task: "rotated",
        lambda: 0.5,
        curve: [
          { lambda: 0.5, target: 0.2, control: 0.96 },
          { lambda: 1, target: 0.05, control: 0.8 },
        ],
        baseValidation: { target: 0.5, control: 0.98 },
        target: { base: 0.5, negated: 0.2 },
        control: { base: 0.98, negated: 0.95 },
        published: {
          repo: "demo/vit-tiny-digits-minus-rotated",
          revision: sha("8"),
          recipe: "recipes/minus-rotated.yml",
        },
      },
    ],
    analogy: {
      a: "upright-low",
      b: "rotated-low",
      c: "upright-high",
      target: "rotated-high",
      lambda: 0.5,
      curve: grid.map((lambda) => ({ lambda, validation: 0.15 + lambda / 2 })),
      test: { analogy: 0.6, base: 0.15, b: 0.3, c: 0.2, oracle: 0.96 },
      oracle: "rotated",
      published: {
        repo: "demo/vit-tiny-digits-analogy-rotated-high",
        revision: sha("9"),
        recipe: "recipes/analogy-rotated-high.yml",
      },
    },
    greedy: {
      candidates: ["rotated", "shifted-labels", "inverted"],
      distractor: "shifted-labels",
      grid: [0, 0.5, 1],
      minGain: 0.005,
      rounds: [
        {
          round: 1,
          kept: "rotated",
          steps: [
            { task: "rotated", lambda: 1, score: 0.55, gain: 0.4, kept: true },
            { task: "shifted-labels", lambda: 0.5, score: 0.15, gain: 0, kept: false },
            { task: "inverted", lambda: 1, score: 0.5, gain: 0.35, kept: false },
          ],
        },
        {
          round: 2,
          kept: "inverted",
          steps: [
            { task: "shifted-labels", lambda: 0.5, score: 0.5, gain: -0.05, kept: false },
            { task: "inverted", lambda: 0.5, score: 0.78, gain: 0.23, kept: true },
          ],
        },
        { round: 3, steps: [{ task: "shifted-labels", lambda: 0.5, score: 0.7, gain: -0.08, kept: false }] },
      ],
      kept: [
        { task: "rotated", lambda: 1 },
        { task: "inverted", lambda: 0.5 },
      ],
      rejected: ["shifted-labels"],
      validation: { base: 0.15, final: 0.78 },
      test: { rotated: 0.8, inverted: 0.74 },
      accuracy: 0.77,
      bestSingle: {
        task: "rotated",
        lambda: 1,
        validation: 0.55,
        test: { rotated: 0.9, inverted: 0.3 },
        accuracy: 0.6,
      },
      evaluations: 10,
      published: { repo: "demo/vit-tiny-digits-greedy", revision: sha("6"), recipe: "recipes/greedy.yml" },
    },
    lora: {
      task: "rotated",
      dense: { bytes: 300_000, test: { rotated: 0.95, upright: 0.7 } },
      ranks: [1, 4].map((rank, i) => ({
        rank,
        error: 0.5 / rank,
        bytes: 20_480 * (1 + 2 * i),
        adapter: { repo: `demo/vit-tiny-digits-rotated-lora-r${rank}`, revision: sha(String(i + 1)) },
        test: { rotated: rank === 1 ? 0.6 : 0.9, upright: 0.75 },
        published: {
          repo: `demo/vit-tiny-digits-lora-r${rank}-rotated`,
          revision: sha(String(i + 3)),
          recipe: `recipes/lora-r${rank}-rotated.yml`,
        },
      })),
    },
    similarity: {
      labels: ["rotated", "inverted"],
      matrix: [
        [1, 0.05],
        [0.05, 1],
      ],
    },
    checks: [],
    seconds: { upload: 1, total: 10 },
    files: [],
    pictures: [],
  };
}
