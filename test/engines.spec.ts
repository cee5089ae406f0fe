/**
 * The Node versions package.json declares are true for every dependency in the lockfile (runtime and development),
 * so `npm ci` on any of them installs without an EBADENGINE warning and runs what it installed.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const declared = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { engines: { node: string } }).engines
  .node;
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

/** npm's own semver (npm decides EBADENGINE with it), from the npm installed beside this node. */
function npmSemver(): { subset: (a: string, b: string) => boolean; validRange: (r: string) => string | null } {
  const prefix = resolve(dirname(process.execPath), "..");
  const candidates = [
    join(prefix, "lib", "node_modules", "npm", "package.json"),
    join(dirname(process.execPath), "node_modules", "npm", "package.json"),
  ];
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined)
    throw new Error(`npm is not installed beside ${process.execPath}; looked for ${candidates.join(", ")}`);
  return createRequire(found)("semver") as ReturnType<typeof npmSemver>;
}

describe("package.json engines", () => {
  const semver = npmSemver();

  it("is a range every package in package-lock.json accepts", () => {
    expect(semver.validRange(declared)).not.toBeNull();
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (path === "" || node === undefined) continue;
      if (!semver.subset(declared, node))
        refused.push(`${path.replace(/^.*node_modules\//, "")}@${entry.version ?? "?"} wants node ${node}`);
    }
    expect(refused).toEqual([]);
  });

  it("is what the lockfile records for the project itself", () => {
    expect((lock.packages[""]?.engines as { node?: string } | undefined)?.node).toBe(declared);
  });
});
