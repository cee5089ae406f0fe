/**
 * A valid safetensors file with very many small tensors, laid out as the reference writer lays it out (one dtype,
 * names in code-unit order, contiguous offsets, the header padded with spaces to a multiple of 8): layers × experts
 * × weights tensors named `l.{layer}.e.{expert}.w{weight}`, each BF16 of shape [2].
 */
import { open } from "node:fs/promises";

export interface WriteManyTensorFileOptions {
  path: string;
  layers: number;
  experts: number;
  weights: number;
}

/** Returns the header length N. */
export async function writeManyTensorFile(options: WriteManyTensorFileOptions): Promise<number> {
  // '.' sorts before every digit, so nesting each part's names in code-unit order orders the whole names.
  const sorted = (n: number) => Array.from({ length: n }, (_, i) => String(i)).sort();
  const parts: string[] = ["{"];
  let offset = 0;
  for (const layer of sorted(options.layers)) {
    for (const expert of sorted(options.experts)) {
      for (const weight of sorted(options.weights)) {
        parts.push(
          `${offset === 0 ? "" : ","}"l.${layer}.e.${expert}.w${weight}":` +
            `{"dtype":"BF16","shape":[2],"data_offsets":[${offset},${offset + 4}]}`,
        );
        offset += 4;
      }
    }
  }
  parts.push("}");
  const json = Buffer.from(parts.join(""));
  const header = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  const handle = await open(options.path, "w");
  try {
    await handle.write(length);
    await handle.write(header);
    const data = Buffer.alloc(offset);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37) & 0x7f;
    await handle.write(data);
  } finally {
    await handle.close();
  }
  return header.length;
}
