import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The tfjs namespace; `@tensorflow/tfjs-node`, when it is installed, exports the same API. */
export type Tf = typeof import("@tensorflow/tfjs");

/** Which tfjs backend runs the forward pass: native TensorFlow (tfjs-node), WebAssembly, or plain JavaScript. */
export type TfBackend = "tensorflow" | "wasm" | "cpu";

export interface LoadTfOptions {
  /**
   * The backend to use. `auto` takes tfjs-node when it installed (it is an optional dependency whose installer
   * downloads libtensorflow, so it is often absent), else wasm, else cpu.
   * @default "auto"
   */
  backend?: TfBackend | "auto";
  /**
   * The directory that holds tfjs-backend-wasm's `.wasm` binaries, read from disk so nothing is fetched.
   * @default the `dist` folder of the installed `@tensorflow/tfjs-backend-wasm`
   */
  wasmDir?: string;
}

export interface LoadedTf {
  tf: Tf;
  /** The backend that is active. */
  backend: TfBackend;
  /** Why a preferred backend was not used, for a `--verbose` log line; empty when the first choice worked. */
  notes: string[];
}

// The tfjs engine is process-global (it lives on globalThis), so the loaded modules are shared the same way.
let nativeModule: Promise<Tf | undefined> | undefined;
let plainModule: Promise<Tf> | undefined;

/** Loads tfjs once per process and activates the requested backend; falls back from tensorflow to wasm to cpu. */
export async function loadTf(options: LoadTfOptions = {}): Promise<LoadedTf> {
  const wanted = options.backend ?? "auto";
  const notes: string[] = [];
  if (wanted === "auto" || wanted === "tensorflow") {
    // tfjs-node re-exports @tensorflow/tfjs and registers its native backend on the same engine.
    nativeModule ??= importOptional("@tensorflow/tfjs-node");
    const native = await nativeModule;
    if (native) {
      if (native.getBackend() === "tensorflow" || (await native.setBackend("tensorflow")))
        return { tf: native, backend: "tensorflow", notes };
      notes.push("the tfjs tensorflow backend did not initialize");
    } else {
      notes.push("@tensorflow/tfjs-node is not installed");
    }
  }
  plainModule ??= import("@tensorflow/tfjs").then((tf) => quiet(tf));
  const tf = await plainModule;
  for (const backend of wanted === "cpu" ? (["cpu"] as const) : (["wasm", "cpu"] as const)) {
    if (tf.getBackend() === backend) return { tf, backend, notes };
    try {
      if (backend === "wasm") await registerWasm(tf, options.wasmDir);
      if (await tf.setBackend(backend)) {
        await tf.ready();
        return { tf, backend, notes };
      }
      notes.push(`the tfjs ${backend} backend did not initialize`);
    } catch (error) {
      notes.push(`the tfjs ${backend} backend failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // cpu is pure JavaScript and always registers; reaching this line means tfjs itself is broken.
  throw new Error(`No tfjs backend could start (${notes.join("; ")}).`);
}

async function importOptional(name: string): Promise<Tf | undefined> {
  try {
    // A variable specifier keeps bundlers and tsc from requiring a package that is optional.
    return quiet((await import(name)) as Tf);
  } catch {
    return undefined;
  }
}

/**
 * Production mode silences tfjs's console advice (e.g. the cpu backend's "install tfjs-node" banner) in a CLI's output.
 */
function quiet(tf: Tf): Tf {
  tf.enableProdMode();
  return tf;
}

let wasmRegistered = false;

async function registerWasm(tf: Tf, wasmDir: string | undefined): Promise<void> {
  if (wasmRegistered) return;
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const dir = wasmDir ?? dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"));
  // A trailing separator: tfjs concatenates the prefix and the file name.
  wasm.setWasmPaths(join(dir, "/"));
  wasmRegistered = true;
  if (tf.findBackend("wasm") === null && tf.findBackendFactory("wasm") === null) {
    throw new Error("@tensorflow/tfjs-backend-wasm did not register the wasm backend");
  }
}
