import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import {
  defaultLimits,
  defaultServerLimits,
  startLocalHub,
  type LocalHubOrg,
  type LocalHubUser,
} from "../../hub/local/start-local-hub.js";
import type { CliContext } from "../context.js";
import { hubGroup } from "./hub-group.js";
import { waitForSignal } from "../wait-for-signal.js";

interface HubServeFlags {
  dir: string;
  host: string;
  port: string;
  user?: string[];
  org?: string[];
  publicUrl?: string;
  quiet?: boolean;
  maxConnections: string;
  maxConnectionsPerClient: string;
  headersTimeout: string;
  bodyTimeout: string;
  keepAliveTimeout: string;
  idleTimeout: string;
  maxPreuploadFiles: string;
  maxCommitOperations: string;
  maxPathsInfo: string;
}

/** `tvhub hub serve`: a Hub-compatible server over a directory, until SIGINT or SIGTERM. */
export function hubServe(program: Command, context: CliContext): void {
  const hub = hubGroup(program);
  hub
    .command("serve")
    .description(
      "Serve the Hub HTTP API from a directory; @huggingface/hub, huggingface_hub, the hf CLI and tvhub --hub-url " +
        "work against it. " +
        "Prints the base URL as the first line on stdout.",
    )
    .requiredOption("--dir <dir>", "directory holding repos and objects (created if missing, reused if present)")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on; 0 picks a free one", "0")
    .option("--user <name:token>", "a user and its hf_ token (repeatable)", collect)
    .option("--org <org:members>", "an org and its comma-separated members (repeatable)", collect)
    .option("--public-url <url>", "base URL clients reach the server at, when it is behind a proxy")
    .option("--quiet", "no access log on stderr")
    .option(
      "--max-connections <n>",
      "open connections at once, all clients together; more are answered 503",
      String(defaultServerLimits.maxConnections),
    )
    .option(
      "--max-connections-per-client <n>",
      "open connections at once from one IP address; more are answered 429",
      String(defaultServerLimits.maxConnectionsPerClient),
    )
    .option(
      "--headers-timeout <seconds>",
      "time a client has to send a request's headers",
      seconds(defaultServerLimits.headersTimeoutMs),
    )
    .option(
      "--body-timeout <seconds>",
      "time within which each 64 KiB of a request body must arrive, else 408",
      seconds(defaultServerLimits.bodyTimeoutMs),
    )
    .option(
      "--keep-alive-timeout <seconds>",
      "how long an idle keep-alive connection stays open",
      seconds(defaultServerLimits.keepAliveTimeoutMs),
    )
    .option(
      "--idle-timeout <seconds>",
      "a connection on which nothing moves for this long is closed",
      seconds(defaultServerLimits.idleTimeoutMs),
    )
    .option(
      "--max-preupload-files <n>",
      "files in one preupload request; more are answered 413",
      String(defaultLimits.maxPreuploadFiles),
    )
    .option(
      "--max-commit-operations <n>",
      "operations in one commit; more are answered 413",
      String(defaultLimits.maxCommitOperations),
    )
    .option(
      "--max-paths-info <n>",
      "paths in one paths-info request; more are answered 413",
      String(defaultLimits.maxPathsInfoPaths),
    )
    .action(async (flags: HubServeFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port "${flags.port}" is not a port number; give 0 to 65535 (0 picks a free port).`, {
          code: "BAD_PORT",
        });
      }
      const serverLimits = {
        maxConnections: count("--max-connections", flags.maxConnections),
        maxConnectionsPerClient: count("--max-connections-per-client", flags.maxConnectionsPerClient),
        headersTimeoutMs: milliseconds("--headers-timeout", flags.headersTimeout),
        bodyTimeoutMs: milliseconds("--body-timeout", flags.bodyTimeout),
        keepAliveTimeoutMs: milliseconds("--keep-alive-timeout", flags.keepAliveTimeout),
        idleTimeoutMs: milliseconds("--idle-timeout", flags.idleTimeout),
      };
      const limits = {
        maxPreuploadFiles: count("--max-preupload-files", flags.maxPreuploadFiles),
        maxCommitOperations: count("--max-commit-operations", flags.maxCommitOperations),
        maxPathsInfoPaths: count("--max-paths-info", flags.maxPathsInfo),
      };
      const users = (flags.user ?? []).map(parseUser);
      const orgs = (flags.org ?? []).map(parseOrg);
      const log = flags.quiet
        ? undefined
        : (line: string): void => void context.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const server = await startLocalHub({
        dir: flags.dir,
        host: flags.host,
        port,
        users,
        orgs,
        serverLimits,
        limits,
        ...(flags.publicUrl !== undefined && { publicUrl: flags.publicUrl.replace(/\/+$/, "") }),
        ...(log && { log }),
      });
      context.stdout.write(`${server.url}\n`);
      log?.(
        `serving ${server.dir} at ${server.url} for ${users.length} user(s) and ${orgs.length} org(s); SIGINT or ` +
          "SIGTERM stops it",
      );
      // The first signal is the server's to handle (finish requests in flight, release the directory): tell the
      // composition root so, as a publish does; a second signal still stops the process at once.
      context.interrupt?.onPublishing(true);
      const signal = await waitForSignal();
      log?.(`${signal}: finishing requests in flight`);
      await server.close();
      context.interrupt?.onPublishing(false);
      log?.("stopped");
    });
}

function seconds(ms: number): string {
  return String(ms / 1000);
}

function count(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${flag} "${text}" is not a count; give a whole number of at least 1.`, { code: "BAD_LIMIT" });
  }
  return value;
}

function milliseconds(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0 || value > 86_400) {
    throw new UsageError(`${flag} "${text}" is not a time; give seconds above 0 and at most 86400, e.g. 20 or 0.5.`, {
      code: "BAD_LIMIT",
    });
  }
  return Math.round(value * 1000);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseUser(text: string): LocalHubUser {
  const at = text.indexOf(":");
  const name = text.slice(0, at);
  const token = text.slice(at + 1);
  if (at <= 0 || token === "") {
    throw new UsageError(`--user needs NAME:TOKEN, e.g. --user alice:hf_xxxxxxxx; got one without a name or token.`, {
      code: "BAD_USER",
    });
  }
  return { name, token };
}

function parseOrg(text: string): LocalHubOrg {
  const at = text.indexOf(":");
  const name = at === -1 ? text : text.slice(0, at);
  const members =
    at === -1
      ? []
      : text
          .slice(at + 1)
          .split(",")
          .map((m) => m.trim())
          .filter((m) => m !== "");
  if (name === "")
    throw new UsageError(`--org needs ORG:MEMBER,MEMBER, e.g. --org lab:alice,bob; got "${text}".`, {
      code: "BAD_ORG",
    });
  return { name, members };
}
