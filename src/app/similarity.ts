import { DataError, UsageError } from "../errors.js";
import { checkCompatibility, type CompatibilityReport } from "../plan/check-compatibility.js";
import type { VocabMode } from "../plan/recipe.js";
import type { InputKind } from "../plan/types.js";
import type { LocatedTensor, SafetensorsModel } from "../safetensors/types.js";
import { isComputable, type ComputableDtype } from "../tensor/dtype.js";
import { elementCount } from "../tensor/shape.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { declaredBase } from "./declared-base.js";
import { IncompatibleError } from "./incompatible-error.js";
import { findSameWeightRevisions } from "./find-same-weight-revisions.js";
import { openInput, type OpenedInput } from "./open-input.js";
import { adapterMappingOf, readAdapterTau } from "./read-adapter-tau.js";
import { resolveRef } from "./resolve-ref.js";
import { pickDefined } from "../util/pick-defined.js";

export interface SimilarityOptions {
  context: AppContext;
  /**
   * Published task vectors (repos with a tvhub.json of format tvhub/task-vector) or fine-tuned models, in the order
   * of the matrix; at least two.
   */
  refs: string[];
  /** The base fine-tuned models are compared against; default: the base their cards declare, else the vectors' own. */
  base?: string;
  /** Proceed past lineage mismatches. */
  force?: boolean;
  /** `extend`: compare fine-tunes that grew the vocabulary on the rows the base has. @default "refuse" */
  vocab?: VocabMode;
  /** Elements per step and input: memory holds one step of every input. @default 262144 */
  chunkElements?: number;
}

export interface SimilarityInput {
  ref: string;
  kind: InputKind;
  repo?: string;
  revision?: string;
  /** ‖τ‖ over the compared elements. */
  norm: number;
}

export interface SimilarityResult {
  base: { ref: string; repo?: string; revision?: string };
  inputs: SimilarityInput[];
  /** matrix[i][j] = τ_i·τ_j / (‖τ_i‖ ‖τ_j‖); null where a τ is zero and the cosine is undefined. */
  matrix: Array<Array<number | null>>;
  /** Float tensors of the base compared, and their elements. */
  tensors: number;
  elements: number;
  bytesRead: number;
  report: CompatibilityReport;
}

/** What one step reads: an element range of one base tensor, from each input that has the tensor. */
interface Step {
  tensor: LocatedTensor;
  start: number;
  end: number;
}

const defaultChunkElements = 1 << 18;

/**
 * The cosine similarity of every pair of task vectors (the paper's Figure 1), streamed: each step reads the same
 * element range of every input, turns it into τ in float32 (τ = fround(ft − base) for a fine-tune), and adds to
 * float64 sums of products, so memory holds one step per input whatever the model size. Tensors a vector omits
 * (zero deltas) contribute nothing; only float tensors of the base count, and with `vocab: extend` only the rows the
 * base has.
 */
