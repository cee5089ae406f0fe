import { describe, expect, it } from "vitest";
import { matchRoute } from "../match-route.js";
import { hexToHash } from "./xet-hash.js";

const hex = "a45c9424af91ee7d928d9cb45bbd86eb7a6989e250b856216d6fabb8d13120ba";

/** The HTTP status a refused route is answered with. */
const refusedWith = (status: number): unknown => expect.objectContaining({ status });

describe("Xet routes", () => {
  it("routes the token endpoints hf_xet and Python build, including a PR's literal None revision", () => {
    const repo = { type: "model", namespace: "me", name: "m1" };
    expect(matchRoute({ method: "GET", rawPath: "/api/models/me/m1/xet-write-token/main" })).toEqual({
      name: "xetToken",
      repo,
      access: "write",
      revision: "main",
    });
    expect(matchRoute({ method: "GET", rawPath: "/api/models/me/m1/xet-write-token/None" })).toMatchObject({
      access: "write",
      revision: "None",
    });
    expect(matchRoute({ method: "GET", rawPath: "/api/datasets/me/d1/xet-read-token/v1" })).toMatchObject({
      name: "xetToken",
      access: "read",
      repo: { type: "dataset" },
    });
    expect(() => matchRoute({ method: "POST", rawPath: "/api/models/me/m1/xet-write-token/main" })).toThrow(
      refusedWith(405),
    );
  });

  it("routes xorb and shard uploads below /xet-cas, and answers what it does not serve with 404", () => {
    expect(matchRoute({ method: "POST", rawPath: `/xet-cas/v1/xorbs/default/${hex}` })).toEqual({
      name: "cas",
      cas: { op: "uploadXorb", hash: hexToHash(hex) },
    });
    expect(matchRoute({ method: "POST", rawPath: "/xet-cas/v1/shards" })).toEqual({
      name: "cas",
      cas: { op: "uploadShard" },
    });
    expect(matchRoute({ method: "POST", rawPath: "/xet-cas/v2/shards" })).toMatchObject({ cas: { op: "notServed" } });
    expect(matchRoute({ method: "GET", rawPath: `/xet-cas/v1/chunks/default-merkledb/${hex}` })).toMatchObject({
      cas: { op: "notServed" },
    });
    expect(matchRoute({ method: "GET", rawPath: `/xet-cas/v2/reconstructions/${hex}` })).toMatchObject({
      cas: { op: "notServed" },
    });
    expect(() => matchRoute({ method: "POST", rawPath: "/xet-cas/v1/xorbs/default/xyz" })).toThrow(refusedWith(400));
    expect(() => matchRoute({ method: "GET", rawPath: `/xet-cas/v1/xorbs/default/${hex}` })).toThrow(refusedWith(405));
    expect(() => matchRoute({ method: "GET", rawPath: "/xet-cas/v1/other" })).toThrow(refusedWith(404));
  });
});
