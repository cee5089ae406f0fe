import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { inputNames, parseInputs, type RawInputs } from "./inputs.js";

function raw(values: Partial<RawInputs>): RawInputs {
  const all = Object.fromEntries(inputNames.map((name) => [name, ""])) as RawInputs;
  return { ...all, "github-token": "ghs_x", comment: "true", ...values };
}

const parse = (values: Partial<RawInputs>, eventName = "push") => parseInputs({ raw: raw(values), eventName });

describe("parseInputs", () => {
  it("reads a publish-vector run with the defaults filled in", () => {
    expect(
      parse({
        command: "publish-vector",
        base: "org/base@v1",
        finetuned: "org/ft",
        to: "org/ft-tv",
        "hf-token": "hf_abcdef",
      }),
    ).toEqual({
      command: "publish-vector",
      base: "org/base@v1",
      finetuned: "org/ft",
      to: "org/ft-tv",
      hfToken: "hf_abcdef",
      githubToken: "ghs_x",
      hubUrl: "https://huggingface.co",
      comment: true,
      createPr: false,
      dryRun: false,
    });
  });

  it("defaults dry-run to true on pull requests only, and lets the workflow say otherwise", () => {
    expect(parse({ command: "merge", recipe: "recipes/a.yml" }, "pull_request").dryRun).toBe(true);
    expect(parse({ command: "merge", recipe: "recipes/a.yml" }, "pull_request_target").dryRun).toBe(true);
    expect(parse({ command: "merge", recipe: "recipes/a.yml", "hf-token": "hf_abcdef" }, "push").dryRun).toBe(false);
    expect(parse({ command: "merge", recipe: "recipes/a.yml", "dry-run": "true" }, "push").dryRun).toBe(true);
    expect(
      parse({ command: "merge", recipe: "recipes/a.yml", "dry-run": "False", "hf-token": "hf_abcdef" }, "pull_request")
        .dryRun,
    ).toBe(false);
  });

  it("strips a trailing slash from hub-url", () => {
    expect(parse({ command: "check", recipe: "r.yml", "hub-url": "http://127.0.0.1:8080/" }).hubUrl).toBe(
      "http://127.0.0.1:8080",
    );
  });

  it("reads the sharded stages", () => {
    expect(parse({ command: "plan", recipe: "r.yml", portions: "3" }).portions).toBe(3);
    expect(parse({ command: "merge", recipe: "r.yml", portion: "2/3", "hf-token": "hf_abcdef" }).stage).toEqual({
      kind: "portion",
      index: 2,
      count: 3,
    });
    expect(
      parse({ command: "merge", recipe: "r.yml", finalize: "true", portions: "3", "hf-token": "hf_abcdef" }).stage,
    ).toEqual({ kind: "finalize", count: 3 });
  });

  it.each([
    [{ command: "publsh" }, 'input "command" must be one of check, publish-vector, merge, greedy, plan; got "publsh".'],
    [{ command: "" }, 'input "command" is required; give one of check, publish-vector, merge, greedy, plan.'],
    [{ command: "merge" }, 'input "recipe" is required with command merge; give a path such as recipes/merge.yml.'],
    [
      { command: "publish-vector", base: "org/b", finetuned: "org/f" },
      'input "to" is required with command publish-vector.',
    ],
    [
      { command: "check", base: "org/b" },
      'input "finetuned" is required with command check when no recipe is given (or give a recipe).',
    ],
    [
      { command: "check", recipe: "r.yml", base: "org/b" },
      'input "recipe" and base/finetuned are two ways to name the models; give one of them, not both.',
    ],
    [
      { command: "merge", recipe: "r.yml", base: "org/b" },
      'input "base" is not used by merge; the recipe names the models.',
    ],
    [
      { command: "merge", recipe: "r.yml" },
      'input "hf-token" is required to publish (command merge, dry-run false); pass a write token, e.g. ${{ ' +
        "secrets.HF_TOKEN }}.",
    ],
    [
      { command: "check", recipe: "r.yml", "hf-token": "ghp_wrongkind" },
      'input "hf-token" must be a Hugging Face access token starting with "hf_"; check the secret it comes from.',
    ],
    [{ command: "check", recipe: "r.yml", comment: "yes" }, 'input "comment" must be true or false; got "yes".'],
    [{ command: "check", recipe: "r.yml", "dry-run": "1" }, 'input "dry-run" must be true or false; got "1".'],
    [
      { command: "check", recipe: "r.yml", "hub-url": "huggingface.co" },
      'input "hub-url" must be an http(s) URL such as https://huggingface.co; got "huggingface.co".',
    ],
    [
      { command: "check", recipe: "r.yml", "hub-url": "ftp://x" },
      'input "hub-url" must be an http(s) URL; got "ftp://x".',
    ],
    [
      { command: "plan", recipe: "r.yml", portions: "0" },
      'input "portions" must be a whole number from 1 to 1000; got "0".',
    ],
    [
      { command: "merge", recipe: "r.yml", portion: "4/3", "hf-token": "hf_abcdef" },
      'input "portion" must look like i/N with 1 ≤ i ≤ N, e.g. 2/3 (from the plan\'s matrix); got "4/3".',
    ],
    [
      { command: "greedy", recipe: "r.yml", portion: "1/3" },
      'input "portion" only applies to merge and publish-vector; got command greedy.',
    ],
    [
      { command: "merge", recipe: "r.yml", portion: "1/3", finalize: "true" },
      'input "finalize" and portion are different jobs of a matrix run; a job does one portion or the finalize ' +
        "step, not both.",
    ],
    [
      { command: "merge", recipe: "r.yml", finalize: "true" },
      'input "portions" is required with finalize: true; give the number of portions the matrix computed.',
    ],
    [
      { command: "merge", recipe: "r.yml", portion: "1/3", "dry-run": "true" },
      'input "dry-run" is true, but a portion or finalize job commits to the Hub; run matrix jobs on pushes only, ' +
        "or set dry-run: false.",
    ],
    [
      { command: "merge", recipe: "r.yml", portions: "3" },
      'input "portions" only applies to command plan, or with finalize: true.',
    ],
    [
      { command: "check", recipe: "r.yml", "create-pr": "true" },
      'input "create-pr" only applies to publish-vector, merge, greedy; command check publishes nothing.',
    ],
    [
      {
        command: "merge",
        recipe: "r.yml",
        finalize: "true",
        portions: "2",
        "hf-token": "hf_abcdef",
        "create-pr": "true",
      },
      'input "create-pr" cannot be combined with portion or finalize: the jobs of a matrix run commit to the branch ' +
        "side by side; publish in one job to open a pull request.",
    ],
  ] as Array<[Partial<RawInputs>, string]>)("rejects %j", (values, message) => {
    let error: unknown;
    try {
      parse(values);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(message);
  });

  it("names the input in a bad model reference", () => {
    expect(() => parse({ command: "check", base: "org/b@", finetuned: "org/f" })).toThrow(
      /^input "base": "org\/b@" has a bad revision/,
    );
    expect(() =>
      parse({
        command: "publish-vector",
        base: "org/b",
        finetuned: "org/f",
        to: "org/t@main",
        "hf-token": "hf_abcdef",
      }),
    ).toThrow(/^input "to": "org\/t@main" names a revision/);
    expect(() => parse({ command: "check", base: "a/b/c", finetuned: "org/f" })).toThrow(
      /^input "base": "a\/b\/c" is not a Hub model id/,
    );
  });

  it("never puts the token in a message", () => {
    const token = "ghp_thisIsNotAHubToken";
    expect(() => parse({ command: "check", recipe: "r.yml", "hf-token": token })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(token) }),
    );
  });
});
