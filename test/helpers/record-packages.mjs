// Preloaded with `node --import` by test/cli-start.spec.ts: registers itself as a module loader hook that appends the
// name of every npm package a module import resolves into to the file named by TVHUB_RECORD_PACKAGES, one a line.
// Written synchronously from the hook, so the list is complete when the process exits, however it exits.
import { appendFileSync } from "node:fs";
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

let file;

export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(resolved.url);
  if (match && file) appendFileSync(file, `${match[1]}\n`);
  return resolved;
}

// The hooks run on a thread of their own, which loads this file again: only the main thread registers them.
if (isMainThread && process.env.TVHUB_RECORD_PACKAGES) {
  register(import.meta.url, { data: { file: process.env.TVHUB_RECORD_PACKAGES } });
}
