import type { Command } from "commander";
import { uploadFolder } from "../../app/upload-folder.js";
import { formatBytes } from "../../util/format-bytes.js";
import type { CliContext } from "../context.js";
import { createAppContext, type CliAppFlags } from "../create-app-context.js";
import { addHubFlags } from "../hub-options.js";
import { runWithProgress } from "../run-with-progress.js";
import { hubGroup } from "./hub-group.js";
import { printJson } from "../print-results.js";

interface HubUploadFlags extends CliAppFlags {
  private?: boolean;
  message?: string;
}

/** `tvhub hub upload DIR REPO`: a model folder of one's own onto a Hub, in one commit (the local Hub's way in). */
export function hubUpload(program: Command, context: CliContext): void {
  const hub = hubGroup(program);
  addHubFlags(
    hub
      .command("upload")
      .description(
        "Upload every file of a model folder to a Hub model repo in one commit (created when missing); files the " +
          "repo holds that the folder does not are left alone. " +
          "With tvhub hub serve, this is how your own models get onto the local Hub.",
      )
      .argument(
        "<dir>",
        "the model folder (config.json, model.safetensors, card, ...); dot folders such as .git are skipped",
      )
      .argument("<repo>", "the model repo, org/name")
      .option("--private", "create the repo private (an existing repo keeps its visibility)")
      .option("--message <text>", "the commit title (default: Upload <folder name>)"),
  ).action(async (dir: string, repo: string, flags: HubUploadFlags) => {
    const result = await runWithProgress(
      context,
      flags,
      uploadFolder({
        context: createAppContext(context, flags),
        dir,
        repo,
        ...(flags.private === true ? { private: true } : {}),
        ...(flags.message === undefined ? {} : { commitTitle: flags.message }),
      }),
    );
    if (flags.json) {
      printJson(context, result);
      return;
    }
    const bytes = result.files.reduce((sum, file) => sum + file.size, 0);
    const skipped =
      result.alreadyUploaded.length > 0 ? ` (${result.alreadyUploaded.length} already on the Hub, not sent again)` : "";
    context.stdout.write(
      `Uploaded ${result.files.length} file(s), ${formatBytes(bytes)}${skipped}, to ${result.repoUrl} at commit ` +
        `${result.commit}\n`,
    );
  });
}
