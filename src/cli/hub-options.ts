import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { parseRetryDelay } from "../hub/index.js";

export const defaultHubUrl = "https://huggingface.co";

/** Flags every command that talks to a Hub shares. */
export interface HubFlags {
  hubUrl?: string;
  token?: string;
  json?: boolean;
  quiet?: boolean;
}

export interface HubSettings {
  hubUrl: string;
  accessToken?: string;
  /** Where downloads are kept, in the Hub cache layout (shared with huggingface_hub). */
  cacheDir: string;
  /** TVHUB_RETRY_DELAY_MS: the first retry's wait. */
  retryDelayMs?: number;
}

export function addHubFlags<T extends Command>(command: T): T {
  command
    .option("--hub-url <url>", "Hub endpoint (default: HF_ENDPOINT, else https://huggingface.co)")
    .option("--token <token>", "Hub access token (default: HF_TOKEN, else the token file under HF_HOME)")
    .option("--json", "print one JSON object on stdout and nothing else")
    .option("--quiet", "print no progress");
  return command;
}

/** Reads the Hub settings the way huggingface_hub does: flags first, then the environment, then the token file. */
export function resolveHubSettings(flags: HubFlags, env: NodeJS.ProcessEnv): HubSettings {
  const hfHome = env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "huggingface");
  const hubUrl = (flags.hubUrl ?? env.HF_ENDPOINT ?? defaultHubUrl).replace(/\/+$/, "");
  const accessToken = flags.token ?? env.HF_TOKEN ?? readTokenFile(env.HF_TOKEN_PATH ?? join(hfHome, "token"));
  const cacheDir = env.HF_HUB_CACHE ?? env.HUGGINGFACE_HUB_CACHE ?? join(hfHome, "hub");
  const retryDelayMs = parseRetryDelay(env.TVHUB_RETRY_DELAY_MS);
  return {
    hubUrl,
    cacheDir,
    ...(accessToken ? { accessToken } : {}),
    ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
  };
}

function readTokenFile(path: string): string | undefined {
  try {
    const token = readFileSync(path, "utf8").trim();
    return token.length > 0 ? token : undefined;
  } catch {
    return undefined;
  }
}
