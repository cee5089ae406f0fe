import { createHmac, timingSafeEqual } from "node:crypto";
import type { RepoKey } from "../types.js";

/** What a CAS access token lets its bearer do: read, or also upload xorbs and shards, for one repo, until `expires`. */
export interface CasGrant {
  scope: "read" | "write";
  repo: RepoKey;
  /** The Hub user it was issued to. */
  user?: string;
  /** Unix seconds. */
  expires: number;
}

export interface CasTokens {
  issue(grant: CasGrant): string;
  /**
   * The grant of a valid token; "expired" for one that was valid (the client refreshes on 401); undefined otherwise.
   */
  verify(token: string, now: number): CasGrant | "expired" | undefined;
}

/**
 * CAS tokens are self-contained: the grant as base64url JSON plus an HMAC over it, keyed by a secret that lives only
 * in the server process (so a restart invalidates them, and clients fetch new ones from xet-write-token). They are
 * never Hub tokens: the Hub token goes to the token endpoints only, and hf_xet strips it from CAS calls.
 */
export function createCasTokens(secret: Uint8Array): CasTokens {
  const key = createHmac("sha256", secret).update("tvhub xet cas token").digest();
  const mac = (payload: string): Buffer => createHmac("sha256", key).update(payload).digest();
  return {
    issue(grant) {
      const payload = Buffer.from(JSON.stringify(grant)).toString("base64url");
      return `xet.${payload}.${mac(payload).toString("base64url")}`;
    },
    verify(token, now) {
      const [prefix, payload, signature, extra] = token.split(".");
      if (prefix !== "xet" || payload === undefined || signature === undefined || extra !== undefined) return undefined;
      const given = Buffer.from(signature, "base64url");
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const grant = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as CasGrant;
      return grant.expires <= now ? "expired" : grant;
    },
  };
}
