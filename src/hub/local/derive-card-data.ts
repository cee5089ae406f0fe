/** What the Hub shows about a model from its card and file list. */
export interface CardFacts {
  /** The README's YAML front matter as JSON, when there is a well-formed one. */
  cardData?: Record<string, unknown>;
  /** Card tags plus the tags the Hub derives (library, task, license, datasets, languages, base models, formats). */
  tags: string[];
  pipelineTag?: string;
  libraryName?: string;
}

export interface DeriveCardDataOptions {
  /** README.md text at the revision, if the repo has one. */
  readme: string | undefined;
  /** Every file path at the revision (formats and adapter configs feed the derived tags). */
  paths: readonly string[];
  /**
   * Dataset cards are tagged by the dataset card's keys, `key:value` (`language:en`, `task_categories:…`). @default
   * "model"
   */
  type?: "model" | "dataset";
}

/** The dataset card keys the Hub turns into `key:value` tags. */
const datasetTagKeys = [
  "task_categories",
  "task_ids",
  "size_categories",
  "multilinguality",
  "annotations_creators",
  "language_creators",
  "source_datasets",
  "language",
];

const relations = new Set(["adapter", "merge", "quantized", "finetune"]);
const repoIdPattern = /^[A-Za-z0-9][\w.-]*(?:\/[A-Za-z0-9][\w.-]*)?$/;

/** Front matter → `cardData` and `tags`, the way the Hub derives them (hub-protocol.md §6). */
export async function deriveCardData(options: DeriveCardDataOptions): Promise<CardFacts> {
  const cardData = await frontMatterOf(options.readme);
  const tags: string[] = [];
  const add = (tag: string): void => {
    if (tag !== "" && !tags.includes(tag)) tags.push(tag);
  };
  const card = cardData ?? {};
  const libraryName = stringOf(card.library_name);
  const pipelineTag = stringOf(card.pipeline_tag);

  for (const tag of stringsOf(card.tags, { numbers: true })) add(tag);
  if (options.type === "dataset") {
    for (const key of datasetTagKeys) for (const value of stringsOf(card[key])) add(`${key}:${value}`);
    for (const license of stringsOf(card.license)) add(`license:${license.toLowerCase()}`);
    const facts: CardFacts = { tags };
    if (cardData) facts.cardData = cardData;
    return facts;
  }
  if (libraryName) add(libraryName);
  if (pipelineTag) add(pipelineTag);
  const paths = new Set(options.paths);
  if (options.paths.some((path) => path.endsWith(".safetensors"))) add("safetensors");
  if (options.paths.some((path) => path.endsWith(".gguf"))) add("gguf");
  for (const dataset of stringsOf(card.datasets)) add(`dataset:${dataset}`);
  for (const language of stringsOf(card.language)) add(language);

  const bases = stringsOf(card.base_model).filter((id) => repoIdPattern.test(id));
  const declared = stringOf(card.base_model_relation);
  const relation =
    declared && relations.has(declared)
      ? declared
      : bases.length >= 2
        ? "merge"
        : paths.has("adapter_config.json") || libraryName === "peft"
          ? "adapter"
          : options.paths.some((path) => path.endsWith(".gguf"))
            ? "quantized"
            : "finetune";
  for (const base of bases) {
    add(`base_model:${base}`);
    add(`base_model:${relation}:${base}`);
  }
  for (const license of stringsOf(card.license)) add(`license:${license.toLowerCase()}`);

  const facts: CardFacts = { tags };
  if (cardData) facts.cardData = cardData;
  if (pipelineTag) facts.pipelineTag = pipelineTag;
  if (libraryName) facts.libraryName = libraryName;
  return facts;
}

/**
 * A leading `---` line, the YAML (group 1), and the next `---` line: where a card's front matter is, as the Hub finds
 * it.
 */
export const frontMatterPattern = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n?---[ \t]*(?:\r?\n|$)/;

/** The YAML between a leading `---` line and the next `---` line, when it is a mapping. */
async function frontMatterOf(readme: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (readme === undefined) return undefined;
  const match = frontMatterPattern.exec(readme);
  if (!match) return undefined;
  // Loaded on the first card, not when the CLI starts (a static import would load it for every command).
  const { parse } = await import("yaml");
  try {
    // A card is untrusted text: keep alias expansion bounded and the result plain JSON.
    const value: unknown = parse(match[1] ?? "", { maxAliasCount: 100, prettyErrors: false });
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** YAML reads a tag like `2024` as a number; tags keep it, ids and licenses do not. */
function stringsOf(value: unknown, options: { numbers?: boolean } = {}): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((item) => {
    if (typeof item === "number" && options.numbers) return [String(item)];
    const text = stringOf(item);
    return text ? [text] : [];
  });
}
