import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseFrontMatter } from "../card/front-matter.js";
import { DataError } from "../errors.js";
import type { HubClient, ModelRef } from "../hub/index.js";
import { parseLoraConfig, type LoraConfig } from "../plan/parse-lora-config.js";
import type { ModelConfig } from "../plan/read-config-fields.js";
import type { ResolvedModel } from "../plan/types.js";
import { bufferSource } from "../safetensors/buffer-source.js";
import { openFileSource } from "../safetensors/file-source.js";
import { openLocalModel } from "../safetensors/open-local-model.js";
import { openModel } from "../safetensors/open-model.js";
import type { ByteSource, SafetensorsModel } from "../safetensors/types.js";
import { drain, type ProgressSink } from "../util/progress.js";
import { pickDefined } from "../util/pick-defined.js";

/** An input model after resolve and the header reads: what check and plan need, and a way to read its weights. */
export interface OpenedInput {
  resolved: ResolvedModel;
  /** Headers read with range requests (or from disk); reads no weight bytes until asked. */
  model: SafetensorsModel;
  /** Every file of the model (relative paths). */
  files: string[];
  /** A small file of the model (config, tokenizer), or null when it has none. */
  readFile(path: string): Promise<Uint8Array | null>;
  /**
   * The weights for execute. With a cache, each Hub file is downloaded whole into the Hub cache the first
   * time a tensor of it is read (resumable; a second run downloads nothing); without, reads are range requests.
   */
  openForExecute(options: { cache: boolean; onProgress?: ProgressSink }): Promise<SafetensorsModel>;
  close(): Promise<void>;
}

export interface OpenInputOptions {
  ref: ModelRef;
  /** The reference as the user wrote it, for messages and plans. */
  text: string;
  hub: HubClient;
}

const smallFileLimit = 50_000_000;

/** Pins a Hub reference to its commit, reads config, card and record, and every safetensors header. */
export async function openInput(options: OpenInputOptions): Promise<OpenedInput> {
  return options.ref.kind === "local" ? openLocalInput(options.ref.path, options.text) : openHubInput(options);
}

async function openHubInput(options: OpenInputOptions): Promise<OpenedInput> {
  const { hub } = options;
  const ref = options.ref as Extract<ModelRef, { kind: "hub" }>;
  const pinned = await hub.pin(
    ref.revision === undefined ? { repo: ref.repo } : { repo: ref.repo, revision: ref.revision },
  );
  const info = await hub.modelInfo({ repo: pinned.repo, sha: pinned.sha });
  const files = info.files.map((file) => file.path);
  const readSmall = (path: string) =>
    hub.readSmallFile({ repo: pinned.repo, sha: pinned.sha, path, maxBytes: smallFileLimit });
  const name = `${pinned.repo}@${pinned.sha.slice(0, 10)}`;
  const fileRef = (path: string) => ({ repo: pinned.repo, sha: pinned.sha, path });
  // Index files go through the small-file path, which the Hub cache keeps (a second run reads them locally).
  const openSmall = async (path: string): Promise<ByteSource | undefined> => {
    if (!path.endsWith(".json")) return undefined;
    const bytes = await readSmall(path);
    return bytes ? bufferSource({ bytes, name: `${name}:${path}` }) : undefined;
  };
  // A PEFT adapter's weights are adapter_model.safetensors; its config is read (and checked) before any header.
  const adapterConfig = files.includes(adapterConfigFile)
    ? await readAdapterConfig(options.text, readSmall)
    : undefined;
  const prefixes = adapterConfig ? adapterPrefixes : undefined;
  const model = await openModel({
    name,
    files,
    ...(prefixes ? { prefixes } : {}),
    open: async (path) => (await openSmall(path)) ?? hub.openFile(fileRef(path)),
  });
  const resolved = await describe({
    ref: options.text,
    repo: pinned.repo,
    revision: pinned.sha,
    tensors: model,
    read: readSmall,
    card: info.cardData,
    ...(adapterConfig ? { adapter: adapterConfig } : {}),
  });
  return {
    resolved,
    model,
    files,
    readFile: readSmall,
    async openForExecute({ cache, onProgress }) {
      if (!cache) return model;
      return openModel({
        name,
        files,
        ...(prefixes ? { prefixes } : {}),
        open: async (path) =>
          (await openSmall(path)) ??
          downloadOnFirstDataRead(await hub.openFile(fileRef(path)), async () => {
            const local = await drain(hub.downloadToCache(fileRef(path)), onProgress);
            return openFileSource({ path: local, name: `${name}:${path}` });
          }),
      });
    },
    close: () => model.close(),
  };
}

