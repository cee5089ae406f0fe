import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { checkWritableFolder } from "./check-writable-folder.js";
import { joinPatterns } from "../../test/helpers/join-patterns.js";

describe("checkWritableFolder", () => {
  it("passes a folder that can be written, existing or not, and leaves nothing behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tvhub-writable-"));
    await checkWritableFolder({ dir: join(dir, "a", "b"), flag: "--to ./a/b" });
    await checkWritableFolder({ dir, flag: "--to ." });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses a path under a file, naming the file, as a usage error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tvhub-writable-"));
    writeFileSync(join(dir, "afile"), "");
    const check = checkWritableFolder({ dir: join(dir, "afile", "sub"), flag: "--to ./afile/sub" });
    await expect(check).rejects.toBeInstanceOf(UsageError);
    await expect(check).rejects.toThrow(
      `--to ./afile/sub: ${join(dir, "afile")} is a file, so no folder can be made under it; give the path of a ` +
        "folder.",
    );
  });

  // /sys is sysfs: no user, root included, can make a folder at its top.
  it.skipIf(!existsSync("/sys/kernel"))(
    "refuses a folder on a file system that cannot be written, with the system's reason, not as a full disk",
    async () => {
      const check = checkWritableFolder({ dir: "/sys/tvhub-out", flag: "--to /sys/tvhub-out" });
      await expect(check).rejects.toBeInstanceOf(UsageError);
      const reason =
        /(is on a read-only file system \(EROFS\)|cannot be written by this user \(E(ACCES|PERM): permission denied\))/;
      await expect(check).rejects.toThrow(
        joinPatterns(
          /^--to \/sys\/tvhub-out: \/sys, where \/sys\/tvhub-out would be made, /,
          reason,
          /; give a folder on a disk you can write to\.$/,
        ),
      );
    },
  );
});
