import { describe, expect, it } from "vitest";
import { matchRoute } from "../match-route.js";
import { hexToHash } from "./xet-hash.js";

const hex = "a45c9424af91ee7d928d9cb45bbd86eb7a6989e250b856216d6fabb8d13120ba";
const repo = { type: "model", namespace: "me", name: "m1" };

describe("Xet routes", () => {
  it("routes the token endpoints hf_xet and Python build", () => {
    expect(matchRoute({ method: "GET", rawPath: "/api/models/me/m1/xet-write-token/main" })).toEqual({
      name: "xetToken",
      repo,
      access: "write",
      revision: "main",
    });
  });

  it.each([
    ["/api/models/me/m1/xet-write-token/None", { access: "write", revision: "None" }],
    ["/api/datasets/me/d1/xet-read-token/v1", { name: "xetToken", access: "read", repo: { type: "dataset" } }],
  ])("routes the token endpoints for datasets, and a PR's literal None revision: GET %s", (rawPath, route) => {
    expect(matchRoute({ method: "GET", rawPath })).toMatchObject(route);
  });

  it.each([
    ["POST", `/xet-cas/v1/xorbs/default/${hex}`, { name: "cas", cas: { op: "uploadXorb", hash: hexToHash(hex) } }],
    ["POST", "/xet-cas/v1/shards", { name: "cas", cas: { op: "uploadShard" } }],
  ])("routes xorb and shard uploads below /xet-cas: %s %s", (method, rawPath, route) => {
    expect(matchRoute({ method, rawPath })).toEqual(route);
  });

  it.each([
    ["POST", "/xet-cas/v2/shards"],
    ["GET", `/xet-cas/v1/chunks/default-merkledb/${hex}`],
    ["GET", `/xet-cas/v2/reconstructions/${hex}`],
  ])("names what it does not serve below /xet-cas: %s %s", (method, rawPath) => {
    expect(matchRoute({ method, rawPath })).toMatchObject({ cas: { op: "notServed" } });
  });

  it.each([
    ["POST", "/api/models/me/m1/xet-write-token/main", 405],
    ["POST", "/xet-cas/v1/xorbs/default/xyz", 400],
    ["GET", `/xet-cas/v1/xorbs/default/${hex}`, 405],
    ["GET", "/xet-cas/v1/other", 404],
  ])("refuses %s %s with %i", (method, rawPath, status) => {
    expect(() => matchRoute({ method, rawPath })).toThrow(expect.objectContaining({ status }));
  });
});
