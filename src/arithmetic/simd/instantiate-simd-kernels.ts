import { InternalError } from "../../errors.js";
import { kernelsWasmBase64 } from "./kernels.generated.js";

/** What assembly/kernels.ts exports: addresses and counts in, nothing out (see that file's conventions). */
export interface SimdExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  decodeBf16(src: number, dst: number, n: number): void;
  decodeF16(src: number, dst: number, n: number): void;
  encodeBf16(src: number, dst: number, n: number): void;
  encodeF16(src: number, dst: number, n: number): void;
  subF32(a: number, b: number, out: number, n: number): void;
  axpyF32(acc: number, x: number, lambda: number, n: number): void;
  axpySubF32(acc: number, ft: number, base: number, lambda: number, n: number): void;
  subBf16(a: number, b: number, out: number, n: number): void;
  subF16(a: number, b: number, out: number, n: number): void;
  subBf16ToF32(a: number, b: number, out: number, n: number): void;
  subF16ToF32(a: number, b: number, out: number, n: number): void;
  axpyBf16(acc: number, x: number, lambda: number, n: number): void;
  axpyF16(acc: number, x: number, lambda: number, n: number): void;
  axpySubBf16(acc: number, ft: number, base: number, lambda: number, n: number): void;
  axpySubF16(acc: number, ft: number, base: number, lambda: number, n: number): void;
  sumOfSquaresF32(x: number, n: number, initial: number): number;
  dotF32(a: number, b: number, n: number, initial: number): number;
  reconstructionStats(base: number, ft: number, tau: number, n: number, result: number): void;
  taskVectorStatsBf16(ft: number, base: number, out: number, n: number, sums: number, result: number): void;
  taskVectorStatsF16(ft: number, base: number, out: number, n: number, sums: number, result: number): void;
  taskVectorStatsF32(ft: number, base: number, out: number, n: number, sums: number, result: number): void;
  loraRowsF32(left: number, right: number, out: number, rows: number, rank: number, width: number, scale: number): void;
  gemmF32(
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    m: number,
    k: number,
    n: number,
  ): void;
  squaredDistanceF32(a: number, b: number, n: number): number;
  gramF64(x: number, rows: number, cols: number, g: number): void;
  solveUpperF64(x: number, rows: number, cols: number, r: number): void;
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

// The TypeScript libs this project compiles with (ES2023 + Node types) do not declare the WebAssembly
// global, so the little used here is typed by hand; it is also absent in some locked-down runtimes.
interface WebAssemblyGlobal {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

const exportNames = [
  "heapBase",
  "decodeBf16",
  "decodeF16",
  "encodeBf16",
  "encodeF16",
  "subF32",
  "axpyF32",
  "axpySubF32",
  "subBf16",
  "subF16",
  "subBf16ToF32",
  "subF16ToF32",
  "axpyBf16",
  "axpyF16",
  "axpySubBf16",
  "axpySubF16",
  "sumOfSquaresF32",
  "dotF32",
  "reconstructionStats",
  "taskVectorStatsBf16",
  "taskVectorStatsF16",
  "taskVectorStatsF32",
  "loraRowsF32",
  "gemmF32",
  "squaredDistanceF32",
  "gramF64",
  "solveUpperF64",
] as const;

// Compiling is per process and the module is immutable, so one compilation serves every instance.
let compiled: object | null | undefined;

function compile(): object | null {
  if (compiled !== undefined) return compiled;
  const wasm = (globalThis as { WebAssembly?: WebAssemblyGlobal }).WebAssembly;
  const bytes = Buffer.from(kernelsWasmBase64, "base64");
  // validate() is false when the engine lacks WebAssembly SIMD: the callers then use the JavaScript kernels.
  compiled = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
  return compiled;
}

/**
 * A fresh instance of the SIMD kernels with its own memory (one per thread), or undefined when this
 * JavaScript engine cannot run WebAssembly SIMD.
 */
export function instantiateSimdKernels(): SimdExports | undefined {
  const module = compile();
  const wasm = (globalThis as { WebAssembly?: WebAssemblyGlobal }).WebAssembly;
  if (!module || !wasm) return undefined;
  const exports = new wasm.Instance(module, {}).exports as Record<string, unknown>;
  const missing = exportNames.filter((name) => typeof exports[name] !== "function");
  if (missing.length > 0) {
    throw new InternalError(
      `The WebAssembly kernels lack ${missing.join(", ")}; kernels.generated.ts is stale, run npm run build.`,
      {
        code: "SIMD_EXPORTS_MISSING",
      },
    );
  }
  return exports as unknown as SimdExports;
}
