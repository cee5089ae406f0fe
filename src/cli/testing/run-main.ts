import { PassThrough } from "node:stream";
import type { main } from "../main.js";

export interface MainRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI's entry point in this process (the one bin.ts calls) with the given env, and what it printed. */
export async function runMain(entry: typeof main, argv: string[], env: NodeJS.ProcessEnv): Promise<MainRun> {
  const capture = () => {
    const stream = new PassThrough();
    let text = "";
    stream.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    return { stream, text: () => text };
  };
  const out = capture();
  const err = capture();
  const code = await entry({ argv, env, stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}
