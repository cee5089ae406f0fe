import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { InferenceClient } from "@huggingface/inference";
import { DataError, RemoteError, UsageError } from "../errors.js";
import type { Evaluation, EvaluationInput, Evaluator } from "./evaluator.js";
import { endpointTasks, type EndpointTask } from "../util/endpoint-tasks.js";
import { rememberAsync } from "../util/remember-async.js";

/**
 * `accuracy`: the prediction equals a label exactly (after trimming whitespace): class names, fill-mask tokens.
 * `exact_match`: SQuAD's normalized comparison (lower case, no punctuation, no a/an/the, single spaces): free
 * text such as answers, summaries and translations.
 */
export type EndpointMetric = "accuracy" | "exact_match";

export interface CreateEndpointEvaluatorOptions {
  /**
   * The inference endpoint (a dedicated Inference Endpoint, a TGI or TEI server, any server that speaks the
   * hf-inference task API). It must serve the candidate being scored: tvhub does not deploy models. Give `prepare`
   * to deploy each candidate first, or score one model (the start or the result) with it.
   */
  url: string;
  /** What the endpoint serves. @default "text-classification" */
  task?: EndpointTask;
  /**
   * A JSON Lines file, one example a line: `{"input": ..., "label": ...}`. `input` is the text (for
   * question-answering `{"question": ..., "context": ...}`); `label` is the expected answer, or a list of
   * acceptable answers. Blank lines are skipped.
   */
  dataset: string;
  /** @default "accuracy" */
  metric?: EndpointMetric;
  /** Score on the first this many examples. @default all */
  maxExamples?: number;
  /** Task parameters sent with every request, e.g. `{ max_new_tokens: 32 }` for text-generation. */
  parameters?: Record<string, unknown>;
  /** Sent as a bearer token; never shown in messages. */
  accessToken?: string;
  /** Requests in flight at once. @default 4 */
  concurrency?: number;
  /**
   * Attempts after a 429, 502, 503 or 504 answer or a dropped connection (an endpoint scaling up answers 503). @default
   * 5
   */
  retries?: number;
  /** The first wait between attempts; it doubles each time, up to 30 s. @default 1000 */
  retryDelayMs?: number;
  /** A request that takes longer fails (and is retried). @default 120 */
  requestTimeoutSeconds?: number;
  /** Called before each candidate is scored, e.g. to push its folder to the endpoint and wait until it serves it. */
  prepare?: (input: EvaluationInput & { name: string }) => Promise<void>;
  /** For tests and proxies. @default globalThis.fetch */
  fetch?: typeof fetch;
}

interface Example {
  line: number;
  input: string | { question: string; context: string };
  labels: string[];
}

/**
 * Scores the model an inference endpoint serves on a labelled dataset, through `@huggingface/inference` with its
 * `endpointUrl` option (requests go to that URL as they would to a dedicated Inference Endpoint; text-generation
 * goes to its OpenAI-compatible `/v1/completions`). The score is the fraction of examples answered correctly.
 */
