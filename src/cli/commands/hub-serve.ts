import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { startLocalHub, type LocalHubOrg, type LocalHubUser } from "../../hub/local/start-local-hub.js";
import type { CliContext } from "../context.js";
import { hubGroup } from "./hub-group.js";

interface HubServeFlags {
  dir: string;
  host: string;
  port: string;
  user?: string[];
  org?: string[];
  publicUrl?: string;
  quiet?: boolean;
}

/** `tvhub hub serve`: a Hub-compatible server over a directory, until SIGINT or SIGTERM. */
export function hubServe(program: Command, context: CliContext): void {
  const hub = hubGroup(program);
  hub
    .command("serve")
    .description(
      "Serve the Hub HTTP API from a directory; @huggingface/hub, huggingface_hub, the hf CLI and tvhub --hub-url work against it. " +
        "Prints the base URL as the first line on stdout.",
    )
    .requiredOption("--dir <dir>", "directory holding repos and objects (created if missing, reused if present)")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on; 0 picks a free one", "0")
    .option("--user <name:token>", "a user and its hf_ token (repeatable)", collect)
    .option("--org <org:members>", "an org and its comma-separated members (repeatable)", collect)
    .option("--public-url <url>", "base URL clients reach the server at, when it is behind a proxy")
    .option("--quiet", "no access log on stderr")
    .action(async (flags: HubServeFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port "${flags.port}" is not a port number; give 0 to 65535 (0 picks a free port).`, { code: "BAD_PORT" });
      }
      const users = (flags.user ?? []).map(parseUser);
      const orgs = (flags.org ?? []).map(parseOrg);
      const log = flags.quiet ? undefined : (line: string): void => void context.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const server = await startLocalHub({
        dir: flags.dir,
        host: flags.host,
        port,
        users,
        orgs,
        ...(flags.publicUrl !== undefined && { publicUrl: flags.publicUrl.replace(/\/+$/, "") }),
        ...(log && { log }),
      });
      context.stdout.write(`${server.url}\n`);
      log?.(`serving ${server.dir} at ${server.url} for ${users.length} user(s) and ${orgs.length} org(s); SIGINT or SIGTERM stops it`);
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        const stop = (received: NodeJS.Signals): void => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          resolve(received);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      log?.(`${signal}: finishing requests in flight`);
      await server.close();
      log?.("stopped");
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseUser(text: string): LocalHubUser {
  const at = text.indexOf(":");
  const name = text.slice(0, at);
  const token = text.slice(at + 1);
  if (at <= 0 || token === "") {
    throw new UsageError(`--user needs NAME:TOKEN, e.g. --user alice:hf_xxxxxxxx; got one without a name or token.`, { code: "BAD_USER" });
  }
  return { name, token };
}

function parseOrg(text: string): LocalHubOrg {
  const at = text.indexOf(":");
  const name = at === -1 ? text : text.slice(0, at);
  const members = at === -1 ? [] : text.slice(at + 1).split(",").map((m) => m.trim()).filter((m) => m !== "");
  if (name === "") throw new UsageError(`--org needs ORG:MEMBER,MEMBER, e.g. --org lab:alice,bob; got "${text}".`, { code: "BAD_ORG" });
  return { name, members };
}
