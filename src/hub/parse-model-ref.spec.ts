import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { parseModelRef } from "./parse-model-ref.js";

describe("parseModelRef", () => {
  it("reads org/name as a Hub repo on its default branch", () => {
    expect(parseModelRef({ text: "meta-llama/Llama-3.1-8B" })).toEqual({
      kind: "hub",
      repo: "meta-llama/Llama-3.1-8B",
    });
  });

  it("reads a branch, a tag or a 40-hex commit after @", () => {
    const sha = "d04e592bb4f6aa9cfee91e2e20afa771667e1d4b";
    expect(parseModelRef({ text: "org/m@dev" })).toEqual({ kind: "hub", repo: "org/m", revision: "dev" });
    expect(parseModelRef({ text: "org/m@v1.0" })).toEqual({ kind: "hub", repo: "org/m", revision: "v1.0" });
    expect(parseModelRef({ text: `org/m@${sha}` })).toEqual({ kind: "hub", repo: "org/m", revision: sha });
    expect(parseModelRef({ text: "org/m@refs/pr/1" })).toEqual({ kind: "hub", repo: "org/m", revision: "refs/pr/1" });
  });

  it("reads paths with ./, ../, / or ~ as local directories", () => {
    for (const text of ["./model", "../out/m", "/data/models/x", "~/models/x", ".", ".."]) {
      expect(parseModelRef({ text })).toEqual({ kind: "local", path: text });
    }
  });

  it("expands ~ only when given a home directory", () => {
    expect(parseModelRef({ text: "~/m", homeDir: "/home/ada" })).toEqual({ kind: "local", path: "/home/ada/m" });
    expect(parseModelRef({ text: "~", homeDir: "/home/ada/" })).toEqual({ kind: "local", path: "/home/ada/" });
  });

  it("reads a name that exists as a directory as local, asking the injected check", () => {
    const asked: string[] = [];
    const isDirectory = (path: string): boolean => {
      asked.push(path);
      return path === "org/m" || path === "checkpoints";
    };
    expect(parseModelRef({ text: "org/m", isDirectory })).toEqual({ kind: "local", path: "org/m" });
    expect(parseModelRef({ text: "checkpoints", isDirectory })).toEqual({ kind: "local", path: "checkpoints" });
    expect(parseModelRef({ text: "org/other", isDirectory })).toEqual({ kind: "hub", repo: "org/other" });
    expect(asked).toEqual(["org/m", "checkpoints", "org/other"]);
  });

  it("does not ask the filesystem about explicit paths", () => {
    const isDirectory = (): boolean => {
      throw new Error("should not be called");
    };
    expect(parseModelRef({ text: "./x", isDirectory }).kind).toBe("local");
  });

  it.each([
    ["gpt2", "it has no org/ part"],
    ["a/b/c", "more than one /"],
    ["org/na me", "letters, digits"],
    ["org/-x", "starts and ends"],
    ["org/x--y", '"--"'],
    ["org/x.git", '".git"'],
    ["", "is empty"],
  ] as const)("refuses %j with a UsageError that shows the accepted forms", (text, reason) => {
    let thrown: unknown;
    try {
      parseModelRef({ text, label: "--base" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    const message = (thrown as Error).message;
    expect(message).toContain(`--base "${text}"`);
    expect(message).toContain("org/name@revision");
    expect(message).toContain(reason);
    expect(message.endsWith(".")).toBe(true);
  });

  it.each(["org/m@", "org/m@a b", "org/m@x..y", "org/m@-x", "org/m@x.lock", "org/m@a~1", "org/m@x/"])(
    "refuses the bad revision in %j",
    (text) => {
      expect(() => parseModelRef({ text })).toThrow(/bad revision|nothing follows @/);
    },
  );

  it("refuses a revision where none is allowed, as for a publish target", () => {
    expect(() => parseModelRef({ text: "org/out@dev", label: "--to", allowRevision: false })).toThrow(UsageError);
    expect(() => parseModelRef({ text: "org/out@dev", label: "--to", allowRevision: false })).toThrow(
      /--to "org\/out@dev" names a revision/,
    );
    expect(parseModelRef({ text: "org/out", allowRevision: false })).toEqual({ kind: "hub", repo: "org/out" });
    expect(parseModelRef({ text: "./out", allowRevision: false })).toEqual({ kind: "local", path: "./out" });
  });
});
