import { UsageError } from "../../errors.js";
import { javascriptKernels, type ArithmeticKernels } from "./arithmetic-kernels.js";
import { createWasmKernels } from "./create-wasm-kernels.js";

export interface CreateArithmeticKernelsOptions {
  /**
   * `auto` picks WebAssembly SIMD where this engine runs it and the JavaScript reference elsewhere;
   * `wasm` fails instead of falling back; `js` forces the reference (e.g. to compare the two).
   * @default "auto"
   */
  implementation?: "auto" | "wasm" | "js";
  /**
   * Elements per WebAssembly kernel call; see CreateWasmKernelsOptions.
   * @default 16384
   */
  chunkElements?: number;
}

/** The kernels one thread should use; create one set per thread and reuse it for every chunk. */
export function createArithmeticKernels(options: CreateArithmeticKernelsOptions = {}): ArithmeticKernels {
  const implementation = options.implementation ?? "auto";
  if (implementation === "js") return javascriptKernels;
  const wasm = createWasmKernels(options.chunkElements === undefined ? {} : { chunkElements: options.chunkElements });
  if (wasm) return wasm;
  if (implementation === "wasm") {
    throw new UsageError(
      'This JavaScript engine cannot run the WebAssembly SIMD kernels; use the JavaScript ones (implementation "js" ' +
        'or "auto").',
      {
        code: "SIMD_UNAVAILABLE",
      },
    );
  }
  return javascriptKernels;
}