export async function* similarity(options: SimilarityOptions): AsyncGenerator<ProgressEvent, SimilarityResult> {
  const { context } = options;
  if (options.refs.length < 2)
    throw new UsageError("similarity needs at least two task vectors or fine-tuned models to compare.", {
      code: "SIMILARITY_TOO_FEW",
      subject: "refs",
    });
  // Parse everything before the first request, so a typo fails at once.
  const refs = options.refs.map((text, i) => ({ text, ref: resolveRef(context, text, `model ${i + 1}`) }));
  if (options.base !== undefined) resolveRef(context, options.base, "--base");

  const opened: OpenedInput[] = [];
  const executing: SafetensorsModel[] = [];
  try {
    const settled = await Promise.allSettled(
      refs.map(async ({ text, ref }) => openInput({ ref, text, hub: context.hub })),
    );
    for (const result of settled) if (result.status === "fulfilled") opened.push(result.value);
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed) throw failed.reason;
    const inputs = [...opened];
    const kinds: InputKind[] = inputs.map((input) =>
      input.resolved.record?.format === "tvhub/task-vector" ? "vector" : "finetuned",
    );
    const baseText = options.base ?? defaultBase(inputs, kinds);
    yield {
      type: "log",
      level: "info",
      message: `Checking ${inputs.length} inputs against ${baseText} (headers only)…`,
    };
    const base = await openInput({ ref: resolveRef(context, baseText, "--base"), text: baseText, hub: context.hub });
    opened.push(base);
    const report = checkCompatibility({
      base: base.resolved,
      inputs: inputs.map((input, i) => ({ ...input.resolved, kind: kinds[i] as InputKind })),
      sameWeightRevisions: await findSameWeightRevisions({
        hub: context.hub,
        base: base.resolved,
        inputs: inputs.map((input) => input.resolved),
      }),
      ...pickDefined(options, ["vocab", "force"]),
    });
    for (const finding of report.findings)
      if (finding.severity === "warning") yield { type: "log", level: "warn", message: finding.message };
    if (!report.ok) throw new IncompatibleError(report);

    const baseTensors = [...base.resolved.tensors]
      .filter((t) => isComputable(t.dtype))
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.begin - b.begin));
    const needsBase = kinds.includes("finetuned");
    const openWeights = async (input: OpenedInput): Promise<SafetensorsModel> => {
      const model = await input.openForExecute({ cache: context.cache });
      if (model !== input.model) executing.push(model);
      return model;
    };
    const weights: SafetensorsModel[] = [];
    for (const input of inputs) weights.push(await openWeights(input));
    const baseWeights = needsBase ? await openWeights(base) : undefined;
    // An adapter's τ is its update of the tensors it targets (read-adapter-tau.ts); other inputs store them by name.
    const adapters = inputs.map((input) => adapterMappingOf(input, base));
    const has = weights.map(
      (model, i) => new Set(adapters[i] ? adapters[i].terms.keys() : model.tensors().map((t) => t.name)),
    );

    const chunk = Math.max(1, options.chunkElements ?? defaultChunkElements);
    const steps: Step[] = [];
    let elements = 0;
    for (const tensor of baseTensors) {
      const count = elementCount(tensor.shape) ?? 0;
      elements += count;
      for (let start = 0; start < count; start += chunk)
        steps.push({ tensor, start, end: Math.min(count, start + chunk) });
    }
    const totalBytes = steps.reduce(
      (sum, step) => sum + (step.end - step.start) * 4 * (inputs.length + (needsBase ? 1 : 0)),
      0,
    );

    const n = inputs.length;
    const squares = new Float64Array(n);
    const dots = Array.from({ length: n }, () => new Float64Array(n));
    let bytesRead = 0;
    let done = 0;
    const { kernels } = context;

    const read = async (step: Step): Promise<Array<Float32Array | undefined>> => {
      const readValues = async (model: SafetensorsModel, name: string): Promise<Float32Array> => {
        const info = model.tensor(name);
        const bytes = await model.readTensor(name, { elementOffset: step.start, count: step.end - step.start });
        bytesRead += bytes.byteLength;
        if (!isComputable(info.dtype))
          throw new DataError(`${model.name}: ${name} is ${info.dtype}, not a float tensor.`, {
            code: "NOT_COMPUTABLE",
            subject: name,
          });
        return kernels.decodeToF32({ dtype: info.dtype as ComputableDtype, bytes });
      };
      const name = step.tensor.name;
      const baseValues =
        baseWeights && kinds.some((kind, i) => kind === "finetuned" && has[i]?.has(name))
          ? readValues(baseWeights, name)
          : undefined;
      return Promise.all(
        inputs.map(async (_, i) => {
          const model = weights[i] as SafetensorsModel;
          if (!has[i]?.has(name)) return undefined;
          const adapter = adapters[i];
          if (adapter)
            return readAdapterTau({
              adapter: { model, mapping: adapter },
              name,
              base: () => baseValues as Promise<Float32Array>,
              kernels,
              start: step.start,
              end: step.end,
            });
          const values = await readValues(model, name);
          if (kinds[i] === "vector") return values;
          return kernels.subtract({ finetuned: values, base: (await baseValues) as Float32Array, out: values });
        }),
      );
    };

    // One step is read ahead while the previous one is summed.
    let pending = steps.length > 0 ? read(steps[0] as Step) : undefined;
    for (let s = 0; s < steps.length; s++) {
      const current = await (pending as Promise<Array<Float32Array | undefined>>);
      pending = s + 1 < steps.length ? read(steps[s + 1] as Step) : undefined;
      pending?.catch(() => {});
      for (let i = 0; i < n; i++) {
        const a = current[i];
        if (a === undefined) continue;
        squares[i] = kernels.sumOfSquares({ values: a, initial: squares[i] as number });
        const row = dots[i] as Float64Array;
        for (let j = i + 1; j < n; j++) {
          const b = current[j];
          if (b !== undefined) row[j] = kernels.dotProduct({ a, b, initial: row[j] as number });
        }
      }
      const step = steps[s] as Step;
      done += (step.end - step.start) * 4 * (inputs.length + (needsBase ? 1 : 0));
      yield { type: "progress", phase: "compute", done, total: totalBytes, unit: "bytes" };
    }

    const norms = Array.from(squares, Math.sqrt);
    const matrix = norms.map((ni, i) =>
      norms.map((nj, j) => {
        if (ni === 0 || nj === 0 || !Number.isFinite(ni) || !Number.isFinite(nj)) return null;
        if (i === j) return 1;
        const dot = i < j ? (dots[i]?.[j] as number) : (dots[j]?.[i] as number);
        // Rounding can push |cos| a hair past 1 for (nearly) parallel vectors.
        return Math.max(-1, Math.min(1, dot / (ni * nj)));
      }),
    );
    return {
      base: describe(base),
      inputs: inputs.map((input, i) => ({ ...describe(input), kind: kinds[i] as InputKind, norm: norms[i] as number })),
      matrix,
      tensors: baseTensors.length,
      elements,
      bytesRead,
      report,
    };
  } finally {
    await Promise.allSettled([...executing, ...opened].map((input) => input.close()));
  }
}

/** Fine-tunes name their base in their cards; published vectors record the exact commit they were computed against. */
function defaultBase(inputs: readonly OpenedInput[], kinds: readonly InputKind[]): string {
  const finetuned = inputs.find((_, i) => kinds[i] === "finetuned");
  if (finetuned) return declaredBase(finetuned.resolved);
  const record = inputs[0]?.resolved.record?.base;
  if (typeof record === "object" && record !== null && !Array.isArray(record)) {
    const { repo, revision } = record as Record<string, unknown>;
    if (typeof repo === "string" && repo.length > 0)
      return typeof revision === "string" && /^[0-9a-f]{40}$/.test(revision) ? `${repo}@${revision}` : repo;
  }
  throw new UsageError(
    `${inputs[0]?.resolved.ref ?? "the first input"} does not record its base; give it with --base.`,
    { code: "BASE_UNKNOWN", subject: "--base" },
  );
}

function describe(input: OpenedInput): { ref: string; repo?: string; revision?: string } {
  const { ref, repo, revision } = input.resolved;
  return { ref, ...(repo === undefined ? {} : { repo }), ...(revision === undefined ? {} : { revision }) };
}
