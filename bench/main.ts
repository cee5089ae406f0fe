// `npm run bench [-- name... [flags]]`: runs each bench (or the named ones), prints its table, writes
// bench-output/<name>.json. Flags go to the publish-vector bench, e.g. `npm run bench -- publish-vector --sizes 0.5`.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { formatAdapterDenseTable, runAdapterDenseBench } from "./adapter-dense.js";
import { formatHubClientsTable, runHubClientsBench } from "./hub-clients.js";
import { formatInspect1mTable, runInspect1mBench } from "./inspect-1m.js";
import { formatKernelTable, runKernelBench } from "./kernels.js";
import { formatLoraExtractTable, runLoraExtractBench } from "./lora-extract.js";
import {
  formatPublishVectorTable,
  publishVectorFlags,
  publishVectorOptionsFrom,
  runPublishVectorBench,
  type PublishVectorBenchOptions,
} from "./publish-vector.js";

interface Bench {
  name: string;
  run(): Promise<{ table: string; json: unknown }> | { table: string; json: unknown };
}

const benches: Bench[] = [
  {
    name: "kernels",
    run: () => {
      const results = runKernelBench();
      return { table: formatKernelTable(results), json: results };
    },
  },
  {
    name: "lora-extract",
    run: async () => {
      const results = await runLoraExtractBench({
        ...(publishVectorOptions.torch === false ? { python: false } : {}),
        ...(loraModelBytes === undefined ? {} : { modelBytes: loraModelBytes }),
      });
      return { table: formatLoraExtractTable(results), json: results };
    },
  },
  {
    name: "publish-vector",
    run: async () => {
      const results = await runPublishVectorBench(publishVectorOptions);
      return { table: formatPublishVectorTable(results), json: results };
    },
  },
  {
    name: "adapter-dense",
    run: async () => {
      const results = await runAdapterDenseBench();
      return { table: formatAdapterDenseTable(results), json: results };
    },
  },
  {
    name: "hub-clients",
    run: async () => {
      const results = await runHubClientsBench();
      return { table: formatHubClientsTable(results), json: results };
    },
  },
  {
    name: "inspect-1m",
    run: async () => {
      const results = await runInspect1mBench();
      return { table: formatInspect1mTable(results), json: results };
    },
  },
];

const outputDir = "bench-output";
let wanted: string[];
let publishVectorOptions: PublishVectorBenchOptions;
/** lora-extract's Llama-shaped model, `--lora-model-gb N` (0 leaves it out). */
let loraModelBytes: number | undefined;
try {
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    options: { ...publishVectorFlags, "lora-model-gb": { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  wanted = positionals;
  publishVectorOptions = publishVectorOptionsFrom(values);
  if (values["lora-model-gb"] !== undefined) {
    const gb = Number(values["lora-model-gb"]);
    if (!Number.isFinite(gb) || gb < 0 || gb > 100)
      throw new Error(`--lora-model-gb ${values["lora-model-gb"]} is not a size in GB between 0 and 100.`);
    loraModelBytes = gb * 1e9;
  }
} catch (error) {
  console.error(
    `${(error as Error).message}\nFlags: --sizes GB,GB --targets disk,memory --repetitions N --dir DIR --python ` +
      "PATH --torch-overlap --no-torch --lora-model-gb GB.",
  );
  process.exit(2);
}
const unknown = wanted.filter((name) => !benches.some((bench) => bench.name === name));
if (unknown.length > 0) {
  console.error(
    `Unknown bench ${unknown.join(", ")}; the benches are ${benches.map((bench) => bench.name).join(", ")}.`,
  );
  process.exit(2);
}
await mkdir(outputDir, { recursive: true });
for (const bench of benches) {
  if (wanted.length > 0 && !wanted.includes(bench.name)) continue;
  const { table, json } = await bench.run();
  const file = join(outputDir, `${bench.name}.json`);
  await writeFile(file, JSON.stringify(json, null, 2) + "\n");
  console.log(`${table}\n(${file})\n`);
}
