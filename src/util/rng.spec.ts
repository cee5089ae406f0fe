import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { createRandom, deriveStream, fillRandom, threefry4x32 } from "./rng.js";

describe("threefry4x32", () => {
  // Known answers from Random123's kat_vectors (counter, key → output).
  it("reproduces Random123's known answers for 20 rounds", () => {
    expect(threefry4x32({ counter: [0, 0, 0, 0], key: [0, 0, 0, 0] })).toEqual([
      0x9c6ca96a, 0xe17eae66, 0xfc10ecd4, 0x5256a7d8,
    ]);
    const ones = 0xffffffff;
    expect(threefry4x32({ counter: [ones, ones, ones, ones], key: [ones, ones, ones, ones] })).toEqual([
      0x2a881696, 0x57012287, 0xf6c7446e, 0xa16a6732,
    ]);
    expect(
      threefry4x32({
        counter: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
        key: [0xa4093822, 0x299f31d0, 0x082efa98, 0xec4e6c89],
      }),
    ).toEqual([0x59cd1dbb, 0xb8879579, 0x86b5d00c, 0xac8b6d84]);
  });
});

describe("random streams", () => {
  const stream = deriveStream({ seed: 42, labels: ["model.layers.0.mlp.down_proj.weight", 1] });

  it("are pinned: the same seed and labels give these words on every run and platform", () => {
    // Recorded once; a change here changes every published DARE merge, so it must be deliberate.
    expect([...stream.key]).toMatchInlineSnapshot(`
      [
        3498824647,
        1354900679,
        275123009,
        4230750047,
      ]
    `);
    expect([...fillRandom({ stream, start: 0, out: new Uint32Array(6) })]).toMatchInlineSnapshot(`
      [
        1884328647,
        1683812580,
        1764383456,
        2431508392,
        2919179306,
        2173959811,
      ]
    `);
  });

  it("give any range on its own, equal to the same range of one long fill", () => {
    const whole = fillRandom({ stream, start: 0, out: new Uint32Array(103) });
    for (const [start, length] of [
      [0, 1],
      [1, 3],
      [3, 9],
      [50, 53],
      [102, 1],
      [7, 0],
    ] as const) {
      expect([...fillRandom({ stream, start, out: new Uint32Array(length) })]).toEqual([
        ...whole.subarray(start, start + length),
      ]);
    }
  });

  it("give the same words in one long fill as in many small ones", () => {
    const long = fillRandom({ stream, start: 3, out: new Uint32Array(4 * 65536 + 1001) });
    const piece = new Uint32Array(1000);
    let differences = 0;
    for (let at = 0; at < long.length; at += piece.length) {
      const part = fillRandom({
        stream,
        start: 3 + at,
        out: piece.subarray(0, Math.min(piece.length, long.length - at)),
      });
      part.forEach((word, i) => (differences += word === long[at + i] ? 0 : 1));
    }
    expect(differences).toBe(0);
  });

  it("reach positions past 2^32 words, where the counter's high word is used", () => {
    const far = fillRandom({ stream, start: 2 ** 34 + 2, out: new Uint32Array(4) });
    const near = fillRandom({ stream, start: 2, out: new Uint32Array(4) });
    expect([...far]).not.toEqual([...near]);
    expect([...fillRandom({ stream, start: 2 ** 34 + 3, out: new Uint32Array(1) })]).toEqual([far[1]]);
  });

  it("differ for every label and seed", () => {
    const keys = [
      deriveStream({ seed: 42 }),
      deriveStream({ seed: 43 }),
      deriveStream({ seed: 42, labels: ["a"] }),
      deriveStream({ seed: 42, labels: ["a", 0] }),
      deriveStream({ seed: 42, labels: ["a", 1] }),
      deriveStream({ seed: 42, labels: ["a0"] }),
      deriveStream({ seed: 42, labels: ["0", "a"] }),
      deriveStream({ seed: 2 ** 32 + 42 }),
    ].map((s) => s.key.join(","));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("look uniform: mean, bit balance and a 16-bucket chi-square on a million words", () => {
    const words = fillRandom({ stream: deriveStream({ seed: 7 }), start: 0, out: new Uint32Array(1 << 20) });
    const buckets = new Array<number>(16).fill(0);
    let mean = 0;
    let ones = 0;
    for (const word of words) {
      buckets[word >>> 28]!++;
      mean += word / 2 ** 32 / words.length;
      ones += word & 1;
    }
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.002);
    expect(Math.abs(ones / words.length - 0.5)).toBeLessThan(0.002);
    const expected = words.length / 16;
    const chiSquare = buckets.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(37.7); // p = 0.001 for 15 degrees of freedom
  });

  it("refuse seeds that are not whole numbers", () => {
    expect(() => deriveStream({ seed: 1.5 })).toThrow(UsageError);
    expect(() => deriveStream({ seed: -1 })).toThrow(UsageError);
  });
});

describe("createRandom", () => {
  it("walks the same stream one word at a time, and makes floats in [0, 1)", () => {
    const random = createRandom({ seed: 9, labels: ["x"] });
    const words = Array.from({ length: 9 }, () => random.nextU32());
    expect(words).toEqual([
      ...fillRandom({ stream: deriveStream({ seed: 9, labels: ["x"] }), start: 0, out: new Uint32Array(9) }),
    ]);
    const floats = Array.from({ length: 1000 }, () => random.nextFloat());
    expect(floats.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(floats).size).toBe(1000);
  });
});
