import { describe, expect, it } from "vitest";
import { gitBlobSha1, gitTreeSha1, lfsPointer } from "./git-objects.js";

describe("git objects", () => {
  it("computes the blob id git computes", () => {
    // `printf 'hello\n' | git hash-object --stdin`
    expect(gitBlobSha1(new TextEncoder().encode("hello\n"))).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
    // `git hash-object /dev/null`
    expect(gitBlobSha1(new Uint8Array())).toBe("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  });

  it("computes the tree id git computes, ordering a folder as if it ended in /", () => {
    // The empty tree id every git knows.
    expect(gitTreeSha1([])).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    // `printf 'hello\n' > a && git add a && git write-tree`
    expect(gitTreeSha1([{ name: "a", kind: "file", oid: "ce013625030ba8dba906f756967f9e9ca394464a" }])).toBe(
      "0976950c1fdbcb52435a433913017bf044b3a58f",
    );
    // A file a.b beside a folder a/ holding x: git sorts "a.b" before "a/" ('.' < '/').
    const hello = "ce013625030ba8dba906f756967f9e9ca394464a";
    const sub = gitTreeSha1([{ name: "x", kind: "file", oid: hello }]);
    expect(sub).toBe("e31a96220fbfbe7601ecc086a36b96dc27a8867e");
    const entries = [
      { name: "a", kind: "directory" as const, oid: sub },
      { name: "a.b", kind: "file" as const, oid: hello },
    ];
    expect(gitTreeSha1(entries)).toBe("ae079d5d2fecf69af67f09002152cd6cbbbd6ef8");
    expect(gitTreeSha1([...entries].reverse())).toBe("ae079d5d2fecf69af67f09002152cd6cbbbd6ef8");
  });

  it("writes the pointer text git-lfs writes", () => {
    const sha256 = "a".repeat(64);
    expect(lfsPointer({ sha256, size: 12 })).toBe(
      `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize 12\n`,
    );
  });
});