export function createEndpointEvaluator(options: CreateEndpointEvaluatorOptions): Evaluator {
  const metric = options.metric ?? "accuracy";
  const task = options.task ?? "text-classification";
  const url = checkUrl(options.url);
  if (!(endpointTasks as readonly string[]).includes(task)) {
    throw new UsageError(
      `The endpoint task ${JSON.stringify(task)} is not supported; use one of ${endpointTasks.join(", ")}.`,
      {
        code: "ENDPOINT_BAD_TASK",
        subject: "task",
      },
    );
  }
  // The client library is loaded by the first evaluation, not when the CLI starts: most commands never score anything.
  const clientOf = rememberAsync(() =>
    import("@huggingface/inference").then(
      ({ InferenceClient }): InferenceClient =>
        new InferenceClient(options.accessToken ?? "", { endpointUrl: url.href }),
    ),
  );
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const loadExamples = rememberAsync(() => readExamples(options.dataset, task, options.maxExamples));
  const where = redactUrl(url);

  return {
    name: `endpoint:${metric}(${task} at ${where}, ${basename(options.dataset)})`,
    async evaluate(input: EvaluationInput): Promise<Evaluation> {
      const label = labelOf(input);
      input.signal?.throwIfAborted();
      const list = await loadExamples();
      const inference = await clientOf();
      if (options.prepare) await options.prepare({ ...input, name: label } as EvaluationInput & { name: string });
      let correct = 0;
      let next = 0;
      const worker = async () => {
        while (next < list.length) {
          input.signal?.throwIfAborted();
          const example = list[next++] as Example;
          const prediction = await withRetries({
            attempt: (signal) => predict(inference, task, example.input, options.parameters, signal, options.fetch),
            retries: options.retries ?? 5,
            delayMs: options.retryDelayMs ?? 1000,
            timeoutMs: (options.requestTimeoutSeconds ?? 120) * 1000,
            ...(input.signal ? { signal: input.signal } : {}),
          }).catch((error: unknown) => {
            throw requestError({
              error,
              where,
              label,
              dataset: options.dataset,
              line: example.line,
              signal: input.signal,
            });
          });
          if (example.labels.some((expected) => matches(prediction, expected, metric))) correct++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
      return { score: correct / list.length, details: { correct, examples: list.length } };
    },
  };
}

async function predict(
  client: InferenceClient,
  task: EndpointTask,
  input: Example["input"],
  parameters: Record<string, unknown> | undefined,
  signal: AbortSignal,
  fetchImpl: typeof fetch | undefined,
): Promise<string> {
  // retry_on_error: the client would retry a 503 at once and forever; withRetries waits and gives up.
  const requestOptions = { signal, retry_on_error: false, ...(fetchImpl ? { fetch: fetchImpl } : {}) };
  const withParameters = parameters === undefined ? {} : { parameters };
  switch (task) {
    case "text-classification": {
      const output = await client.textClassification({ inputs: input as string, ...withParameters }, requestOptions);
      return topBy(output, (x) => x.score)?.label ?? "";
    }
    case "fill-mask": {
      const output = await client.fillMask({ inputs: input as string, ...withParameters }, requestOptions);
      return (topBy(output, (x) => x.score)?.token_str ?? "").trim();
    }
    case "question-answering": {
      const output = await client.questionAnswering(
        { inputs: input as { question: string; context: string }, ...withParameters },
        requestOptions,
      );
      return output.answer;
    }
    case "text-generation": {
      const output = await client.textGeneration({ inputs: input as string, ...withParameters }, requestOptions);
      return output.generated_text;
    }
    case "summarization": {
      const output = await client.summarization({ inputs: input as string, ...withParameters }, requestOptions);
      return output.summary_text;
    }
    case "translation": {
      const output = await client.translation({ inputs: input as string, ...withParameters }, requestOptions);
      return (Array.isArray(output) ? output[0]?.translation_text : output.translation_text) ?? "";
    }
  }
}

/** The highest-scoring element; a tie goes to the first, as the endpoint ordered them. */
function topBy<T>(items: readonly T[], score: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || score(item) > score(best)) best = item;
  return best;
}

function matches(prediction: string, expected: string, metric: EndpointMetric): boolean {
  return metric === "accuracy"
    ? prediction.trim() === expected.trim()
    : normalizeAnswer(prediction) === normalizeAnswer(expected);
}

/** SQuAD v1.1's normalize_answer: lower case, drop punctuation and the articles a/an/the, collapse whitespace. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, "")
    .replace(/\b(a|an|the)\b/g, " ")
    .split(/\s+/)
    .filter((word) => word.length > 0)
    .join(" ");
}

async function readExamples(path: string, task: EndpointTask, maxExamples: number | undefined): Promise<Example[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new DataError(
      `Cannot read the evaluation dataset ${path} ` +
        `(${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path.`,
      {
        code: "ENDPOINT_DATASET_UNREADABLE",
        subject: path,
        cause: error,
      },
    );
  }
  const examples: Example[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (maxExamples !== undefined && examples.length >= maxExamples) break;
    if (line.trim() === "") continue;
    const where = `${path}:${i + 1}`;
    const shape =
      task === "question-answering"
        ? `{"input": {"question": "...", "context": "..."}, "label": "..."}`
        : `{"input": "...", "label": "..."}`;
    const bad = (what: string) =>
      new DataError(
        `${where}: ${what}; each line must be a JSON object such as ${shape} (label may be a list of acceptable ` +
          "answers).",
        { code: "ENDPOINT_DATASET_BAD_LINE", subject: where },
      );
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw bad("the line is not JSON");
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("the line is not a JSON object");
    const record = value as Record<string, unknown>;
    const input = record.input;
    if (task === "question-answering") {
      const qa = input as Record<string, unknown> | null;
      if (typeof qa !== "object" || qa === null || typeof qa.question !== "string" || typeof qa.context !== "string") {
        throw bad("input must be an object with a question and a context string");
      }
    } else if (typeof input !== "string") {
      throw bad("input must be a string");
    }
    const label = record.label;
    const labels =
      typeof label === "string"
        ? [label]
        : Array.isArray(label) && label.length > 0 && label.every((l) => typeof l === "string")
          ? (label as string[])
          : undefined;
    if (!labels) throw bad("label must be a string or a non-empty list of strings");
    examples.push({ line: i + 1, input: input as Example["input"], labels });
  }
  if (examples.length === 0) {
    throw new DataError(
      `The evaluation dataset ${path} has no examples; add JSON lines such as {"input": "...", "label": "..."}.`,
      { code: "ENDPOINT_DATASET_EMPTY", subject: path },
    );
  }
  return examples;
}

interface WithRetriesOptions<T> {
  attempt: (signal: AbortSignal) => Promise<T>;
  retries: number;
  delayMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

async function withRetries<T>(options: WithRetriesOptions<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new Error(`no answer within ${options.timeoutMs / 1000} s`)),
      options.timeoutMs,
    );
    const onAbort = () => timeout.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await options.attempt(timeout.signal);
    } catch (error) {
      options.signal?.throwIfAborted();
      const timedOut = timeout.signal.aborted;
      if (attempt >= options.retries || !(timedOut || isTransient(error)))
        throw timedOut ? timeout.signal.reason : error;
      await sleep(Math.min(options.delayMs * 2 ** attempt, 30_000), options.signal);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { httpResponse?: { status?: unknown } } | null)?.httpResponse?.status;
  return typeof status === "number" ? status : undefined;
}

function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status === 429 || status === 502 || status === 503 || status === 504;
  // fetch rejects with a TypeError when the connection fails or drops.
  return error instanceof TypeError;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

interface RequestErrorOptions {
  error: unknown;
  where: string;
  label: string;
  dataset: string;
  line: number;
  signal: AbortSignal | undefined;
}

function requestError(options: RequestErrorOptions): unknown {
  const { error, where, label } = options;
  if (options.signal?.aborted) return options.signal.reason;
  const status = statusOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const example = `${options.dataset}:${options.line}`;
  if (status === 401 || status === 403) {
    return new RemoteError(
      `The endpoint ${where} refused the request for ${label} (HTTP ${status}); give an access token that may call it.`,
      {
        code: "ENDPOINT_UNAUTHORIZED",
        subject: where,
        cause: error,
      },
    );
  }
  if (status !== undefined) {
    return new RemoteError(
      `The endpoint ${where} answered HTTP ${status} while scoring ${label} on ${example} (${detail}); check that ` +
        "it serves the candidate for this task.",
      {
        code: "ENDPOINT_FAILED",
        subject: where,
        cause: error,
      },
    );
  }
  if ((error as Error | null)?.name === "ProviderOutputError") {
    return new RemoteError(
      `The endpoint ${where} answered ${example} for ${label} with something that is not a task answer (${detail}); ` +
        "check the task it serves.",
      {
        code: "ENDPOINT_BAD_ANSWER",
        subject: where,
        cause: error,
      },
    );
  }
  return new RemoteError(
    `The endpoint ${where} could not be reached while scoring ${label} on ${example} (${detail}); check the URL and ` +
      "that the endpoint is running.",
    {
      code: "ENDPOINT_UNREACHABLE",
      subject: where,
      cause: error,
    },
  );
}

function checkUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `The endpoint URL ${JSON.stringify(text)} is not a URL; give one such as ` +
        "https://xyz.endpoints.huggingface.cloud.",
      { code: "ENDPOINT_BAD_URL", subject: "url" },
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`The endpoint URL ${redactUrl(url)} is not http or https; give the endpoint's https URL.`, {
      code: "ENDPOINT_BAD_URL",
      subject: "url",
    });
  }
  return url;
}

/** The URL without credentials or query (which can carry keys), for messages and cards. */
function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

function labelOf(input: EvaluationInput): string {
  const name = (input as { name?: unknown }).name;
  return typeof name === "string" && name.length > 0 ? name : (input.modelDir ?? "the model");
}
