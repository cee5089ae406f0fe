/**
 * The inference tasks the endpoint evaluator can score, each with the answer it compares to the label. Here, below
 * both, because plan's recipe schema validates `evaluator.task` against the list that eval's evaluator runs, and
 * plan and eval are siblings that may not import each other.
 */
export const endpointTasks = [
  "text-classification",
  "fill-mask",
  "question-answering",
  "text-generation",
  "summarization",
  "translation",
] as const;
export type EndpointTask = (typeof endpointTasks)[number];
