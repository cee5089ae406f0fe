// tvhub's safetensors reader against the reference implementation (huggingface/safetensors 0.8.0): on thousands
// of seeded mutations of valid files, tvhub accepts exactly what the reference accepts, save for the decisions
// docs/formats.md lists (it refuses duplicate keys and numbers beyond 2^53, which the reference lets through), and
// it never fails with anything but a DataError naming the file. The reference's verdicts are recorded in
// test/fixtures/safetensors-verdicts.json by scripts/record-safetensors-verdicts.mjs. More cases on demand, with
// verdicts asked of .venv/safetensors live: TVHUB_FUZZ_CASES=50000 npx vitest run test/safetensors-reference.spec.ts
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../src/errors.js";
import { bufferSource } from "../src/safetensors/buffer-source.js";
import { openModel } from "../src/safetensors/open-model.js";
import { referenceCases, type ReferenceCase } from "./helpers/reference-cases.js";
import { hasPython, venvProgram } from "./helpers/python-venv.js";

const root = resolve(import.meta.dirname, "..");
const fixture = JSON.parse(readFileSync(join(root, "test/fixtures/safetensors-verdicts.json"), "utf8")) as {
  reference: string;
  cases: Array<{ name: string; sha256: string; refused: string | null }>;
};

/** tvhub's verdict: undefined when it reads every tensor of the file, else the DataError. */
async function tvhubVerdict({ name, bytes }: ReferenceCase): Promise<DataError | undefined> {
  try {
    const model = await openModel({ name, weights: name, open: async () => bufferSource({ bytes, name }) });
    for (const tensor of model.tensors()) await model.readTensor(tensor.name);
    return undefined;
  } catch (error) {
    if (!(error instanceof DataError)) throw new Error(`${name}: not a DataError: ${String(error)}`, { cause: error });
    expect(error.message.startsWith(`${name}: `), error.message).toBe(true);
    return error;
  }
}

/** Where tvhub refuses on purpose what the reference accepts (docs/formats.md, "Reading safetensors files"). */
function decision(error: DataError): string | undefined {
  if (error.code === "SAFETENSORS_DUPLICATE_NAME" || / twice/.test(error.message)) return "a key twice";
  if (error.code === "SAFETENSORS_OVERFLOW") return "a number beyond 2^53";
  if (error.code === "SAFETENSORS_BAD_DTYPE" && /dtype "F[46]/.test(error.message)) return "a sub-byte dtype";
  return undefined;
}

async function compare(cases: ReferenceCase[], refusedByReference: (c: ReferenceCase, i: number) => string | null) {
  const disagreements: string[] = [];
  const decisions = new Map<string, number>();
  let accepted = 0;
  for (const [i, c] of cases.entries()) {
    const ours = await tvhubVerdict(c);
    const theirs = refusedByReference(c, i);
    if (ours === undefined) accepted++;
    if ((ours === undefined) === (theirs === null)) continue;
    const why = ours === undefined ? undefined : decision(ours);
    if (why !== undefined) decisions.set(why, (decisions.get(why) ?? 0) + 1);
    else
      disagreements.push(
        `${c.name}: tvhub ${ours === undefined ? "accepts" : `refuses (${ours.message})`}, the reference ` +
          `${theirs === null ? "accepts" : `refuses (${theirs})`}`,
      );
  }
  return { disagreements, decisions, accepted };
}

describe(`tvhub's reader against the reference (${fixture.reference})`, () => {
  it(`agrees on the ${fixture.cases.length} recorded cases, save for documented decisions`, {
    timeout: 120_000,
  }, async () => {
    const cases = referenceCases(fixture.cases.length);
    const stale = cases.filter(
      (c, i) => createHash("sha256").update(c.bytes).digest("hex").slice(0, 16) !== fixture.cases[i]?.sha256,
    );
    expect(
      stale.map((c) => c.name),
      "the generator changed: rerun node scripts/record-safetensors-verdicts.mjs",
    ).toEqual([]);
    const { disagreements, decisions, accepted } = await compare(cases, (_, i) => fixture.cases[i]?.refused ?? null);
    expect(disagreements).toEqual([]);
    // The cases reach both verdicts, and the decisions stay a small part of them.
    expect(accepted).toBeGreaterThan(50);
    expect([...decisions.values()].reduce((a, b) => a + b, 0)).toBeLessThan(cases.length / 20);
  });

  const extra = Number(process.env.TVHUB_FUZZ_CASES ?? 0) - fixture.cases.length;
  it.skipIf(extra <= 0 || !hasPython)(
    `agrees on ${Math.max(0, extra)} more cases asked of .venv/safetensors (TVHUB_FUZZ_CASES)`,
    { timeout: 3_600_000 },
    async () => {
      const cases = referenceCases(extra, fixture.cases.length);
      const dir = mkdtempSync(join(tmpdir(), "tvhub-fuzz-"));
      try {
        for (const c of cases) writeFileSync(join(dir, c.name), c.bytes);
        const out = execFileSync(
          venvProgram("safetensors", "python"),
          [join(root, "scripts/safetensors_verdicts.py"), dir],
          { maxBuffer: 1 << 30 },
        );
        const verdicts = (JSON.parse(out.toString("utf8")) as { verdicts: Record<string, string | null> }).verdicts;
        const { disagreements } = await compare(cases, (c) => verdicts[c.name] ?? null);
        expect(disagreements).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
