import { describe, expect, it } from "vitest";
import { createAccessControl } from "./access-control.js";
import { HttpError } from "./http-error.js";

const startedAt = new Date("2024-01-01T00:00:00.000Z");
const access = createAccessControl({
  users: [
    { name: "alice", token: "hf_alice_secret_1" },
    { name: "bob", token: "hf_bob_secret_22" },
  ],
  orgs: [{ name: "lab", members: ["alice"] }],
  startedAt,
});

describe("access control", () => {
  it("treats a missing header and the client's literal `Bearer undefined` as anonymous", () => {
    expect(access.authenticate(undefined)).toEqual({});
    expect(access.authenticate("Bearer undefined")).toEqual({});
    expect(access.authenticate("Bearer ")).toEqual({});
  });

  it("knows users by token and refuses unknown tokens with a 401 that does not echo them", () => {
    expect(access.authenticate("Bearer hf_alice_secret_1")).toEqual({ user: "alice" });
    let error: unknown;
    try {
      access.authenticate("Bearer hf_wrong_token_123");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(401);
    expect((error as HttpError).message).not.toContain("hf_wrong");
  });

  it("lets owners and org members write, nobody else", () => {
    expect(access.canWrite({ user: "alice" }, "alice")).toBe(true);
    expect(access.canWrite({ user: "alice" }, "lab")).toBe(true);
    expect(access.canWrite({ user: "bob" }, "lab")).toBe(false);
    expect(access.canWrite({ user: "bob" }, "alice")).toBe(false);
    expect(access.canWrite({}, "alice")).toBe(false);
  });

  it("shows private repos to writers only", () => {
    expect(access.canRead({}, { namespace: "lab", private: false })).toBe(true);
    expect(access.canRead({}, { namespace: "lab", private: true })).toBe(false);
    expect(access.canRead({ user: "bob" }, { namespace: "lab", private: true })).toBe(false);
    expect(access.canRead({ user: "alice" }, { namespace: "lab", private: true })).toBe(true);
  });

  it("answers whoami with orgs and a non-null auth object", () => {
    const me = access.whoami("alice");
    expect(me).toMatchObject({ type: "user", name: "alice", orgs: [{ type: "org", name: "lab" }] });
    expect(me.auth).toEqual({
      type: "access_token",
      accessToken: { displayName: "local", role: "write", createdAt: "2024-01-01T00:00:00.000Z" },
    });
    expect(JSON.stringify(me)).not.toContain("hf_");
  });

  it("accepts the tokens the Hub's own clients use (hf_hub.js) and refuses unsafe shapes", () => {
    const access = createAccessControl({ users: [{ name: "hub.js", token: "hf_hub.js" }], orgs: [], startedAt });
    expect(access.authenticate("Bearer hf_hub.js")).toEqual({ user: "hub.js" });
    for (const token of ["hf_a b c d e", "hf_abc:defg", "hf_abc\tdefg", "hf_abc", "hub.js_token"]) {
      expect(() => createAccessControl({ users: [{ name: "x", token }], orgs: [], startedAt })).toThrow(
        /must look like hf_/,
      );
    }
  });

  it("refuses bad configurations with a message that names the problem", () => {
    expect(() => createAccessControl({ users: [{ name: "x", token: "secret" }], orgs: [], startedAt })).toThrow(
      /must look like hf_/,
    );
    expect(() =>
      createAccessControl({
        users: [{ name: "x", token: "hf_aaaaaaa" }],
        orgs: [{ name: "o", members: ["y"] }],
        startedAt,
      }),
    ).toThrow(/member "y"/);
    expect(() =>
      createAccessControl({
        users: [
          { name: "x", token: "hf_aaaaaaa" },
          { name: "y", token: "hf_aaaaaaa" },
        ],
        orgs: [],
        startedAt,
      }),
    ).toThrow(/share a token/);
    expect(() => createAccessControl({ users: [{ name: "api", token: "hf_aaaaaaa" }], orgs: [], startedAt })).toThrow(
      /not a valid/,
    );
  });
});
