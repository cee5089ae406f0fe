/** The `.gitattributes` the Hub writes into every new model or dataset repo. */
export const defaultGitattributes = [
  "*.7z",
  "*.arrow",
  "*.bin",
  "*.bz2",
  "*.ckpt",
  "*.ftz",
  "*.gguf",
  "*.gz",
  "*.h5",
  "*.joblib",
  "*.lfs.*",
  "*.mlmodel",
  "*.model",
  "*.msgpack",
  "*.npy",
  "*.npz",
  "*.onnx",
  "*.ot",
  "*.parquet",
  "*.pb",
  "*.pickle",
  "*.pkl",
  "*.pt",
  "*.pth",
  "*.rar",
  "*.safetensors",
  "saved_model/**/*",
  "*.tar.*",
  "*.tar",
  "*.tflite",
  "*.tgz",
  "*.wasm",
  "*.xz",
  "*.zip",
  "*.zst",
  "*tfevents*",
]
  .map((pattern) => `${pattern} filter=lfs diff=lfs merge=lfs -text\n`)
  .join("");

/** One line of a `.gitattributes` that says something about the `filter` attribute. */
export interface LfsRule {
  pattern: RegExp;
  /** true when the line sets `filter=lfs`, false when it sets another filter or unsets it. */
  lfs: boolean;
}

/** Reads the lines of a `.gitattributes` that decide whether a path goes through Git LFS. */
export function parseGitattributes(text: string): LfsRule[] {
  const rules: LfsRule[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [pattern, ...attributes] = line.split(/\s+/);
    if (!pattern || pattern.startsWith("!")) continue;
    let lfs: boolean | undefined;
    for (const attribute of attributes) {
      if (attribute === "filter=lfs") lfs = true;
      else if (attribute.startsWith("filter=") || attribute === "-filter" || attribute === "!filter") lfs = false;
    }
    const regex = globToRegExp(pattern);
    if (lfs !== undefined && regex) rules.push({ pattern: regex, lfs });
  }
  return rules;
}

/** As git decides it: the last matching line wins. */
export function isLfsPath(path: string, rules: readonly LfsRule[]): boolean {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i];
    if (rule?.pattern.test(path)) return rule.lfs;
  }
  return false;
}

/** gitignore-style globs: no slash matches the basename anywhere, otherwise anchored at the root. */
function globToRegExp(glob: string): RegExp | undefined {
  let pattern = glob.startsWith("/") ? glob.slice(1) : glob;
  if (pattern.endsWith("/")) return undefined; // directory-only patterns never match a file
  const anchored = glob.includes("/");
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === "*") {
      if (pattern[i + 1] === "*") {
        const atStart = i === 0 || pattern[i - 1] === "/";
        const atEnd = i + 2 === pattern.length || pattern[i + 2] === "/";
        if (atStart && atEnd) {
          if (i + 2 === pattern.length) source += ".*";
          else {
            source += "(?:.*/)?";
            i++; // the slash after ** is part of the group
          }
          i++;
          continue;
        }
      }
      source += "[^/]*";
    } else if (char === "?") {
      source += "[^/]";
    } else if (char === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close === -1) source += "\\[";
      else {
        const body = pattern.slice(i + 1, close).replace(/\\/g, "\\\\");
        source += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
        i = close;
      }
    } else if (char === "\\" && i + 1 < pattern.length) {
      source += escapeRegExp(pattern[++i] as string);
    } else {
      source += escapeRegExp(char);
    }
  }
  pattern = source;
  try {
    return new RegExp(anchored ? `^${pattern}$` : `(?:^|/)${pattern}$`);
  } catch {
    return undefined;
  }
}

function escapeRegExp(char: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(char) ? `\\${char}` : char;
}
