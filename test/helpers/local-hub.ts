/**
 * Starts a real `tvhub hub serve` process (from dist/cli.js, so `npm run build` must have run) for end-to-end
 * tests, and guards `fetch` so a test that forgets `hubUrl` fails instead of reaching huggingface.co.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const cli = resolve(import.meta.dirname, "../../dist/cli.js");

export interface HubUser {
  name: string;
  token: string;
}

export interface HubOrg {
  name: string;
  members: string[];
}

export interface StartLocalHubOptions {
  users?: HubUser[];
  orgs?: HubOrg[];
  /** Reuse a directory (to test restarts); a fresh temporary one otherwise. */
  dir?: string;
  /** Extra `hub serve` flags. */
  args?: string[];
}

export interface LocalHubProcess {
  /** `http://127.0.0.1:PORT`: the server's first stdout line. */
  url: string;
  dir: string;
  pid: number;
  /** Everything the server wrote on stderr so far (its access log). */
  stderr(): string;
  /** SIGTERM, then waits for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash or an OOM kill would end it; resolves once the process is gone. */
  kill(): Promise<void>;
}

export async function startLocalHub(options: StartLocalHubOptions = {}): Promise<LocalHubProcess> {
  const dir = options.dir ?? join(mkdtempSync(join(tmpdir(), "tvhub-hub-")), "hub");
  const args = [cli, "hub", "serve", "--dir", dir, "--port", "0"];
  for (const user of options.users ?? []) args.push("--user", `${user.name}:${user.token}`);
  for (const org of options.orgs ?? []) args.push("--org", `${org.name}:${org.members.join(",")}`);
  args.push(...(options.args ?? []));
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));

  const url = await new Promise<string>((done, fail) => {
    let stdout = "";
    const timer = setTimeout(() => fail(new Error(`hub serve printed no URL within 20 s; stderr: ${stderr}`)), 20_000);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline !== -1) {
        clearTimeout(timer);
        done(stdout.slice(0, newline));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`hub serve exited with ${code} before printing its URL; stderr: ${stderr}`));
    });
  });

  const signal = async (name: NodeJS.Signals): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return {
    url,
    dir,
    pid: pidOf(child),
    stderr: () => stderr,
    stop: () => signal("SIGTERM"),
    kill: async () => {
      await signal("SIGKILL");
    },
  };
}

function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error("hub serve did not start");
  return child.pid;
}

export interface FetchGuard {
  /** URLs that were refused because they left the local Hub. */
  violations: string[];
  restore(): void;
}

/**
 * Wraps `globalThis.fetch` so any request to an origin other than the local Hub's fails (and is recorded): the
 * official client falls back to https://huggingface.co whenever a call forgets `hubUrl`, and
 * `uploadFilesWithProgress` takes no `fetch` parameter.
 */
export function guardFetch(hubUrl: string | (() => string)): FetchGuard {
  const original = globalThis.fetch;
  const violations: string[] = [];
  globalThis.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const allowed = new URL(typeof hubUrl === "string" ? hubUrl : hubUrl()).origin;
    if (new URL(url).origin !== allowed) {
      violations.push(url);
      throw new Error(`test fetch guard: refused ${url}; only ${allowed} may be contacted`);
    }
    return original(input, init);
  };
  return {
    violations,
    restore: () => {
      globalThis.fetch = original;
    },
  };
}
