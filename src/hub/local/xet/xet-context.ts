import type { CasTokens } from "./cas-tokens.js";
import type { XetStore } from "./xet-store.js";

/** What the Xet endpoints share: the xorb store and the CAS token issuer. */
export interface XetContext {
  store: XetStore;
  tokens: CasTokens;
  /** How long a CAS token lasts; clients refresh a minute before it ends. */
  tokenSeconds: number;
}

/** Where the CAS lives on this server: clients append `/v1/...` to the `casUrl` they are given. */
export const casPathPrefix = "xet-cas";
