import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { RemoteError, TvhubError, UsageError } from "../errors.js";
import { findForeignFiles, foreignFilesError, type HubClient, type ModelRef } from "../hub/index.js";
import { checkWritableFolder } from "./check-writable-folder.js";
import { checkLocalTarget } from "./publish-output.js";

export interface CheckTargetOptions {
  hub: HubClient;
  /** Where the run will publish: a Hub repo or a folder. */
  target: ModelRef;
  /** What the run publishes, as its tvhub.json `format` says: a target holding the other kind needs `force`. */
  produces: PublishedKind;
  /** Replace an earlier publish of the other kind (its files are deleted with the new commit). @default false */
  force?: boolean;
}

/** The `format` of the tvhub.json a publish writes. */
export type PublishedKind = "tvhub/task-vector" | "tvhub/merge";

const kindNames: Record<string, string> = { "tvhub/task-vector": "a task vector", "tvhub/merge": "a merged model" };

/**
 * Everything that would make the publish step fail, found before a byte of weights is read: no token, a token
 * that can only read or belongs to an account outside the target's namespace, and a repo or folder that
 * holds someone's other work. A run that passes can still fail later (the Hub may change meanwhile), but not
 * after twenty minutes of downloading for a reason known at the start.
 */
export async function checkTarget(options: CheckTargetOptions): Promise<void> {
  const { hub, target } = options;
  if (target.kind === "local") {
    await checkWritableFolder({ dir: target.path, flag: `--to ${target.path}` });
    const existing = await checkLocalTarget(target.path);
    if (existing.includes("tvhub.json"))
      checkKind(options, target.path, await readFile(join(target.path, "tvhub.json")).catch(() => null));
    return;
  }
  const { repo } = target;
  const identity = await hub.whoami();
  if (identity === null) {
    throw new UsageError(`Publishing to ${repo} needs a write token; pass --token or set HF_TOKEN.`, {
      code: "HUB_NO_TOKEN",
      subject: repo,
    });
  }
  if (identity.role === "read") {
    throw new UsageError(
      `Publishing to ${repo} needs a write token, but the token given can only read; pass a write token with ` +
        "--token or HF_TOKEN.",
      {
        code: "HUB_READ_ONLY_TOKEN",
        subject: repo,
      },
    );
  }
  const namespace = repo.slice(0, repo.indexOf("/"));
  if (namespace !== identity.name && !identity.orgs.includes(namespace)) {
    throw new RemoteError(
      `The token belongs to ${identity.name}, who cannot publish to ${repo} (not a member of ${namespace}); publish ` +
        `under ${identity.name}/ or an organisation ${identity.name} belongs to.`,
      { code: "HUB_NO_WRITE_ACCESS", subject: repo },
    );
  }
  let sha: string;
  try {
    sha = (await hub.pin({ repo })).sha;
  } catch (error) {
    // A repo that does not exist yet is created by the publish step.
    if (error instanceof TvhubError && error.code === "HUB_NOT_FOUND") return;
    throw error;
  }
  const info = await hub.modelInfo({ repo, sha });
  const paths = info.files.map((file) => file.path);
  const foreign = findForeignFiles(paths);
  if (foreign.length > 0) throw foreignFilesError({ target: repo, foreign });
  if (paths.includes("tvhub.json"))
    checkKind(options, repo, await hub.readSmallFile({ repo, sha, path: "tvhub.json" }));
}

/**
 * A target that holds the other kind of tvhub publish (a merged model where a task vector goes, or the reverse) is
 * refused unless forced: replacing someone's merged model with a vector is never what a typo in --to meant.
 */
function checkKind(options: CheckTargetOptions, where: string, record: Uint8Array | null): void {
  let format: unknown;
  try {
    format =
      record === null ? undefined : (JSON.parse(new TextDecoder().decode(record)) as { format?: unknown }).format;
  } catch {
    format = undefined;
  }
  if (format === options.produces || options.force === true) return;
  const held =
    typeof format === "string" && format in kindNames
      ? `${kindNames[format]} (its tvhub.json says ${format})`
      : "a tvhub publish whose tvhub.json tvhub cannot read";
  throw new UsageError(
    `${where} holds ${held}, and this run publishes ${kindNames[options.produces]}; publish to another ` +
      `${options.target.kind === "hub" ? "repo" : "folder"}, or pass --force to replace it (the files of the old ` +
      "one are deleted).",
    { code: "TARGET_OTHER_KIND", subject: where },
  );
}
