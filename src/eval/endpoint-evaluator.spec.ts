import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DataError, RemoteError, UsageError } from "../errors.js";
import { createEndpointEvaluator, normalizeAnswer, type CreateEndpointEvaluatorOptions } from "./endpoint-evaluator.js";
import { joinPatterns } from "../../test/helpers/join-patterns.js";
import { errorOf } from "./testing/error-of.js";

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

type Handler = (request: Seen, response: ServerResponse) => void;

/** A loopback stand-in for an Inference Endpoint: answers with `handler`, records every request. */
let server: Server;
let base = "";
let handler: Handler = () => {};
const seen: Seen[] = [];
let inFlight = 0;
let mostInFlight = 0;
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tvhub-endpoint-"));
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const entry: Seen = {
        method: request.method ?? "",
        path: request.url ?? "",
        authorization: request.headers.authorization,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      };
      seen.push(entry);
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      response.on("close", () => inFlight--);
      handler(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  seen.length = 0;
  mostInFlight = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function json(response: ServerResponse, status: number, value: unknown, delayMs = 0): void {
  setTimeout(() => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(value));
  }, delayMs);
}

async function dataset(name: string, lines: unknown[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    `${lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n")}\n`,
  );
  return path;
}

/** A sentiment "model": positive when the text says good. */
const sentiment: Handler = (request, response) => {
  const text = String(request.body.inputs);
  const positive = text.includes("good") ? 0.9 : 0.2;
  json(response, 200, [
    [
      { label: "NEGATIVE", score: 1 - positive },
      { label: "POSITIVE", score: positive },
    ],
  ]);
};

const reviews = [
  { input: "a good film", label: "POSITIVE" },
  { input: "a bad film", label: "NEGATIVE" },
  { input: "good acting", label: "POSITIVE" },
  { input: "not good at all", label: "NEGATIVE" },
  { input: "boring", label: "NEGATIVE" },
];

function evaluator(options: Partial<CreateEndpointEvaluatorOptions> & { dataset: string }) {
  return createEndpointEvaluator({
    url: `${base}/endpoints/sentiment`,
    task: "text-classification",
    retryDelayMs: 5,
    ...options,
  });
}

