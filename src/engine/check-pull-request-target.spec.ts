import { describe, expect, it } from "vitest";
import { checkPullRequestTarget } from "./check-pull-request-target.js";

describe("checkPullRequestTarget", () => {
  const hub = { kind: "hub", repo: "org/out" } as const;

  it("accepts a Hub repo published in one job, and anything without the flag", () => {
    expect(() => checkPullRequestTarget({ createPr: true, stage: undefined, target: hub })).not.toThrow();
    expect(() =>
      checkPullRequestTarget({
        createPr: false,
        stage: { kind: "finalize" },
        target: { kind: "local", path: "./out" },
      }),
    ).not.toThrow();
  });

  it("refuses a folder and a matrix job, naming the option", () => {
    expect(() =>
      checkPullRequestTarget({
        createPr: true,
        stage: undefined,
        target: { kind: "local", path: "./out" },
        label: "r.yml: output.to",
      }),
    ).toThrow(/folder \.\/out; give r\.yml: output\.to org\/name/);
    expect(() => checkPullRequestTarget({ createPr: true, stage: { kind: "finalize" }, target: hub })).toThrow(
      /--portion or --finalize/,
    );
  });
});