async function openLocalInput(path: string, text: string): Promise<OpenedInput> {
  const isDirectory = await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
  const root = isDirectory ? path : join(path, "..");
  const read = async (file: string): Promise<Uint8Array | null> => {
    try {
      return new Uint8Array(await readFile(join(root, file)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  };
  const adapterConfig =
    isDirectory && (await stat(join(path, adapterConfigFile)).catch(() => undefined))
      ? await readAdapterConfig(text, read)
      : undefined;
  const model = await openLocalModel({ path, ...(adapterConfig ? { prefixes: adapterPrefixes } : {}) });
  const files = isDirectory ? await listFilesDeep(root) : [];
  const resolved = await describe({
    ref: text,
    tensors: model,
    read,
    ...(adapterConfig ? { adapter: adapterConfig } : {}),
  });
  return { resolved, model, files, readFile: read, openForExecute: async () => model, close: () => model.close() };
}

interface DescribeOptions {
  ref: string;
  repo?: string;
  revision?: string;
  tensors: SafetensorsModel;
  read: (path: string) => Promise<Uint8Array | null>;
  /** The Hub's parsed front matter, when it gave one. */
  card?: Record<string, unknown> | undefined;
  adapter?: LoraConfig;
}

const adapterConfigFile = "adapter_config.json";
/** Where PEFT's save_pretrained puts an adapter's weights. */
const adapterPrefixes = ["adapter_model"] as const;

/**
 * A PEFT adapter's config, parsed and checked: a type or variant tvhub does not compute is refused here, before any
 * header.
 */
async function readAdapterConfig(ref: string, read: (path: string) => Promise<Uint8Array | null>): Promise<LoraConfig> {
  const config = await readJson({ ref, read }, adapterConfigFile);
  if (config === undefined)
    throw new DataError(`${ref}: ${adapterConfigFile} could not be read; check the adapter's files.`, {
      code: "INPUT_BAD_JSON",
      subject: adapterConfigFile,
    });
  return parseLoraConfig({ ref, config });
}

async function describe(options: DescribeOptions): Promise<ResolvedModel> {
  const [config, readme, record] = await Promise.all([
    readJson(options, "config.json"),
    options.card ? Promise.resolve(null) : options.read("README.md"),
    readJson(options, "tvhub.json"),
  ]);
  const card = options.card ?? (readme ? (await parseFrontMatter(new TextDecoder().decode(readme))).data : undefined);
  return {
    ref: options.ref,
    ...pickDefined(options, ["repo", "revision"]),
    ...(config === undefined ? {} : { config: config as ModelConfig }),
    ...(card === undefined ? {} : { card }),
    ...(record === undefined ? {} : { record }),
    tensors: options.tensors.tensors(),
    ...(options.adapter === undefined ? {} : { adapter: { config: options.adapter } }),
  };
}

async function readJson(
  options: Pick<DescribeOptions, "ref" | "read">,
  path: string,
): Promise<Record<string, unknown> | undefined> {
  const bytes = await options.read(path);
  if (!bytes) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new DataError(`${options.ref}: ${path} is not valid JSON; fix the file or re-save the model.`, {
      code: "INPUT_BAD_JSON",
      subject: path,
    });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DataError(`${options.ref}: ${path} is not a JSON object; fix the file or re-save the model.`, {
      code: "INPUT_BAD_JSON",
      subject: path,
    });
  }
  return value as Record<string, unknown>;
}

/**
 * Header reads (offsets 0 and 8: the length prefix and the JSON header) stay range requests; the first read of
 * tensor data downloads the whole file into the cache once, and every later read is local.
 */
function downloadOnFirstDataRead(remote: ByteSource, download: () => Promise<ByteSource>): ByteSource {
  let local: Promise<ByteSource> | undefined;
  return {
    name: remote.name,
    size: remote.size,
    async read(start, end) {
      if (local === undefined && (start === 0 || start === 8)) return remote.read(start, end);
      local ??= download();
      return (await local).read(start, end);
    },
    async close() {
      await remote.close?.();
      if (local) await (await local).close?.();
    },
  };
}

async function listFilesDeep(root: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(join(root, prefix), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!entry.name.startsWith(".")) files.push(...(await listFilesDeep(root, path)));
    } else if (entry.isFile()) files.push(path);
  }
  return files;
}
