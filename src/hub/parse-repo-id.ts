import { UsageError } from "../errors.js";

/**
 * A namespace or repo name as the Hub accepts it (huggingface_hub `validate_repo_id`): word characters at both ends.
 */
const partPattern = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$/;

export interface ParseRepoIdOptions {
  text: string;
  /** How messages name the input, e.g. `--to`. */
  label?: string;
  /** What the user could have written instead, appended to the message. */
  accepted?: string;
}

/**
 * Checks an `org/name` model id and returns it unchanged; anything else is a UsageError that shows the accepted form.
 */
export function parseRepoId(options: ParseRepoIdOptions): string {
  const problem = problemOf(options.text);
  if (problem === undefined) return options.text;
  const subject = options.label === undefined ? `"${options.text}"` : `${options.label} "${options.text}"`;
  const accepted = options.accepted ?? "use org/name";
  throw new UsageError(`${subject} is not a Hub model id (${problem}); ${accepted}.`, {
    code: "HUB_BAD_REPO_ID",
    subject: options.text,
  });
}

function problemOf(text: string): string | undefined {
  const parts = text.split("/");
  if (parts.length !== 2) return parts.length === 1 ? "it has no org/ part" : "it has more than one /";
  for (const part of parts) {
    if (!partPattern.test(part)) {
      return part.length === 0
        ? "a part is empty"
        : part.length > 96
          ? "a part is longer than 96 characters"
          : 'each part uses letters, digits, "-", "_" and ".", and starts and ends with a letter or digit';
    }
    if (part.includes("--") || part.includes("..")) return 'a part contains "--" or ".."';
  }
  if (text.endsWith(".git")) return 'it ends with ".git"';
  return undefined;
}
