/**
 * Seeded mutations of valid safetensors files, for the fuzz specs: the reader's own (src/safetensors/fuzz.spec.ts)
 * and the comparison with the reference's recorded verdicts (test/safetensors-reference.spec.ts, whose fixture
 * scripts/record-safetensors-verdicts.mjs makes). Changing what this generates invalidates that fixture.
 */
import { layoutFile, type PlannedTensor } from "../layout-file.js";

/** Seeded so a failure reproduces: the case number is in the assertion message. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function validFile(tensors: PlannedTensor[], metadata?: Record<string, string>): Uint8Array {
  const layout = layoutFile({ tensors, ...(metadata ? { metadata } : {}) });
  const out = new Uint8Array(layout.fileSize);
  out.set(layout.header);
  for (let i = layout.header.length; i < out.length; i++) out[i] = (i * 31) & 0xff;
  return out;
}

export const seeds: Uint8Array[] = [
  validFile(
    [
      { name: "model.embed_tokens.weight", dtype: "BF16", shape: [8, 4] },
      { name: "model.layers.0.self_attn.q_proj.weight", dtype: "F16", shape: [4, 4] },
      { name: "position_ids", dtype: "I64", shape: [1, 6] },
      { name: "mask", dtype: "BOOL", shape: [3] },
      { name: "scale", dtype: "F64", shape: [] },
      { name: "empty", dtype: "F32", shape: [0, 2] },
    ],
    { format: "pt" },
  ),
  validFile([]),
  validFile([{ name: 'é\u{1F600}"\\', dtype: "U8", shape: [5] }], { a: "b", "": "" }),
  validFile(
    Array.from(
      { length: 40 },
      (_, i) => ({ name: `h.${i}.w`, dtype: i % 2 ? "F32" : "U16", shape: [i % 3, 2] }) as PlannedTensor,
    ),
  ),
];

const tokens = [
  "{",
  "}",
  "[",
  "]",
  '"',
  ",",
  ":",
  "-",
  "0",
  "1e9",
  "18446744073709551616",
  "9007199254740993",
  '"__metadata__"',
  '"dtype"',
  '"shape"',
  '"data_offsets"',
  '"F32"',
  '"C64"',
  '"F8_E8M0"',
  '"x"',
  "\t",
  "\n",
  "null",
  "true",
  "\\u",
  "\\ud800",
  " ",
  "\u0000",
  "\u00ff",
];

function splice(bytes: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

export function mutate(file: Uint8Array, next: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(next() * n);
  const declaredEnd = 8 + Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  let out: Uint8Array = file.slice();
  const rounds = 1 + pick(3);
  for (let r = 0; r < rounds; r++) {
    const headerEnd = Math.min(out.length, declaredEnd);
    switch (pick(7)) {
      case 0: {
        // Flip a few bits, mostly in the header.
        const at = next() < 0.8 ? pick(Math.max(1, headerEnd)) : pick(out.length);
        out[at] = (out[at] ?? 0) ^ (1 << pick(8));
        break;
      }
      case 1:
        out = out.slice(0, pick(out.length + 1));
        break;
      case 2: {
        const view = new DataView(out.buffer);
        if (out.length < 8) break;
        const choices = [
          0n,
          1n,
          7n,
          BigInt(out.length),
          BigInt(out.length - 8),
          BigInt(headerEnd - 7),
          100_000_000n,
          100_000_001n,
          2n ** 63n,
          2n ** 64n - 1n,
          BigInt(pick(1 << 20)),
        ];
        view.setBigUint64(0, choices[pick(choices.length)] ?? 0n, true);
        break;
      }
      case 3: {
        // Splice a JSON token into the header.
        const token = new TextEncoder().encode(tokens[pick(tokens.length)] ?? "");
        const at = Math.min(out.length, 8 + pick(Math.max(1, headerEnd - 8)));
        const merged = new Uint8Array(out.length + token.length);
        merged.set(out.subarray(0, at));
        merged.set(token, at);
        merged.set(out.subarray(at), at + token.length);
        out = merged;
        break;
      }
      case 4: {
        // Replace a run of digits with another number.
        const text = new TextDecoder("latin1").decode(out.subarray(8, Math.max(8, headerEnd)));
        const runs = [...text.matchAll(/\d+/g)];
        const run = runs[pick(runs.length)];
        if (!run || run.index === undefined) break;
        const replacement =
          ["0", "1", "7", "4294967296", "9007199254740993", "1e3", "-1", "3.5", String(pick(100_000))][pick(9)] ?? "0";
        const bytes = new TextEncoder().encode(replacement);
        const at = 8 + run.index;
        const merged = new Uint8Array(out.length - run[0].length + bytes.length);
        merged.set(out.subarray(0, at));
        merged.set(bytes, at);
        merged.set(out.subarray(at + run[0].length), at + bytes.length);
        out = merged;
        break;
      }
      case 5: {
        // Delete a slice.
        const at = pick(out.length);
        const length = pick(Math.min(32, out.length - at) + 1);
        out = splice(out, at, length, new Uint8Array());
        break;
      }
      default: {
        // Append or insert random bytes.
        const extra = Uint8Array.from({ length: 1 + pick(16) }, () => pick(256));
        const at = next() < 0.5 ? out.length : pick(out.length + 1);
        out = splice(out, at, 0, extra);
      }
    }
  }
  return out;
}
