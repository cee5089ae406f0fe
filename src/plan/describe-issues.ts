import type { z } from "zod";

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

export interface DescribeIssuesOptions {
  issues: readonly Issue[];
  /** A hint for an unknown key (a typo, a mergekit name), given the object's path, e.g. `did you mean weight?`. */
  hintForKey?: (path: Path, key: string) => string | undefined;
}

/**
 * Turns schema issues into lines a user can act on, each led by the field's path as a recipe writes it:
 * `vectors[2].weight: expected a number, got "high"`.
 */
export function describeIssues(options: DescribeIssuesOptions): string[] {
  const lines: string[] = [];
  for (const issue of options.issues) describe(issue, [], options, lines);
  return [...new Set(lines)];
}

/** `vectors[2].weight`, `output.to`, `overrides[0]["odd key"]`; the root is `(recipe)`. */
export function formatPath(path: Path): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part)) text += text === "" ? part : `.${part}`;
    else text += `[${JSON.stringify(String(part))}]`;
  }
  return text === "" ? "(recipe)" : text;
}

function describe(issue: Issue, prefix: Path, options: DescribeIssuesOptions, lines: string[]): void {
  const path = [...prefix, ...issue.path];
  const at = formatPath(path);
  switch (issue.code) {
    case "invalid_type":
      lines.push(
        issue.input === undefined
          ? `${at}: missing; expected ${expectedName(issue.expected)}`
          : `${at}: expected ${expectedName(issue.expected)}, got ${show(issue.input)}`,
      );
      return;
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const inclusive = issue.inclusive ?? true;
      if (issue.origin === "array" || issue.origin === "set") {
        lines.push(
          `${at}: expected ${issue.code === "too_small" ? "at least" : "at most"} ${String(bound)} ` +
            `${Number(bound) === 1 ? "entry" : "entries"}`,
        );
      } else if (issue.origin === "string") {
        lines.push(
          issue.code === "too_small" && Number(bound) === 1
            ? `${at}: expected a non-empty string`
            : `${at}: expected a string of ${issue.code === "too_small" ? "at least" : "at most"} ${String(bound)} ` +
                "characters",
        );
      } else {
        const op = issue.code === "too_small" ? (inclusive ? "≥" : ">") : inclusive ? "≤" : "<";
        lines.push(`${at}: expected a number ${op} ${String(bound)}, got ${show(issue.input)}`);
      }
      return;
    }
    case "invalid_value":
      if (issue.input === undefined) {
        lines.push(
          `${at}: missing; expected ` +
            `${
              issue.values.length === 1
                ? show(issue.values[0])
                : "one of " + `${issue.values.map((v) => show(v)).join(", ")}`
            }`,
        );
        return;
      }
      lines.push(
        `${at}: expected ` +
          `${
            issue.values.length === 1
              ? show(issue.values[0])
              : "one of " + `${issue.values.map((v) => show(v)).join(", ")}`
          }, ` +
          `got ${show(issue.input)}`,
      );
      return;
    case "invalid_format":
      lines.push(
        `${at}: expected ${issue.format === "url" ? "an http(s) URL" : `a ${issue.format}`}, got ${show(issue.input)}`,
      );
      return;
    case "not_multiple_of":
      lines.push(`${at}: expected a multiple of ${String(issue.divisor)}, got ${show(issue.input)}`);
      return;
    case "unrecognized_keys":
      for (const key of issue.keys) {
        const hint = options.hintForKey?.(path, key);
        lines.push(`${formatPath([...path, key])}: unknown key${hint === undefined ? "" : `; ${hint}`}`);
      }
      return;
    case "invalid_union":
      describeUnion(issue, path, options, lines);
      return;
    default:
      lines.push(`${at}: ${issue.message}`);
  }
}

function describeUnion(
  issue: Extract<Issue, { code: "invalid_union" }>,
  path: Path,
  options: DescribeIssuesOptions,
  lines: string[],
): void {
  if (issue.discriminator !== undefined && "options" in issue && issue.options !== undefined) {
    // zod reports a bad discriminator at the discriminator's path with the whole object as input.
    const value = isRecord(issue.input) ? issue.input[issue.discriminator] : undefined;
    const expected = `one of ${issue.options.map((o) => String(o)).join(", ")}`;
    lines.push(
      value === undefined
        ? `${formatPath(path)}: missing; expected ${expected}`
        : `${formatPath(path)}: expected ${expected}, got ${show(value)}`,
    );
    return;
  }
  // The branch the user meant is the one that knows most of the keys they wrote, then the one that fails least;
  // a tie means the entry matches no branch's shape at all.
  const branches = issue.errors;
  const inputKeys = isRecord(issue.input) ? Object.keys(issue.input).length : 0;
  const scores = branches.map((errors) => ({
    recognized: errors.some((e) => e.path.length === 0 && e.code === "invalid_type")
      ? -1
      : inputKeys -
        errors
          .filter((e) => e.path.length === 0 && e.code === "unrecognized_keys")
          .reduce((n, e) => n + (e.code === "unrecognized_keys" ? e.keys.length : 0), 0),
    failures: countLeaves(errors),
  }));
  const better = (a: { recognized: number; failures: number }, b: { recognized: number; failures: number }) =>
    a.recognized !== b.recognized ? a.recognized > b.recognized : a.failures < b.failures;
  const top = scores.reduce(
    (best, score) => (better(score, best) ? score : best),
    scores[0] ?? { recognized: -1, failures: Infinity },
  );
  const tied =
    scores.filter((score) => score.recognized === top.recognized && score.failures === top.failures).length > 1;
  const best = tied ? undefined : branches[scores.indexOf(top)];
  if (issue.input === undefined) {
    lines.push(`${formatPath(path)}: missing; ${issue.message}`);
    return;
  }
  if (best === undefined || best.every((e) => e.path.length === 0 && e.code === "invalid_type")) {
    lines.push(`${formatPath(path)}: ${issue.message}, got ${show(issue.input)}`);
    return;
  }
  for (const inner of best) describe(inner, path, options, lines);
}

function countLeaves(issues: readonly Issue[]): number {
  let count = 0;
  for (const issue of issues) {
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      count += Math.min(...issue.errors.map((errors) => countLeaves(errors)));
    } else if (issue.code === "unrecognized_keys") {
      count += issue.keys.length;
    } else {
      // A value of the wrong shape altogether is a worse fit than a problem inside a value of the right shape.
      count += issue.code === "invalid_type" && issue.path.length === 0 && issue.input !== undefined ? 2 : 1;
    }
  }
  return count;
}

function expectedName(expected: string): string {
  switch (expected) {
    case "number":
      return "a number";
    case "int":
      return "an integer";
    case "string":
      return "a string";
    case "boolean":
      return "true or false";
    case "object":
      return "a mapping (key: value lines)";
    case "array":
      return "a list";
    default:
      return expected;
  }
}

/** A value as the user wrote it in YAML, briefly. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null (an empty value)";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
