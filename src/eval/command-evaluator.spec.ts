import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError, InternalError, UsageError } from "../errors.js";
import { createCommandEvaluator } from "./command-evaluator.js";
import { quoteShellArg } from "./quote-shell-arg.js";
import { joinPatterns } from "../../test/helpers/join-patterns.js";
import { errorOf } from "./testing/error-of.js";

const posix = process.platform !== "win32";
let root = "";
let node = "";
/** A folder whose name needs every kind of shell quoting. */
let awkwardDir = "";

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tvhub-command-"));
  node = quoteShellArg({ value: process.execPath });
  awkwardDir = join(root, `it's a "model" $HOME \`id\` *`);
  await mkdir(awkwardDir);
  await writeFile(join(awkwardDir, "config.json"), "{}");
  await writeFile(
    join(root, "echo-dir.mjs"),
    `import { existsSync } from "node:fs";\nconsole.log("loading...");\nconsole.log(JSON.stringify({ score: ` +
      `existsSync(process.argv[2] + "/config.json") ? 1 : 0, args: process.argv.length - 2, dir: process.argv[2] ` +
      `}));\n`,
  );
  await writeFile(join(root, "print.mjs"), `process.stdout.write(process.argv.slice(2).join(" "));\n`);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Running, not a zombie: an orphan killed in a container may wait for a PID 1 that never reaps it. */
async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return !/^State:\s+Z/m.test(status);
}

