import { createHash } from "node:crypto";
import { UsageError } from "../errors.js";

/**
 * Seeded randomness that does not depend on processing order.
 *
 * The generator is counter-based: Threefry-4x32-20 (Salmon et al., "Parallel random numbers: as
 * easy as 1, 2, 3", SC 2011; the same family as JAX's default PRNG) maps a 128-bit key and a
 * 128-bit counter to four random 32-bit words. Word j of a stream comes from counter block ⌊j/4⌋,
 * so any range of a stream can be computed on its own: DARE's mask for elements [a, b) of a tensor
 * is the same whether the tensor is processed whole, in chunks, or in any order, and the streams of
 * different (seed, tensor, vector) triples are independent because their keys are. Only 32-bit
 * additions, rotations and xors are used, so the bits are the same on every platform, and a
 * WebAssembly SIMD kernel can reproduce them four lanes at a time.
 */

/** A stream's Threefry key: four 32-bit words. */
export interface RandomStream {
  readonly key: readonly [number, number, number, number];
}

const parity = 0x1bd11bda;

export interface Threefry4x32Options {
  counter: readonly [number, number, number, number];
  key: readonly [number, number, number, number];
  /**
   * A multiple of 4; rotation constants are Random123's.
   * @default 20 (the standard, Crush-resistant variant)
   */
  rounds?: number;
}

/** One Threefry-4x32 block: four unsigned 32-bit words. Checked against Random123's known answers. */
export function threefry4x32(options: Threefry4x32Options): [number, number, number, number] {
  const out = new Uint32Array(4);
  const [k0, k1, k2, k3] = options.key;
  const [c0, c1, c2, c3] = options.counter;
  threefryBlocks(c0, c1, c2, c3, k0, k1, k2, k3, options.rounds ?? 20, 1, out, 0);
  return [out[0]!, out[1]!, out[2]!, out[3]!];
}

/**
 * Threefry-4x32 on counters (c0 + j, c1, c2, c3) for j = 0..blocks−1, words to out[at..]. The
 * rounds come in groups of four with a key injection after each group; groups alternate between
 * the two halves of the rotation table. Written out rather than table-driven: this is DARE's hot loop.
 */
function threefryBlocks(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  k2: number,
  k3: number,
  rounds: number,
  blocks: number,
  out: Uint32Array,
  at: number,
): void {
  const ks = new Int32Array([k0, k1, k2, k3, parity ^ k0 ^ k1 ^ k2 ^ k3]);
  const groups = rounds / 4;
  for (let b = 0; b < blocks; b++) {
    let x0 = (c0 + b + k0) | 0;
    let x1 = (c1 + k1) | 0;
    let x2 = (c2 + k2) | 0;
    let x3 = (c3 + k3) | 0;
    for (let g = 0; g < groups; g++) {
      if (g % 2 === 0) {
        x0 = (x0 + x1) | 0;
        x1 = ((x1 << 10) | (x1 >>> 22)) ^ x0;
        x2 = (x2 + x3) | 0;
        x3 = ((x3 << 26) | (x3 >>> 6)) ^ x2;
        x0 = (x0 + x3) | 0;
        x3 = ((x3 << 11) | (x3 >>> 21)) ^ x0;
        x2 = (x2 + x1) | 0;
        x1 = ((x1 << 21) | (x1 >>> 11)) ^ x2;
        x0 = (x0 + x1) | 0;
        x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
        x2 = (x2 + x3) | 0;
        x3 = ((x3 << 27) | (x3 >>> 5)) ^ x2;
        x0 = (x0 + x3) | 0;
        x3 = ((x3 << 23) | (x3 >>> 9)) ^ x0;
        x2 = (x2 + x1) | 0;
        x1 = ((x1 << 5) | (x1 >>> 27)) ^ x2;
      } else {
        x0 = (x0 + x1) | 0;
        x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
        x2 = (x2 + x3) | 0;
        x3 = ((x3 << 20) | (x3 >>> 12)) ^ x2;
        x0 = (x0 + x3) | 0;
        x3 = ((x3 << 17) | (x3 >>> 15)) ^ x0;
        x2 = (x2 + x1) | 0;
        x1 = ((x1 << 11) | (x1 >>> 21)) ^ x2;
        x0 = (x0 + x1) | 0;
        x1 = ((x1 << 25) | (x1 >>> 7)) ^ x0;
        x2 = (x2 + x3) | 0;
        x3 = ((x3 << 10) | (x3 >>> 22)) ^ x2;
        x0 = (x0 + x3) | 0;
        x3 = ((x3 << 18) | (x3 >>> 14)) ^ x0;
        x2 = (x2 + x1) | 0;
        x1 = ((x1 << 20) | (x1 >>> 12)) ^ x2;
      }
      const s = g + 1;
      x0 = (x0 + ks[s % 5]!) | 0;
      x1 = (x1 + ks[(s + 1) % 5]!) | 0;
      x2 = (x2 + ks[(s + 2) % 5]!) | 0;
      x3 = (x3 + ks[(s + 3) % 5]! + s) | 0;
    }
    const o = at + 4 * b;
    out[o] = x0;
    out[o + 1] = x1;
    out[o + 2] = x2;
    out[o + 3] = x3;
  }
}

