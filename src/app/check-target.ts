import { RemoteError, TvhubError, UsageError } from "../errors.js";
import { findForeignFiles, foreignFilesError, type HubClient, type ModelRef } from "../hub/index.js";
import { checkWritableFolder } from "./check-writable-folder.js";
import { checkLocalTarget } from "./publish-output.js";

export interface CheckTargetOptions {
  hub: HubClient;
  /** Where the run will publish: a Hub repo or a folder. */
  target: ModelRef;
}

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
    await checkLocalTarget(target.path);
    return;
  }
  const { repo } = target;
  const identity = await hub.whoami();
  if (identity === null) {
    throw new UsageError(`Publishing to ${repo} needs a write token; pass --token or set HF_TOKEN.`, { code: "HUB_NO_TOKEN", subject: repo });
  }
  if (identity.role === "read") {
    throw new UsageError(`Publishing to ${repo} needs a write token, but the token given can only read; pass a write token with --token or HF_TOKEN.`, {
      code: "HUB_READ_ONLY_TOKEN",
      subject: repo,
    });
  }
  const namespace = repo.slice(0, repo.indexOf("/"));
  if (namespace !== identity.name && !identity.orgs.includes(namespace)) {
    throw new RemoteError(
      `The token belongs to ${identity.name}, who cannot publish to ${repo} (not a member of ${namespace}); publish under ${identity.name}/ or an organisation ${identity.name} belongs to.`,
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
  const foreign = findForeignFiles(info.files.map((file) => file.path));
  if (foreign.length > 0) throw foreignFilesError({ target: repo, foreign });
}
