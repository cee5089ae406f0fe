import { createCoreIo } from "./core-io.js";
import { createActionDeps } from "./deps.js";
import { run } from "./main.js";

// The runner cancels a job with SIGINT then SIGTERM; the use cases stop at the next await and the step still reports.
const controller = new AbortController();
process.once("SIGINT", () => controller.abort());
process.once("SIGTERM", () => controller.abort());

await run(createCoreIo(process.env), createActionDeps({ env: process.env, signal: controller.signal }));