export interface DeriveStreamOptions {
  /** The run's seed (recorded in the card): an integer from 0 to 2^53 − 1. */
  seed: number;
  /**
   * What the stream is for, e.g. `[tensorName, vectorIndex]`. Different labels give independent
   * streams; the same seed and labels give the same stream on every run and platform.
   * @default []
   */
  labels?: readonly (string | number)[];
}

/** The stream for (seed, labels): its key is the first 128 bits of a SHA-256 of a length-prefixed encoding of both. */
export function deriveStream(options: DeriveStreamOptions): RandomStream {
  const { seed } = options;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new UsageError(
      `The random seed ${String(seed)} is not an integer from 0 to 2^53 − 1; pass a whole number such as 42.`,
      {
        code: "RNG_BAD_SEED",
        subject: "seed",
      },
    );
  }
  const hash = createHash("sha256");
  hash.update("tvhub/rng/threefry4x32-20/v1\0");
  hash.update(u32le(seed % 2 ** 32, Math.floor(seed / 2 ** 32)));
  for (const label of options.labels ?? []) {
    if (typeof label === "number") {
      const number = new Uint8Array(9);
      number[0] = 1;
      new DataView(number.buffer).setFloat64(1, label, true);
      hash.update(number);
    } else {
      const text = new TextEncoder().encode(label);
      hash.update(Uint8Array.of(2));
      hash.update(u32le(text.length));
      hash.update(text);
    }
  }
  const digest = hash.digest();
  return { key: [digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12)] };
}

function u32le(...words: number[]): Uint8Array {
  const bytes = new Uint8Array(4 * words.length);
  const view = new DataView(bytes.buffer);
  words.forEach((word, i) => view.setUint32(4 * i, word >>> 0, true));
  return bytes;
}

export interface FillRandomOptions {
  stream: RandomStream;
  /** Index of the stream's word that goes to `out[0]`; a safe integer ≥ 0. */
  start: number;
  out: Uint32Array;
}

/** Fills `out` with words `start, start + 1, …` of the stream: uniform unsigned 32-bit integers. */
export function fillRandom(options: FillRandomOptions): Uint32Array {
  const { out, start } = options;
  const [k0, k1, k2, k3] = options.stream.key;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new UsageError(`A random stream position must be a whole number ≥ 0, not ${String(start)}.`, {
      code: "RNG_BAD_POSITION",
    });
  }
  // Whole blocks go straight to `out`; a partial block at either end goes through `edge`. The counter's
  // low word must not wrap inside one call, so runs are split at multiples of 2^32 blocks.
  const edge = new Uint32Array(4);
  let i = 0;
  while (i < out.length) {
    const word = start + i;
    const block = Math.floor(word / 4);
    const low = block % 2 ** 32;
    const high = Math.floor(block / 2 ** 32);
    const lane = word % 4;
    if (lane !== 0 || out.length - i < 4) {
      threefryBlocks(low, high, 0, 0, k0, k1, k2, k3, 20, 1, edge, 0);
      for (let l = lane; l < 4 && i < out.length; l++, i++) out[i] = edge[l]!;
    } else {
      const blocks = Math.min(Math.floor((out.length - i) / 4), 2 ** 32 - low, 1 << 16);
      threefryBlocks(low, high, 0, 0, k0, k1, k2, k3, 20, blocks, out, i);
      i += 4 * blocks;
    }
  }
  return out;
}

/** A sequential view of one stream, for code that wants numbers one at a time (test data, sampling). */
export interface SeededRandom {
  /** The stream's next word: a uniform integer in [0, 2^32). */
  nextU32(): number;
  /** A uniform double in [0, 1) with 53 random bits (two words). */
  nextFloat(): number;
}

export function createRandom(options: DeriveStreamOptions): SeededRandom {
  const stream = deriveStream(options);
  const buffer = new Uint32Array(4);
  let position = 0;
  const nextU32 = (): number => {
    if (position % 4 === 0) fillRandom({ stream, start: position, out: buffer });
    return buffer[position++ % 4]!;
  };
  return {
    nextU32,
    nextFloat: () => ((nextU32() >>> 5) * 2 ** 26 + (nextU32() >>> 6)) / 2 ** 53,
  };
}
