/** Tokenizer files tvhub copies next to merged weights (from the base, or from the model that grew the vocabulary). */
export const tokenizerFiles = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "added_tokens.json",
  "vocab.json",
  "vocab.txt",
  "merges.txt",
  "tokenizer.model",
  "spiece.model",
  "sentencepiece.bpe.model",
  "chat_template.jinja",
  "chat_template.json",
] as const;

/** Files tvhub copies from the base model only. */
export const baseOnlyFiles = ["generation_config.json", "preprocessor_config.json"] as const;

/** Files tvhub copies from a base model next to the weights it writes (tokenizers, chat templates, processors). */
const copiedFromBase = new Set<string>(["config.json", ...tokenizerFiles, ...baseOnlyFiles]);

const written = new Set(["README.md", ".gitattributes", "tvhub.json", "adapter_config.json"]);

/**
 * Whether a file at the root of a repo is one tvhub writes when it publishes. A repo holding anything else
 * belongs to someone's other work, and publishing into it needs an explicit overwrite.
 */
export function isPublishablePath(path: string): boolean {
  if (isPortionRecordPath(path)) return true;
  if (path.includes("/")) return false;
  return written.has(path) || copiedFromBase.has(path) || isWeightsPath(path) || isCardPicture(path);
}

/**
 * An SVG picture at the root, which a card links to (`tvhub demo` adds its pictures to the repos they describe): part
 * of that publish, so a republish replaces it with the card instead of refusing the repo as someone else's.
 */
function isCardPicture(path: string): boolean {
  return path.endsWith(".svg");
}

/** `*.safetensors` and `*.safetensors.index.json`: a stale one left beside new weights would be loaded with them. */
export function isWeightsPath(path: string): boolean {
  return !path.includes("/") && (path.endsWith(".safetensors") || path.endsWith(".safetensors.index.json"));
}

/**
 * `.tvhub/portion-<i>-of-<n>.json`: the record a job of a matrix run commits next to its share of the weights. The
 * finalize step deletes them all, so a finished repo holds none.
 */
export function isPortionRecordPath(path: string): boolean {
  return /^\.tvhub\/portion-[1-9]\d*-of-[1-9]\d*\.json$/.test(path);
}
