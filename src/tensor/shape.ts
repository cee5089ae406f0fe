import { dtypeSize, type Dtype } from "./dtype.js";

/** Element count of a shape, or undefined when it is not a safe integer (an untrusted header can say anything). */
export function elementCount(shape: readonly number[]): number | undefined {
  let count = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) return undefined;
    count *= dim;
    if (!Number.isSafeInteger(count)) return undefined;
  }
  return count;
}

/** Byte length of a tensor, or undefined when it overflows. */
export function byteLength(dtype: Dtype, shape: readonly number[]): number | undefined {
  const count = elementCount(shape);
  if (count === undefined) return undefined;
  const bytes = count * dtypeSize(dtype);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