describe.runIf(posix)("createCommandEvaluator", () => {
  it("passes the folder as one shell word, whatever characters its name holds", async () => {
    const lines: string[] = [];
    const evaluator = createCommandEvaluator({
      command: `${node} ${quoteShellArg({ value: join(root, "echo-dir.mjs") })} {model}`,
      onOutput: ({ stream, line }) => lines.push(`${stream}: ${line}`),
    });
    const result = await evaluator.evaluate({ modelDir: awkwardDir });
    expect(result).toEqual({ score: 1, details: { args: 1 } });
    expect(lines[0]).toBe("stdout: loading...");
    expect(JSON.parse((lines[1] ?? "").slice("stdout: ".length)).dir).toBe(awkwardDir);
  });

  it("treats a {model} the user quoted as the same single word", async () => {
    for (const quoted of [`"{model}"`, `'{model}'`]) {
      const evaluator = createCommandEvaluator({
        command: `${node} ${quoteShellArg({ value: join(root, "echo-dir.mjs") })} ${quoted}`,
      });
      expect(await evaluator.evaluate({ modelDir: awkwardDir })).toEqual({ score: 1, details: { args: 1 } });
    }
  });

  it("reads a bare number, skipping earlier output, blank lines and CR", async () => {
    const evaluator = createCommandEvaluator({ command: `printf 'epoch 1\\r\\n0.75\\r\\n\\n\\n' # {model}` });
    expect(await evaluator.evaluate({ modelDir: root })).toEqual({ score: 0.75 });
  });

  it("takes the score from the metric key and keeps the other numbers as details", async () => {
    const evaluator = createCommandEvaluator({
      command: `echo '{"accuracy": 0.9, "f1": 0.8, "note": "x"}' # {model}`,
      metric: "accuracy",
    });
    expect(evaluator.name).toBe(`command(accuracy): echo '{"accuracy": 0.9, "f1": 0.8, "note": "x"}' # {model}`);
    expect(await evaluator.evaluate({ modelDir: root })).toEqual({ score: 0.9, details: { f1: 0.8 } });
  });

  it("reports minus a minimized metric, with the value itself in the details", async () => {
    const evaluator = createCommandEvaluator({
      command: `echo '{"loss": 0.25}' # {model}`,
      metric: "loss",
      direction: "minimize",
    });
    expect(evaluator.name).toBe(`command(loss, minimized): echo '{"loss": 0.25}' # {model}`);
    expect(await evaluator.evaluate({ modelDir: root })).toEqual({ score: -0.25, details: { loss: 0.25 } });
  });

  it("says what is wrong with a missing score and names the candidate", async () => {
    const cases: Array<[string, RegExp, string?]> = [
      [
        `echo 'accuracy: 0.9' # {model}`,
        joinPatterns(
          /for start \+ 0\.5·org\/a ended with "accuracy: 0\.9", which is not JSON; /,
          /print a JSON object such as \{"score": 0\.87\} as the last line of stdout\./,
        ),
      ],
      [
        `echo '{"acc": 0.9, "loss": 1}' # {model}`,
        joinPatterns(
          /printed a JSON object that has no "score" \(it has "acc", "loss"\); /,
          /print a JSON object such as \{"score": 0\.87\}/,
        ),
      ],
      [`echo '{"score": "0.9"}' # {model}`, /has "score": "0\.9", not a number/],
      [`echo '[0.9]' # {model}`, /ended with "\[0\.9\]", not a JSON object/],
      [
        `echo 0.9 # {model}`,
        /ended with "0\.9", not a JSON object; print a JSON object such as \{"acc": 0\.87\}/,
        "acc",
      ],
      [
        `echo oops >&2 # {model}`,
        joinPatterns(
          /printed nothing on stdout; /,
          /print a JSON object such as \{"score": 0\.87\} as the last line of stdout; /,
          /its stderr ends with:\n {2}oops$/,
        ),
      ],
    ];
    for (const [command, message, metric] of cases) {
      const evaluator = createCommandEvaluator({ command, ...(metric ? { metric } : {}) });
      const error = await errorOf(evaluator.evaluate({ modelDir: root, name: "start + 0.5·org/a" } as never));
      expect(error).toBeInstanceOf(DataError);
      expect(error.code).toBe("COMMAND_NO_SCORE");
      expect(error.message).toMatch(message);
    }
  });

  it("fails on a non-zero exit with the last lines of stderr, and never shows a token", async () => {
    const script =
      `for i in $(seq 1 30); do echo "line $i" >&2; done; echo "token hf_abcdefghijklmnop" >&2; exit 3 ` + "# {model}";
    const evaluator = createCommandEvaluator({ command: script });
    const error = await errorOf(evaluator.evaluate({ modelDir: join(root, "cand-7") }));
    expect(error.code).toBe("COMMAND_FAILED");
    expect(error.message).toMatch(
      new RegExp(
        `^The evaluation command for ${join(root, "cand-7").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} exited with ` +
          "code 3; fix the scorer",
      ),
    );
    expect(error.message).toContain("  line 30\n  token hf_***");
    expect(error.message).not.toContain("line 19\n");
    expect(error.message).not.toContain("hf_abcdefghijklmnop");
  });

  it("stops a command that runs past the timeout, with everything it started", async () => {
    const pidFile = join(root, "timeout.pid");
    const evaluator = createCommandEvaluator({
      command: `sleep 30 & echo $! > ${quoteShellArg({ value: pidFile })}; wait # {model}`,
      timeoutSeconds: 0.3,
    });
    const started = Date.now();
    const error = await errorOf(evaluator.evaluate({ modelDir: root, name: "cand B" } as never));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error.code).toBe("COMMAND_TIMEOUT");
    expect(error.message).toMatch(
      /^The evaluation command for cand B did not finish within 300 ms and was stopped; raise the timeout/,
    );
    const pid = Number(await readFile(pidFile, "utf8"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await isAlive(pid)).toBe(false);
  });

  it("kills a command that ignores SIGTERM after the grace period", async () => {
    const evaluator = createCommandEvaluator({
      command: `trap '' TERM; sleep 30; sleep 30 # {model}`,
      timeoutSeconds: 0.2,
      killGraceSeconds: 0.3,
    });
    const started = Date.now();
    const error = await errorOf(evaluator.evaluate({ modelDir: root }));
    expect(error.code).toBe("COMMAND_TIMEOUT");
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("ends processes a scorer leaves behind once it has printed its score", async () => {
    const pidFile = join(root, "leftover.pid");
    const evaluator = createCommandEvaluator({
      command: `sleep 30 & echo $! > ${quoteShellArg({ value: pidFile })}; echo '{"score": 2}' # {model}`,
    });
    const started = Date.now();
    expect(await evaluator.evaluate({ modelDir: root })).toEqual({ score: 2 });
    expect(Date.now() - started).toBeLessThan(5000);
    const pid = Number(await readFile(pidFile, "utf8"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await isAlive(pid)).toBe(false);
  });

  it("stops on abort and rejects with the signal's reason", async () => {
    const controller = new AbortController();
    const evaluator = createCommandEvaluator({ command: `sleep 30 # {model}` });
    setTimeout(() => controller.abort(new Error("interrupted by the user")), 100);
    const started = Date.now();
    await expect(evaluator.evaluate({ modelDir: root, signal: controller.signal })).rejects.toThrow(
      "interrupted by the user",
    );
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(evaluator.evaluate({ modelDir: root, signal: controller.signal })).rejects.toThrow(
      "interrupted by the user",
    );
  });

  it("runs in the given folder with the given environment", async () => {
    const evaluator = createCommandEvaluator({
      command: `echo "{\\"score\\": $SCORE}"; pwd >&2 # {model}`,
      cwd: awkwardDir,
      env: { PATH: "/usr/bin:/bin", SCORE: "0.5" },
    });
    expect(await evaluator.evaluate({ modelDir: root })).toEqual({ score: 0.5 });
  });

  it("reports a command that cannot start", async () => {
    const evaluator = createCommandEvaluator({ command: `true {model}`, cwd: join(root, "no-such-dir") });
    const error = await errorOf(evaluator.evaluate({ modelDir: root }));
    expect(error.code).toBe("COMMAND_SPAWN_FAILED");
    expect(error.message).toMatch(/could not be started \(.*ENOENT.*\); check that the shell and the program exist\./);
  });

  it("refuses a command without {model}, a bad timeout, and a model in memory", async () => {
    expect(() => createCommandEvaluator({ command: "python eval.py --token hf_secretsecret" })).toThrow(UsageError);
    expect(() => createCommandEvaluator({ command: "python eval.py --token hf_secretsecret" })).toThrow(
      /"python eval\.py --token hf_\*\*\*" has no \{model\}/,
    );
    expect(() => createCommandEvaluator({ command: "x {model}", timeoutSeconds: 0 })).toThrow(/timeout is 0 seconds/);
    const evaluator = createCommandEvaluator({ command: "x {model}" });
    await expect(evaluator.evaluate({ tensors: new Map(), config: {} })).rejects.toThrow(InternalError);
  });
});

describe("quoteShellArg", () => {
  it("quotes for sh and for cmd.exe", () => {
    expect(quoteShellArg({ value: "/tmp/a b" })).toBe("'/tmp/a b'");
    expect(quoteShellArg({ value: "it's" })).toBe(`'it'\\''s'`);
    expect(quoteShellArg({ value: "C:\\models\\a b", shell: "cmd" })).toBe(`"C:\\models\\a b"`);
  });
});
