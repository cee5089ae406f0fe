export interface QuoteShellArgOptions {
  value: string;
  /** Which shell reads the command line: `sh` (POSIX /bin/sh) or `cmd` (Windows cmd.exe). @default "sh" */
  shell?: "sh" | "cmd";
}

/**
 * One shell word that stands for `value` exactly. POSIX: single quotes, each `'` written as `'\''`, so spaces,
 * `$`, backquotes, globs and newlines stay literal. cmd.exe: double quotes (Windows paths cannot contain `"`).
 */
export function quoteShellArg(options: QuoteShellArgOptions): string {
  const { value } = options;
  if ((options.shell ?? "sh") === "cmd") return `"${value.replace(/"/g, '""')}"`;
  return `'${value.replace(/'/g, "'\\''")}'`;
}
