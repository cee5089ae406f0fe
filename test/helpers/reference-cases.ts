/** The cases the reference's verdicts are recorded for: seeded mutations of valid files, named by their number. */
import { mutate, rng, seeds } from "../../src/safetensors/testing/mutations.js";

export interface ReferenceCase {
  name: string;
  bytes: Uint8Array;
}

export function referenceCases(count: number, first = 0): ReferenceCase[] {
  return Array.from({ length: count }, (_, k) => {
    const i = first + k;
    return {
      name: `case-${String(i).padStart(6, "0")}.safetensors`,
      bytes: mutate(seeds[i % seeds.length] ?? new Uint8Array(), rng(700_000 + i)),
    };
  });
}