describe("createEndpointEvaluator", () => {
  it("scores text classification through the real client at the endpoint URL: accuracy over the dataset", async () => {
    handler = sentiment;
    const path = await dataset("reviews.jsonl", reviews);
    const scorer = evaluator({ dataset: path, accessToken: "hf_testtoken123", concurrency: 2 });
    expect(scorer.name).toBe(`endpoint:accuracy(text-classification at ${base}/endpoints/sentiment, reviews.jsonl)`);
    const result = await scorer.evaluate({ modelDir: "/tmp/candidate" });
    // "not good at all" is misread as positive.
    expect(result).toEqual({ score: 0.8, details: { correct: 4, examples: 5 } });
    expect(seen).toHaveLength(5);
    for (const request of seen) {
      expect(request).toMatchObject({
        method: "POST",
        path: "/endpoints/sentiment",
        authorization: "Bearer hf_testtoken123",
      });
    }
    expect(seen.map((r) => r.body.inputs).sort()).toEqual(reviews.map((r) => r.input).sort());
    expect(mostInFlight).toBeLessThanOrEqual(2);
  });

  it("runs `concurrency` requests at once and reads the dataset once", async () => {
    handler = (_request, response) => {
      json(response, 200, [[{ label: "POSITIVE", score: 1 }]], 20);
    };
    const path = await dataset(
      "many.jsonl",
      Array.from({ length: 12 }, (_, i) => ({ input: `text ${i}`, label: "POSITIVE" })),
    );
    const scorer = evaluator({ dataset: path, concurrency: 4 });
    expect((await scorer.evaluate({ modelDir: "/a" })).score).toBe(1);
    expect(mostInFlight).toBe(4);
    await writeFile(path, "");
    expect((await scorer.evaluate({ modelDir: "/b" })).score).toBe(1);
  });

  it("scores the first maxExamples examples, skipping blank lines", async () => {
    handler = sentiment;
    const path = await dataset("blank.jsonl", [reviews[0], "", reviews[1], reviews[3], reviews[4]]);
    const result = await evaluator({ dataset: path, maxExamples: 3 }).evaluate({ modelDir: "/a" });
    expect(result).toEqual({ score: 2 / 3, details: { correct: 2, examples: 3 } });
  });

  it("compares question-answering answers by SQuAD exact match, against any acceptable label", async () => {
    handler = (request, response) => {
      const { question } = request.body.inputs as { question: string };
      const answer = question.startsWith("Who") ? "The Beatles!" : "in 1969";
      json(response, 200, { answer, score: 0.9, start: 0, end: answer.length });
    };
    const path = await dataset("qa.jsonl", [
      { input: { question: "Who recorded Abbey Road?", context: "..." }, label: ["Beatles", "the beatles"] },
      { input: { question: "When?", context: "..." }, label: "1969" },
    ]);
    const strict = createEndpointEvaluator({ url: `${base}/qa`, task: "question-answering", dataset: path });
    expect((await strict.evaluate({ modelDir: "/a" })).score).toBe(0);
    const lenient = createEndpointEvaluator({
      url: `${base}/qa`,
      task: "question-answering",
      dataset: path,
      metric: "exact_match",
    });
    expect((await lenient.evaluate({ modelDir: "/a" })).score).toBe(0.5);
    expect(normalizeAnswer("  The Beatles! ")).toBe("beatles");
  });

  it("sends text generation to the endpoint's OpenAI-compatible completions route with the parameters", async () => {
    handler = (request, response) => {
      json(response, 200, { choices: [{ text: String(request.body.prompt).includes("2+2") ? " 4" : " five" }] });
    };
    const path = await dataset("math.jsonl", [
      { input: "2+2=", label: "4" },
      { input: "2+3=", label: "5" },
    ]);
    const scorer = createEndpointEvaluator({
      url: `${base}/tgi`,
      task: "text-generation",
      dataset: path,
      parameters: { max_new_tokens: 4 },
    });
    expect((await scorer.evaluate({ modelDir: "/a" })).score).toBe(0.5);
    expect(seen[0]?.path).toBe("/tgi/v1/completions");
    expect(seen[0]?.body).toMatchObject({ prompt: "2+2=", max_tokens: 4 });
  });

  it("takes fill-mask's highest-scoring token", async () => {
    handler = (_request, response) => {
      json(response, 200, [
        { token_str: " paris", score: 0.2, token: 1, sequence: "x" },
        { token_str: " Paris", score: 0.7, token: 2, sequence: "x" },
      ]);
    };
    const path = await dataset("mask.jsonl", [{ input: "The capital of France is [MASK].", label: "Paris" }]);
    const scorer = createEndpointEvaluator({ url: `${base}/bert`, task: "fill-mask", dataset: path });
    expect((await scorer.evaluate({ modelDir: "/a" })).score).toBe(1);
  });

  it("retries an endpoint that is scaling up (503), then scores", async () => {
    let calls = 0;
    handler = (request, response) => {
      calls++;
      if (calls <= 2) json(response, 503, { error: "Model is loading", estimated_time: 1 });
      else sentiment(request, response);
    };
    const path = await dataset("one.jsonl", [reviews[0]]);
    expect((await evaluator({ dataset: path }).evaluate({ modelDir: "/a" })).score).toBe(1);
    expect(calls).toBe(3);
  });

  it("names the candidate, the endpoint and the example when the endpoint fails, and never the token", async () => {
    handler = (_request, response) => json(response, 500, { error: "CUDA out of memory" });
    const path = await dataset("fail.jsonl", [reviews[0]]);
    const error = await errorOf(
      evaluator({ dataset: path, accessToken: "hf_secrettoken99" }).evaluate({
        modelDir: "/a",
        name: "start + 0.3·org/c",
      } as never),
    );
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.code).toBe("ENDPOINT_FAILED");
    expect(error.message).toBe(
      `The endpoint ${base}/endpoints/sentiment answered HTTP 500 while scoring start + 0.3·org/c on ${path}:1 ` +
        "(Failed to perform inference: CUDA out of memory); check that it serves the candidate for this task.",
    );
    expect(error.message).not.toContain("hf_secrettoken99");
  });

  it("says so when the endpoint refuses the token", async () => {
    handler = (_request, response) => json(response, 401, { error: "Invalid credentials" });
    const path = await dataset("auth.jsonl", [reviews[0]]);
    const error = await errorOf(evaluator({ dataset: path }).evaluate({ modelDir: "/cand" }));
    expect(error.code).toBe("ENDPOINT_UNAUTHORIZED");
    expect(error.message).toMatch(
      /refused the request for \/cand \(HTTP 401\); give an access token that may call it\./,
    );
    expect(seen).toHaveLength(1);
  });

  it("reports an answer of the wrong shape (another task served there)", async () => {
    handler = (_request, response) => json(response, 200, { generated_text: "hello" });
    const path = await dataset("shape.jsonl", [reviews[0]]);
    const error = await errorOf(evaluator({ dataset: path }).evaluate({ modelDir: "/cand" }));
    expect(error.code).toBe("ENDPOINT_BAD_ANSWER");
    expect(error.message).toMatch(/answered .*shape\.jsonl:1 for \/cand with something that is not a task answer/);
  });

  it("gives up on an unreachable endpoint after the retries", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const path = await dataset("down.jsonl", [reviews[0]]);
    const scorer = createEndpointEvaluator({
      url: `http://user:pw@127.0.0.1:${port}/x?key=secret`,
      task: "text-classification",
      dataset: path,
      retries: 2,
      retryDelayMs: 5,
    });
    expect(scorer.name).not.toContain("secret");
    expect(scorer.name).not.toContain("pw");
    const error = await errorOf(scorer.evaluate({ modelDir: "/cand" }));
    expect(error.code).toBe("ENDPOINT_UNREACHABLE");
    expect(error.message).toMatch(
      new RegExp(`^The endpoint http://127\\.0\\.0\\.1:${port}/x could not be reached while scoring /cand`),
    );
  });

  it("times out a request that never answers", async () => {
    handler = () => {};
    const path = await dataset("slow.jsonl", [reviews[0]]);
    const started = Date.now();
    const error = await errorOf(
      evaluator({ dataset: path, retries: 1, requestTimeoutSeconds: 0.1 }).evaluate({ modelDir: "/cand" }),
    );
    expect(error.code).toBe("ENDPOINT_UNREACHABLE");
    expect(error.message).toContain("no answer within 0.1 s");
    expect(seen).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("stops on abort with the signal's reason", async () => {
    const controller = new AbortController();
    // Aborted while the endpoint is working on the request (which never answers).
    handler = () => controller.abort(new Error("interrupted"));
    const path = await dataset("abort.jsonl", [reviews[0]]);
    await expect(
      evaluator({ dataset: path }).evaluate({ modelDir: "/cand", signal: controller.signal }),
    ).rejects.toThrow("interrupted");
  });

  it("calls prepare with the candidate before scoring it", async () => {
    handler = sentiment;
    const path = await dataset("prepare.jsonl", [reviews[0]]);
    const prepared: string[] = [];
    const scorer = evaluator({
      dataset: path,
      prepare: async (input) => {
        expect(seen).toHaveLength(0);
        prepared.push(`${input.name} ${input.modelDir}`);
      },
    });
    await scorer.evaluate({ modelDir: "/work/cand-1", name: "start + 0.5·org/a" } as never);
    expect(prepared).toEqual(["start + 0.5·org/a /work/cand-1"]);
  });

  it("names the file and line of a bad example", async () => {
    const cases: Array<[unknown[], RegExp]> = [
      [
        [reviews[0], "{not json"],
        joinPatterns(
          /bad\.jsonl:2: the line is not JSON; /,
          /each line must be a JSON object such as \{"input": "\.\.\.", "label": "\.\.\."\}/,
        ),
      ],
      [[{ input: 3, label: "x" }], /bad\.jsonl:1: input must be a string/],
      [[{ input: "x", label: [] }], /bad\.jsonl:1: label must be a string or a non-empty list of strings/],
      [[["x"]], /bad\.jsonl:1: the line is not a JSON object/],
    ];
    for (const [lines, message] of cases) {
      const path = await dataset("bad.jsonl", lines);
      const error = await errorOf(evaluator({ dataset: path }).evaluate({ modelDir: "/a" }));
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toMatch(message);
    }
    const qa = await dataset("bad-qa.jsonl", [{ input: "just text", label: "x" }]);
    const error = await errorOf(
      createEndpointEvaluator({ url: base, task: "question-answering", dataset: qa }).evaluate({ modelDir: "/a" }),
    );
    expect(error.message).toMatch(
      joinPatterns(
        /input must be an object with a question and a context string; /,
        /each line must be a JSON object such as \{"input": \{"question"/,
      ),
    );
    const empty = await dataset("empty.jsonl", [""]);
    expect((await errorOf(evaluator({ dataset: empty }).evaluate({ modelDir: "/a" }))).code).toBe(
      "ENDPOINT_DATASET_EMPTY",
    );
    expect(
      (await errorOf(evaluator({ dataset: join(dir, "missing.jsonl") }).evaluate({ modelDir: "/a" }))).message,
    ).toMatch(/Cannot read the evaluation dataset .*missing\.jsonl \(ENOENT\); check the path\./);
  });

  it("refuses a bad URL or task when it is created, and defaults to text classification", () => {
    expect(createEndpointEvaluator({ url: `${base}/x`, dataset: "/data/val.jsonl" }).name).toBe(
      `endpoint:accuracy(text-classification at ${base}/x, val.jsonl)`,
    );
    expect(() => createEndpointEvaluator({ url: "endpoint", task: "text-classification", dataset: "x" })).toThrow(
      UsageError,
    );
    expect(() => createEndpointEvaluator({ url: "ftp://host/x", task: "text-classification", dataset: "x" })).toThrow(
      /is not http or https/,
    );
    expect(() => createEndpointEvaluator({ url: base, task: "image-classification" as never, dataset: "x" })).toThrow(
      /use one of text-classification, fill-mask/,
    );
  });
});
