import { createHmac, timingSafeEqual } from "node:crypto";
import type { RepoKey } from "./types.js";

/** What an LFS upload href authorizes: one object, of one size, into one repo, until a deadline. */
export interface UploadGrant {
  repo: RepoKey;
  sha256: string;
  size: number;
  /** Unix time in seconds after which the href no longer works. */
  expires: number;
}

export interface UploadSigner {
  /** The query string (without `?`) that makes an upload href self-authorizing. */
  sign(grant: UploadGrant): string;
  /** True when the query carries a valid, unexpired signature for exactly this object. */
  verify(options: { repo: RepoKey; sha256: string; query: URLSearchParams; now: number }): UploadGrant | undefined;
}

/**
 * The official client sends LFS PUTs without Authorization, so each upload href carries an HMAC over what it
 * allows, keyed by a secret that lives only in the server process (a restart invalidates pending hrefs).
 */
export function createUploadSigner(secret: Uint8Array): UploadSigner {
  const mac = (grant: UploadGrant): Buffer =>
    createHmac("sha256", secret)
      .update(
        [grant.repo.type, grant.repo.namespace, grant.repo.name, grant.sha256, grant.size, grant.expires].join("\n"),
      )
      .digest();
  return {
    sign(grant) {
      return new URLSearchParams({
        size: String(grant.size),
        expires: String(grant.expires),
        signature: mac(grant).toString("base64url"),
      }).toString();
    },
    verify({ repo, sha256, query, now }) {
      const size = Number(query.get("size"));
      const expires = Number(query.get("expires"));
      const signature = Buffer.from(query.get("signature") ?? "", "base64url");
      if (!Number.isSafeInteger(size) || size < 0 || !Number.isSafeInteger(expires) || expires < now) return undefined;
      const grant = { repo, sha256, size, expires };
      const expected = mac(grant);
      return signature.length === expected.length && timingSafeEqual(signature, expected) ? grant : undefined;
    },
  };
}
