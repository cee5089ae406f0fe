import { UsageError } from "../errors.js";
import { parseRepoId } from "./parse-repo-id.js";
import type { ModelRef } from "./types.js";

export interface ParseModelRefOptions {
  text: string;
  /** How messages name the input, e.g. `--base` or `vectors[1].model`. */
  label?: string;
  /**
   * Whether `org/name@revision` is allowed; a publish target (`--to`) takes none.
   * @default true
   */
  allowRevision?: boolean;
  /**
   * Tells a bare name such as `my-model` or `org/name` that exists as a directory from a Hub id.
   * Injected so that parsing stays pure; without it only the path prefixes decide.
   */
  isDirectory?: (path: string) => boolean;
  /** Expands a leading `~` or `~/`; left as written when absent. */
  homeDir?: string;
}

const pathPrefixes = ["./", "../", "/", "~"];

/**
 * Reads a model reference: `org/name`, `org/name@revision` (a branch, tag or 40-hex commit), or a local
 * directory (a path starting with `./`, `../`, `/` or `~`, or one that names an existing directory).
 * The same rule tells a `--to` directory from a `--to` repo.
 */
export function parseModelRef(options: ParseModelRefOptions): ModelRef {
  const { text } = options;
  const allowRevision = options.allowRevision ?? true;
  const accepted = allowRevision
    ? "use org/name, org/name@revision (a branch, tag or 40-hex commit) or a local directory such as ./model"
    : "use org/name or a local directory such as ./out";
  const subject = options.label === undefined ? `"${text}"` : `${options.label} "${text}"`;

  if (text.length === 0) {
    throw new UsageError(`${subject} is empty; ${accepted}.`, { code: "HUB_BAD_MODEL_REF", subject: text });
  }
  if (text === "." || text === ".." || pathPrefixes.some((prefix) => text.startsWith(prefix))) {
    return { kind: "local", path: expandHome(text, options.homeDir) };
  }
  if (options.isDirectory?.(text) === true) return { kind: "local", path: text };

  const at = text.indexOf("@");
  const repoText = at === -1 ? text : text.slice(0, at);
  const labelled = { text: repoText, accepted, ...(options.label === undefined ? {} : { label: options.label }) };
  const repo = parseRepoId(labelled);
  if (at === -1) return { kind: "hub", repo };

  const revision = text.slice(at + 1);
  if (!allowRevision) {
    throw new UsageError(`${subject} names a revision, but a publish target is a repo's default branch; ${accepted}.`, {
      code: "HUB_BAD_MODEL_REF",
      subject: text,
    });
  }
  const problem = revisionProblem(revision);
  if (problem !== undefined) {
    throw new UsageError(`${subject} has a bad revision (${problem}); ${accepted}.`, {
      code: "HUB_BAD_REVISION",
      subject: text,
    });
  }
  return { kind: "hub", repo, revision };
}

/** git check-ref-format rules, which branch and tag names on the Hub follow. */
function revisionProblem(revision: string): string | undefined {
  if (revision.length === 0) return "nothing follows @";
  if (revision.length > 255) return "it is longer than 255 characters";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(revision))
    return "it contains a space, a control character or one of ~^:?*[\\";
  if (revision.includes("..") || revision.includes("@{") || revision.includes("//"))
    return 'it contains "..", "@{" or "//"';
  if (revision.startsWith("/") || revision.endsWith("/") || revision.endsWith(".") || revision.endsWith(".lock")) {
    return 'it starts or ends with "/", or ends with "." or ".lock"';
  }
  if (revision.startsWith("-")) return 'it starts with "-"';
  return undefined;
}

function expandHome(path: string, homeDir: string | undefined): string {
  if (homeDir === undefined) return path;
  if (path === "~") return homeDir;
  if (path.startsWith("~/")) return `${homeDir.replace(/\/+$/, "")}/${path.slice(2)}`;
  return path;
}
