import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * native/matrix-kernels.c as Node loads it: the WebAssembly kernels' signatures with the heap's ArrayBuffer first and
 * byte offsets into it.
 */
export interface NativeKernels {
  /** False where the CPU has no AVX2 (the module loads, its kernels must not run). */
  readonly available: boolean;
  gemmF32(
    heap: ArrayBuffer,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    m: number,
    k: number,
    n: number,
    /** Splits C into bands of whole elements, one per thread (the bits of one thread). */
    threads: number,
  ): void;
  squaredDistanceF32(heap: ArrayBuffer, a: number, b: number, n: number): number;
  /**
   * A LoRA module's dense rows, out = s·(left·right) in loraRowsF32's order (docs/adapters.md), on typed arrays:
   * left rows × rank, right rank × columns, out rows × columns.
   */
  loraRowsF32(
    left: Float32Array,
    right: Float32Array,
    out: Float32Array,
    rows: number,
    rank: number,
    columns: number,
    scale: number,
    threads: number,
  ): void;
  /** `threads` compute whole rows of G each. */
  gramF64(heap: ArrayBuffer, x: number, rows: number, cols: number, g: number, threads: number): void;
  /** `threads` solve bands of X's rows each. */
  solveUpperF64(heap: ArrayBuffer, x: number, rows: number, cols: number, r: number, threads: number): void;
  /**
   * The products' vector width, for the specs: 512 (16 × 16 tiles, the default where the CPU has AVX-512) or 256 (6 ×
   * 16 tiles, AVX2). The same bits either way. Returns the width now in use; it applies to the whole process.
   */
  setVectorBits(bits: 256 | 512): number;
}

/** Where node-gyp leaves the module, from the package's root (scripts/build-native.mjs builds it there). */
export const nativeKernelsPath = join("native", "build", "Release", "matrix_kernels.node");

let loaded: NativeKernels | null | undefined;

/**
 * The native kernels if `npm ci` (or `npm run build`) could build them here and the CPU runs them, else undefined:
 * they are optional (no compiler, another CPU, the Action's bundle), and the WebAssembly kernels give the same bits.
 * The module is looked for in the package's root above this file, which is `dist/` in the bundles and
 * `src/arithmetic/low-rank/` in the sources.
 */
export function loadNativeKernels(): NativeKernels | undefined {
  if (loaded === undefined) loaded = findAndLoad() ?? null;
  return loaded ?? undefined;
}

function findAndLoad(): NativeKernels | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const path = join(dir, nativeKernelsPath);
    if (existsSync(path)) {
      try {
        const module = createRequire(import.meta.url)(path) as NativeKernels;
        return module.available ? module : undefined;
      } catch {
        // A module built for another Node ABI or platform: the WebAssembly kernels do the same work.
        return undefined;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}
