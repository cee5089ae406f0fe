// Records the reference implementation's verdict on every case of the reference fuzz spec: writes the seeded
// mutations (src/safetensors/testing/mutations.ts) to a temporary folder, asks .venv/safetensors's safetensors
// 0.8.0 about each, and writes test/fixtures/safetensors-verdicts.json with each case's sha256 and verdict.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { referenceCases } from "../test/helpers/reference-cases.js";

const root = join(import.meta.dirname, "..");
const count = Number(process.argv[2] ?? 5000);
const dir = mkdtempSync(join(tmpdir(), "tvhub-verdicts-"));
try {
  const cases = referenceCases(count);
  for (const { name, bytes } of cases) writeFileSync(join(dir, name), bytes);
  const python = join(root, ".venv", "safetensors", "bin", "python");
  const out = JSON.parse(
    execFileSync(python, [join(root, "scripts", "safetensors_verdicts.py"), dir], {
      maxBuffer: 64 * 1024 * 1024,
    }).toString("utf8"),
  ) as {
    safetensors: string;
    verdicts: Record<string, string | null>;
  };
  const fixture = {
    reference: `safetensors ${out.safetensors} (safe_open)`,
    cases: cases.map(({ name, bytes }) => ({
      name,
      sha256: createHash("sha256").update(bytes).digest("hex").slice(0, 16),
      refused:
        out.verdicts[name]?.replace("SafetensorError: Error while deserializing header: ", "").slice(0, 80) ?? null,
    })),
  };
  // One case a line, so that a re-recording's diff shows which verdicts changed.
  const caseLines = fixture.cases.map((c) => JSON.stringify(c)).join(",\n");
  writeFileSync(
    join(root, "test", "fixtures", "safetensors-verdicts.json"),
    `{"reference":${JSON.stringify(fixture.reference)},"cases":[\n${caseLines}\n]}\n`,
  );
  const refused = fixture.cases.filter((c) => c.refused !== null).length;
  console.log(`recorded ${fixture.cases.length} verdicts (${refused} refused) from ${fixture.reference}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
