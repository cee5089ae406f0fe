import { InternalError } from "../../errors.js";
import type { RandomStream } from "../../util/rng.js";
import { fillRandom } from "../../util/rng.js";
import { canonicalNaN, outputFor, wordsOf } from "../float32.js";

export interface DropAndRescaleOptions {
  /** τ, a whole tensor or the chunk of it that starts at element `offset`. */
  values: Float32Array;
  /** p, the probability of dropping each element, in [0, 1). */
  dropRate: number;
  /** This tensor's and vector's stream, e.g. deriveStream({ seed, labels: ["dare", tensorName, vectorIndex] }). */
  stream: RandomStream;
  /** Index of values[0] within the tensor: element j always uses word j of the stream. @default 0 */
  offset?: number;
  /** May be `values` itself. @default a new array */
  out?: Float32Array;
}

// Random words are drawn in slices of this many elements, to bound the scratch memory.
const slice = 16384;

/**
 * DARE (Yu et al., "Language Models are Super Mario", ICML 2024): element j is dropped when word j
 * of the stream, u_j, is below p·2^32 (so with probability ⌈p·2^32⌉/2^32), and set to +0;
 * a survivor becomes fround(τ_j / q32) with q32 = fround(1 − p), as the paper's
 * `torch.div(masked, 1 - p)` computes it in float32. mergekit instead rescales to preserve the
 * tensor's L1 norm; we follow the paper. With p = 0 the output equals the input bit for bit (NaNs made canonical).
 * The mask depends only on (stream, j), never on chunking or processing order.
 */
export function dropAndRescale(options: DropAndRescaleOptions): Float32Array {
  const { values, dropRate } = options;
  if (!(dropRate >= 0 && dropRate < 1)) {
    throw new InternalError(`DARE's drop rate must be in [0, 1), got ${dropRate}.`, {
      code: "ARITHMETIC_BAD_DROP_RATE",
    });
  }
  const n = values.length;
  const out = outputFor("dropAndRescale", n, options.out);
  const words = wordsOf(out);
  const keepFrom = dropRate * 2 ** 32;
  const divisor = Math.fround(1 - dropRate);
  const random = new Uint32Array(Math.min(slice, n));
  const offset = options.offset ?? 0;
  for (let start = 0; start < n; start += slice) {
    const end = Math.min(n, start + slice);
    fillRandom({ stream: options.stream, start: offset + start, out: random.subarray(0, end - start) });
    for (let i = start; i < end; i++) {
      if (random[i - start]! < keepFrom) {
        out[i] = 0;
      } else {
        const scaled = values[i]! / divisor;
        if (scaled === scaled) out[i] = scaled;
        else words[i] = canonicalNaN;
      }
    }
  }
  return out;
}
