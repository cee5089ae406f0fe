import type { Command } from "commander";
import { check as runCheck } from "../../app/check.js";
import { formatCompatibilityReport } from "../../plan/format-compatibility-report.js";
import type { CliContext } from "../context.js";
import { createAppContext, type CliAppFlags } from "../create-app-context.js";
import { addHubFlags } from "../hub-options.js";
import { parseVocabFlag } from "../parse-flags.js";
import { printJson } from "../print-results.js";
import { pickDefined } from "../../util/pick-defined.js";

interface CheckFlags extends CliAppFlags {
  base?: string;
  finetuned?: string[];
  vector?: string[];
  vocab?: "refuse" | "extend";
  force?: boolean;
}

/** `tvhub check`: exit 0 when compatible, 1 with a report naming every mismatch. */
export function check(program: Command, context: CliContext): void {
  addHubFlags(
    program
      .command("check")
      .description(
        "Check that fine-tuned models or task vectors fit a base, from configs, cards and safetensors headers only " +
          "(no weights are downloaded).",
      )
      .option("--base <ref>", "the base model (default: the base_model the fine-tune's card declares)")
      .option("--finetuned <ref...>", "fine-tuned model(s): org/name, org/name@revision or a folder")
      .option("--vector <ref...>", "published task vector(s)")
      .option("--vocab <mode>", "refuse, or extend: accept a fine-tune that grew the vocabulary", parseVocabFlag)
      .option("--force", "report lineage mismatches (the card names another base) without failing"),
  ).action(async (flags: CheckFlags) => {
    const inputs = [
      ...(flags.finetuned ?? []).map((text) => ({ text, kind: "finetuned" as const })),
      ...(flags.vector ?? []).map((text) => ({ text, kind: "vector" as const })),
    ];
    if (inputs.length === 0)
      program.error("error: check needs --finetuned or --vector", { exitCode: 2, code: "tvhub.usage" });
    const result = await runCheck({
      context: createAppContext(context, flags),
      ...(flags.base === undefined ? {} : { base: flags.base }),
      inputs,
      ...pickDefined(flags, ["vocab", "force"]),
    });
    if (flags.json) printJson(context, result);
    else context.stdout.write(`${formatCompatibilityReport({ report: result.report })}\n`);
    if (!result.report.ok) context.exitCode = 1;
  });
}
