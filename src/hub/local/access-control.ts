import { createHash } from "node:crypto";
import { UsageError } from "../../errors.js";
import { HttpError } from "./http-error.js";
import { isValidNamespace } from "./names.js";
import type { RepoRecord } from "./types.js";

export interface LocalHubUser {
  name: string;
  /** A Hub-style token (`hf_…`); the official client refuses any other shape. */
  token: string;
}

export interface LocalHubOrg {
  name: string;
  /** Names of users (given in `users`) who may write to the org's repos and read its private ones. */
  members: string[];
}

export interface CreateAccessControlOptions {
  users: readonly LocalHubUser[];
  orgs: readonly LocalHubOrg[];
  /** Reported as the token's creation date by whoami. */
  startedAt: Date;
}

/** Who is asking: a user name, or undefined for an anonymous request. */
export interface Caller {
  user?: string;
}

export interface AccessControl {
  /**
   * Reads `Authorization`; no header (or the client's literal `Bearer undefined`) is anonymous, a wrong token is a 401.
   */
  authenticate(authorization: string | undefined): Caller;
  canRead(caller: Caller, repo: Pick<RepoRecord, "namespace" | "private">): boolean;
  canWrite(caller: Caller, namespace: string): boolean;
  /** The body of `GET /api/whoami-v2`. */
  whoami(user: string): Record<string, unknown>;
}

/**
 * `hf_` (the official JS client refuses tokens without it) and 6 or more letters, digits, `.`, `_` or `-`: what the
 * Hub's clients use, `hf_hub.js` of the JS client's own specs included. Whitespace, `:` and control characters
 * stay refused (they would break the `Bearer` header or the NAME:TOKEN flag), and so do short tokens.
 */
const tokenPattern = /^hf_[A-Za-z0-9._-]{6,200}$/;

/** Users, orgs and the two rules: owners and org members write, private repos are visible to writers only. */
export function createAccessControl(options: CreateAccessControlOptions): AccessControl {
  const tokens = new Map<string, string>();
  const users = new Set<string>();
  for (const { name, token } of options.users) {
    if (!isValidNamespace(name)) {
      throw new UsageError(`User name "${name}" is not a valid Hub name; use letters, digits, - _ and .`, {
        code: "HUB_BAD_USER",
      });
    }
    if (!tokenPattern.test(token)) {
      throw new UsageError(
        `The token of user "${name}" must look like hf_ followed by at least 6 letters, digits, dots, dashes or ` +
          "underscores.",
        {
          code: "HUB_BAD_TOKEN",
        },
      );
    }
    if (users.has(name.toLowerCase()))
      throw new UsageError(`User "${name}" is given twice; give each user once.`, { code: "HUB_BAD_USER" });
    const key = digest(token);
    if (tokens.has(key))
      throw new UsageError(`Two users share a token; give user "${name}" its own.`, { code: "HUB_BAD_TOKEN" });
    users.add(name.toLowerCase());
    tokens.set(key, name);
  }
  const members = new Map<string, Set<string>>();
  for (const org of options.orgs) {
    if (!isValidNamespace(org.name)) {
      throw new UsageError(`Org name "${org.name}" is not a valid Hub name; use letters, digits, - _ and .`, {
        code: "HUB_BAD_ORG",
      });
    }
    if (users.has(org.name.toLowerCase()) || members.has(org.name.toLowerCase())) {
      throw new UsageError(`The name "${org.name}" is used twice among users and orgs; names must be unique.`, {
        code: "HUB_BAD_ORG",
      });
    }
    for (const member of org.members) {
      if (!users.has(member.toLowerCase())) {
        throw new UsageError(
          `Org "${org.name}" lists member "${member}", who is not a user; add --user ${member}:hf_… first.`,
          {
            code: "HUB_BAD_ORG",
          },
        );
      }
    }
    members.set(org.name.toLowerCase(), new Set(org.members.map((m) => m.toLowerCase())));
  }
  const orgNames = new Map(options.orgs.map((org) => [org.name.toLowerCase(), org.name]));

  const canWrite = (caller: Caller, namespace: string): boolean => {
    if (caller.user === undefined) return false;
    const user = caller.user.toLowerCase();
    const ns = namespace.toLowerCase();
    return user === ns || (members.get(ns)?.has(user) ?? false);
  };

  return {
    authenticate(authorization) {
      if (authorization === undefined) return {};
      const match = /^\s*Bearer\s+(\S*)\s*$/i.exec(authorization);
      const token = match?.[1] ?? "";
      if (token === "" || token === "undefined" || token === "null") return {};
      const user = tokens.get(digest(token));
      if (user === undefined) {
        throw new HttpError("Invalid credentials in Authorization header.", { status: 401, code: "HUB_BAD_TOKEN" });
      }
      return { user };
    },
    canRead(caller, repo) {
      return !repo.private || canWrite(caller, repo.namespace);
    },
    canWrite,
    whoami(user) {
      const orgs = [...members]
        .filter(([, set]) => set.has(user.toLowerCase()))
        .map(([org]) => orgNames.get(org) ?? org)
        .map((name) => ({
          type: "org",
          id: idOf(`org:${name}`),
          name,
          fullname: name,
          email: null,
          canPay: false,
          avatarUrl: "",
          periodEnd: null,
          roleInOrg: "write",
        }));
      return {
        type: "user",
        id: idOf(`user:${user}`),
        name: user,
        fullname: user,
        email: null,
        emailVerified: false,
        isPro: false,
        canPay: false,
        avatarUrl: "",
        periodEnd: null,
        billingMode: "postpaid",
        orgs,
        auth: {
          type: "access_token",
          accessToken: { displayName: "local", role: "write", createdAt: options.startedAt.toISOString() },
        },
      };
    },
  };
}

/** Tokens are looked up by digest, so the table never holds them and a lookup's timing says nothing about them. */
function digest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function idOf(text: string): string {
  return createHash("sha1").update(text).digest("hex").slice(0, 24);
}
