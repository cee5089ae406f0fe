import { createRequire as __tvhubCreateRequire } from 'node:module'; const require = __tvhubCreateRequire(import.meta.url);

// src/engine/compute-worker.ts
import { isMainThread, parentPort, workerData } from "node:worker_threads";

// src/errors.ts
var TvhubError = class extends Error {
  family = "internal";
  code;
  subject;
  constructor(message, options) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    if (options.subject !== void 0) this.subject = options.subject;
  }
};
var UsageError = class extends TvhubError {
  family = "usage";
};
var DataError = class extends TvhubError {
  family = "data";
};
var InternalError = class extends TvhubError {
  family = "internal";
};

// src/tensor/float-bits.ts
var scratchF32 = new Float32Array(1);
var scratchU32 = new Uint32Array(scratchF32.buffer);
function f32ToBits(value) {
  scratchF32[0] = value;
  return scratchU32[0];
}
var quietNaNBits = { F16: 32256, BF16: 32704, F32: 2143289344 };
var hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// src/tensor/f16.ts
function f16BitsToF32Bits(bits) {
  const h = bits & 65535;
  const sign = (h & 32768) << 16;
  const exponent = h & 31744;
  const mantissa = h & 1023;
  if (exponent === 31744) return (sign | 2139095040 | mantissa << 13) >>> 0;
  if (exponent !== 0) return (sign | (h & 32767) + 114688 << 13) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  return f32ToBits((sign ? -mantissa : mantissa) * 2 ** -24);
}
function f32BitsToF16Bits(bits) {
  const sign = bits >>> 16 & 32768;
  const abs = bits & 2147483647;
  if (abs >= 2139095040) {
    return abs > 2139095040 ? sign | 32256 | abs >>> 13 & 1023 : sign | 31744;
  }
  if (abs >= 1199566848) return sign | 31744;
  if (abs >= 947912704) {
    const rebiased = abs - 939524096;
    return sign | rebiased + 4095 + (rebiased >>> 13 & 1) >>> 13;
  }
  if (abs >= 855638016) {
    const significand = abs & 8388607 | 8388608;
    const shift = 126 - (abs >>> 23);
    const half = 1 << shift - 1;
    const rest = significand & (half << 1) - 1;
    let result = significand >>> shift;
    if (rest > half || rest === half && (result & 1) === 1) result++;
    return sign | result;
  }
  return sign;
}

// src/tensor/dtype.ts
var dtypeSizes = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  /** The OCP MX scale type (an 8-bit exponent): the reference reads it, tvhub copies it like an integer tensor. */
  F8_E8M0: 1,
  U16: 2,
  I16: 2,
  F16: 2,
  BF16: 2,
  U32: 4,
  I32: 4,
  F32: 4,
  /** Complex, two float32 parts: the reference reads it; never computable here, so copied like an integer tensor. */
  C64: 8,
  U64: 8,
  I64: 8,
  F64: 8
};
var computableDtypes = ["F64", "F32", "F16", "BF16"];
function isComputable(dtype) {
  return computableDtypes.includes(dtype);
}
function dtypeSize(dtype) {
  return dtypeSizes[dtype];
}

// src/tensor/encoded.ts
function encodedLength(values) {
  const size = dtypeSize(values.dtype);
  if (values.bytes.byteLength % size !== 0) {
    throw new DataError(
      `${values.bytes.byteLength} bytes is not a whole number of ${values.dtype} elements (${size} bytes each); the tensor data is truncated or its declared dtype is wrong.`,
      { code: "TENSOR_BYTE_LENGTH", subject: values.dtype }
    );
  }
  return values.bytes.byteLength / size;
}

// src/tensor/decode-to-f32.ts
function decodeToF32(options) {
  const count = encodedLength(options);
  const out = options.out ? prefix(options.out, count) : new Float32Array(count);
  const { bytes } = options;
  if (!hostIsLittleEndian) return decodeToF32ViaDataView({ ...options, out });
  switch (options.dtype) {
    case "F32":
      new Uint8Array(out.buffer, out.byteOffset, count * 4).set(bytes);
      break;
    case "BF16":
      decodeBf16(alignedView(bytes, 2, Uint16Array), new Int32Array(out.buffer, out.byteOffset, count), count);
      break;
    case "F16":
      decodeF16(alignedView(bytes, 2, Uint16Array), new Int32Array(out.buffer, out.byteOffset, count), count);
      break;
    case "F64": {
      const source = alignedView(bytes, 8, Float64Array);
      decodeF64(source, new Int32Array(source.buffer, source.byteOffset, count * 2), out, count);
      break;
    }
  }
  return out;
}
function prefix(out, count) {
  if (out.length < count) {
    throw new InternalError(`The output array holds ${out.length} elements but ${count} are being decoded.`, {
      code: "DECODE_OUT_TOO_SMALL"
    });
  }
  return out.length === count ? out : out.subarray(0, count);
}
function alignedView(bytes, size, View) {
  const source = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return new View(source.buffer, source.byteOffset, source.byteLength / size);
}
function decodeBf16(source, target, count) {
  for (let i = 0; i < count; i++) target[i] = source[i] << 16;
}
var f16Table;
function f16ToF32Table() {
  if (!f16Table) {
    f16Table = new Int32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToF32Bits(h) | 0;
  }
  return f16Table;
}
function decodeF16(source, target, count) {
  const table = f16ToF32Table();
  for (let i = 0; i < count; i++) target[i] = table[source[i]];
}
function decodeF64(source, words, out, count) {
  const bits = new Int32Array(out.buffer, out.byteOffset, count);
  for (let i = 0; i < count; i++) {
    const value = source[i];
    if (value === value) {
      out[i] = value;
    } else {
      const high = words[2 * i + 1];
      const low = words[2 * i];
      bits[i] = high & 2147483648 | 2143289344 | (high & 1048575) << 3 | low >>> 29;
    }
  }
}
function decodeToF32ViaDataView(options) {
  const count = encodedLength(options);
  const out = options.out ? prefix(options.out, count) : new Float32Array(count);
  const values = options;
  const view = new DataView(values.bytes.buffer, values.bytes.byteOffset, values.bytes.byteLength);
  const bits = new Uint32Array(out.buffer, out.byteOffset, count);
  for (let i = 0; i < count; i++) {
    switch (values.dtype) {
      case "F32":
        bits[i] = view.getUint32(4 * i, true);
        break;
      case "BF16":
        bits[i] = view.getUint16(2 * i, true) << 16;
        break;
      case "F16":
        bits[i] = f16BitsToF32Bits(view.getUint16(2 * i, true));
        break;
      case "F64": {
        const value = view.getFloat64(8 * i, true);
        if (value === value) {
          out[i] = value;
        } else {
          const high = view.getUint32(8 * i + 4, true);
          const low = view.getUint32(8 * i, true);
          bits[i] = high & 2147483648 | 2143289344 | (high & 1048575) << 3 | low >>> 29;
        }
        break;
      }
    }
  }
  return out;
}

// src/tensor/bf16.ts
function f32BitsToBf16Bits(bits) {
  const u = bits >>> 0;
  if ((u & 2147483647) > 2139095040) return u >>> 16 | 64;
  return u + 32767 + (u >>> 16 & 1) >>> 16;
}

// src/tensor/encode-from-f32.ts
function encodeFromF32(options) {
  const { dtype, values } = options;
  const count = values.length;
  const size = dtypeSize(dtype);
  const byteLength = count * size;
  let out = options.out;
  if (out && out.byteLength < byteLength) {
    throw new InternalError(
      `The output buffer holds ${out.byteLength} bytes but ${count} ${dtype} elements need ${byteLength}.`,
      {
        code: "ENCODE_OUT_TOO_SMALL"
      }
    );
  }
  out = out ? out.byteLength === byteLength ? out : out.subarray(0, byteLength) : new Uint8Array(byteLength);
  if (!hostIsLittleEndian) return encodeFromF32ViaDataView({ dtype, values, out });
  if (dtype === "F32") {
    out.set(new Uint8Array(values.buffer, values.byteOffset, byteLength));
    return out;
  }
  const aligned = out.byteOffset % size === 0;
  const target = aligned ? out : new Uint8Array(byteLength);
  const source = new Int32Array(values.buffer, values.byteOffset, count);
  switch (dtype) {
    case "BF16":
      encodeBf16(source, new Uint16Array(target.buffer, target.byteOffset, count), count);
      break;
    case "F16":
      encodeF16(source, new Uint16Array(target.buffer, target.byteOffset, count), count);
      break;
    case "F64":
      encodeF64(values, source, new Float64Array(target.buffer, target.byteOffset, count), count);
      break;
  }
  if (!aligned) out.set(target);
  return out;
}
function encodeBf16(source, target, count) {
  for (let i = 0; i < count; i++) {
    const bits = source[i];
    if ((bits & 2147483647) > 2139095040) target[i] = bits >>> 16 | 64;
    else target[i] = (bits >>> 0) + 32767 + (bits >>> 16 & 1) >>> 16;
  }
}
function encodeF16(source, target, count) {
  for (let i = 0; i < count; i++) {
    const bits = source[i];
    const sign = bits >>> 16 & 32768;
    const abs = bits & 2147483647;
    if (abs >= 947912704 && abs < 1199566848) {
      const rebiased = abs - 939524096;
      target[i] = sign | rebiased + 4095 + (rebiased >>> 13 & 1) >>> 13;
    } else {
      target[i] = f32BitsToF16Bits(bits);
    }
  }
}
function encodeF64(values, source, target, count) {
  const words = new Int32Array(target.buffer, target.byteOffset, count * 2);
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (value === value) {
      target[i] = value;
    } else {
      const bits = source[i];
      const mantissa = bits & 8388607;
      words[2 * i] = (mantissa & 7) << 29;
      words[2 * i + 1] = bits & 2147483648 | 2146959360 | mantissa >>> 3;
    }
  }
}
function encodeFromF32ViaDataView(options) {
  const { dtype, values } = options;
  const out = options.out ?? new Uint8Array(values.length * dtypeSize(dtype));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) {
    const word = bits[i];
    switch (dtype) {
      case "F32":
        view.setUint32(4 * i, word, true);
        break;
      case "BF16":
        view.setUint16(2 * i, f32BitsToBf16Bits(word), true);
        break;
      case "F16":
        view.setUint16(2 * i, f32BitsToF16Bits(word), true);
        break;
      case "F64": {
        const value = values[i];
        if (value === value) {
          view.setFloat64(8 * i, value, true);
        } else {
          const mantissa = word & 8388607;
          view.setUint32(8 * i, (mantissa & 7) << 29, true);
          view.setUint32(8 * i + 4, (word & 2147483648 | 2146959360 | mantissa >>> 3) >>> 0, true);
        }
        break;
      }
    }
  }
  return out;
}

// src/arithmetic/float32.ts
var canonicalNaN = quietNaNBits.F32;
function byteKernelSteps(count, options) {
  const outSize = dtypeSize(options.dtype);
  const out = options.out ?? new Uint8Array(count * outSize);
  return { out, outSize, step: Math.min(chunkSize(options.chunkElements), Math.max(count, 1)) };
}
var defaultChunkElements = 65536;
function wordsOf(values) {
  return new Int32Array(values.buffer, values.byteOffset, values.length);
}
function checkLengths(what, length, ...arrays) {
  for (const array of arrays) {
    if (array.length !== length) {
      throw new InternalError(
        `${what} got operands of ${length} and ${array.length} elements; they must have the same length.`,
        {
          code: "ARITHMETIC_LENGTH_MISMATCH"
        }
      );
    }
  }
}
function outputFor(what, length, out) {
  if (!out) return new Float32Array(length);
  checkLengths(what, length, out);
  return out;
}
function chunkSize(chunkElements) {
  const size = chunkElements ?? defaultChunkElements;
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new InternalError(`chunkElements must be a whole number \u2265 1, not ${size}.`, { code: "ARITHMETIC_BAD_CHUNK" });
  }
  return size;
}

// src/arithmetic/add-scaled.ts
function addScaled(options) {
  const { acc, tau } = options;
  const n = acc.length;
  checkLengths("addScaled", n, tau);
  const weight = Math.fround(options.weight);
  const words = wordsOf(acc);
  for (let i = 0; i < n; i++) {
    const sum = acc[i] + Math.fround(weight * tau[i]);
    if (sum === sum) acc[i] = sum;
    else words[i] = canonicalNaN;
  }
  return acc;
}
function addScaledDifference(options) {
  const { acc, finetuned, base } = options;
  const n = acc.length;
  checkLengths("addScaledDifference", n, finetuned, base);
  const weight = Math.fround(options.weight);
  const words = wordsOf(acc);
  for (let i = 0; i < n; i++) {
    const sum = acc[i] + Math.fround(weight * Math.fround(finetuned[i] - base[i]));
    if (sum === sum) acc[i] = sum;
    else words[i] = canonicalNaN;
  }
  return acc;
}

// src/arithmetic/subtract.ts
function subtract(options) {
  const { finetuned, base } = options;
  const n = finetuned.length;
  checkLengths("subtract", n, base);
  const out = outputFor("subtract", n, options.out);
  const words = wordsOf(out);
  for (let i = 0; i < n; i++) {
    const difference = finetuned[i] - base[i];
    if (difference === difference) out[i] = difference;
    else words[i] = canonicalNaN;
  }
  return out;
}

// src/arithmetic/compute-task-vector.ts
function computeTaskVector(options) {
  const count = taskVectorOperandLength(options);
  const { out, outSize, step } = byteKernelSteps(count, options);
  const baseScratch = new Float32Array(step);
  const finetunedScratch = new Float32Array(step);
  const baseSize = dtypeSize(options.base.dtype);
  const finetunedSize = dtypeSize(options.finetuned.dtype);
  for (let start = 0; start < count; start += step) {
    const end = Math.min(count, start + step);
    const base = decodeToF32({
      dtype: options.base.dtype,
      bytes: options.base.bytes.subarray(start * baseSize, end * baseSize),
      out: baseScratch
    });
    const finetuned = decodeToF32({
      dtype: options.finetuned.dtype,
      bytes: options.finetuned.bytes.subarray(start * finetunedSize, end * finetunedSize),
      out: finetunedScratch
    });
    const tau = subtract({ finetuned, base, out: finetuned });
    encodeFromF32({ dtype: options.dtype, values: tau, out: out.subarray(start * outSize, end * outSize) });
  }
  return out.byteLength === count * outSize ? out : out.subarray(0, count * outSize);
}
function taskVectorOperandLength(options) {
  const count = encodedLength(options.base);
  const finetunedCount = encodedLength(options.finetuned);
  if (finetunedCount !== count) {
    throw new InternalError(
      `computeTaskVector got ${count} base and ${finetunedCount} fine-tuned elements; read the same range of both.`,
      { code: "ARITHMETIC_LENGTH_MISMATCH" }
    );
  }
  return count;
}

// src/arithmetic/dot-product.ts
function dotProduct(options) {
  const { a, b } = options;
  checkLengths("dotProduct", a.length, b);
  let sum = options.initial ?? 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

// src/arithmetic/lora-delta.ts
function loraOperands(factors) {
  const { a, b, rank } = factors;
  if (rank < 1 || a.length % rank !== 0 || b.length % rank !== 0) {
    throw new InternalError(`LoRA factors of ${a.length} and ${b.length} elements do not have rank ${rank}.`, {
      code: "LORA_BAD_FACTORS"
    });
  }
  const inFeatures = a.length / rank;
  const outFeatures = b.length / rank;
  if (!factors.transpose) return { left: b, right: a, rows: outFeatures, columns: inFeatures };
  return {
    left: transposed(a, rank, inFeatures),
    right: transposed(b, outFeatures, rank),
    rows: inFeatures,
    columns: outFeatures
  };
}
function loraDeltaRows(options) {
  const { left, right, rank, columns, rowStart, rowEnd } = options;
  checkRows(options);
  const out = options.out ?? new Float32Array((rowEnd - rowStart) * columns);
  const words = wordsOf(out);
  const scale = Math.fround(options.scale);
  for (let i = rowStart; i < rowEnd; i++) {
    const acc = out.subarray((i - rowStart) * columns, (i - rowStart + 1) * columns);
    acc.fill(0);
    for (let k = 0; k < rank; k++) {
      const l = left[i * rank + k];
      const offset = k * columns;
      for (let j = 0; j < columns; j++) acc[j] = acc[j] + Math.fround(l * right[offset + j]);
    }
    const base = (i - rowStart) * columns;
    for (let j = 0; j < columns; j++) {
      const value = scale * acc[j];
      if (value === value) acc[j] = value;
      else words[base + j] = canonicalNaN;
    }
  }
  return out;
}
function checkRows(options) {
  const { left, right, rank, rows, columns, rowStart, rowEnd } = options;
  if (left.length !== rows * rank || right.length !== rank * columns || rowStart < 0 || rowEnd > rows || rowStart > rowEnd) {
    throw new InternalError(
      `A LoRA product of ${rows}\xD7${rank} by ${rank}\xD7${columns} was asked for rows ${rowStart}\u2013${rowEnd}.`,
      { code: "LORA_BAD_ROWS" }
    );
  }
  if (options.out && options.out.length !== (rowEnd - rowStart) * columns) {
    throw new InternalError(
      `The LoRA output holds ${options.out.length} elements, not ${(rowEnd - rowStart) * columns}.`,
      { code: "LORA_BAD_OUT" }
    );
  }
}
function transposed(values, rows, columns) {
  const out = new Float32Array(values.length);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < columns; j++) out[j * rows + i] = values[i * columns + j];
  return out;
}

// src/arithmetic/merge-chunk.ts
function mergeChunk(options) {
  const count = mergeOperandLength(options);
  const { out, outSize, step } = byteKernelSteps(count, options);
  const baseScratch = new Float32Array(step);
  const accScratch = new Float32Array(step);
  const termScratch = new Float32Array(step);
  for (let start = 0; start < count; start += step) {
    const end = Math.min(count, start + step);
    const base = decodeToF32({ dtype: options.base.dtype, bytes: slice(options.base, start, end), out: baseScratch });
    const acc = accScratch.subarray(0, end - start);
    acc.set(base);
    for (const term of options.terms) {
      if ("taskVector" in term) {
        const tau = decodeToF32({
          dtype: term.taskVector.dtype,
          bytes: slice(term.taskVector, start, end),
          out: termScratch
        });
        addScaled({ acc, tau, weight: term.weight });
      } else {
        const finetuned = decodeToF32({
          dtype: term.finetuned.dtype,
          bytes: slice(term.finetuned, start, end),
          out: termScratch
        });
        addScaledDifference({ acc, finetuned, base, weight: term.weight });
      }
    }
    encodeFromF32({ dtype: options.dtype, values: acc, out: out.subarray(start * outSize, end * outSize) });
  }
  return out.byteLength === count * outSize ? out : out.subarray(0, count * outSize);
}
function slice(values, start, end) {
  const size = dtypeSize(values.dtype);
  return values.bytes.subarray(start * size, end * size);
}
function mergeOperandLength(options) {
  const count = encodedLength(options.base);
  for (const [i, term] of options.terms.entries()) {
    const termCount = encodedLength("taskVector" in term ? term.taskVector : term.finetuned);
    if (termCount !== count) {
      throw new InternalError(
        `mergeChunk got ${count} base elements but ${termCount} in term ${i}; read the same range of every input.`,
        { code: "ARITHMETIC_LENGTH_MISMATCH" }
      );
    }
  }
  return count;
}

// src/arithmetic/reconstruction-error.ts
var emptyReconstructionStats = { elements: 0, mismatches: 0, maxAbsError: 0 };
function reconstructionError(options) {
  return compare(options, options.taskVector);
}
function countInexactF32(options) {
  return compare(options, void 0);
}
function reconstructionOperandLength(options, taskVector) {
  const count = encodedLength(options.base);
  for (const operand2 of taskVector ? [options.finetuned, taskVector] : [options.finetuned]) {
    if (encodedLength(operand2) !== count) {
      throw new InternalError(
        `Reconstruction statistics got operands of different lengths; read the same range of every input.`,
        {
          code: "ARITHMETIC_LENGTH_MISMATCH"
        }
      );
    }
  }
  return count;
}
function compare(options, taskVector) {
  const count = reconstructionOperandLength(options, taskVector);
  const step = Math.min(chunkSize(options.chunkElements), Math.max(count, 1));
  const base = new Float32Array(step);
  const finetuned = new Float32Array(step);
  const tau = new Float32Array(step);
  const reconstructed = new Float32Array(step);
  const reconstructedBits = wordsOf(reconstructed);
  const finetunedBits = wordsOf(finetuned);
  const initial = options.initial ?? emptyReconstructionStats;
  let mismatches = initial.mismatches;
  let maxAbsError = initial.maxAbsError;
  for (let start = 0; start < count; start += step) {
    const end = Math.min(count, start + step);
    const n = end - start;
    decodeToF32({ dtype: options.base.dtype, bytes: range(options.base, start, end), out: base });
    decodeToF32({ dtype: options.finetuned.dtype, bytes: range(options.finetuned, start, end), out: finetuned });
    if (taskVector) decodeToF32({ dtype: taskVector.dtype, bytes: range(taskVector, start, end), out: tau });
    else for (let i = 0; i < n; i++) tau[i] = finetuned[i] - base[i];
    for (let i = 0; i < n; i++) reconstructed[i] = base[i] + tau[i];
    for (let i = 0; i < n; i++) {
      if (reconstructedBits[i] === finetunedBits[i]) continue;
      const r = reconstructed[i];
      const f = finetuned[i];
      if (r !== r && f !== f) continue;
      mismatches++;
      const error = r !== r || f !== f ? Infinity : Math.fround(Math.abs(r - f));
      if (error > maxAbsError) maxAbsError = error;
    }
  }
  return { elements: initial.elements + count, mismatches, maxAbsError };
}
function range(values, start, end) {
  const size = dtypeSize(values.dtype);
  return values.bytes.subarray(start * size, end * size);
}

// src/arithmetic/sum-of-squares.ts
function sumOfSquares(options) {
  const { values } = options;
  let sum = options.initial ?? 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    sum += value * value;
  }
  return sum;
}

// src/arithmetic/simd/arithmetic-kernels.ts
var javascriptKernels = {
  implementation: "js",
  decodeToF32,
  encodeFromF32,
  subtract,
  addScaled,
  addScaledDifference,
  computeTaskVector,
  mergeChunk,
  sumOfSquares,
  dotProduct,
  reconstructionError,
  countInexactF32,
  loraDeltaRows
};

// src/arithmetic/native/load-native-kernels.ts
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
var nativeKernelsPath = join("native", "build", "Release", "matrix_kernels.node");
var loaded;
function loadNativeKernels() {
  if (loaded === void 0) loaded = findAndLoad() ?? null;
  return loaded ?? void 0;
}
function findAndLoad() {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const path = join(dir, nativeKernelsPath);
    if (existsSync(path)) {
      try {
        const module = createRequire(import.meta.url)(path);
        return module.available ? module : void 0;
      } catch {
        return void 0;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return void 0;
}

// src/arithmetic/simd/kernels.generated.ts
var kernelsWasmBase64 = "AGFzbQEAAAABXgxgBH9/f38AYAZ/f39/f38AYAN/f38AYAV/f399fwBgBH9/fX8AYAN/f3wBfGADf39/AXxgBX9/f39/AGAHf39/f39/fQBgAAF/YAl/f39/f39/f38AYAR/f398AXwDHRwBAQEBBQAAAAAABgAHCAkACgICCwICAwMDBAQEBQMBAAwH/wIcCmRlY29kZUJmMTYAFQlkZWNvZGVGMTYAFAplbmNvZGVCZjE2ABIJZW5jb2RlRjE2ABEGc3ViRjMyAAUHYXhweUYzMgAZCmF4cHlTdWJGMzIAFgdzdWJCZjE2AAkGc3ViRjE2AAcMc3ViQmYxNlRvRjMyAAgLc3ViRjE2VG9GMzIABghheHB5QmYxNgAbB2F4cHlGMTYAGgtheHB5U3ViQmYxNgAYCmF4cHlTdWJGMTYAFw9zdW1PZlNxdWFyZXNGMzIABAZkb3RGMzIAExNyZWNvbnN0cnVjdGlvblN0YXRzAAwTdGFza1ZlY3RvclN0YXRzQmYxNgADEnRhc2tWZWN0b3JTdGF0c0YxNgACEnRhc2tWZWN0b3JTdGF0c0YzMgABC2xvcmFSb3dzRjMyAA0HZ2VtbUYzMgAQEnNxdWFyZWREaXN0YW5jZUYzMgAKB2dyYW1GNjQADw1zb2x2ZVVwcGVyRjY0AAsIaGVhcEJhc2UADgZtZW1vcnkCAAwBAQqbrwEc/wIBC3sgBQR7/QwAAAAAAAAAAAAAAAAAAAAABSAC/QAEECEGIAIgA2oiBf0ABAAhByAF/QAEECEIIAIgA0EBdGoiBf0ABAAhCSAF/QAEECEKIAIgA0EDbGoiBf0ABAAhCyAF/QAEECEMIAL9AAQACyENIAEgBEEFdGohBANAIAEgBEkEQCANIAD9CQIAIg8gAf0ABAAiDv3mAf3kASENIAYgDyAB/QAEECIP/eYB/eQBIQYgByAA/QkCBCIQIA795gH95AEhByAIIBAgD/3mAf3kASEIIAkgAP0JAggiECAO/eYB/eQBIQkgCiAQIA/95gH95AEhCiALIAD9CQIMIhAgDv3mAf3kASELIAwgECAP/eYB/eQBIQwgAEEQaiEAIAFBIGohAQwBCwsgAiAN/QsEACACIAb9CwQQIAIgA2oiACAH/QsEACAAIAj9CwQQIAIgA0EBdGoiACAJ/QsEACAAIAr9CwQQIAIgA0EDbGoiACAL/QsEACAAIAz9CwQQC7UFAhN7AX9BgAj9AAQAGkHgCP0ABAAaQZAI/QAEABpBoAj9AAQAGkGwCP0ABAAhDEHACP0ABAAhC0HQCP0ABAAhCiAE/QAEACEQIAT9AAQQIQ8gBP0ABCAhDiAE/QAEMCENIAMiGSADQQdqQQN2IgNBAWtBA3Rr/REhCQNAIANBAEoEQCAA/QAEECIIIAH9AAQQIgb95QEiByAMIAcgB/1B/VIhFCACIAD9AAQAIhYgAf0ABAAiB/3lASITIAwgEyAT/UH9UiIV/QsEACACIBT9CwQQIAcgFf3kASIXIBb9NyAWIBb9Qv1QIRMgBiAU/eQBIhggCP03IAggCP1C/VAhByAXIBb95QEgC/1OIAr9twEgE/1PIQYgGCAI/eUBIAv9TiAK/bcBIAf9TyEIIANBAUYEQCAV/QwAAAAAAQAAAAIAAAADAAAAIAn9OSIW/U4hFSAU/QwEAAAABQAAAAYAAAAHAAAAIAn9OSIX/U4hFCATIBb9TiETIAcgF/1OIQcgCCAX/U4hCCAGIBb9TiEGCyASIBMgB/2uAf2uASESIBEgBiAI/bkB/bkBIREgECAV/V8iBiAG/fIB/fABIRAgDyAVIBX9DQgJCgsMDQ4PAAECAwQFBgf9XyIGIAb98gH98AEhDyAOIBT9XyIGIAb98gH98AEhDiANIBQgFP0NCAkKCwwNDg8AAQIDBAUGB/1fIgYgBv3yAf3wASENIANBAWshAyAAQSBqIQAgAUEgaiEBIAJBIGohAgwBCwsgBCAQ/QsEACAEIA/9CwQQIAQgDv0LBCAgBCAN/QsEMCAFIBkgEv0bACAS/RsBaiAS/RsCaiAS/RsDamo2AgAgBSAR/RsAIgAgEf0bASIBIAAgAUsbIgAgEf0bAiIBIBH9GwMiAiABIAJLGyIBIAAgAUsbvrs5AwgL9gwCAX8ceyAAIQZBgAj9AAQAGkHgCP0ABAAhEkGQCP0ABAAaQaAI/QAEABpBsAj9AAQAGkHACP0ABAAhE0HQCP0ABAAhFCAE/QAEACEOIAT9AAQQIQ8gBP0ABCAhECAE/QAEMCERIAMgA0EHakEDdiIAQQFrQQN0a/0RIRUDQCAAQQBKBEAgBv0ABAAiCCAS/U4iCUGgCP0ABAAiCv1OQQ39qwEiB0HwCP0ABAAiC/1OIRYgAf0ABAAiFyAS/U4iGCAK/U5BDf2rASIZIAv9TiEaIAdBgAn9AAQAIhv9rgEgFiAL/TcgG/1O/a4BIhxBkAn9AAQAIh39rgFBoAn9AAQAIgf95QEgHCAW/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAJQbAJ/QAEACIJ/U5BEP2rAf1QIhYgGSAb/a4BIBogC/03IBv9Tv2uASIZIB39rgEgB/3lASAZIBr9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIBggCf1OQRD9qwH9UCIY/eUBIhn9DAAAwH8AAMB/AADAfwAAwH8gGSAZ/UH9UiIZQcAI/QAEACIa/U4iHCAb/bEBIR4gCEEQ/a0BIh8gCv1OQQ39qwEiICAL/U4hISAXQRD9rQEiFyAK/U5BDf2rASIiIAv9TiEIICAgG/2uASAhIAv9NyAb/U79rgEiICAd/a4BIAf95QEgICAh/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAfIAn9TkEQ/asB/VAiHyAiIBv9rgEgCCAL/TcgG/1O/a4BIgsgHf2uASAH/eUBIAsgCP0MAAAAAAAAAAAAAAAAAAAAAP03/VIgFyAJ/U5BEP2rAf1QIgj95QEiC/0MAADAfwAAwH8AAMB/AADAfyALIAv9Qf1SIgsgGv1OIhcgG/2xASEaIAIgHEEN/a0BIAr9TkHwCf0ABAAiG/1QIBxB4An9AAQAIh395AEgHf2xASAeQcAJ/QAEACIg/a4BIB5BDf2tAUGQCP0ABAAiHv1O/a4BQQ39rQFB0An9AAQAIiH9twEgHCAH/Tn9UiAcQdAI/QAEACIc/Tv9UiAZQRD9rQEgCf1O/VAiGSAXQQ39rQEgCv1OIBv9UCAXIB395AEgHf2xASAaICD9rgEgGkEN/a0BIB79Tv2uAUEN/a0BICH9twEgFyAH/Tn9UiAXIBz9O/1SIAtBEP2tASAJ/U79UCIJQRD9qwH9UP0LBAAgGUGgCP0ABAD9TkEN/asBIgdB8Aj9AAQA/U4hCiAYIAdBgAn9AAQA/a4BIApB8Aj9AAQA/TdBgAn9AAQA/U79rgEiB0GQCf0ABAD9rgFBoAn9AAQA/eUBIAcgCv0MAAAAAAAAAAAAAAAAAAAAAP03/VIgGUGwCf0ABAD9TkEQ/asB/VAiB/3kASIKIBb9NyAWIBb9Qv1QIRcgCUGgCP0ABAD9TkEN/asBIgtB8Aj9AAQA/U4hGCAIIAtBgAn9AAQA/a4BIBhB8Aj9AAQA/TdBgAn9AAQA/U79rgEiCEGQCf0ABAD9rgFBoAn9AAQA/eUBIAggGP0MAAAAAAAAAAAAAAAAAAAAAP03/VIgCUGwCf0ABAD9TkEQ/asB/VAiCP3kASILIB/9NyAfIB/9Qv1QIQkgCiAW/eUBIBP9TiAU/bcBIBf9TyEKIAsgH/3lASAT/U4gFP23ASAJ/U8hCyAMIABBAUYEeyAH/QwAAAAAAgAAAAQAAAAGAAAAIBX9OSIM/U4hByAI/QwBAAAAAwAAAAUAAAAHAAAAIBX9OSIW/U4hCCAJIBb9TiEJIAsgFv1OIQsgCiAM/U4hCiAXIAz9TgUgFwsgCf2uAf2uASEMIA0gCiAL/bkB/bkBIQ0gDiAH/V8iCSAJ/fIB/fABIQ4gDyAHIAf9DQgJCgsMDQ4PAAECAwQFBgf9XyIHIAf98gH98AEhDyAQIAj9XyIHIAf98gH98AEhECARIAggCP0NCAkKCwwNDg8AAQIDBAUGB/1fIgcgB/3yAf3wASERIABBAWshACAGQRBqIQYgAUEQaiEBIAJBEGohAgwBCwsgBCAO/QsEACAEIA/9CwQQIAQgEP0LBCAgBCAR/QsEMCAFIAMgDP0bACAM/RsBaiAM/RsCaiAM/RsDamo2AgAgBSAN/RsAIgAgDf0bASIBIAAgAUsbIgAgDf0bAiIBIA39GwMiAiABIAJLGyIBIAAgAUsbvrs5AwgLiQYCFnsBfyAAIRxBgAj9AAQAIQ5B4Aj9AAQAGkGQCP0ABAAhE0GgCP0ABAAhFEGwCP0ABAAhFUHACP0ABAAhFkHQCP0ABAAhFyAE/QAEACEPIAT9AAQQIRAgBP0ABCAhESAE/QAEMCESIAMgA0EHakEDdiIAQQFrQQN0a/0RIRgDQCAAQQBKBEAgAiAc/QAEACIGQRD9qwEiCSAB/QAEACIHQRD9qwEiCP3lASIKIBUgCiAK/UH9UiAKQRD9rQEgE/1OIBT9rgH9rgEiCkEQ/a0BIAYgDv1OIhkgByAO/U4iBv3lASIHIBUgByAH/UH9UiAHQRD9rQEgE/1OIBT9rgH9rgEiC/0NAAESEwQFFhcICRobDA0eH/0LBAAgCCAKIA79TiIH/eQBIhogCf03IAkgCf1C/VAhCiAGIAsgDv1OIgj95AEiGyAZ/TcgGSAZ/UL9UCELIBogCf3lASAW/U4gF/23ASAK/U8hBiAbIBn95QEgFv1OIBf9twEgC/1PIQkgAEEBRgRAIAf9DAAAAAACAAAABAAAAAYAAAAgGP05Ihn9TiEHIAj9DAEAAAADAAAABQAAAAcAAAAgGP05Ihr9TiEIIAogGf1OIQogCyAa/U4hCyAJIBr9TiEJIAYgGf1OIQYLIAwgCiAL/a4B/a4BIQwgDSAGIAn9uQH9uQEhDSAPIAf9XyIGIAb98gH98AEhDyAQIAcgB/0NCAkKCwwNDg8AAQIDBAUGB/1fIgYgBv3yAf3wASEQIBEgCP1fIgYgBv3yAf3wASERIBIgCCAI/Q0ICQoLDA0ODwABAgMEBQYH/V8iBiAG/fIB/fABIRIgAEEBayEAIBxBEGohHCABQRBqIQEgAkEQaiECDAELCyAEIA/9CwQAIAQgEP0LBBAgBCAR/QsEICAEIBL9CwQwIAUgAyAM/RsAIAz9GwFqIAz9GwJqIAz9GwNqajYCACAFIA39GwAiACAN/RsBIgEgACABSxsiACAN/RsCIgEgDf0bAyICIAEgAksbIgEgACABSxu+uzkDCAuaAQICfwJ7A0AgBEEEaiIDIAFMBEAgAiAAIARBAnRq/QAEACIG/V8iBSAF/fIBIgX9IQCgIAX9IQGgIAYgBv0NCAkKCwwNDg8AAQIDBAUGB/1fIgUgBf3yASIF/SEAoCAF/SEBoCECIAMhBAwBCwsDQCABIARKBEAgAiAAIARBAnRqKgIAuyICIAKioCECIARBAWohBAwBCwsgAgv7AgICewF/IANBB2pBA3YiBkEBdiEDA0AgA0EASgRAIAD9AAQQIAH9AAQQ/eUBIQQgAiAA/QAEACAB/QAEAP3lASIF/QwAAMB/AADAfwAAwH8AAMB/IAUgBf1B/VL9CwQAIAIgBP0MAADAfwAAwH8AAMB/AADAfyAEIAT9Qf1S/QsEECAAQSBq/QAEECABQSBq/QAEEP3lASEEIAJBIGogAP0ABCAgAf0ABCD95QEiBf0MAADAfwAAwH8AAMB/AADAfyAFIAX9Qf1S/QsEACACIAT9DAAAwH8AAMB/AADAfwAAwH8gBCAE/UH9Uv0LBDAgA0EBayEDIABBQGshACABQUBrIQEgAkFAayECDAELCyAGQQFxBEAgAP0ABBAgAf0ABBD95QEhBCACIAD9AAQAIAH9AAQA/eUBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBAAgAiAE/QwAAMB/AADAfwAAwH8AAMB/IAQgBP1B/VL9CwQQCwvTDgIMewF/IANBB2pBA3YiEEEBdiEDA0AgA0EASgRAIAD9AAQAIgT9qQEiBUGgCP0ABAAiBv1OQQ39qwEiB0HwCP0ABAAiCP1OIQkgAf0ABAAiCv2pASILIAb9TkEN/asBIgYgCP1OIQwgAiAHQYAJ/QAEACIH/a4BIAkgCP03IAf9Tv2uASINQZAJ/QAEACIO/a4BQaAJ/QAEACIP/eUBIA0gCf0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBUGwCf0ABAAiBf1OQRD9qwH9UCAGIAf9rgEgDCAI/TcgB/1O/a4BIgYgDv2uASAP/eUBIAYgDP0MAAAAAAAAAAAAAAAAAAAAAP03/VIgCyAF/U5BEP2rAf1Q/eUBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBAAgBP2qASIEQaAI/QAEAP1OQQ39qwEiBUHwCP0ABAD9TiEGIAr9qgEiB0GgCP0ABAD9TkEN/asBIghB8Aj9AAQA/U4hCSACIAVBgAn9AAQA/a4BIAZB8Aj9AAQA/TdBgAn9AAQA/U79rgEiBUGQCf0ABAD9rgFBoAn9AAQA/eUBIAUgBv0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBEGwCf0ABAD9TkEQ/asB/VAgCEGACf0ABAD9rgEgCUHwCP0ABAD9N0GACf0ABAD9Tv2uASIEQZAJ/QAEAP2uAUGgCf0ABAD95QEgBCAJ/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAHQbAJ/QAEAP1OQRD9qwH9UP3lASIE/QwAAMB/AADAfwAAwH8AAMB/IAQgBP1B/VL9CwQQIAD9AAQQIgT9qQEiBUGgCP0ABAD9TkEN/asBIgZB8Aj9AAQA/U4hByAB/QAEECII/akBIglBoAj9AAQA/U5BDf2rASIKQfAI/QAEAP1OIQsgAkEgaiAGQYAJ/QAEAP2uASAHQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgZBkAn9AAQA/a4BQaAJ/QAEAP3lASAGIAf9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAVBsAn9AAQA/U5BEP2rAf1QIApBgAn9AAQA/a4BIAtB8Aj9AAQA/TdBgAn9AAQA/U79rgEiBUGQCf0ABAD9rgFBoAn9AAQA/eUBIAUgC/0MAAAAAAAAAAAAAAAAAAAAAP03/VIgCUGwCf0ABAD9TkEQ/asB/VD95QEiBf0MAADAfwAAwH8AAMB/AADAfyAFIAX9Qf1S/QsEACAE/aoBIgRBoAj9AAQA/U5BDf2rASIFQfAI/QAEAP1OIQYgCP2qASIHQaAI/QAEAP1OQQ39qwEiCEHwCP0ABAD9TiEJIAIgBUGACf0ABAD9rgEgBkHwCP0ABAD9N0GACf0ABAD9Tv2uASIFQZAJ/QAEAP2uAUGgCf0ABAD95QEgBSAG/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAEQbAJ/QAEAP1OQRD9qwH9UCAIQYAJ/QAEAP2uASAJQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgRBkAn9AAQA/a4BQaAJ/QAEAP3lASAEIAn9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAdBsAn9AAQA/U5BEP2rAf1Q/eUBIgT9DAAAwH8AAMB/AADAfwAAwH8gBCAE/UH9Uv0LBDAgA0EBayEDIABBIGohACABQSBqIQEgAkFAayECDAELCyAQQQFxBEAgAP0ABAAiBP2pASIFQaAI/QAEACIG/U5BDf2rASIHQfAI/QAEACII/U4hCSAB/QAEACIK/akBIgsgBv1OQQ39qwEiBiAI/U4hDCACIAdBgAn9AAQAIgf9rgEgCSAI/TcgB/1O/a4BIg1BkAn9AAQAIg79rgFBoAn9AAQAIg/95QEgDSAJ/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAFQbAJ/QAEACIF/U5BEP2rAf1QIAYgB/2uASAMIAj9NyAH/U79rgEiBiAO/a4BIA/95QEgBiAM/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiALIAX9TkEQ/asB/VD95QEiBf0MAADAfwAAwH8AAMB/AADAfyAFIAX9Qf1S/QsEACAE/aoBIgRBoAj9AAQA/U5BDf2rASIFQfAI/QAEAP1OIQYgCv2qASIHQaAI/QAEAP1OQQ39qwEiCEHwCP0ABAD9TiEJIAIgBUGACf0ABAD9rgEgBkHwCP0ABAD9N0GACf0ABAD9Tv2uASIFQZAJ/QAEAP2uAUGgCf0ABAD95QEgBSAG/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAEQbAJ/QAEAP1OQRD9qwH9UCAIQYAJ/QAEAP2uASAJQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgRBkAn9AAQA/a4BQaAJ/QAEAP3lASAEIAn9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAdBsAn9AAQA/U5BEP2rAf1Q/eUBIgT9DAAAwH8AAMB/AADAfwAAwH8gBCAE/UH9Uv0LBBALC+MUAhB7AX8gA0EHakEDdiIUQQF2IQMDQCADQQBKBEAgAP0ABAAiBP0M//8AAP//AAD//wAA//8AAP1OIgVBoAj9AAQAIgb9TkEN/asBIgdB8Aj9AAQAIgj9TiEJIAH9AAQAIgr9DP//AAD//wAA//8AAP//AAD9TiILIAb9TkEN/asBIgwgCP1OIQ0gB0GACf0ABAAiB/2uASAJIAj9NyAH/U79rgEiDkGQCf0ABAAiD/2uAUGgCf0ABAAiEP3lASAOIAn9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAVBsAn9AAQAIgX9TkEQ/asB/VAgDCAH/a4BIA0gCP03IAf9Tv2uASIJIA/9rgEgEP3lASAJIA39DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAsgBf1OQRD9qwH9UP3lASIJ/QwAAMB/AADAfwAAwH8AAMB/IAkgCf1B/VIiCUHACP0ABAAiC/1OIgwgB/2xASENIARBEP2tASIEIAb9TkEN/asBIg4gCP1OIREgCkEQ/a0BIgogBv1OQQ39qwEiEiAI/U4hEyAOIAf9rgEgESAI/TcgB/1O/a4BIg4gD/2uASAQ/eUBIA4gEf0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBCAF/U5BEP2rAf1QIBIgB/2uASATIAj9NyAH/U79rgEiBCAP/a4BIBD95QEgBCAT/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAKIAX9TkEQ/asB/VD95QEiBP0MAADAfwAAwH8AAMB/AADAfyAEIAT9Qf1SIgQgC/1OIgggB/2xASEHIAIgDEEN/a0BIAb9TkHwCf0ABAAiCv1QIAxB4An9AAQAIgv95AEgC/2xASANQcAJ/QAEACIO/a4BIA1BDf2tAUGQCP0ABAAiDf1O/a4BQQ39rQFB0An9AAQAIg/9twEgDCAQ/Tn9UiAMQdAI/QAEACIM/Tv9UiAJQRD9rQEgBf1O/VAgCEEN/a0BIAb9TiAK/VAgCCAL/eQBIAv9sQEgByAO/a4BIAdBDf2tASAN/U79rgFBDf2tASAP/bcBIAggEP05/VIgCCAM/Tv9UiAEQRD9rQEgBf1O/VBBEP2rAf1Q/QsEACAA/QAEECIE/Qz//wAA//8AAP//AAD//wAA/U4iBUGgCP0ABAD9TkEN/asBIgZB8Aj9AAQA/U4hByAB/QAEECII/Qz//wAA//8AAP//AAD//wAA/U4iCUGgCP0ABAD9TkEN/asBIgpB8Aj9AAQA/U4hCyAGQYAJ/QAEAP2uASAHQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgZBkAn9AAQA/a4BQaAJ/QAEAP3lASAGIAf9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAVBsAn9AAQA/U5BEP2rAf1QIApBgAn9AAQA/a4BIAtB8Aj9AAQA/TdBgAn9AAQA/U79rgEiBUGQCf0ABAD9rgFBoAn9AAQA/eUBIAUgC/0MAAAAAAAAAAAAAAAAAAAAAP03/VIgCUGwCf0ABAD9TkEQ/asB/VD95QEiBf0MAADAfwAAwH8AAMB/AADAfyAFIAX9Qf1SIgVBwAj9AAQA/U4iBkGACf0ABAD9sQEhByAEQRD9rQEiBEGgCP0ABAD9TkEN/asBIglB8Aj9AAQA/U4hCiAIQRD9rQEiCEGgCP0ABAD9TkEN/asBIgtB8Aj9AAQA/U4hDCAJQYAJ/QAEAP2uASAKQfAI/QAEAP03QYAJ/QAEAP1O/a4BIglBkAn9AAQA/a4BQaAJ/QAEAP3lASAJIAr9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIARBsAn9AAQA/U5BEP2rAf1QIAtBgAn9AAQA/a4BIAxB8Aj9AAQA/TdBgAn9AAQA/U79rgEiBEGQCf0ABAD9rgFBoAn9AAQA/eUBIAQgDP0MAAAAAAAAAAAAAAAAAAAAAP03/VIgCEGwCf0ABAD9TkEQ/asB/VD95QEiBP0MAADAfwAAwH8AAMB/AADAfyAEIAT9Qf1SIgRBwAj9AAQA/U4iCEGACf0ABAD9sQEhCSACIAZBDf2tAUGgCP0ABAD9TkHwCf0ABAD9UCAGQeAJ/QAEAP3kAUHgCf0ABAD9sQEgB0HACf0ABAD9rgEgB0EN/a0BQZAI/QAEAP1O/a4BQQ39rQFB0An9AAQA/bcBIAZBoAn9AAQA/Tn9UiAGQdAI/QAEAP07/VIgBUEQ/a0BQbAJ/QAEAP1O/VAgCEEN/a0BQaAI/QAEAP1OQfAJ/QAEAP1QIAhB4An9AAQA/eQBQeAJ/QAEAP2xASAJQcAJ/QAEAP2uASAJQQ39rQFBkAj9AAQA/U79rgFBDf2tAUHQCf0ABAD9twEgCEGgCf0ABAD9Of1SIAhB0Aj9AAQA/Tv9UiAEQRD9rQFBsAn9AAQA/U79UEEQ/asB/VD9CwQQIANBAWshAyAAQSBqIQAgAUEgaiEBIAJBIGohAgwBCwsgFEEBcQRAIAD9AAQAIgT9DP//AAD//wAA//8AAP//AAD9TiIFQaAI/QAEACIG/U5BDf2rASIHQfAI/QAEACII/U4hCSAB/QAEACIK/Qz//wAA//8AAP//AAD//wAA/U4iCyAG/U5BDf2rASIMIAj9TiENIAdBgAn9AAQAIgf9rgEgCSAI/TcgB/1O/a4BIg5BkAn9AAQAIg/9rgFBoAn9AAQAIhD95QEgDiAJ/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAFQbAJ/QAEACIF/U5BEP2rAf1QIAwgB/2uASANIAj9NyAH/U79rgEiCSAP/a4BIBD95QEgCSAN/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiALIAX9TkEQ/asB/VD95QEiCf0MAADAfwAAwH8AAMB/AADAfyAJIAn9Qf1SIglBwAj9AAQAIgv9TiIMIAf9sQEhDSAEQRD9rQEiBCAG/U5BDf2rASIOIAj9TiERIApBEP2tASIKIAb9TkEN/asBIhIgCP1OIRMgDiAH/a4BIBEgCP03IAf9Tv2uASIOIA/9rgEgEP3lASAOIBH9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAQgBf1OQRD9qwH9UCASIAf9rgEgEyAI/TcgB/1O/a4BIgQgD/2uASAQ/eUBIAQgE/0MAAAAAAAAAAAAAAAAAAAAAP03/VIgCiAF/U5BEP2rAf1Q/eUBIgT9DAAAwH8AAMB/AADAfwAAwH8gBCAE/UH9UiIEIAv9TiIIIAf9sQEhByACIAxBDf2tASAG/U5B8An9AAQAIgr9UCAMQeAJ/QAEACIL/eQBIAv9sQEgDUHACf0ABAAiDv2uASANQQ39rQFBkAj9AAQAIg39Tv2uAUEN/a0BQdAJ/QAEACIP/bcBIAwgEP05/VIgDEHQCP0ABAAiDP07/VIgCUEQ/a0BIAX9Tv1QIAhBDf2tASAG/U4gCv1QIAggC/3kASAL/bEBIAcgDv2uASAHQQ39rQEgDf1O/a4BQQ39rQEgD/23ASAIIBD9Of1SIAggDP07/VIgBEEQ/a0BIAX9Tv1QQRD9qwH9UP0LBAALC5MGAgN7AX8gA0EHakEDdiIHQQF2IQMDQCADQQBKBEAgAv0MAAAAAAAAAAAAAAAAAAAAACAA/QAEACIE/Q0AARARAgMSEwQFFBUGBxYX/QwAAAAAAAAAAAAAAAAAAAAAIAH9AAQAIgX9DQABEBECAxITBAUUFQYHFhf95QEiBv0MAADAfwAAwH8AAMB/AADAfyAGIAb9Qf1S/QsEACAC/QwAAAAAAAAAAAAAAAAAAAAAIAT9DQgJGBkKCxobDA0cHQ4PHh/9DAAAAAAAAAAAAAAAAAAAAAAgBf0NCAkYGQoLGhsMDRwdDg8eH/3lASIE/QwAAMB/AADAfwAAwH8AAMB/IAQgBP1B/VL9CwQQIAJBIGr9DAAAAAAAAAAAAAAAAAAAAAAgAP0ABBAiBP0NAAEQEQIDEhMEBRQVBgcWF/0MAAAAAAAAAAAAAAAAAAAAACAB/QAEECIF/Q0AARARAgMSEwQFFBUGBxYX/eUBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9Uv0LBAAgAv0MAAAAAAAAAAAAAAAAAAAAACAE/Q0ICRgZCgsaGwwNHB0ODx4f/QwAAAAAAAAAAAAAAAAAAAAAIAX9DQgJGBkKCxobDA0cHQ4PHh/95QEiBP0MAADAfwAAwH8AAMB/AADAfyAEIAT9Qf1S/QsEMCADQQFrIQMgAEEgaiEAIAFBIGohASACQUBrIQIMAQsLIAdBAXEEQCAC/QwAAAAAAAAAAAAAAAAAAAAAIAD9AAQAIgT9DQABEBECAxITBAUUFQYHFhf9DAAAAAAAAAAAAAAAAAAAAAAgAf0ABAAiBf0NAAEQEQIDEhMEBRQVBgcWF/3lASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQAIAL9DAAAAAAAAAAAAAAAAAAAAAAgBP0NCAkYGQoLGhsMDRwdDg8eH/0MAAAAAAAAAAAAAAAAAAAAACAF/Q0ICRgZCgsaGwwNHB0ODx4f/eUBIgT9DAAAwH8AAMB/AADAfwAAwH8gBCAE/UH9Uv0LBBALC9sGAgN7AX8gA0EHakEDdiIHQQF2IQMDQCADQQBKBEAgAiAA/QAEACIEQRD9qwEgAf0ABAAiBUEQ/asB/eUBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9UiAGQRD9rQH9DAEAAAABAAAAAQAAAAEAAAD9Tv0M/38AAP9/AAD/fwAA/38AAP2uAf2uAUEQ/a0BIAT9DAAA//8AAP//AAD//wAA///9TiAF/QwAAP//AAD//wAA//8AAP///U795QEiBP0MAADAfwAAwH8AAMB/AADAfyAEIAT9Qf1SIARBEP2tAf0MAQAAAAEAAAABAAAAAQAAAP1O/Qz/fwAA/38AAP9/AAD/fwAA/a4B/a4B/Q0AARITBAUWFwgJGhsMDR4f/QsEACACIAD9AAQQIgRBEP2rASAB/QAEECIFQRD9qwH95QEiBv0MAADAfwAAwH8AAMB/AADAfyAGIAb9Qf1SIAZBEP2tAf0MAQAAAAEAAAABAAAAAQAAAP1O/Qz/fwAA/38AAP9/AAD/fwAA/a4B/a4BQRD9rQEgBP0MAAD//wAA//8AAP//AAD///1OIAX9DAAA//8AAP//AAD//wAA///9Tv3lASIE/QwAAMB/AADAfwAAwH8AAMB/IAQgBP1B/VIgBEEQ/a0B/QwBAAAAAQAAAAEAAAABAAAA/U79DP9/AAD/fwAA/38AAP9/AAD9rgH9rgH9DQABEhMEBRYXCAkaGwwNHh/9CwQQIANBAWshAyAAQSBqIQAgAUEgaiEBIAJBIGohAgwBCwsgB0EBcQRAIAIgAP0ABAAiBEEQ/asBIAH9AAQAIgVBEP2rAf3lASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VIgBkEQ/a0B/QwBAAAAAQAAAAEAAAABAAAA/U79DP9/AAD/fwAA/38AAP9/AAD9rgH9rgFBEP2tASAE/QwAAP//AAD//wAA//8AAP///U4gBf0MAAD//wAA//8AAP//AAD///1O/eUBIgT9DAAAwH8AAMB/AADAfwAAwH8gBCAE/UH9UiAEQRD9rQH9DAEAAAABAAAAAQAAAAEAAAD9Tv0M/38AAP9/AAD/fwAA/38AAP2uAf2uAf0NAAESEwQFFhcICRobDA0eH/0LBAALC6kCAwJ/BHsFfANAIANBBGoiBCACTARAIAggA0ECdCIDIABq/QAEACIF/V8gASADav0ABAAiBv1f/fEBIgggCP3yAf3wASEIIAcgBSAF/Q0ICQoLDA0ODwABAgMEBQYH/V8gBiAG/Q0ICQoLDA0ODwABAgMEBQYH/V/98QEiBSAF/fIB/fABIQcgBCEDDAELCyAI/SEAIQwgCP0hASELIAf9IQAhCiAH/SEBIQkDQCACIANKBEAgA0ECdCIEIABqKgIAuyABIARqKgIAu6EhDSADQQNxIgQEQCAEQQFGBEAgCyANIA2ioCELBSAEQQJGBEAgCiANIA2ioCEKBSAJIA0gDaKgIQkLCwUgDCANIA2ioCEMCyADQQFqIQMMAQsLIAwgC6AgCiAJoKALywMDC38BewF8IAFBA3QhCANAIAEgDEoEQCABIAxBgARqIgQgASAESBsiBEEDdCEJIAxBA3QiBSAEIAxrQQF2QQR0aiEHQQAhDQNAIAIgDUoEQCAAIAggDWxqIQtBACEKA0AgCiANSARAIAMgAiAKbCANakEDdGorAwAiEEQAAAAAAAAAAGIEQCAAIAggCmxqIQYgEP0UIQ8gBSEEA0AgBCAHSQRAIAQgC2oiDiAO/QAEACAPIAQgBmr9AAQA/fIB/fEB/QsEACAEQRBqIQQMAQsLA0AgBCAJSQRAIAQgC2oiDiAOKwMAIBAgBCAGaisDAKKhOQMAIARBCGohBAwBCwsLIApBAWohCgwBCwsCQCADIAIgDWwgDWpBA3RqKwMAIhBEAAAAAAAAAABhBEAgBSEEA0AgBCAJSQRAIAQgC2pEAAAAAAAAAAA5AwAgBEEIaiEEDAELCwwBCyAQ/RQhDyAFIQQDQCAEIAdJBEAgBCALaiIGIAb9AAQAIA/98wH9CwQAIARBEGohBAwBCwsDQCAEIAlJBEAgBCALaiIGIAYrAwAgEKM5AwAgBEEIaiEEDAELCwsgDUEBaiENDAELCyAMQYAEaiEMDAELCwv5AgQCfAV/BXsCfQNAIAdBBGoiCCADTARAIAdBAnQiByABav0ABAAhDiAMIAAgB2r9AAQAIAIgB2r9AAQA/eQBIg8gDv03IA8gD/1CIA4gDv1C/U79UCIQ/a4BIQwgDSAPIA795QH9DP///3////9/////f////3/9Tv0MAACAfwAAgH8AAIB/AACAf/23ASAQ/U/9uQEhDSAIIQcMAQsLIAcgDP0bACAM/RsBaiAM/RsCaiAM/RsDamohCCAN/RsAIgkgDf0bASIKIAkgCksbIgkgDf0bAiIKIA39GwMiCyAKIAtLGyIKIAkgCksbvrshBQNAIAMgB0oEQCAHQQJ0IgkgAWoiCioCACISIBJcIgsgACAJaioCACACIAlqKgIAkiIRIBFcIglxIAooAgAgEbxGckUEQCAIQQFqIQhEAAAAAAAA8H8gESASk4u7IAkgC3IbIgYgBWQEQCAGIQULCyAHQQFqIQcMAQsLIAQgCDYCACAEIAU5AwgLkwkCDnsIfyAG/RMhCCAFQQJ0IRcgBEECdCEZIANBAXUhGwNAIBcgGEsEQCAAIQQgAiAYaiEFQQAhGgNAIBogG0gEQCAEIBlqIRz9DAAAAAAAAAAAAAAAAAAAAAAhB/0MAAAAAAAAAAAAAAAAAAAAACEJ/QwAAAAAAAAAAAAAAAAAAAAAIQr9DAAAAAAAAAAAAAAAAAAAAAAhC/0MAAAAAAAAAAAAAAAAAAAAACEM/QwAAAAAAAAAAAAAAAAAAAAAIQ39DAAAAAAAAAAAAAAAAAAAAAAhDv0MAAAAAAAAAAAAAAAAAAAAACEPIAEgGGohFUEAIRYDQCAWIBlJBEAgByAEIBZq/QkCACITIBX9AAQAIhD95gH95AEhByAJIBMgFf0ABBAiEf3mAf3kASEJIAogEyAV/QAEICIS/eYB/eQBIQogCyATIBX9AAQwIhT95gH95AEhCyAMIBYgHGr9CQIAIhMgEP3mAf3kASEMIA0gEyAR/eYB/eQBIQ0gDiATIBL95gH95AEhDiAPIBMgFP3mAf3kASEPIBZBBGohFiAVIBdqIRUMAQsLIAUgCCAH/eYBIgf9DAAAwH8AAMB/AADAfwAAwH8gByAH/UH9Uv0LBAAgBSAIIAn95gEiB/0MAADAfwAAwH8AAMB/AADAfyAHIAf9Qf1S/QsEECAFIAggCv3mASIH/QwAAMB/AADAfwAAwH8AAMB/IAcgB/1B/VL9CwQgIAUgCCAL/eYBIgf9DAAAwH8AAMB/AADAfwAAwH8gByAH/UH9Uv0LBDAgBSAXaiIVIAggDP3mASIH/QwAAMB/AADAfwAAwH8AAMB/IAcgB/1B/VL9CwQAIBUgCCAN/eYBIgf9DAAAwH8AAMB/AADAfwAAwH8gByAH/UH9Uv0LBBAgFSAIIA795gEiB/0MAADAfwAAwH8AAMB/AADAfyAHIAf9Qf1S/QsEICAVIAggD/3mASIH/QwAAMB/AADAfwAAwH8AAMB/IAcgB/1B/VL9CwQwIBpBAWohGiAEIBlBAXRqIQQgBSAXQQF0aiEFDAELCyADQQFxBED9DAAAAAAAAAAAAAAAAAAAAAAhB/0MAAAAAAAAAAAAAAAAAAAAACEJ/QwAAAAAAAAAAAAAAAAAAAAAIQr9DAAAAAAAAAAAAAAAAAAAAAAhCyABIBhqIRVBACEWA0AgFiAZSQRAIAcgBCAWav0JAgAiDCAV/QAEAP3mAf3kASEHIAkgDCAV/QAEEP3mAf3kASEJIAogDCAV/QAEIP3mAf3kASEKIAsgDCAV/QAEMP3mAf3kASELIBZBBGohFiAVIBdqIRUMAQsLIAUgCCAH/eYBIgf9DAAAwH8AAMB/AADAfwAAwH8gByAH/UH9Uv0LBAAgBSAIIAn95gEiB/0MAADAfwAAwH8AAMB/AADAfyAHIAf9Qf1S/QsEECAFIAggCv3mASIH/QwAAMB/AADAfwAAwH8AAMB/IAcgB/1B/VL9CwQgIAUgCCAL/eYBIgf9DAAAwH8AAMB/AADAfwAAwH8gByAH/UH9Uv0LBDALIBhBQGshGAwBCwsLBgBBgIsoC4IHAwt/AnwFeyABQQN0IQwgAUEBdSELA0AgAiAESgRAIAAgBCAMbGohDSAEIQUDQCAFQQRqIAJMBEAgACAFIAxsaiIHIAxqIgogDGoiCSAMaiEI/QwAAAAAAAAAAAAAAAAAAAAAIRX9DAAAAAAAAAAAAAAAAAAAAAAhFP0MAAAAAAAAAAAAAAAAAAAAACET/QwAAAAAAAAAAAAAAAAAAAAAIRJBACEOA0AgCyAOSgRAIBUgDkEEdCIGIA1q/QAEACIRIAYgB2r9AAQA/fIB/fABIRUgFCARIAYgCmr9AAQA/fIB/fABIRQgEyARIAYgCWr9AAQA/fIB/fABIRMgEiARIAYgCGr9AAQA/fIB/fABIRIgDkEBaiEODAELCyAV/SEAIRAgFf0hASEPIAMgBSACIARsakEDdGogAUEBcQR8IBAgAUEBa0EDdCIGIA1qKwMAIAYgB2orAwCioAUgEAsgD6AiDzkDACADIAIgBWwgBGpBA3RqIA85AwAgFP0hACEQIBT9IQEhDyADIAVBAWoiByACIARsakEDdGogAUEBcQR8IBAgAUEBa0EDdCIGIA1qKwMAIAYgCmorAwCioAUgEAsgD6AiDzkDACADIAIgB2wgBGpBA3RqIA85AwAgE/0hACEQIBP9IQEhDyADIAVBAmoiByACIARsakEDdGogAUEBcQR8IBAgAUEBa0EDdCIGIA1qKwMAIAYgCWorAwCioAUgEAsgD6AiDzkDACADIAIgB2wgBGpBA3RqIA85AwAgEv0hACEQIBL9IQEhDyADIAVBA2oiByACIARsakEDdGogAUEBcQR8IBAgAUEBa0EDdCIGIA1qKwMAIAYgCGorAwCioAUgEAsgD6AiDzkDACADIAIgB2wgBGpBA3RqIA85AwAgBUEEaiEFDAELCwNAIAIgBUoEQCAAIAUgDGxqIQf9DAAAAAAAAAAAAAAAAAAAAAAhFUEAIQ4DQCALIA5KBEAgFSAOQQR0IgYgDWr9AAQAIAYgB2r9AAQA/fIB/fABIRUgDkEBaiEODAELCyAV/SEAIRAgFf0hASEPIAMgAiAEbCAFakEDdGogAUEBcQR8IBAgAUEBa0EDdCIGIA1qKwMAIAYgB2orAwCioAUgEAsgD6AiDzkDACADIAIgBWwgBGpBA3RqIA85AwAgBUEBaiEFDAELCyAEQQFqIQQMAQsLC+AHARV/IAFBAnQhDiADQQJ0IRIgBUECdCEPQQAhBQNAIAUgCEgEQEGABCAIIAVrIgEgAUGABEobIRBBACEDA0AgAyAHSARAIANFIREgEEEHakEDdSETQYACIAcgA2siASABQYACShsiDUEFdCEUQQAhAQNAIAEgE0gEQCACIAMgEmxqIAFBA3QiCSAFakECdGohDCABIBRsQYAKaiELIAlBCGogEEwhCkEAIQkDQCAJIA1IBEAgCyAM/QAEAP0LBAAgCyAKBHsgDP0ABBAF/QwAAAAAAAAAAAAAAAAAAAAAC/0LBBAgCUEBaiEJIAwgEmohDCALQSBqIQsMAQsLIAFBAWohAQwBCwtBACEMA0AgBiAMSgRAQYABIAYgDGsiASABQYABShsiFUEDakECdSEWIA1BBHQhF0EAIQsDQCALIBZIBEAgACALQQJ0IgkgDGogDmxqIANBAnRqIRggCyAXbEGAiiBqIQFBBCAVIAlrIgkgCUEEShsiGUEERgRAQQAhCQNAIAkgDUgEQCABIBggCUECdGoiCioCADgCACABIAogDmoqAgA4AgQgASAKIA5BAXRqKgIAOAIIIAEgCiAOQQNsaioCADgCDCAJQQFqIQkgAUEQaiEBDAELCwVBACEKA0AgCiANSARAIBggCkECdGohGkEAIQkDQCAJQQRIBEAgASAJQQJ0aiAJIBlIBH0gGiAJIA5saioCAAVDAAAAAAs4AgAgCUEBaiEJDAELCyAKQQFqIQogAUEQaiEBDAELCwsgC0EBaiELDAELCyAEIAwgD2xqIAVBAnRqIRtBACEBA0AgASATSARAQQggECABQQN0ayIJIAlBCEobIRggASAUbEGACmohHEEAIQsDQCALIBZIBEAgCyAXbEGAiiBqIR0gGyALQQJ0IgkgD2xqIAFBBXRqIRkgGEEIRkEEIBUgCWsiCSAJQQRKGyIaQQRGcQRAIB0gHCAZIA8gDSAREAAFIBFFBEBBACEJA0AgCSAaSARAQQAhCgNAIAogGEgEQCAJQQN0IApqQQJ0QYCKKGogGSAJIA9saiAKQQJ0av0ABAD9CwQAIApBBGohCgwBCwsgCUEBaiEJDAELCwsgHSAcQYCKKEEgIA0gERAAQQAhCQNAIAkgGkgEQEEAIQoDQCAKIBhIBEAgGSAJIA9saiAKQQJ0aiAJQQN0IApqQQJ0QYCKKGr9AAQA/QsEACAKQQRqIQoMAQsLIAlBAWohCQwBCwsLIAtBAWohCwwBCwsgAUEBaiEBDAELCyAMQYABaiEMDAELCyADQYACaiEDDAELCyAFQYAEaiEFDAELCwv3BwIMewF/IAJBB2pBA3YiD0EBdiECA0AgAkEASgRAIAD9AAQAIgNBwAj9AAQAIgT9TiIFQYAJ/QAEACIG/bEBIQcgAP0ABBAiCCAE/U4iBCAG/bEBIQYgASAFQQ39rQFBoAj9AAQAIgn9TkHwCf0ABAAiCv1QIAVB4An9AAQAIgv95AEgC/2xASAHQcAJ/QAEACIM/a4BIAdBDf2tAUGQCP0ABAAiB/1O/a4BQQ39rQFB0An9AAQAIg39twEgBUGgCf0ABAAiDv05/VIgBUHQCP0ABAAiBf07/VIgA0EQ/a0BQbAJ/QAEACID/U79UCAEQQ39rQEgCf1OIAr9UCAEIAv95AEgC/2xASAGIAz9rgEgBkEN/a0BIAf9Tv2uAUEN/a0BIA39twEgBCAO/Tn9UiAEIAX9O/1SIAhBEP2tASAD/U79UP2GAf0LBAAgAEEgav0ABAAiA0HACP0ABAD9TiIEQYAJ/QAEAP2xASEFIAD9AAQwIgZBwAj9AAQA/U4iB0GACf0ABAD9sQEhCCABIARBDf2tAUGgCP0ABAD9TkHwCf0ABAD9UCAEQeAJ/QAEAP3kAUHgCf0ABAD9sQEgBUHACf0ABAD9rgEgBUEN/a0BQZAI/QAEAP1O/a4BQQ39rQFB0An9AAQA/bcBIARBoAn9AAQA/Tn9UiAEQdAI/QAEAP07/VIgA0EQ/a0BQbAJ/QAEAP1O/VAgB0EN/a0BQaAI/QAEAP1OQfAJ/QAEAP1QIAdB4An9AAQA/eQBQeAJ/QAEAP2xASAIQcAJ/QAEAP2uASAIQQ39rQFBkAj9AAQA/U79rgFBDf2tAUHQCf0ABAD9twEgB0GgCf0ABAD9Of1SIAdB0Aj9AAQA/Tv9UiAGQRD9rQFBsAn9AAQA/U79UP2GAf0LBBAgAkEBayECIABBQGshACABQSBqIQEMAQsLIA9BAXEEQCAA/QAEACIDQcAI/QAEACIE/U4iBUGACf0ABAAiBv2xASEHIAD9AAQQIgggBP1OIgQgBv2xASEGIAEgBUEN/a0BQaAI/QAEACIJ/U5B8An9AAQAIgr9UCAFQeAJ/QAEACIL/eQBIAv9sQEgB0HACf0ABAAiDP2uASAHQQ39rQFBkAj9AAQAIgf9Tv2uAUEN/a0BQdAJ/QAEACIN/bcBIAVBoAn9AAQAIg79Of1SIAVB0Aj9AAQAIgX9O/1SIANBEP2tAUGwCf0ABAAiA/1O/VAgBEEN/a0BIAn9TiAK/VAgBCAL/eQBIAv9sQEgBiAM/a4BIAZBDf2tASAH/U79rgFBDf2tASAN/bcBIAQgDv05/VIgBCAF/Tv9UiAIQRD9rQEgA/1O/VD9hgH9CwQACwucBwIEewF/IAJBB2pBA3YiB0EBdiECA0AgAkEASgRAIAD9AAQAIgP9DP///3////9/////f////3/9Tv0MAACAfwAAgH8AAIB/AACAf/08IQQgAP0ABBAiBf0M////f////3////9/////f/1O/QwAAIB/AACAfwAAgH8AAIB//TwhBiABIAMgBP0MAABAAAAAQAAAAEAAAABAAP1O/VAgA0EQ/a0B/QwBAAAAAQAAAAEAAAABAAAA/U79DP9/AAD/fwAA/38AAP9/AAD9rgEgBP1P/a4BIAUgBv0MAABAAAAAQAAAAEAAAABAAP1O/VAgBUEQ/a0B/QwBAAAAAQAAAAEAAAABAAAA/U79DP9/AAD/fwAA/38AAP9/AAD9rgEgBv1P/a4B/Q0CAwYHCgsODxITFhcaGx4f/QsEACAAQSBq/QAEACID/Qz///9/////f////3////9//U79DAAAgH8AAIB/AACAfwAAgH/9PCEEIAD9AAQwIgX9DP///3////9/////f////3/9Tv0MAACAfwAAgH8AAIB/AACAf/08IQYgASADIAT9DAAAQAAAAEAAAABAAAAAQAD9Tv1QIANBEP2tAf0MAQAAAAEAAAABAAAAAQAAAP1O/Qz/fwAA/38AAP9/AAD/fwAA/a4BIAT9T/2uASAFIAb9DAAAQAAAAEAAAABAAAAAQAD9Tv1QIAVBEP2tAf0MAQAAAAEAAAABAAAAAQAAAP1O/Qz/fwAA/38AAP9/AAD/fwAA/a4BIAb9T/2uAf0NAgMGBwoLDg8SExYXGhseH/0LBBAgAkEBayECIABBQGshACABQSBqIQEMAQsLIAdBAXEEQCAA/QAEACID/Qz///9/////f////3////9//U79DAAAgH8AAIB/AACAfwAAgH/9PCEEIAD9AAQQIgX9DP///3////9/////f////3/9Tv0MAACAfwAAgH8AAIB/AACAf/08IQYgASADIAT9DAAAQAAAAEAAAABAAAAAQAD9Tv1QIANBEP2tAf0MAQAAAAEAAAABAAAAAQAAAP1O/Qz/fwAA/38AAP9/AAD/fwAA/a4BIAT9T/2uASAFIAb9DAAAQAAAAEAAAABAAAAAQAD9Tv1QIAVBEP2tAf0MAQAAAAEAAAABAAAAAQAAAP1O/Qz/fwAA/38AAP9/AAD/fwAA/a4BIAb9T/2uAf0NAgMGBwoLDg8SExYXGhseH/0LBAALC8ABAgJ/A3sDQCAEQQRqIgUgAkwEQCADIARBAnQiBCAAav0ABAAiB/1fIAEgBGr9AAQAIgj9X/3yASIG/SEAoCAG/SEBoCAHIAf9DQgJCgsMDQ4PAAECAwQFBgf9XyAIIAj9DQgJCgsMDQ4PAAECAwQFBgf9X/3yASIG/SEAoCAG/SEBoCEDIAUhBAwBCwsDQCACIARKBEAgAyAEQQJ0IgUgAGoqAgC7IAEgBWoqAgC7oqAhAyAEQQFqIQQMAQsLIAMLlgcCBXsBfyACQQdqQQN2IghBAXYhAgNAIAJBAEoEQCAA/QAEACID/akBIgRBoAj9AAQA/U5BDf2rASIFQfAI/QAEACIG/U4hByABIAVBgAn9AAQAIgX9rgEgByAG/TcgBf1O/a4BIgVBkAn9AAQA/a4BQaAJ/QAEAP3lASAFIAf9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIARBsAn9AAQA/U5BEP2rAf1Q/QsEACAD/aoBIgNBoAj9AAQA/U5BDf2rASIEQfAI/QAEAP1OIQUgASAEQYAJ/QAEAP2uASAFQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgRBkAn9AAQA/a4BQaAJ/QAEAP3lASAEIAX9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIANBsAn9AAQA/U5BEP2rAf1Q/QsEECAA/QAEECID/akBIgRBoAj9AAQA/U5BDf2rASIFQfAI/QAEAP1OIQYgAUEgaiAFQYAJ/QAEAP2uASAGQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgVBkAn9AAQA/a4BQaAJ/QAEAP3lASAFIAb9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIARBsAn9AAQA/U5BEP2rAf1Q/QsEACAD/aoBIgNBoAj9AAQA/U5BDf2rASIEQfAI/QAEAP1OIQUgASAEQYAJ/QAEAP2uASAFQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgRBkAn9AAQA/a4BQaAJ/QAEAP3lASAEIAX9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIANBsAn9AAQA/U5BEP2rAf1Q/QsEMCACQQFrIQIgAEEgaiEAIAFBQGshAQwBCwsgCEEBcQRAIAD9AAQAIgP9qQEiBEGgCP0ABAD9TkEN/asBIgVB8Aj9AAQAIgb9TiEHIAEgBUGACf0ABAAiBf2uASAHIAb9NyAF/U79rgEiBUGQCf0ABAD9rgFBoAn9AAQA/eUBIAUgB/0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBEGwCf0ABAD9TkEQ/asB/VD9CwQAIAP9qgEiA0GgCP0ABAD9TkEN/asBIgRB8Aj9AAQA/U4hBSABIARBgAn9AAQA/a4BIAVB8Aj9AAQA/TdBgAn9AAQA/U79rgEiBEGQCf0ABAD9rgFBoAn9AAQA/eUBIAQgBf0MAAAAAAAAAAAAAAAAAAAAAP03/VIgA0GwCf0ABAD9TkEQ/asB/VD9CwQQCwvcAgIBewF/IAJBB2pBA3YiBEEBdiECA0AgAkEASgRAIAH9DAAAAAAAAAAAAAAAAAAAAAAgAP0ABAAiA/0NAAEQEQIDEhMEBRQVBgcWF/0LBAAgAf0MAAAAAAAAAAAAAAAAAAAAACAD/Q0ICRgZCgsaGwwNHB0ODx4f/QsEECABQSBq/QwAAAAAAAAAAAAAAAAAAAAAIAD9AAQQIgP9DQABEBECAxITBAUUFQYHFhf9CwQAIAH9DAAAAAAAAAAAAAAAAAAAAAAgA/0NCAkYGQoLGhsMDRwdDg8eH/0LBDAgAkEBayECIABBIGohACABQUBrIQEMAQsLIARBAXEEQCAB/QwAAAAAAAAAAAAAAAAAAAAAIAD9AAQAIgP9DQABEBECAxITBAUUFQYHFhf9CwQAIAH9DAAAAAAAAAAAAAAAAAAAAAAgA/0NCAkYGQoLGhsMDRwdDg8eH/0LBBALC88DAgJ7AX8gA/0TIQUgBEEHakEDdiIHQQF2IQQDQCAEQQBKBEAgACAA/QAEACAFIAH9AAQAIAL9AAQA/eUB/eYB/eQBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9Uv0LBAAgACAA/QAEECAFIAH9AAQQIAL9AAQQ/eUB/eYB/eQBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9Uv0LBBAgACAAQSBq/QAEACAFIAFBIGr9AAQAIAJBIGr9AAQA/eUB/eYB/eQBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9Uv0LBCAgACAA/QAEMCAFIAH9AAQwIAL9AAQw/eUB/eYB/eQBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9Uv0LBDAgBEEBayEEIABBQGshACABQUBrIQEgAkFAayECDAELCyAHQQFxBEAgACAA/QAEACAFIAH9AAQAIAL9AAQA/eUB/eYB/eQBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9Uv0LBAAgACAA/QAEECAFIAH9AAQQIAL9AAQQ/eUB/eYB/eQBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBBALC9gJAgZ7AX8gA/0TIQUgBEEHakEDdiILQQF2IQQDQCAEQQBKBEAgAf0ABAAiBv2pASIHQaAI/QAEAP1OQQ39qwEiCEHwCP0ABAAiCf1OIQogACAA/QAEACAFIAhBgAn9AAQAIgj9rgEgCiAJ/TcgCP1O/a4BIghBkAn9AAQA/a4BQaAJ/QAEAP3lASAIIAr9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAdBsAn9AAQA/U5BEP2rAf1QIAL9AAQA/eUB/eYB/eQBIgf9DAAAwH8AAMB/AADAfwAAwH8gByAH/UH9Uv0LBAAgBv2qASIGQaAI/QAEAP1OQQ39qwEiB0HwCP0ABAD9TiEIIAAgAP0ABBAgBSAHQYAJ/QAEAP2uASAIQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgdBkAn9AAQA/a4BQaAJ/QAEAP3lASAHIAj9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAZBsAn9AAQA/U5BEP2rAf1QIAL9AAQQ/eUB/eYB/eQBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9Uv0LBBAgAf0ABBAiBv2pASIHQaAI/QAEAP1OQQ39qwEiCEHwCP0ABAD9TiEJIAAgAEEgav0ABAAgBSAIQYAJ/QAEAP2uASAJQfAI/QAEAP03QYAJ/QAEAP1O/a4BIghBkAn9AAQA/a4BQaAJ/QAEAP3lASAIIAn9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAdBsAn9AAQA/U5BEP2rAf1QIAJBIGr9AAQA/eUB/eYB/eQBIgf9DAAAwH8AAMB/AADAfwAAwH8gByAH/UH9Uv0LBCAgBv2qASIGQaAI/QAEAP1OQQ39qwEiB0HwCP0ABAD9TiEIIAAgAP0ABDAgBSAHQYAJ/QAEAP2uASAIQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgdBkAn9AAQA/a4BQaAJ/QAEAP3lASAHIAj9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAZBsAn9AAQA/U5BEP2rAf1QIAL9AAQw/eUB/eYB/eQBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9Uv0LBDAgBEEBayEEIABBQGshACABQSBqIQEgAkFAayECDAELCyALQQFxBEAgAf0ABAAiBv2pASIHQaAI/QAEAP1OQQ39qwEiCEHwCP0ABAAiCf1OIQogACAA/QAEACAFIAhBgAn9AAQAIgj9rgEgCiAJ/TcgCP1O/a4BIghBkAn9AAQA/a4BQaAJ/QAEAP3lASAIIAr9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAdBsAn9AAQA/U5BEP2rAf1QIAL9AAQA/eUB/eYB/eQBIgf9DAAAwH8AAMB/AADAfwAAwH8gByAH/UH9Uv0LBAAgBv2qASIGQaAI/QAEAP1OQQ39qwEiB0HwCP0ABAD9TiEIIAAgAP0ABBAgBSAHQYAJ/QAEAP2uASAIQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgVBkAn9AAQA/a4BQaAJ/QAEAP3lASAFIAj9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAZBsAn9AAQA/U5BEP2rAf1QIAL9AAQQ/eUB/eYB/eQBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBBALC54FAgN7AX8gA/0TIQUgBEEHakEDdiIIQQF2IQQDQCAEQQBKBEAgACAA/QAEACAF/QwAAAAAAAAAAAAAAAAAAAAAIAH9AAQAIgb9DQABEBECAxITBAUUFQYHFhcgAv0ABAD95QH95gH95AEiB/0MAADAfwAAwH8AAMB/AADAfyAHIAf9Qf1S/QsEACAAIAD9AAQQIAX9DAAAAAAAAAAAAAAAAAAAAAAgBv0NCAkYGQoLGhsMDRwdDg8eHyAC/QAEEP3lAf3mAf3kASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQQIAAgAEEgav0ABAAgBf0MAAAAAAAAAAAAAAAAAAAAACAB/QAEECIG/Q0AARARAgMSEwQFFBUGBxYXIAJBIGr9AAQA/eUB/eYB/eQBIgf9DAAAwH8AAMB/AADAfwAAwH8gByAH/UH9Uv0LBCAgACAA/QAEMCAF/QwAAAAAAAAAAAAAAAAAAAAAIAb9DQgJGBkKCxobDA0cHQ4PHh8gAv0ABDD95QH95gH95AEiBv0MAADAfwAAwH8AAMB/AADAfyAGIAb9Qf1S/QsEMCAEQQFrIQQgAEFAayEAIAFBIGohASACQUBrIQIMAQsLIAhBAXEEQCAAIAD9AAQAIAX9DAAAAAAAAAAAAAAAAAAAAAAgAf0ABAAiBv0NAAEQEQIDEhMEBRQVBgcWFyAC/QAEAP3lAf3mAf3kASIH/QwAAMB/AADAfwAAwH8AAMB/IAcgB/1B/VL9CwQAIAAgAP0ABBAgBf0MAAAAAAAAAAAAAAAAAAAAACAG/Q0ICRgZCgsaGwwNHB0ODx4fIAL9AAQQ/eUB/eYB/eQBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBBALC48DAgJ7AX8gAv0TIQQgA0EHakEDdiIGQQF2IQMDQCADQQBKBEAgACAA/QAEACAEIAH9AAQA/eYB/eQBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBAAgACAA/QAEECAEIAH9AAQQ/eYB/eQBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBBAgACAAQSBq/QAEACAEIAFBIGr9AAQA/eYB/eQBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBCAgACAA/QAEMCAEIAH9AAQw/eYB/eQBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBDAgA0EBayEDIABBQGshACABQUBrIQEMAQsLIAZBAXEEQCAAIAD9AAQAIAQgAf0ABAD95gH95AEiBf0MAADAfwAAwH8AAMB/AADAfyAFIAX9Qf1S/QsEACAAIAD9AAQQIAQgAf0ABBD95gH95AEiBP0MAADAfwAAwH8AAMB/AADAfyAEIAT9Qf1S/QsEEAsLmAkCBnsBfyAC/RMhBCADQQdqQQN2IgpBAXYhAwNAIANBAEoEQCAB/QAEACIF/akBIgZBoAj9AAQA/U5BDf2rASIHQfAI/QAEACII/U4hCSAAIAD9AAQAIAQgB0GACf0ABAAiB/2uASAJIAj9NyAH/U79rgEiB0GQCf0ABAD9rgFBoAn9AAQA/eUBIAcgCf0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBkGwCf0ABAD9TkEQ/asB/VD95gH95AEiBv0MAADAfwAAwH8AAMB/AADAfyAGIAb9Qf1S/QsEACAF/aoBIgVBoAj9AAQA/U5BDf2rASIGQfAI/QAEAP1OIQcgACAA/QAEECAEIAZBgAn9AAQA/a4BIAdB8Aj9AAQA/TdBgAn9AAQA/U79rgEiBkGQCf0ABAD9rgFBoAn9AAQA/eUBIAYgB/0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBUGwCf0ABAD9TkEQ/asB/VD95gH95AEiBf0MAADAfwAAwH8AAMB/AADAfyAFIAX9Qf1S/QsEECAB/QAEECIF/akBIgZBoAj9AAQA/U5BDf2rASIHQfAI/QAEAP1OIQggACAAQSBq/QAEACAEIAdBgAn9AAQA/a4BIAhB8Aj9AAQA/TdBgAn9AAQA/U79rgEiB0GQCf0ABAD9rgFBoAn9AAQA/eUBIAcgCP0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBkGwCf0ABAD9TkEQ/asB/VD95gH95AEiBv0MAADAfwAAwH8AAMB/AADAfyAGIAb9Qf1S/QsEICAF/aoBIgVBoAj9AAQA/U5BDf2rASIGQfAI/QAEAP1OIQcgACAA/QAEMCAEIAZBgAn9AAQA/a4BIAdB8Aj9AAQA/TdBgAn9AAQA/U79rgEiBkGQCf0ABAD9rgFBoAn9AAQA/eUBIAYgB/0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBUGwCf0ABAD9TkEQ/asB/VD95gH95AEiBf0MAADAfwAAwH8AAMB/AADAfyAFIAX9Qf1S/QsEMCADQQFrIQMgAEFAayEAIAFBIGohAQwBCwsgCkEBcQRAIAH9AAQAIgX9qQEiBkGgCP0ABAD9TkEN/asBIgdB8Aj9AAQAIgj9TiEJIAAgAP0ABAAgBCAHQYAJ/QAEACIH/a4BIAkgCP03IAf9Tv2uASIHQZAJ/QAEAP2uAUGgCf0ABAD95QEgByAJ/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAGQbAJ/QAEAP1OQRD9qwH9UP3mAf3kASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQAIAX9qgEiBUGgCP0ABAD9TkEN/asBIgZB8Aj9AAQA/U4hByAAIAD9AAQQIAQgBkGACf0ABAD9rgEgB0HwCP0ABAD9N0GACf0ABAD9Tv2uASIEQZAJ/QAEAP2uAUGgCf0ABAD95QEgBCAH/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAFQbAJ/QAEAP1OQRD9qwH9UP3mAf3kASIE/QwAAMB/AADAfwAAwH8AAMB/IAQgBP1B/VL9CwQQCwveBAIDewF/IAL9EyEEIANBB2pBA3YiB0EBdiEDA0AgA0EASgRAIAAgAP0ABAAgBP0MAAAAAAAAAAAAAAAAAAAAACAB/QAEACIF/Q0AARARAgMSEwQFFBUGBxYX/eYB/eQBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9Uv0LBAAgACAA/QAEECAE/QwAAAAAAAAAAAAAAAAAAAAAIAX9DQgJGBkKCxobDA0cHQ4PHh/95gH95AEiBf0MAADAfwAAwH8AAMB/AADAfyAFIAX9Qf1S/QsEECAAIABBIGr9AAQAIAT9DAAAAAAAAAAAAAAAAAAAAAAgAf0ABBAiBf0NAAEQEQIDEhMEBRQVBgcWF/3mAf3kASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQgIAAgAP0ABDAgBP0MAAAAAAAAAAAAAAAAAAAAACAF/Q0ICRgZCgsaGwwNHB0ODx4f/eYB/eQBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBDAgA0EBayEDIABBQGshACABQSBqIQEMAQsLIAdBAXEEQCAAIAD9AAQAIAT9DAAAAAAAAAAAAAAAAAAAAAAgAf0ABAAiBf0NAAEQEQIDEhMEBRQVBgcWF/3mAf3kASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQAIAAgAP0ABBAgBP0MAAAAAAAAAAAAAAAAAAAAACAF/Q0ICRgZCgsaGwwNHB0ODx4f/eYB/eQBIgT9DAAAwH8AAMB/AADAfwAAwH8gBCAE/UH9Uv0LBBALCwuEAgEAQYIIC/wB//8AAP//AAD//wAA//8BAAAAAQAAAAEAAAABAAAA/38AAP9/AAD/fwAA/38AAAAAwH8AAMB/AADAfwAAwH////9/////f////3////9/AACAfwAAgH8AAIB/AACAf///AAD//wAA//8AAP//AAAAAIAPAACADwAAgA8AAIAPAAAAOAAAADgAAAA4AAAAOAAAgAAAAIAAAACAAAAAgAAAAIA4AACAOAAAgDgAAIA4AIAAAACAAAAAgAAAAIAAAP8PAAD/DwAA/w8AAP8PAAAAfAAAAHwAAAB8AAAAfAAAAAAAPwAAAD8AAAA/AAAAPwACAAAAAgAAAAIAAAAC";

// src/arithmetic/simd/instantiate-simd-kernels.ts
var exportNames = [
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
  "solveUpperF64"
];
var compiled;
function compile() {
  if (compiled !== void 0) return compiled;
  const wasm = globalThis.WebAssembly;
  const bytes = Buffer.from(kernelsWasmBase64, "base64");
  compiled = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
  return compiled;
}
function instantiateSimdKernels() {
  const module = compile();
  const wasm = globalThis.WebAssembly;
  if (!module || !wasm) return void 0;
  const exports = new wasm.Instance(module, {}).exports;
  const missing = exportNames.filter((name) => typeof exports[name] !== "function");
  if (missing.length > 0) {
    throw new InternalError(
      `The WebAssembly kernels lack ${missing.join(", ")}; kernels.generated.ts is stale, run npm run build.`,
      {
        code: "SIMD_EXPORTS_MISSING"
      }
    );
  }
  return exports;
}

// src/arithmetic/simd/create-wasm-kernels.ts
var slotCount = 4;
var resultBytes = 64;
var wasmPageBytes = 65536;
function createWasmKernels(options = {}) {
  if (!hostIsLittleEndian) return void 0;
  const simd = instantiateSimdKernels();
  if (!simd) return void 0;
  const capacity = Math.ceil(chunkSize(options.chunkElements ?? 16384) / 8) * 8;
  return new WasmKernels(simd, capacity, options.native === false ? void 0 : loadNativeKernels());
}
var WasmKernels = class {
  constructor(simd, capacity, native) {
    this.simd = simd;
    this.capacity = capacity;
    this.native = native;
    const slotBytes = capacity * 4;
    const start = Math.ceil(simd.heapBase() / 64) * 64;
    const needed = start + slotCount * slotBytes + resultBytes;
    const current = simd.memory.buffer.byteLength;
    if (needed > current) simd.memory.grow(Math.ceil((needed - current) / wasmPageBytes));
    this.bytes = new Uint8Array(simd.memory.buffer);
    this.slots = [start, start + slotBytes, start + 2 * slotBytes, start + 3 * slotBytes];
    this.result = start + slotCount * slotBytes;
  }
  simd;
  capacity;
  native;
  implementation = "wasm";
  slots;
  result;
  bytes;
  decodeToF32(options) {
    const { dtype } = options;
    if (dtype !== "BF16" && dtype !== "F16") return decodeToF32(options);
    const count = encodedLength(options);
    const out = prefixOf(options.out, count) ?? new Float32Array(count);
    const [raw, values] = this.slots;
    const decode = dtype === "BF16" ? this.simd.decodeBf16 : this.simd.decodeF16;
    for (let start = 0; start < count; start += this.capacity) {
      const n = Math.min(this.capacity, count - start);
      this.bytes.set(options.bytes.subarray(start * 2, (start + n) * 2), raw);
      decode(raw, values, n);
      out.set(this.floats(values, n), start);
    }
    return out;
  }
  encodeFromF32(options) {
    const { dtype, values } = options;
    if (dtype !== "BF16" && dtype !== "F16") return encodeFromF32(options);
    const count = values.length;
    const out = bytesOut(options.out, count, dtype);
    const [floats, raw] = this.slots;
    const encode = dtype === "BF16" ? this.simd.encodeBf16 : this.simd.encodeF16;
    for (let start = 0; start < count; start += this.capacity) {
      const n = Math.min(this.capacity, count - start);
      this.floats(floats, n).set(values.subarray(start, start + n));
      encode(floats, raw, n);
      out.set(this.bytes.subarray(raw, raw + n * 2), start * 2);
    }
    return out;
  }
  subtract(options) {
    const { finetuned, base } = options;
    const count = finetuned.length;
    checkLengths("subtract", count, base);
    const out = outputFor("subtract", count, options.out);
    const [a, b] = this.slots;
    return this.elementwise(out, [finetuned, base], (n) => this.simd.subF32(a, b, a, n));
  }
  addScaled(options) {
    const { acc, tau } = options;
    const count = acc.length;
    checkLengths("addScaled", count, tau);
    const weight = Math.fround(options.weight);
    const [sum, term] = this.slots;
    return this.elementwise(acc, [acc, tau], (n) => this.simd.axpyF32(sum, term, weight, n));
  }
  addScaledDifference(options) {
    const { acc, finetuned, base } = options;
    const count = acc.length;
    checkLengths("addScaledDifference", count, finetuned, base);
    const weight = Math.fround(options.weight);
    const [sum, ft, bs] = this.slots;
    return this.elementwise(acc, [acc, finetuned, base], (n) => this.simd.axpySubF32(sum, ft, bs, weight, n));
  }
  /**
   * Runs a float32 kernel over `out` one slot-sized chunk at a time: each input's chunk goes into the slot of its
   * position, the kernel runs on the chunk's length, the first slot's result goes to `out` (which may be an input).
   */
  elementwise(out, inputs, kernel) {
    const count = out.length;
    for (let start = 0; start < count; start += this.capacity) {
      const n = Math.min(this.capacity, count - start);
      inputs.forEach((input, slot) => this.floats(this.slots[slot], n).set(input.subarray(start, start + n)));
      kernel(n);
      out.set(this.floats(this.slots[0], n), start);
    }
    return out;
  }
  computeTaskVector(options) {
    const { base, finetuned, dtype } = options;
    const [s0, s1, s2, s3] = this.slots;
    const outSize = dtypeSize(dtype);
    const fused = base.dtype === finetuned.dtype ? this.fusedSubtraction(base.dtype, dtype) : void 0;
    return this.byteChunks(taskVectorOperandLength(options), options, (start, n, target) => {
      if (fused) {
        this.bytes.set(rangeOf(finetuned, start, n), s0);
        this.bytes.set(rangeOf(base, start, n), s1);
        fused(s0, s1, s2, n);
        target.set(this.bytes.subarray(s2, s2 + n * outSize));
      } else {
        this.loadFloats(finetuned, start, n, s0, s2);
        this.loadFloats(base, start, n, s1, s2);
        this.simd.subF32(s0, s1, s0, n);
        this.storeFloats(s0, n, dtype, target, s3);
      }
    });
  }
  mergeChunk(options) {
    const { base, terms, dtype } = options;
    const [acc, baseFloats, raw, scratch] = this.slots;
    const keepBase = terms.some((term) => "finetuned" in term);
    return this.byteChunks(mergeOperandLength(options), options, (start, n, target) => {
      if (keepBase) {
        this.loadFloats(base, start, n, baseFloats, raw);
        this.bytes.copyWithin(acc, baseFloats, baseFloats + n * 4);
      } else {
        this.loadFloats(base, start, n, acc, raw);
      }
      for (const term of terms) {
        const weight = Math.fround(term.weight);
        if ("taskVector" in term) this.addTerm(acc, term.taskVector, start, n, weight, raw);
        else this.addDifferenceTerm(acc, term.finetuned, baseFloats, start, n, weight, raw);
      }
      this.storeFloats(acc, n, dtype, target, scratch);
    });
  }
  /**
   * Runs a bytes-to-bytes kernel over `count` elements in steps of at most one slot: `step` gets each range and the
   * part of the output (in `options.dtype`) it must fill.
   */
  byteChunks(count, options, step) {
    const elements = Math.min(chunkSize(options.chunkElements), this.capacity);
    const out = bytesOut(options.out, count, options.dtype);
    const outSize = dtypeSize(options.dtype);
    for (let start = 0; start < count; start += elements) {
      const n = Math.min(elements, count - start);
      step(start, n, out.subarray(start * outSize, (start + n) * outSize));
    }
    return out;
  }
  sumOfSquares(options) {
    const { values } = options;
    const [x] = this.slots;
    let sum = options.initial ?? 0;
    for (let start = 0; start < values.length; start += this.capacity) {
      const n = Math.min(this.capacity, values.length - start);
      this.floats(x, n).set(values.subarray(start, start + n));
      sum = this.simd.sumOfSquaresF32(x, n, sum);
    }
    return sum;
  }
  dotProduct(options) {
    const { a, b } = options;
    checkLengths("dotProduct", a.length, b);
    const [x, y] = this.slots;
    let sum = options.initial ?? 0;
    for (let start = 0; start < a.length; start += this.capacity) {
      const n = Math.min(this.capacity, a.length - start);
      this.floats(x, n).set(a.subarray(start, start + n));
      this.floats(y, n).set(b.subarray(start, start + n));
      sum = this.simd.dotF32(x, y, n, sum);
    }
    return sum;
  }
  reconstructionError(options) {
    return this.compare(options, options.taskVector);
  }
  countInexactF32(options) {
    return this.compare(options, void 0);
  }
  /** Both statistics: τ is the stored vector, or fround(ft − base) when there is none. */
  compare(options, taskVector) {
    const count = reconstructionOperandLength(options, taskVector);
    const step = Math.min(chunkSize(options.chunkElements), this.capacity);
    const [base, ft, tau, staging] = this.slots;
    const initial = options.initial ?? emptyReconstructionStats;
    let mismatches = initial.mismatches;
    let maxAbsError = initial.maxAbsError;
    const found = new Int32Array(this.bytes.buffer, this.result, 1);
    const largest = new Float64Array(this.bytes.buffer, this.result + 8, 1);
    for (let start = 0; start < count; start += step) {
      const n = Math.min(step, count - start);
      this.loadFloats(options.base, start, n, base, staging);
      this.loadFloats(options.finetuned, start, n, ft, staging);
      if (taskVector) this.loadFloats(taskVector, start, n, tau, staging);
      else this.simd.subF32(ft, base, tau, n);
      this.simd.reconstructionStats(base, ft, tau, n, this.result);
      mismatches += found[0];
      if (largest[0] > maxAbsError) maxAbsError = largest[0];
    }
    return { elements: initial.elements + count, mismatches, maxAbsError };
  }
  /** The one-pass kernel for τ between two inputs of `input` dtype written as `output`, if there is one. */
  fusedSubtraction(input, output) {
    if (input === "BF16" && output === "BF16") return this.simd.subBf16;
    if (input === "F16" && output === "F16") return this.simd.subF16;
    if (input === "BF16" && output === "F32") return this.simd.subBf16ToF32;
    if (input === "F16" && output === "F32") return this.simd.subF16ToF32;
    return void 0;
  }
  /** acc += λ·τ for a stored task vector's chunk. */
  addTerm(acc, tau, start, n, weight, raw) {
    if (tau.dtype === "BF16" || tau.dtype === "F16") {
      this.bytes.set(rangeOf(tau, start, n), raw);
      (tau.dtype === "BF16" ? this.simd.axpyBf16 : this.simd.axpyF16)(acc, raw, weight, n);
    } else {
      this.loadFloats(tau, start, n, raw, raw);
      this.simd.axpyF32(acc, raw, weight, n);
    }
  }
  /** acc += λ·(ft − base) for a fine-tuned model's chunk against the float32 base at `baseFloats`. */
  addDifferenceTerm(acc, ft, baseFloats, start, n, weight, raw) {
    if (ft.dtype === "BF16" || ft.dtype === "F16") {
      this.bytes.set(rangeOf(ft, start, n), raw);
      (ft.dtype === "BF16" ? this.simd.axpySubBf16 : this.simd.axpySubF16)(acc, raw, baseFloats, weight, n);
    } else {
      this.loadFloats(ft, start, n, raw, raw);
      this.simd.axpySubF32(acc, raw, baseFloats, weight, n);
    }
  }
  /**
   * Decodes elements [start, start + n) of `values` to float32 at `target`, staging packed bytes at
   * `staging` (which may be `target` only for F32 and F64, which need no staging).
   */
  loadFloats(values, start, n, target, staging) {
    const bytes = rangeOf(values, start, n);
    switch (values.dtype) {
      case "F32":
        this.bytes.set(bytes, target);
        break;
      case "F64":
        decodeToF32({ dtype: "F64", bytes, out: this.floats(target, n) });
        break;
      case "BF16":
      case "F16":
        this.bytes.set(bytes, staging);
        (values.dtype === "BF16" ? this.simd.decodeBf16 : this.simd.decodeF16)(staging, target, n);
        break;
    }
  }
  /** Encodes n float32 values at `source` as `dtype` into `target`, staging packed bytes at `staging`. */
  storeFloats(source, n, dtype, target, staging) {
    switch (dtype) {
      case "F32":
        target.set(this.bytes.subarray(source, source + n * 4));
        break;
      case "F64":
        encodeFromF32({ dtype: "F64", values: this.floats(source, n), out: target });
        break;
      case "BF16":
      case "F16":
        (dtype === "BF16" ? this.simd.encodeBf16 : this.simd.encodeF16)(source, staging, n);
        target.set(this.bytes.subarray(staging, staging + n * 2));
        break;
    }
  }
  /**
   * Column tiles of `width` (a multiple of 16) with `right`'s tile in slots 0–1, a block of `left` rows in slot 2
   * and their outputs in slot 3; the tile stays in cache while every row block passes over it. Ranks too large for
   * a tile of 16 columns go to the JavaScript reference, which gives the same bits.
   */
  loraDeltaRows(options) {
    checkRows(options);
    const { left, right, rank, columns, rowStart, rowEnd } = options;
    const native = this.native;
    if (native) {
      const out2 = options.out ?? new Float32Array((rowEnd - rowStart) * columns);
      const rows2 = left.subarray(rowStart * rank, rowEnd * rank);
      native.loraRowsF32(rows2, right, out2, rowEnd - rowStart, rank, columns, Math.fround(options.scale), 1);
      return out2;
    }
    const capacity = this.capacity;
    const width = Math.min(Math.ceil(columns / 16) * 16, Math.floor(2 * capacity / rank / 16) * 16);
    const blockRows = Math.min(Math.floor(capacity / rank), Math.floor(capacity / Math.max(16, width)));
    if (width < 16 || blockRows < 1) return loraDeltaRows(options);
    const rows = rowEnd - rowStart;
    const out = options.out ?? new Float32Array(rows * columns);
    const [tile, , block, results] = this.slots;
    const scale = Math.fround(options.scale);
    for (let j0 = 0; j0 < columns; j0 += width) {
      const w = Math.min(width, columns - j0);
      const tileFloats = this.floats(tile, rank * width);
      for (let k = 0; k < rank; k++) tileFloats.set(right.subarray(k * columns + j0, k * columns + j0 + w), k * width);
      for (let i0 = rowStart; i0 < rowEnd; i0 += blockRows) {
        const n = Math.min(blockRows, rowEnd - i0);
        this.floats(block, n * rank).set(left.subarray(i0 * rank, (i0 + n) * rank));
        this.simd.loraRowsF32(block, tile, results, n, rank, width, scale);
        const computed = this.floats(results, n * width);
        for (let i = 0; i < n; i++)
          out.set(computed.subarray(i * width, i * width + w), (i0 - rowStart + i) * columns + j0);
      }
    }
    return out;
  }
  floats(address, n) {
    return new Float32Array(this.bytes.buffer, address, n);
  }
};
function rangeOf(values, start, n) {
  const size = dtypeSize(values.dtype);
  return values.bytes.subarray(start * size, (start + n) * size);
}
function prefixOf(out, count) {
  if (!out) return void 0;
  if (out.length < count) {
    throw new InternalError(`The output array holds ${out.length} elements but ${count} are being decoded.`, {
      code: "DECODE_OUT_TOO_SMALL"
    });
  }
  return out.length === count ? out : out.subarray(0, count);
}
function bytesOut(out, count, dtype) {
  const byteLength = count * dtypeSize(dtype);
  if (!out) return new Uint8Array(byteLength);
  if (out.byteLength < byteLength) {
    throw new InternalError(
      `The output buffer holds ${out.byteLength} bytes but ${count} ${dtype} elements need ${byteLength}.`,
      {
        code: "ENCODE_OUT_TOO_SMALL"
      }
    );
  }
  return out.byteLength === byteLength ? out : out.subarray(0, byteLength);
}

// src/arithmetic/simd/create-arithmetic-kernels.ts
function createArithmeticKernels(options = {}) {
  const implementation = options.implementation ?? "auto";
  if (implementation === "js") return javascriptKernels;
  const wasm = createWasmKernels(options.chunkElements === void 0 ? {} : { chunkElements: options.chunkElements });
  if (wasm) return wasm;
  if (implementation === "wasm") {
    throw new UsageError(
      'This JavaScript engine cannot run the WebAssembly SIMD kernels; use the JavaScript ones (implementation "js" or "auto").',
      {
        code: "SIMD_UNAVAILABLE"
      }
    );
  }
  return javascriptKernels;
}

// src/safetensors/serve-sink-thread.ts
import { createHash } from "node:crypto";
import { closeSync, fdatasyncSync, mkdirSync, openSync, renameSync, rmSync, write as writeCallback } from "node:fs";
import { promisify } from "node:util";
import { dirname as dirname2 } from "node:path";

// src/safetensors/sink-thread-messages.ts
var sinkThreadProtocol = 1;
function toWireError(error) {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const { code, errno, syscall, path } = error;
  return {
    name: error.name,
    message: error.message,
    ...typeof code === "string" ? { code } : {},
    ...typeof errno === "number" ? { errno } : {},
    ...typeof syscall === "string" ? { syscall } : {},
    ...typeof path === "string" ? { path } : {}
  };
}

// src/safetensors/serve-sink-thread.ts
var writeAt = promisify(writeCallback);
function serveSinkThread(options) {
  const { port, memory } = options;
  const files = /* @__PURE__ */ new Map();
  const reply = (message) => port.postMessage(message);
  const failed = (sink, error, id) => reply({ type: "failed", sink, ...id === void 0 ? {} : { id }, error: toWireError(error) });
  const open = (sink, path, durable) => {
    const temporary = `${path}.tmp`;
    mkdirSync(dirname2(path), { recursive: true });
    const fd = openSync(temporary, "w");
    files.set(sink, { fd, path, temporary, durable, hash: createHash("sha256"), size: 0, tail: Promise.resolve() });
    reply({ type: "opened", sink, fd });
  };
  const bytesOf = (file, request) => {
    if ("bytes" in request) return request.bytes;
    if (memory && request.offset + request.length <= memory.byteLength)
      return new Uint8Array(memory, request.offset, request.length);
    throw new InternalError(
      `${file.path}: a write named bytes outside the sink thread's shared memory; this is a bug in tvhub, please report it.`,
      { code: "SINK_THREAD_RANGE" }
    );
  };
  const writeAll = async (fd, bytes, position) => {
    for (let done = 0; done < bytes.length; )
      done += (await writeAt(fd, bytes, done, bytes.length - done, position + done)).bytesWritten;
  };
  const write = (sink, file, request) => {
    const fail = (error) => {
      file.failure ??= toWireError(error);
      reply({ type: "failed", sink, id: request.id, error: file.failure });
    };
    let bytes;
    try {
      if (file.fd === void 0)
        throw new InternalError(
          `${file.path}: a write came after the file was closed; this is a bug in tvhub, please report it.`,
          { code: "SINK_STATE" }
        );
      bytes = bytesOf(file, request);
      file.hash.update(bytes);
    } catch (error) {
      fail(error);
      return;
    }
    const { fd } = file;
    const position = file.size;
    file.size += bytes.length;
    file.tail = file.tail.then(async () => {
      if (file.failure !== void 0) return reply({ type: "written", id: request.id });
      try {
        await writeAll(fd, bytes, position);
      } catch (error) {
        return fail(error);
      }
      reply({ type: "written", id: request.id });
    });
  };
  const after = (sink, file, step) => {
    file.tail = file.tail.then(() => {
      try {
        step();
      } catch (error) {
        failed(sink, error);
      }
    });
  };
  const commit = (sink, file) => {
    if (file.failure) {
      reply({ type: "failed", sink, error: file.failure });
      return;
    }
    if (file.fd !== void 0) {
      const fd = file.fd;
      if (file.durable) fdatasyncSync(fd);
      file.fd = void 0;
      closeSync(fd);
    }
    renameSync(file.temporary, file.path);
    files.delete(sink);
    reply({ type: "committed", sink, size: file.size, sha256: file.hash.digest("hex") });
  };
  const abort = (sink, file) => {
    files.delete(sink);
    if (file?.fd !== void 0) {
      try {
        closeSync(file.fd);
      } catch {
      }
    }
    if (file) rmSync(file.temporary, { force: true });
    reply({ type: "aborted", sink });
  };
  port.on("message", (request) => {
    const file = files.get(request.sink);
    try {
      switch (request.type) {
        case "open":
          return open(request.sink, request.path, request.durable);
        case "write":
          if (file && file.failure === void 0) return write(request.sink, file, request);
          return reply({ type: "written", id: request.id });
        case "commit":
          if (!file)
            throw new InternalError(
              `Sink ${request.sink} was committed but is not open; this is a bug in tvhub, please report it.`,
              { code: "SINK_STATE" }
            );
          return after(request.sink, file, () => commit(request.sink, file));
        case "abort":
          if (!file) return abort(request.sink, file);
          return after(request.sink, file, () => abort(request.sink, file));
      }
    } catch (error) {
      failed(request.sink, error);
    }
  });
  reply({ type: "ready" });
}

// src/arithmetic/method-parameters.ts
var density = {
  name: "density",
  description: "The fraction (0, 1] of each task vector's entries kept, largest magnitudes first, tensor by tensor (at least one entry).",
  default: 0.2,
  min: 0,
  max: 1,
  minExclusive: true
};
var dropRate = {
  name: "drop_rate",
  description: "The probability [0, 1) of dropping each entry; survivors are multiplied by 1/(1 \u2212 drop_rate). mergekit's `density` is 1 \u2212 drop_rate.",
  default: 0.9,
  min: 0,
  max: 1,
  maxExclusive: true
};
var lambda = {
  name: "lambda",
  description: "\u03BB, the scale of the merged task vector added to the base (mergekit's `lambda`); the recipe's `scale` multiplies the weights before it.",
  default: 1,
  min: -Number.MAX_VALUE,
  max: Number.MAX_VALUE,
  omitWhenDefault: true
};
var crumbsDensity = {
  ...density,
  description: "The fraction (0, 1] of each task vector's entries kept after the outliers are dropped, the next largest by magnitude, tensor by tensor.",
  default: 0.9
};
var gamma = {
  name: "gamma",
  description: "The fraction [0, 1) of each task vector's entries dropped first as outliers, the largest by magnitude (fewer when density + gamma > 1).",
  default: 0.01,
  min: 0,
  max: 1,
  maxExclusive: true
};
var dellaDensity = {
  ...density,
  description: "The mean probability (0, 1] of keeping an entry; the keep probability grows with the entry's magnitude rank in its row, from density \u2212 epsilon to density + epsilon.",
  default: 0.5
};
var epsilon = {
  name: "epsilon",
  description: "Half the spread of the keep probabilities around density; density \u2212 epsilon must be above 0 and density + epsilon at most 1.",
  default: 0.15,
  min: 0,
  max: 0.5,
  maxExclusive: true
};
var filterWise = {
  kind: "boolean",
  name: "filter_wise",
  description: "One interpolation factor per row of each tensor (each slice along its last dimension) instead of one per tensor.",
  default: false
};
var nuslerpFlatten = {
  kind: "boolean",
  name: "nuslerp_flatten",
  description: "Interpolate each tensor as one flat vector; false: each slice of it separately (see nuslerp_row_wise).",
  default: true
};
var nuslerpRowWise = {
  kind: "boolean",
  name: "nuslerp_row_wise",
  description: "With nuslerp_flatten: false, interpolate the slices along the first dimension (a matrix's columns, mergekit's dim 0) instead of those along the last (its rows).",
  default: false
};
function valueNeeds(parameter, value) {
  if (parameter.kind === "boolean") return typeof value === "boolean" ? void 0 : "true or false";
  const ok = typeof value === "number" && Number.isFinite(value) && (parameter.minExclusive ? value > parameter.min : value >= parameter.min) && (parameter.maxExclusive ? value < parameter.max : value <= parameter.max) && (!parameter.integer || Number.isInteger(value));
  return ok ? void 0 : `it in ${rangeText(parameter)}`;
}
function rangeText(parameter) {
  if (parameter.min === -Number.MAX_VALUE && parameter.max === Number.MAX_VALUE) return "the finite numbers";
  const range2 = `${parameter.minExclusive ? "(" : "["}${parameter.min}, ${parameter.max}${parameter.maxExclusive ? ")" : "]"}`;
  return parameter.integer ? `the whole numbers of ${range2}` : range2;
}

// src/util/rng.ts
import { createHash as createHash2 } from "node:crypto";
var parity = 466688986;
function threefryBlocks(c0, c1, c2, c3, k0, k1, k2, k3, rounds, blocks, out, at) {
  const ks = new Int32Array([k0, k1, k2, k3, parity ^ k0 ^ k1 ^ k2 ^ k3]);
  const groups = rounds / 4;
  for (let b = 0; b < blocks; b++) {
    let x0 = c0 + b + k0 | 0;
    let x1 = c1 + k1 | 0;
    let x2 = c2 + k2 | 0;
    let x3 = c3 + k3 | 0;
    for (let g = 0; g < groups; g++) {
      if (g % 2 === 0) {
        x0 = x0 + x1 | 0;
        x1 = (x1 << 10 | x1 >>> 22) ^ x0;
        x2 = x2 + x3 | 0;
        x3 = (x3 << 26 | x3 >>> 6) ^ x2;
        x0 = x0 + x3 | 0;
        x3 = (x3 << 11 | x3 >>> 21) ^ x0;
        x2 = x2 + x1 | 0;
        x1 = (x1 << 21 | x1 >>> 11) ^ x2;
        x0 = x0 + x1 | 0;
        x1 = (x1 << 13 | x1 >>> 19) ^ x0;
        x2 = x2 + x3 | 0;
        x3 = (x3 << 27 | x3 >>> 5) ^ x2;
        x0 = x0 + x3 | 0;
        x3 = (x3 << 23 | x3 >>> 9) ^ x0;
        x2 = x2 + x1 | 0;
        x1 = (x1 << 5 | x1 >>> 27) ^ x2;
      } else {
        x0 = x0 + x1 | 0;
        x1 = (x1 << 6 | x1 >>> 26) ^ x0;
        x2 = x2 + x3 | 0;
        x3 = (x3 << 20 | x3 >>> 12) ^ x2;
        x0 = x0 + x3 | 0;
        x3 = (x3 << 17 | x3 >>> 15) ^ x0;
        x2 = x2 + x1 | 0;
        x1 = (x1 << 11 | x1 >>> 21) ^ x2;
        x0 = x0 + x1 | 0;
        x1 = (x1 << 25 | x1 >>> 7) ^ x0;
        x2 = x2 + x3 | 0;
        x3 = (x3 << 10 | x3 >>> 22) ^ x2;
        x0 = x0 + x3 | 0;
        x3 = (x3 << 18 | x3 >>> 14) ^ x0;
        x2 = x2 + x1 | 0;
        x1 = (x1 << 20 | x1 >>> 12) ^ x2;
      }
      const s = g + 1;
      x0 = x0 + ks[s % 5] | 0;
      x1 = x1 + ks[(s + 1) % 5] | 0;
      x2 = x2 + ks[(s + 2) % 5] | 0;
      x3 = x3 + ks[(s + 3) % 5] + s | 0;
    }
    const o = at + 4 * b;
    out[o] = x0;
    out[o + 1] = x1;
    out[o + 2] = x2;
    out[o + 3] = x3;
  }
}
function deriveStream(options) {
  const { seed } = options;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new UsageError(
      `The random seed ${String(seed)} is not an integer from 0 to 2^53 \u2212 1; pass a whole number such as 42.`,
      {
        code: "RNG_BAD_SEED",
        subject: "seed"
      }
    );
  }
  const hash = createHash2("sha256");
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
function u32le(...words) {
  const bytes = new Uint8Array(4 * words.length);
  const view = new DataView(bytes.buffer);
  words.forEach((word, i) => view.setUint32(4 * i, word >>> 0, true));
  return bytes;
}
function fillRandom(options) {
  const { out, start } = options;
  const [k0, k1, k2, k3] = options.stream.key;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new UsageError(`A random stream position must be a whole number \u2265 0, not ${String(start)}.`, {
      code: "RNG_BAD_POSITION"
    });
  }
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
      for (let l = lane; l < 4 && i < out.length; l++, i++) out[i] = edge[l];
    } else {
      const blocks = Math.min(Math.floor((out.length - i) / 4), 2 ** 32 - low, 1 << 16);
      threefryBlocks(low, high, 0, 0, k0, k1, k2, k3, 20, blocks, out, i);
      i += 4 * blocks;
    }
  }
  return out;
}

// src/arithmetic/magnitude-threshold.ts
function magnitudeThreshold(options) {
  const { values, k } = options;
  const n = values.length;
  if (!Number.isSafeInteger(k) || k < 0 || k > n) {
    throw new InternalError(`magnitudeThreshold needs 0 \u2264 k \u2264 ${n}, got ${k}.`, { code: "ARITHMETIC_BAD_K" });
  }
  if (k === 0) return { bits: 2147483648, keepAtThreshold: 0 };
  const words = wordsOf(values);
  const counts = new Float64Array(65536);
  for (let i = 0; i < n; i++) counts[(words[i] & 2147483647) >>> 16]++;
  let above = 0;
  let high = 32767;
  while (above + counts[high] < k) above += counts[high--];
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const magnitude = words[i] & 2147483647;
    if (magnitude >>> 16 === high) counts[magnitude & 65535]++;
  }
  let low = 65535;
  while (above + counts[low] < k) above += counts[low--];
  return { bits: (high << 16 | low) >>> 0, keepAtThreshold: k - above };
}
function keepCount(density2, n) {
  if (n === 0 || density2 <= 0) return 0;
  if (density2 >= 1) return n;
  return Math.min(n, Math.max(1, Math.round(density2 * n)));
}

// src/arithmetic/generalized-merge.ts
var slice2 = 4096;
function generalizedMerge(options) {
  const { base, taskVectors, sparsification, consensus } = options;
  const n = base.length;
  const m = taskVectors.length;
  checkLengths("generalizedMerge", n, ...taskVectors);
  if (options.weights.length !== m) {
    throw new InternalError(`A merge got ${m} task vectors but ${options.weights.length} weights.`, {
      code: "ARITHMETIC_WEIGHTS_MISMATCH"
    });
  }
  const offset = options.offset ?? 0;
  if ((sparsification.kind === "magnitude" || sparsification.kind === "breadcrumbs" || sparsification.kind === "della") && offset !== 0) {
    throw new InternalError(
      `${sparsification.kind} sparsification needs whole tensors (it ranks their elements), not a chunk at an offset.`,
      {
        code: "ARITHMETIC_NEEDS_WHOLE_TENSOR"
      }
    );
  }
  const out = outputFor("generalizedMerge", n, options.out);
  const outWords = wordsOf(out);
  const weights = options.weights.map((weight) => Math.fround(weight));
  const lambda2 = Math.fround(consensus.lambda ?? 1);
  const words = taskVectors.map(wordsOf);
  const top = topSets(sparsification, taskVectors, n);
  const random = randomStreams(sparsification, m, n);
  const della2 = sparsification.kind === "della" ? dellaRows(sparsification, m, n) : void 0;
  const keepFrom = sparsification.kind === "dare" ? sparsification.dropRate * 2 ** 32 : 0;
  const divisor = sparsification.kind === "dare" ? Math.fround(1 - sparsification.dropRate) : 1;
  const v = new Float64Array(m);
  for (let start = 0; start < n; start += slice2) {
    const end = Math.min(n, start + slice2);
    for (let i = 0; i < random.streams.length; i++) {
      fillRandom({ stream: random.streams[i], start: offset + start, out: random.words[i].subarray(0, end - start) });
    }
    for (let j = start; j < end; j++) {
      if (della2 !== void 0 && j % della2.rowLength === 0) della2.rankRow(taskVectors, j);
      for (let i = 0; i < m; i++) {
        const tau = taskVectors[i][j];
        let sparse = tau;
        if (top.length > 0) {
          const magnitude = words[i][j] & 2147483647;
          let kept = true;
          for (const set of top[i]) kept = set.contains(magnitude) === set.keep && kept;
          sparse = kept ? tau : 0;
        } else if (sparsification.kind === "dare") {
          sparse = random.words[i][j - start] < keepFrom ? 0 : Math.fround(tau / divisor);
        } else if (della2 !== void 0) {
          const q = della2.keepProbability(i, j);
          sparse = random.words[i][j - start] < (1 - q) * 2 ** 32 ? 0 : Math.fround(tau / Math.fround(q));
        }
        v[i] = Math.fround(weights[i] * sparse);
      }
      let result;
      if (consensus.kind === "sum") {
        result = base[j];
        for (let i = 0; i < m; i++) result = Math.fround(result + Math.fround(lambda2 * v[i]));
      } else {
        let sum = 0;
        for (let i = 0; i < m; i++) sum = Math.fround(sum + v[i]);
        let mean = 0;
        if (sum !== sum) {
          mean = NaN;
        } else if (sum !== 0) {
          let agreeing = 0;
          let count = 0;
          for (let i = 0; i < m; i++) {
            const value = v[i];
            if (sum > 0 ? value > 0 : value < 0) {
              agreeing = Math.fround(agreeing + value);
              count++;
            }
          }
          mean = Math.fround(agreeing / count);
        }
        result = Math.fround(base[j] + Math.fround(lambda2 * mean));
      }
      if (result === result) out[j] = result;
      else outWords[j] = canonicalNaN;
    }
  }
  return out;
}
function topSet(values, k, keep) {
  const threshold = magnitudeThreshold({ values, k });
  let ties2 = threshold.keepAtThreshold;
  return { keep, contains: (magnitude) => magnitude > threshold.bits || magnitude === threshold.bits && ties2-- > 0 };
}
function topSets(sparsification, taskVectors, n) {
  if (sparsification.kind === "magnitude") {
    return taskVectors.map((values) => [topSet(values, keepCount(sparsification.density, n), true)]);
  }
  if (sparsification.kind === "breadcrumbs") {
    const { kept, outliers } = breadcrumbsCounts(sparsification.density, sparsification.gamma, n);
    return taskVectors.map((values) => [topSet(values, outliers + kept, true), topSet(values, outliers, false)]);
  }
  return [];
}
function breadcrumbsCounts(density2, gamma2, n) {
  const kept = keepCount(density2, n);
  return { kept, outliers: Math.min(Math.round(gamma2 * n), n - kept) };
}
function randomStreams(sparsification, m, n) {
  if (sparsification.kind !== "dare" && sparsification.kind !== "della") return { streams: [], words: [] };
  const streams = Array.from(
    { length: m },
    (_, i) => deriveStream({ seed: sparsification.seed, labels: ["dare", sparsification.tensorName, i] })
  );
  return { streams, words: streams.map(() => new Uint32Array(Math.min(slice2, n))) };
}
function dellaRows(sparsification, m, n) {
  const { density: density2, epsilon: epsilon2 } = sparsification;
  const rowLength = Math.max(1, Math.min(sparsification.rowLength, n));
  if (n % rowLength !== 0) {
    throw new InternalError(`DELLA got ${n} elements in rows of ${rowLength}; give whole rows.`, {
      code: "ARITHMETIC_BAD_ROWS"
    });
  }
  const ranks = Array.from({ length: m }, () => new Uint32Array(rowLength));
  const keys = new Float64Array(rowLength);
  let rowStart = 0;
  return {
    rowLength,
    /** Ranks the row that starts at `start` in every vector: ascending magnitude, ties lowest index first. */
    rankRow(taskVectors, start) {
      rowStart = start;
      for (let i = 0; i < m; i++)
        rankByMagnitude(wordsOf(taskVectors[i]).subarray(start, start + rowLength), keys, ranks[i]);
    },
    keepProbability(i, j) {
      if (rowLength === 1) return density2;
      return density2 - epsilon2 + ranks[i][j - rowStart] / (rowLength - 1) * 2 * epsilon2;
    }
  };
}
function rankByMagnitude(row, keys, rank) {
  const length = row.length;
  if (length > 2 ** 22) {
    const order = Array.from({ length }, (_, x) => x).sort(
      (a, b) => (row[a] & 2147483647) - (row[b] & 2147483647) || a - b
    );
    order.forEach((x, position) => rank[x] = position);
    return;
  }
  for (let x = 0; x < length; x++) keys[x] = (row[x] & 2147483647) * 2 ** 22 + x;
  const sorted = keys.subarray(0, length).sort();
  for (let position = 0; position < length; position++) rank[sorted[position] % 2 ** 22] = position;
}

// src/arithmetic/method-text.ts
function sumFormula(operator) {
  return ({ terms, parameters, format }) => {
    const operand2 = (symbol) => operator ? `${operator}(${symbol})` : symbol;
    const sum = terms.map(
      (term, i) => `${i === 0 ? term.weight < 0 ? "\u2212 " : "+ " : term.weight < 0 ? " \u2212 " : " + "}${format(Math.abs(term.weight))}\xB7${operand2(term.symbol)}`
    ).join("");
    const lambda2 = lambdaOf(parameters);
    return lambda2 === 1 ? `\u03B8 = \u03B8(base) ${sum}` : `\u03B8 = \u03B8(base) + ${format(lambda2)}\xB7(${sum.replace(/^\+ /, "")})`;
  };
}
function electFormula(operator) {
  return ({ terms, parameters, format }) => {
    const weighted = terms.map((term) => `${format(term.weight)}\xB7${operator}(${term.symbol})`);
    const inner = `disjoint_mean(elect(${weighted.join(", ")}))`;
    const lambda2 = lambdaOf(parameters);
    return `\u03B8 = \u03B8(base) + ${lambda2 === 1 ? "" : `${format(lambda2)}\xB7`}${inner}`;
  };
}
function lambdaOf(parameters) {
  return typeof parameters.lambda === "number" ? parameters.lambda : 1;
}
function numberParameter(parameters, name) {
  const value = parameters[name];
  return typeof value === "number" ? value : void 0;
}
function trimLine(parameters, format) {
  const density2 = numberParameter(parameters, "density");
  return `- \`trim(\u03C4)\` keeps the ${density2 === void 0 ? "top" : `${format(density2 * 100)}% of`} entries of \u03C4 with the largest magnitude, tensor by tensor, and sets the rest to 0 (at the threshold, lower indices first).`;
}
function dareLines(parameters, format) {
  const dropRate2 = numberParameter(parameters, "drop_rate");
  const p = dropRate2 === void 0 ? "p" : `p = ${format(dropRate2)}`;
  return [
    `- \`dare(\u03C4)\` sets each entry of \u03C4 to 0 with probability ${p} and divides the others by 1 \u2212 p${dropRate2 === void 0 ? "" : ` = ${format(Math.fround(1 - dropRate2))}`}, element by element as in the paper (mergekit instead rescales to keep the tensor's L1 norm).`,
    seedLine(parameters)
  ];
}
function breadcrumbsLine(parameters, format) {
  const density2 = numberParameter(parameters, "density");
  const gamma2 = numberParameter(parameters, "gamma");
  const kept = density2 === void 0 ? "a fraction" : `${format(density2 * 100)}%`;
  const outliers = gamma2 === void 0 ? "the largest entries" : `the ${format(gamma2 * 100)}% largest entries`;
  return `- \`crumbs(\u03C4)\` drops ${outliers} of \u03C4 by magnitude (the outliers), keeps the next ${kept} of its entries and sets the rest, the smallest, to 0, tensor by tensor (at a threshold, lower indices rank first); the kept entries are not rescaled.`;
}
function dellaLines(parameters, format) {
  const density2 = numberParameter(parameters, "density");
  const epsilon2 = numberParameter(parameters, "epsilon");
  const range2 = density2 === void 0 || epsilon2 === void 0 ? "from density \u2212 \u03B5 for the smallest to density + \u03B5 for the largest" : `from ${format(density2 - epsilon2)} for the smallest to ${format(density2 + epsilon2)} for the largest`;
  return [
    `- \`magprune(\u03C4)\` ranks the entries of each row of \u03C4 by magnitude and keeps each one with a probability that grows linearly with its rank, ${range2}; a kept entry is divided by its probability, as in the paper (mergekit instead rescales to keep the tensor's L1 norm).`,
    seedLine(parameters)
  ];
}
function seedLine(parameters) {
  return `  The random mask comes from seed ${String(parameters.seed ?? 0)} (Threefry-4x32 keyed by the seed, the tensor name and the term's position), so this merge can be reproduced bit for bit.`;
}
var electLines = [
  "- `elect(v\u2081, \u2026, v\u2099)` keeps, at each entry, the values whose sign agrees with the sign of their sum (none where the sum is 0); `disjoint_mean` averages the kept values of each entry (0 where none is kept).",
  "  The weights scale each vector before the election, so a negative weight is a vote for the opposite sign, not a subtraction."
];

// src/arithmetic/vector-groups.ts
function vectorGroups(options) {
  const { n, axis } = options;
  const shape = options.shape ?? [n];
  const product = shape.reduce((a, b) => a * b, 1);
  if (product !== n) {
    throw new InternalError(`A tensor of shape [${shape.join(", ")}] cannot hold ${n} elements.`, {
      code: "ARITHMETIC_BAD_SHAPE"
    });
  }
  if (n === 0) return { count: 0, length: 0, step: 0, stride: 1 };
  if (axis === "whole" || shape.length < 2) return { count: 1, length: n, step: n, stride: 1 };
  if (axis === "last") {
    const length2 = shape[shape.length - 1];
    return { count: n / length2, length: length2, step: length2, stride: 1 };
  }
  const length = shape[0];
  return { count: n / length, length, step: 1, stride: n / length };
}

// src/arithmetic/model-stock.ts
var minNormProduct = 1e-6;
function modelStock(options) {
  const { base, taskVectors } = options;
  const n = base.length;
  const count = taskVectors.length;
  checkLengths("modelStock", n, ...taskVectors);
  if (count < 2 || options.weights.length !== count) {
    throw new InternalError(
      `Model Stock needs at least two task vectors and one weight each, got ${count} and ${options.weights.length}.`,
      {
        code: "ARITHMETIC_WEIGHTS_MISMATCH"
      }
    );
  }
  const out = outputFor("modelStock", n, options.out);
  const outWords = wordsOf(out);
  const weights = options.weights.map((weight) => Math.fround(weight));
  const groups = vectorGroups({ n, axis: options.axis, ...options.shape ? { shape: options.shape } : {} });
  const v = taskVectors.map((tau, i) => tau.map((x) => weights[i] * x));
  const products = new Float64Array(count * count);
  for (let g = 0; g < groups.count; g++) {
    const first = g * groups.step;
    products.fill(0);
    for (let k = 0; k < groups.length; k++) {
      const e = first + k * groups.stride;
      for (let a = 0; a < count; a++) for (let b = a; b < count; b++) products[a * count + b] += v[a][e] * v[b][e];
    }
    let cosines = 0;
    for (let a = 0; a < count; a++) {
      for (let b = a + 1; b < count; b++) {
        const normProduct = Math.sqrt(products[a * count + a]) * Math.sqrt(products[b * count + b]);
        cosines += Math.min(1, Math.max(-1, products[a * count + b] / Math.max(normProduct, minNormProduct)));
      }
    }
    const c = cosines / (count * (count - 1) / 2);
    const denominator = 1 + (count - 1) * c;
    const t = Math.fround(denominator === 0 ? 0 : count * c / denominator);
    for (let k = 0; k < groups.length; k++) {
      const e = first + k * groups.stride;
      let sum = 0;
      for (let i = 0; i < count; i++) sum = Math.fround(sum + v[i][e]);
      const result = Math.fround(base[e] + Math.fround(t * Math.fround(sum / count)));
      if (result === result) out[e] = result;
      else outWords[e] = canonicalNaN;
    }
  }
  return out;
}

// src/arithmetic/nuslerp.ts
var tinyWeightSum = 1e-6;
var minNorm = 1e-7;
var colinear = 1e-8;
function slerpFactor(weights) {
  const [w1, w2] = weights.map((w) => Math.fround(w));
  return Math.abs(w1 + w2) < tinyWeightSum ? 0.5 : w2 / (w1 + w2);
}
function nuslerp(options) {
  const { base, taskVectors } = options;
  const n = base.length;
  if (taskVectors.length !== 2 || options.weights.length !== 2) {
    throw new InternalError(
      `SLERP interpolates between exactly two task vectors, got ${taskVectors.length} and ${options.weights.length} weights.`,
      {
        code: "ARITHMETIC_WEIGHTS_MISMATCH"
      }
    );
  }
  const [first, second] = taskVectors;
  checkLengths("nuslerp", n, first, second);
  const out = outputFor("nuslerp", n, options.out);
  const outWords = wordsOf(out);
  const t = slerpFactor(options.weights);
  const groups = vectorGroups({ n, axis: options.axis, ...options.shape ? { shape: options.shape } : {} });
  for (let g = 0; g < groups.count; g++) {
    const start = g * groups.step;
    let a = 0;
    let b = 0;
    let d = 0;
    for (let k = 0; k < groups.length; k++) {
      const e = start + k * groups.stride;
      a += first[e] * first[e];
      b += second[e] * second[e];
      d += first[e] * second[e];
    }
    const cos = Math.min(1, Math.max(-1, d / (Math.max(Math.sqrt(a), minNorm) * Math.max(Math.sqrt(b), minNorm))));
    const theta = Math.acos(cos);
    const sin = Math.sin(theta);
    const lerp = Math.abs(sin) < colinear;
    const c1 = Math.fround(lerp ? 1 - t : Math.sin((1 - t) * theta) / sin);
    const c2 = Math.fround(lerp ? t : Math.sin(t * theta) / sin);
    for (let k = 0; k < groups.length; k++) {
      const e = start + k * groups.stride;
      const result = Math.fround(base[e] + Math.fround(Math.fround(c1 * first[e]) + Math.fround(c2 * second[e])));
      if (result === result) out[e] = result;
      else outWords[e] = canonicalNaN;
    }
  }
  return out;
}

// src/arithmetic/merge-methods.ts
var taskArithmeticPaper = "https://arxiv.org/abs/2212.04089";
var tiesPaper = "https://arxiv.org/abs/2306.01708";
var darePaper = "https://arxiv.org/abs/2311.03099";
var breadcrumbsPaper = "https://arxiv.org/abs/2312.06795";
var dellaPaper = "https://arxiv.org/abs/2406.11617";
var modelStockPaper = "https://arxiv.org/abs/2403.19522";
var slerpPaper = "https://doi.org/10.1145/325165.325242";
var taskArithmeticOrder = (terms) => `\`acc = base; acc = fround(acc + fround(\u03BB\u1D62\xB7\u03C4\u1D62))\` for i = 1\u2026${terms}, each \u03BB rounded to float32 first`;
var plain = { terms: void 0, weightsScale: true, checkParameters: void 0 };
var taskArithmetic = defineMethod(
  {
    ...plain,
    name: "task_arithmetic",
    title: "Task arithmetic",
    formula: "\u03B8 = \u03B8_base + \u03A3_i \u03BB_i \u03C4_i",
    reference: taskArithmeticPaper,
    summary: "\u03B8 = \u03B8_base + \u03A3 \u03BB\u1D62 \u03C4\u1D62 (Ilharco et al., 2023)",
    granularity: "elementwise",
    random: false,
    electsSign: false,
    parameters: [],
    card: {
      phrase: "task arithmetic (Ilharco et al., ICLR 2023)",
      describe: { formula: sumFormula(), explain: () => [] },
      order: taskArithmeticOrder
    }
  },
  sparsifyAndCombine(() => ({ sparsification: { kind: "none" }, consensus: { kind: "sum" } }))
);
function summing(masks, words, options = {}) {
  const scaled = options.scaled === true;
  return defineMethod(
    {
      ...familyFields(masks, words),
      electsSign: false,
      parameters: scaled ? [...masks.parameters, lambda] : masks.parameters,
      ...masks.checkParameters ? { checkParameters: masks.checkParameters } : {},
      card: { phrase: words.phrase, describe: { formula: sumFormula(masks.operator), explain: masks.explain } }
    },
    sparsifyAndCombine((p, ...operands) => ({
      sparsification: masks.sparsification(p, ...operands),
      consensus: scaled ? { kind: "sum", lambda: p.lambda } : { kind: "sum" }
    }))
  );
}
function electing(masks, words) {
  return defineMethod(
    {
      ...familyFields(masks, words),
      electsSign: true,
      parameters: [...masks.parameters, lambda],
      ...masks.checkParameters ? { checkParameters: masks.checkParameters } : {},
      card: {
        phrase: words.phrase,
        describe: {
          formula: electFormula(masks.operator),
          explain: (options) => [...masks.explain(options), ...electLines]
        }
      }
    },
    sparsifyAndCombine((p, ...operands) => ({
      sparsification: masks.sparsification(p, ...operands),
      consensus: { kind: "ties", lambda: p.lambda }
    }))
  );
}
function familyFields(masks, words) {
  const { name, title, formula, summary } = words;
  const { reference, granularity, random } = masks;
  return { ...plain, name, title, formula, reference, summary, granularity, random };
}
var trimMasks = {
  operator: "trim",
  reference: tiesPaper,
  granularity: "tensor",
  random: false,
  parameters: [density],
  explain: ({ parameters, format }) => [trimLine(parameters, format)],
  sparsification: (p) => ({ kind: "magnitude", density: p.density })
};
var dareMasks = {
  operator: "dare",
  reference: darePaper,
  granularity: "elementwise",
  random: true,
  parameters: [dropRate],
  explain: ({ parameters, format }) => dareLines(parameters, format),
  sparsification: (p, random) => ({ kind: "dare", dropRate: p.drop_rate, ...random })
};
var crumbsMasks = {
  operator: "crumbs",
  reference: breadcrumbsPaper,
  granularity: "tensor",
  random: false,
  parameters: [crumbsDensity, gamma],
  explain: ({ parameters, format }) => [breadcrumbsLine(parameters, format)],
  sparsification: (p) => ({ kind: "breadcrumbs", density: p.density, gamma: p.gamma })
};
var magpruneMasks = {
  operator: "magprune",
  reference: dellaPaper,
  granularity: "tensor",
  random: true,
  parameters: [dellaDensity, epsilon],
  checkParameters: checkDella,
  explain: ({ parameters, format }) => dellaLines(parameters, format),
  sparsification: (p, random, shape, n) => ({
    kind: "della",
    density: p.density,
    epsilon: p.epsilon,
    rowLength: rowLengthOf(shape, n),
    ...random
  })
};
var magnitudePruneMethod = summing(trimMasks, {
  name: "magnitude_prune",
  title: "Magnitude pruning",
  formula: "\u03B8 = \u03B8_base + \u03A3_i \u03BB_i topk(\u03C4_i)",
  summary: "each \u03C4\u1D62 keeps the `density` fraction of its entries largest in magnitude, tensor by tensor; then the sum",
  phrase: "magnitude pruning of each task vector, then task arithmetic"
});
var ties = electing(trimMasks, {
  name: "ties",
  title: "TIES-Merging",
  formula: "\u03B8 = \u03B8_base + \u03BB \xB7 disjoint_mean(elect(\u03BB_i trim(\u03C4_i)))",
  summary: "trim as above; per entry, elect the sign of \u03A3 \u03BB\u1D62 \u03C4\u0302\u1D62 and average the values that agree (Yadav et al., 2023)",
  phrase: "TIES merging (Yadav et al., NeurIPS 2023)"
});
var dareLinear = summing(dareMasks, {
  name: "dare_linear",
  title: "DARE + task arithmetic",
  formula: "\u03B8 = \u03B8_base + \u03A3_i \u03BB_i dare_p(\u03C4_i)",
  summary: "drop each entry of each \u03C4\u1D62 with probability `drop_rate`, divide the rest by 1 \u2212 `drop_rate`; then the sum (Yu et al., 2024)",
  phrase: "DARE (Yu et al., ICML 2024) with a weighted sum"
});
var dareTies = electing(dareMasks, {
  name: "dare_ties",
  title: "DARE + TIES",
  formula: "\u03B8 = \u03B8_base + \u03BB \xB7 disjoint_mean(elect(\u03BB_i dare_p(\u03C4_i)))",
  summary: "DARE as above, then TIES' election and disjoint mean (no trim)",
  phrase: "DARE (Yu et al., ICML 2024) with TIES sign election"
});
var breadcrumbs = summing(crumbsMasks, {
  name: "breadcrumbs",
  title: "Model Breadcrumbs",
  formula: "\u03B8 = \u03B8_base + \u03A3_i \u03BB_i crumbs(\u03C4_i)",
  summary: "each \u03C4\u1D62 loses its `gamma` fraction of largest entries (outliers) and keeps the next `density` fraction, tensor by tensor; then the sum (Davari & Belilovsky, 2023)",
  phrase: "Model Breadcrumbs (Davari & Belilovsky, 2023)"
});
var breadcrumbsTies = electing(crumbsMasks, {
  name: "breadcrumbs_ties",
  title: "Model Breadcrumbs + TIES",
  formula: "\u03B8 = \u03B8_base + \u03BB \xB7 disjoint_mean(elect(\u03BB_i crumbs(\u03C4_i)))",
  summary: "Breadcrumbs' masks as above, then TIES' election and disjoint mean",
  phrase: "Model Breadcrumbs (Davari & Belilovsky, 2023) with TIES sign election"
});
function checkDella(p) {
  const d = p.density;
  const e = p.epsilon;
  return d - e > 0 && d + e <= 1 ? void 0 : { name: "epsilon", needs: `density \u2212 epsilon above 0 and density + epsilon at most 1 (density is ${d})` };
}
function rowLengthOf(shape, n) {
  return shape !== void 0 && shape.length >= 2 ? shape[shape.length - 1] : n;
}
var della = electing(magpruneMasks, {
  name: "della",
  title: "DELLA-Merging",
  formula: "\u03B8 = \u03B8_base + \u03BB \xB7 disjoint_mean(elect(\u03BB_i magprune(\u03C4_i)))",
  summary: "each entry of each row of \u03C4\u1D62 is kept with a probability from `density` \u2212 `epsilon` (smallest) to `density` + `epsilon` (largest magnitude) and divided by it; then TIES' election and disjoint mean (Deep et al., 2024)",
  phrase: "DELLA (Deep et al., 2024) with TIES sign election"
});
var dellaLinear = summing(
  magpruneMasks,
  {
    name: "della_linear",
    title: "DELLA + task arithmetic",
    formula: "\u03B8 = \u03B8_base + \u03BB \xB7 \u03A3_i \u03BB_i magprune(\u03C4_i)",
    summary: "DELLA's rank-based drop and rescale as above; then the sum, times `lambda`",
    phrase: "DELLA (Deep et al., 2024) with a weighted sum"
  },
  { scaled: true }
);
var modelStockMethod = defineMethod(
  {
    name: "model_stock",
    title: "Model Stock",
    formula: "\u03B8 = \u03B8_base + t \xB7 mean_i(\u03BB_i \u03C4_i), t = N cos \u03B8 / (1 + (N \u2212 1) cos \u03B8)",
    reference: modelStockPaper,
    summary: "the mean of the \u03BB\u1D62 \u03C4\u1D62, times t = N\xB7cos \u03B8 / (1 + (N \u2212 1)\xB7cos \u03B8) with \u03B8 their mean pairwise angle, per tensor (or per row with `filter_wise`); needs at least 2 task vectors (Jang et al., 2024)",
    granularity: "tensor",
    random: false,
    electsSign: false,
    weightsScale: true,
    terms: { min: 2 },
    parameters: [filterWise],
    card: {
      phrase: "Model Stock (Jang et al., ECCV 2024)",
      describe: {
        formula: ({ terms, format }) => `\u03B8 = \u03B8(base) + t\xB7mean(${terms.map((term) => `${format(term.weight)}\xB7${term.symbol}`).join(", ")})`,
        explain: ({ parameters }) => [
          `- \`t\` = N\xB7cos \u03B8 / (1 + (N \u2212 1)\xB7cos \u03B8), with N the number of task vectors and cos \u03B8 the mean of their pairwise cosine similarities, ${parameters.filter_wise === true ? "computed for each row of each tensor (filter_wise)" : "computed for each tensor"}; it pulls the average of the fine-tunes towards the base.`
        ]
      }
    }
  },
  (input, p) => modelStock({ ...kernelInput(input), axis: p.filter_wise === true ? "last" : "whole" })
);
var nuslerpMethod = defineMethod(
  {
    name: "nuslerp",
    title: "Task-vector SLERP",
    formula: "\u03B8 = \u03B8_base + slerp(w\u2082 / (w\u2081 + w\u2082), \u03C4\u2081, \u03C4\u2082)",
    reference: slerpPaper,
    summary: "\u03B8_base + the spherical interpolation between \u03C4\u2081 and \u03C4\u2082 at t = w\u2082 / (w\u2081 + w\u2082), per tensor (`nuslerp_flatten`) or per row or column (`nuslerp_row_wise`); exactly 2 task vectors (mergekit's `nuslerp` with a base)",
    granularity: "tensor",
    random: false,
    electsSign: false,
    weightsScale: false,
    terms: { min: 2, max: 2 },
    parameters: [nuslerpFlatten, nuslerpRowWise],
    checkParameters: (p) => p.nuslerp_flatten === true && p.nuslerp_row_wise === true ? { name: "nuslerp_row_wise", needs: "nuslerp_flatten: false (it chooses the slices of an unflattened tensor)" } : void 0,
    card: {
      phrase: "SLERP between task vectors (Shoemake, 1985; mergekit's nuslerp)",
      describe: {
        formula: ({ terms, format }) => {
          const [first, second] = terms.map((term) => term.weight);
          const t = slerpFactor([first ?? 0, second ?? 0]);
          return `\u03B8 = \u03B8(base) + slerp(${format(t)}, ${terms.map((term) => term.symbol).join(", ")})`;
        },
        explain: ({ parameters }) => [
          `- \`slerp(t, \u03C4\u2081, \u03C4\u2082)\` follows the great circle from \u03C4\u2081 (t = 0) to \u03C4\u2082 (t = 1) with t = w\u2082 / (w\u2081 + w\u2082), ${parameters.nuslerp_flatten === false ? parameters.nuslerp_row_wise === true ? "for each slice of a tensor along its first dimension (each column of a matrix)" : "for each slice of a tensor along its last dimension (each row of a matrix)" : "for each tensor as one flat vector"}; it interpolates the lengths linearly and the directions by angle, and falls back to a straight line where the vectors are parallel.`
        ]
      }
    }
  },
  (input, p) => nuslerp({
    ...kernelInput(input),
    axis: p.nuslerp_flatten === true ? "whole" : p.nuslerp_row_wise === true ? "first" : "last"
  })
);
var mergeMethods = [
  taskArithmetic,
  magnitudePruneMethod,
  ties,
  dareLinear,
  dareTies,
  breadcrumbs,
  breadcrumbsTies,
  della,
  dellaLinear,
  modelStockMethod,
  nuslerpMethod
];
function findMergeMethod(name) {
  return mergeMethods.find((method) => method.name === name);
}
function findParameterProblem(method, given, accepted = method.parameters) {
  const known = new Set(accepted.map((parameter) => parameter.name));
  const unknown = Object.keys(given).find((name) => !known.has(name));
  if (unknown !== void 0) return { kind: "unknown", name: unknown };
  const resolved = {};
  for (const parameter of accepted) {
    const value = given[parameter.name] ?? parameter.default;
    const needs = valueNeeds(parameter, value);
    if (needs !== void 0) return { kind: "value", name: parameter.name, value, needs };
    resolved[parameter.name] = value;
  }
  const combination = method.checkParameters?.(resolved);
  return combination === void 0 ? void 0 : { kind: "value", name: combination.name, value: resolved[combination.name], needs: combination.needs };
}
function resolveMethodParameters(options) {
  const { method } = options;
  const given = options.given ?? {};
  const path = options.path ?? "parameters";
  const problem = findParameterProblem(method, given);
  if (problem?.kind === "unknown") {
    const accepted = method.parameters.length ? `it takes ${method.parameters.map((p) => p.name).join(", ")}` : "it takes none";
    throw new UsageError(`${path}.${problem.name} is not a parameter of the ${method.name} method; ${accepted}.`, {
      code: "METHOD_UNKNOWN_PARAMETER",
      subject: `${path}.${problem.name}`
    });
  }
  if (problem !== void 0) {
    throw new UsageError(
      `${path}.${problem.name} is ${String(problem.value)}, but ${method.name} needs ${problem.needs}.`,
      {
        code: "METHOD_PARAMETER_RANGE",
        subject: `${path}.${problem.name}`
      }
    );
  }
  const resolved = {};
  for (const parameter of method.parameters) resolved[parameter.name] = given[parameter.name] ?? parameter.default;
  return resolved;
}
function defineMethod(spec, kernel) {
  const method = { ...spec, merge: (input) => run(method, input, kernel) };
  return method;
}
function run(method, input, kernel) {
  const parameters = resolveMethodParameters({ method, ...input.parameters ? { given: input.parameters } : {} });
  if (method.random && !input.random) {
    throw new UsageError(
      `The ${method.name} method draws random numbers and needs a seed; set a seed for the merge (the model card records it).`,
      {
        code: "METHOD_SEED_REQUIRED",
        subject: "seed"
      }
    );
  }
  if (method.granularity === "tensor" && (input.offset ?? 0) !== 0) {
    throw new InternalError(`The ${method.name} method ranks whole tensors and cannot take a chunk at an offset.`, {
      code: "ARITHMETIC_NEEDS_WHOLE_TENSOR"
    });
  }
  return kernel(input, parameters);
}
function kernelInput(input) {
  return {
    base: input.base,
    taskVectors: input.taskVectors,
    weights: input.weights,
    ...input.shape ? { shape: input.shape } : {},
    ...input.out ? { out: input.out } : {}
  };
}
function sparsifyAndCombine(configure) {
  return (input, parameters) => {
    const { sparsification, consensus } = configure(
      parameters,
      input.random ?? { seed: 0, tensorName: "" },
      input.shape,
      input.base.length
    );
    return generalizedMerge({
      base: input.base,
      taskVectors: input.taskVectors,
      weights: input.weights,
      sparsification,
      consensus,
      ...input.offset !== void 0 ? { offset: input.offset } : {},
      ...input.out ? { out: input.out } : {}
    });
  };
}

// src/engine/compute-messages.ts
var computeProtocol = 5;
function fromWireJob(wire) {
  if (wire.kind.op !== "merge") return wire;
  const method = findMergeMethod(wire.kind.method);
  if (!method)
    throw new InternalError(`A worker got merge method ${wire.kind.method}, which it has no kernel for.`, {
      code: "COMPUTE_UNKNOWN_METHOD"
    });
  return { ...wire, kind: { ...wire.kind, method } };
}
function slotView(memory, slotBytes, slot, length) {
  return new Uint8Array(memory, slot * slotBytes, length);
}

// src/arithmetic/simd/create-task-vector-statistics.ts
function createTaskVectorStatistics(options = {}) {
  const composed = composedKernel(options.kernels ?? javascriptKernels);
  if (options.implementation === "js" || !hostIsLittleEndian) return composed;
  const simd = instantiateSimdKernels();
  if (!simd) return composed;
  return fusedKernel(simd, Math.ceil((options.chunkElements ?? 16384) / 8) * 8, composed);
}
function composedKernel(kernels) {
  let scratch = new Float32Array(0);
  return ({ finetuned, base, dtype, out }) => {
    const bytes = kernels.computeTaskVector({ finetuned, base, dtype, ...out === void 0 ? {} : { out } });
    const count = encodedLength(base);
    if (scratch.length < count) scratch = new Float32Array(count);
    const values = kernels.decodeToF32({ dtype, bytes, out: scratch.subarray(0, count) });
    const lanes = new Float64Array(8);
    addSquares(values, lanes);
    return {
      bytes,
      sumOfSquares: combineLanes(lanes),
      reconstruction: kernels.reconstructionError({ base, finetuned, taskVector: { dtype, bytes } })
    };
  };
}
function addSquares(values, lanes) {
  const n = values.length;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    for (let lane = 0; lane < 8; lane++) {
      const value = values[i + lane];
      lanes[lane] = lanes[lane] + value * value;
    }
  }
  for (let lane = 0; i < n; i++, lane++) {
    const value = values[i];
    lanes[lane] = lanes[lane] + value * value;
  }
}
function combineLanes(lanes) {
  const s = (i) => lanes[i];
  return s(0) + s(1) + (s(2) + s(3)) + (s(4) + s(5) + (s(6) + s(7)));
}
var slotCount2 = 4;
var wasmPageBytes2 = 65536;
function fusedKernel(simd, capacity, composed) {
  const slotBytes = capacity * 4;
  const start = Math.ceil(simd.heapBase() / 64) * 64;
  const needed = start + slotCount2 * slotBytes + 128;
  const current = simd.memory.buffer.byteLength;
  if (needed > current) simd.memory.grow(Math.ceil((needed - current) / wasmPageBytes2));
  const memory = new Uint8Array(simd.memory.buffer);
  const [ftAt, baseAt, tauAt] = [start, start + slotBytes, start + 2 * slotBytes];
  const result = start + (slotCount2 - 1) * slotBytes;
  const found = new Int32Array(simd.memory.buffer, result, 1);
  const largest = new Float64Array(simd.memory.buffer, result + 8, 1);
  const sums = result + 64;
  const kernelLanes = new Float64Array(simd.memory.buffer, sums, 8);
  const kernels = {
    BF16: simd.taskVectorStatsBf16,
    F16: simd.taskVectorStatsF16,
    F32: simd.taskVectorStatsF32
  };
  const interleaved = [0, 4, 1, 5, 2, 6, 3, 7];
  const inOrder = [0, 1, 2, 3, 4, 5, 6, 7];
  return (options) => {
    const { finetuned, base, dtype } = options;
    if (finetuned.dtype !== dtype || base.dtype !== dtype || dtype === "F64") return composed(options);
    const count = taskVectorOperandLength(options);
    const size = dtypeSize(dtype);
    const out = outputBytes(options.out, count * size);
    const kernel = kernels[dtype];
    let mismatches = 0;
    let maxAbsError = 0;
    kernelLanes.fill(0);
    for (let at = 0; at < count; at += capacity) {
      const n = Math.min(capacity, count - at);
      const bytes = n * size;
      memory.set(finetuned.bytes.subarray(at * size, at * size + bytes), ftAt);
      memory.set(base.bytes.subarray(at * size, at * size + bytes), baseAt);
      kernel(ftAt, baseAt, tauAt, n, sums, result);
      out.set(memory.subarray(tauAt, tauAt + bytes), at * size);
      mismatches += found[0];
      if (largest[0] > maxAbsError) maxAbsError = largest[0];
    }
    const sumOfSquares2 = combineLanes((dtype === "F32" ? inOrder : interleaved).map((i) => kernelLanes[i]));
    return {
      bytes: out,
      sumOfSquares: sumOfSquares2,
      reconstruction: { ...emptyReconstructionStats, elements: count, mismatches, maxAbsError }
    };
  };
}
function outputBytes(out, byteLength) {
  if (!out) return new Uint8Array(byteLength);
  if (out.byteLength < byteLength) {
    throw new InternalError(
      `The output buffer holds ${out.byteLength} bytes but the task vector needs ${byteLength}.`,
      { code: "ENCODE_OUT_TOO_SMALL" }
    );
  }
  return out.byteLength === byteLength ? out : out.subarray(0, byteLength);
}

// src/engine/check-finite-result.ts
function checkFiniteResult(options) {
  const { job, bytes } = options;
  const dtype = job.tensor.dtype;
  if (!isComputable(dtype) || !hasNonFinite(dtype, bytes)) return;
  const values = decodeToF32({ dtype, bytes });
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) continue;
    const cause = explain(options, i, dtype);
    if (cause === void 0) continue;
    const element = job.start + i;
    throw new DataError(
      `${job.tensor.name}[${element}] would be ${values[i]}: ${cause}; nothing was written or published, so ${advice(cause)}.`,
      { code: "NON_FINITE_RESULT", subject: job.tensor.name }
    );
  }
}
function hasNonFinite(dtype, bytes) {
  const aligned = bytes.byteOffset % 4 === 0 ? Math.floor(bytes.byteLength / 4) : 0;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, aligned);
  const tail = bytes.subarray(aligned * 4);
  let flags = 0;
  switch (dtype) {
    case "BF16":
    case "F16": {
      const [mask, unit] = dtype === "BF16" ? [2139127680, 8388736] : [2080406528, 67109888];
      for (let i = 0; i < words.length; i++) flags |= (words[i] & mask) + unit & 2147516416;
      const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
      for (let i = 0; i + 1 < tail.byteLength; i += 2)
        flags |= (view.getUint16(i, true) & (mask & 65535)) + (unit & 65535) & 32768;
      return flags !== 0;
    }
    case "F32":
    case "F64": {
      const stride = dtype === "F64" ? 2 : 1;
      const [mask, unit] = dtype === "F64" ? [2146435072, 1048576] : [2139095040, 8388608];
      if (words.length * 4 === bytes.byteLength) {
        for (let i = stride - 1; i < words.length; i += stride)
          flags |= (words[i] & mask) + unit & 2147483648;
        return flags !== 0;
      }
      return decodeToF32({ dtype, bytes }).some((value) => !Number.isFinite(value));
    }
  }
}
function explain(options, i, dtype) {
  const { job, operands } = options;
  const at = (index) => {
    const operand2 = operands[index];
    if (operand2 === void 0 || !isComputable(operand2.dtype)) return Number.NaN;
    const size = dtypeSize(operand2.dtype);
    return decodeToF32({ dtype: operand2.dtype, bytes: operand2.bytes.subarray(i * size, (i + 1) * size) })[0];
  };
  const rounding = `rounding the float32 result to ${dtype} overflows (${dtype} cannot hold it)`;
  switch (job.kind.op) {
    case "copy":
      return Number.isFinite(at(0)) ? rounding : void 0;
    case "taskVector": {
      const finetuned = at(0);
      const base = at(1);
      if (!Number.isFinite(finetuned) || !Number.isFinite(base)) return void 0;
      return Number.isFinite(Math.fround(finetuned - base)) ? rounding : `\u03C4 = fine-tuned \u2212 base = ${finetuned} \u2212 ${base} overflows float32`;
    }
    case "lora": {
      const tau = loraAt(job.kind, operands, 0, job.start + i, at);
      if (tau === void 0) return void 0;
      return Number.isFinite(tau) ? rounding : "the LoRA update s\xB7(B\xB7A) (plus saved \u2212 base) overflows float32";
    }
    case "merge": {
      const base = at(0);
      if (!Number.isFinite(base)) return void 0;
      let next = 1;
      let acc = base;
      let overflow;
      for (const term of job.kind.terms) {
        let tau = 0;
        if (term.tau.kind === "vector") tau = at(next++);
        else if (term.tau.kind === "taskVector") {
          const finetuned = at(next++);
          const ownBase = at(next++);
          if (!Number.isFinite(finetuned) || !Number.isFinite(ownBase)) return void 0;
          tau = Math.fround(finetuned - ownBase);
          if (!Number.isFinite(tau) && overflow === void 0)
            overflow = `\u03C4 of term ${term.term + 1} (fine-tuned \u2212 base) overflows float32`;
        } else if (term.tau.kind === "lora") {
          const update = loraAt(term.tau, operands, next, job.start + i, at);
          next += term.tau.replaced ? 4 : 2;
          if (update === void 0) return void 0;
          tau = update;
          if (!Number.isFinite(tau) && overflow === void 0)
            overflow = `\u03C4 of term ${term.term + 1} (the adapter's s\xB7(B\xB7A)) overflows float32`;
        }
        if (!Number.isFinite(tau)) return overflow;
        const scaled = Math.fround(term.weight32 * tau);
        const label = `term ${term.term + 1} (\u03BB = ${term.weight32})`;
        if (!Number.isFinite(scaled) && overflow === void 0) {
          overflow = Number.isFinite(term.weight32) ? `\u03BB\xB7\u03C4 of ${label} overflows float32` : `the \u03BB of ${label} is too large for float32`;
        }
        acc = Math.fround(acc + scaled);
        if (!Number.isFinite(acc) && overflow === void 0) overflow = `adding ${label} overflows float32`;
      }
      if (overflow !== void 0) return overflow;
      return job.kind.method.name === "task_arithmetic" ? rounding : `the ${job.kind.method.name} merge of finite terms gives a non-finite value`;
    }
  }
}
function loraAt(update, operands, first, element, at) {
  const decode = (operand2) => operand2 && isComputable(operand2.dtype) ? decodeToF32({ dtype: operand2.dtype, bytes: operand2.bytes }) : void 0;
  const a = decode(operands[first]);
  const b = decode(operands[first + 1]);
  if (!a || !b || !a.every(Number.isFinite) || !b.every(Number.isFinite)) return void 0;
  const { rank } = update;
  const inFeatures = a.length / rank;
  const outFeatures = b.length / rank;
  const columns = update.transpose ? outFeatures : inFeatures;
  const row = Math.floor(element / columns);
  const column = element % columns;
  const [o, i] = update.transpose ? [column, row] : [row, column];
  let acc = 0;
  for (let k = 0; k < rank; k++)
    acc = Math.fround(acc + Math.fround(b[o * rank + k] * a[k * inFeatures + i]));
  const delta = Math.fround(update.scale32 * acc);
  if (!update.replaced) return delta;
  const saved = at(first + 2);
  const base = at(first + 3);
  if (!Number.isFinite(saved) || !Number.isFinite(base)) return void 0;
  return Math.fround(Math.fround(saved - base) + delta);
}
function advice(cause) {
  if (cause.includes("\u03BB"))
    return "use a smaller weight or scale (|\u03BB| must stay well below 3.4e38, float32's largest value)";
  if (cause.includes("rounding")) return "publish with a wider dtype (--dtype f32, or output.dtype: f32 in a recipe)";
  return "check the models' weights";
}

// src/engine/compute-lora.ts
function loraRange(options) {
  const { update, start, end, kernels } = options;
  const ops = loraOperands({
    a: options.a,
    b: options.b,
    rank: update.rank,
    transpose: update.transpose,
    scale: update.scale32
  });
  const rowStart = Math.floor(start / ops.columns);
  const rowEnd = Math.ceil(end / ops.columns);
  const rows = kernels.loraDeltaRows({ ...ops, rank: update.rank, scale: update.scale32, rowStart, rowEnd });
  const offset = start - rowStart * ops.columns;
  return offset === 0 && rows.length === end - start ? rows : rows.slice(offset, offset + end - start);
}
function addReplaced(options) {
  const { kernels } = options;
  const replaced = kernels.subtract({ finetuned: options.saved, base: options.base });
  return kernels.addScaled({ acc: replaced, tau: options.delta, weight: 1 });
}

// src/engine/compute-job.ts
function loraOperandRefs(update) {
  const factors = [
    { ...update.a, whole: true },
    { ...update.b, whole: true }
  ];
  return update.replaced ? [...factors, update.replaced.saved, update.replaced.base] : factors;
}
function computeJob(options) {
  const { job, operands, kernels } = options;
  const outDtype = job.tensor.dtype;
  const count = job.end - job.start;
  switch (job.kind.op) {
    case "copy": {
      const source = operand(operands, 0);
      if (source.dtype === outDtype) return source.bytes;
      const values = kernels.decodeToF32({ dtype: computable(source.dtype), bytes: source.bytes });
      return kernels.encodeFromF32({ dtype: computable(outDtype), values });
    }
    case "taskVector":
      return kernels.computeTaskVector({
        finetuned: encoded(operand(operands, 0)),
        base: encoded(operand(operands, 1)),
        dtype: computable(outDtype)
      });
    case "lora":
      return kernels.encodeFromF32({
        dtype: computable(outDtype),
        values: loraValues(job, job.kind, operands, 0, kernels)
      });
    case "merge": {
      const { method, terms } = job.kind;
      const base = encoded(operand(operands, 0));
      if (method.name === "task_arithmetic") {
        return kernels.mergeChunk({
          base,
          terms: mergeTerms(job, terms, operands, count, job.kind.base, kernels),
          dtype: computable(outDtype)
        });
      }
      const baseValues = kernels.decodeToF32(base);
      const taskVectors = tauValues(job, terms, operands, count, kernels);
      const merged = method.merge({
        base: baseValues,
        taskVectors,
        weights: terms.map((term) => term.weight32),
        parameters: job.kind.parameters,
        ...method.random ? { random: { seed: job.kind.seed ?? 0, tensorName: job.tensor.name } } : {},
        ...method.granularity === "tensor" ? { shape: regionShape(job) } : {},
        offset: job.start
      });
      return kernels.encodeFromF32({ dtype: computable(outDtype), values: merged });
    }
  }
}
function regionShape(job) {
  const shape = job.tensor.shape;
  if (shape.length === 0) return [];
  const rowLength = shape.slice(1).reduce((a, b) => a * b, 1);
  return [(job.end - job.start) / Math.max(1, rowLength), ...shape.slice(1)];
}
function mergeTerms(job, terms, operands, count, mergeBase, kernels) {
  let next = 1;
  return terms.map((term) => {
    switch (term.tau.kind) {
      case "vector":
        return { weight: term.weight32, taskVector: encoded(operand(operands, next++)) };
      case "taskVector": {
        const finetuned = encoded(operand(operands, next++));
        const base = encoded(operand(operands, next++));
        if (sameRef(term.tau.base, mergeBase)) return { weight: term.weight32, finetuned };
        return {
          weight: term.weight32,
          taskVector: { dtype: "F32", bytes: kernels.computeTaskVector({ finetuned, base, dtype: "F32" }) }
        };
      }
      case "zero":
        return { weight: term.weight32, taskVector: { dtype: "F32", bytes: new Uint8Array(count * 4) } };
      case "lora": {
        const values = loraValues(job, term.tau, operands, next, kernels);
        next += loraOperandRefs(term.tau).length;
        return {
          weight: term.weight32,
          taskVector: { dtype: "F32", bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) }
        };
      }
    }
  });
}
function tauValues(job, terms, operands, count, kernels) {
  let next = 1;
  return terms.map((term) => {
    switch (term.tau.kind) {
      case "vector":
        return kernels.decodeToF32(encoded(operand(operands, next++)));
      case "taskVector": {
        const finetuned = kernels.decodeToF32(encoded(operand(operands, next++)));
        const base = kernels.decodeToF32(encoded(operand(operands, next++)));
        return kernels.subtract({ finetuned, base, out: finetuned });
      }
      case "zero":
        return new Float32Array(count);
      case "lora": {
        const values = loraValues(job, term.tau, operands, next, kernels);
        next += loraOperandRefs(term.tau).length;
        return values;
      }
    }
  });
}
function loraValues(job, update, operands, first, kernels) {
  const a = kernels.decodeToF32(encoded(operand(operands, first)));
  const b = kernels.decodeToF32(encoded(operand(operands, first + 1)));
  const delta = loraRange({ a, b, update, start: job.start, end: job.end, kernels });
  if (!update.replaced) return delta;
  const saved = kernels.decodeToF32(encoded(operand(operands, first + 2)));
  const base = kernels.decodeToF32(encoded(operand(operands, first + 3)));
  return addReplaced({ saved, base, delta, kernels });
}
function sameRef(a, b) {
  return a.input === b.input && a.name === b.name;
}
function operand(operands, i) {
  const found = operands[i];
  if (!found) throw new InternalError(`A job is missing operand ${i}.`, { code: "EXECUTE_MISSING_OPERAND" });
  return found;
}
function encoded(value) {
  return { dtype: computable(value.dtype), bytes: value.bytes };
}
function computable(dtype) {
  if (!isComputable(dtype))
    throw new InternalError(`A float operation reached a ${dtype} tensor.`, { code: "EXECUTE_NOT_FLOAT" });
  return dtype;
}

// src/engine/create-job-runner.ts
function createJobRunner(options) {
  const { kernels, statistics } = options;
  const taskVector = createTaskVectorStatistics({
    implementation: kernels.implementation === "wasm" ? "auto" : "js",
    kernels
  });
  let scratch = new Float32Array(0);
  const squares = (dtype, bytes) => {
    const count = bytes.byteLength / dtypeSize(dtype);
    if (scratch.length < count) scratch = new Float32Array(count);
    const values = kernels.decodeToF32({ dtype, bytes, out: scratch.subarray(0, count) });
    return kernels.sumOfSquares({ values });
  };
  return (job, operands, out) => {
    const dtype = job.tensor.dtype;
    if (statistics && job.kind.op === "taskVector" && isComputable(dtype)) {
      const [finetuned, base] = operands;
      if (finetuned && base && isComputable(finetuned.dtype) && isComputable(base.dtype)) {
        const bytes2 = (job.end - job.start) * dtypeSize(dtype);
        const computed = taskVector({
          finetuned: { dtype: finetuned.dtype, bytes: finetuned.bytes },
          base: { dtype: base.dtype, bytes: base.bytes },
          dtype,
          ...out && out.byteLength >= bytes2 ? { out: out.subarray(0, bytes2) } : {}
        });
        checkFiniteResult({ job, operands, bytes: computed.bytes });
        return { bytes: computed.bytes, sumOfSquares: computed.sumOfSquares, reconstruction: computed.reconstruction };
      }
    }
    const bytes = computeJob({ job, operands, kernels });
    checkFiniteResult({ job, operands, bytes });
    if (!statistics || !isComputable(dtype)) return { bytes };
    if (job.kind.op === "copy" || job.kind.op === "lora") {
      return { bytes, sumOfSquares: squares(dtype, bytes) };
    }
    return { bytes };
  };
}

// src/arithmetic/low-rank/matrix-kernels.ts
function createMatrixKernels(options = {}) {
  const wanted = options.implementation ?? "auto";
  if (wanted !== "js" && hostIsLittleEndian) {
    const simd = instantiateSimdKernels();
    if (simd) {
      const native = wanted === "auto" || wanted === "native" ? loadNativeKernels() : void 0;
      if (native) return new NativeMatrixKernels(simd, native, Math.max(1, Math.floor(options.threads ?? 1)));
      if (wanted !== "native") return new WasmMatrixKernels(simd);
    }
  }
  if (wanted === "wasm" || wanted === "native")
    throw new InternalError(`The ${wanted} matrix kernels are not available here.`, { code: "SIMD_UNAVAILABLE" });
  return new JsMatrixKernels();
}
var pageBytes = 65536;
var callMultiplyAdds = 1 << 25;
var maxWasmBytes = 65536 * pageBytes;
var WasmMatrixKernels = class {
  constructor(simd) {
    this.simd = simd;
    this.start = Math.ceil(simd.heapBase() / 64) * 64;
    this.view = new Float32Array(simd.memory.buffer, this.start, simd.memory.buffer.byteLength - this.start >> 2);
  }
  simd;
  implementation = "wasm";
  start;
  view;
  reserve(floats) {
    const needed = this.start + floats * 4;
    if (needed > maxWasmBytes) {
      throw new InternalError(`A matrix of ${floats} float32 values does not fit the 4 GiB of WebAssembly memory.`, {
        code: "MATRIX_TOO_LARGE"
      });
    }
    const current = this.simd.memory.buffer.byteLength;
    if (needed > current) this.simd.memory.grow(Math.ceil((needed - current) / pageBytes));
    if (this.view.buffer !== this.simd.memory.buffer || this.view.byteLength === 0) {
      this.view = new Float32Array(
        this.simd.memory.buffer,
        this.start,
        this.simd.memory.buffer.byteLength - this.start >> 2
      );
    }
  }
  floats() {
    if (this.view.buffer !== this.simd.memory.buffer) this.reserve(0);
    return this.view;
  }
  gemm(o) {
    checkGemm(o, this.view.length);
    const at = (offset) => this.start + offset * 4;
    if (o.m < 256) {
      const step2 = Math.max(512, Math.floor(callMultiplyAdds / Math.max(1, o.k * o.m) / 8) * 8);
      for (let j = 0; j < o.n; j += step2) {
        this.simd.gemmF32(at(o.a), o.lda, at(o.b + j), o.ldb, at(o.c + j), o.ldc, o.m, o.k, Math.min(step2, o.n - j));
      }
      return;
    }
    const step = Math.max(128, Math.floor(callMultiplyAdds / Math.max(1, o.k * o.n) / 4) * 4);
    for (let i = 0; i < o.m; i += step) {
      const rows = Math.min(step, o.m - i);
      this.simd.gemmF32(at(o.a + i * o.lda), o.lda, at(o.b), o.ldb, at(o.c + i * o.ldc), o.ldc, rows, o.k, o.n);
    }
  }
  sumOfSquares(a, n) {
    return this.simd.sumOfSquaresF32(this.start + a * 4, n, 0);
  }
  squaredDistance(a, b, n) {
    return this.simd.squaredDistanceF32(this.start + a * 4, this.start + b * 4, n);
  }
  doubles() {
    const floats = this.floats();
    return new Float64Array(floats.buffer, floats.byteOffset, floats.length >> 1);
  }
  gram(x, rows, cols, g) {
    this.simd.gramF64(this.start + x * 4, rows, cols, this.start + g * 4);
  }
  solveUpper(x, rows, cols, r) {
    this.simd.solveUpperF64(this.start + x * 4, rows, cols, this.start + r * 4);
  }
};
var NativeMatrixKernels = class extends WasmMatrixKernels {
  constructor(simd, native, threads) {
    super(simd);
    this.native = native;
    this.threads = threads;
  }
  native;
  threads;
  implementation = "native";
  gemm(o) {
    checkGemm(o, this.floats().length);
    const at = (offset) => this.start + offset * 4;
    this.native.gemmF32(
      this.simd.memory.buffer,
      at(o.a),
      o.lda,
      at(o.b),
      o.ldb,
      at(o.c),
      o.ldc,
      o.m,
      o.k,
      o.n,
      this.threads
    );
  }
  squaredDistance(a, b, n) {
    return this.native.squaredDistanceF32(this.simd.memory.buffer, this.start + a * 4, this.start + b * 4, n);
  }
  gram(x, rows, cols, g) {
    this.native.gramF64(this.simd.memory.buffer, this.start + x * 4, rows, cols, this.start + g * 4, this.threads);
  }
  solveUpper(x, rows, cols, r) {
    this.native.solveUpperF64(
      this.simd.memory.buffer,
      this.start + x * 4,
      rows,
      cols,
      this.start + r * 4,
      this.threads
    );
  }
};
var JsMatrixKernels = class {
  implementation = "js";
  heap = new Float32Array(0);
  reserve(floats) {
    if (floats <= this.heap.length) return;
    const grown = new Float32Array(Math.max(floats, Math.ceil(this.heap.length * 1.5)));
    grown.set(this.heap);
    this.heap = grown;
  }
  floats() {
    return this.heap;
  }
  gemm(o) {
    checkGemm(o, this.heap.length);
    gemmReference(this.heap, o);
  }
  sumOfSquares(a, n) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.heap[a + i] * this.heap[a + i];
    return sum;
  }
  squaredDistance(a, b, n) {
    return squaredDistanceReference(this.heap, a, b, n);
  }
  doubles() {
    return new Float64Array(this.heap.buffer, this.heap.byteOffset, this.heap.length >> 1);
  }
  gram(x, rows, cols, g) {
    gramReference(this.doubles(), x / 2, rows, cols, g / 2);
  }
  solveUpper(x, rows, cols, r) {
    solveUpperReference(this.doubles(), x / 2, rows, cols, r / 2);
  }
};
function gramReference(d, x, rows, cols, g) {
  for (let i = 0; i < cols; i++) {
    for (let j = i; j < cols; j++) {
      let even2 = 0;
      let odd = 0;
      const xi = x + i * rows;
      const xj = x + j * rows;
      const pairs = rows >> 1;
      for (let r = 0; r < pairs; r++) {
        even2 += d[xi + 2 * r] * d[xj + 2 * r];
        odd += d[xi + 2 * r + 1] * d[xj + 2 * r + 1];
      }
      if (rows & 1) even2 += d[xi + rows - 1] * d[xj + rows - 1];
      d[g + i * cols + j] = even2 + odd;
      d[g + j * cols + i] = even2 + odd;
    }
  }
}
function solveUpperReference(d, x, rows, cols, r) {
  for (let j = 0; j < cols; j++) {
    const yj = x + j * rows;
    for (let k = 0; k < j; k++) {
      const rkj = d[r + k * cols + j];
      if (rkj === 0) continue;
      const yk = x + k * rows;
      for (let i = 0; i < rows; i++) d[yj + i] = d[yj + i] - rkj * d[yk + i];
    }
    const pivot = d[r + j * cols + j];
    for (let i = 0; i < rows; i++) d[yj + i] = pivot === 0 ? 0 : d[yj + i] / pivot;
  }
}
function gemmReference(x, o) {
  if (o.k === 0) return;
  for (let i = 0; i < o.m; i++) {
    const c = o.c + i * o.ldc;
    x.fill(0, c, c + o.n);
    for (let p = 0; p < o.k; p++) {
      const a = x[o.a + i * o.lda + p];
      const b = o.b + p * o.ldb;
      for (let j = 0; j < o.n; j++) x[c + j] = x[c + j] + Math.fround(a * x[b + j]);
    }
  }
}
function squaredDistanceReference(x, a, b, n) {
  const sums = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const d = x[a + i] - x[b + i];
    sums[i & 3] = sums[i & 3] + d * d;
  }
  return sums[0] + sums[1] + (sums[2] + sums[3]);
}
function checkGemm(o, heapFloats) {
  const fits = (offset, rows, cols, ld) => rows === 0 || cols === 0 || offset + (rows - 1) * ld + cols <= heapFloats;
  if (o.n % 4 !== 0 || !fits(o.a, o.m, o.k, o.lda) || !fits(o.b, o.k, o.n, o.ldb) || !fits(o.c, o.m, o.n, o.ldc)) {
    throw new InternalError(
      `A matrix product of ${o.m}\xD7${o.k} by ${o.k}\xD7${o.n} does not fit its heap or its padding; this is a bug in tvhub.`,
      { code: "GEMM_BAD_SHAPE" }
    );
  }
}

// src/arithmetic/low-rank/gaussian-matrix.ts
function fillGaussian(out, offset, rows, cols, ld, stream) {
  const words = new Uint32Array(2 * cols);
  for (let i = 0; i < rows; i++) {
    fillRandom({ stream, start: 2 * i * cols, out: words });
    const row = offset + i * ld;
    for (let j = 0; j < cols; j++) {
      const u1 = (words[2 * j] + 1) / 2 ** 32;
      const u2 = words[2 * j + 1] / 2 ** 32;
      out[row + j] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
  }
}

// src/arithmetic/low-rank/orthonormalize.ts
function orthonormalize(options) {
  choleskyPass(options, true);
  choleskyPass(options, false);
}
function choleskyPass(options, shifted) {
  const { kernels, x, rows, cols, scratch } = options;
  kernels.gram(x, rows, cols, scratch);
  const d = kernels.doubles();
  const g = scratch / 2;
  if (shifted) {
    let trace = 0;
    for (let i = 0; i < cols; i++) trace += d[g + i * cols + i];
    const shift = 11 * (rows * cols + cols * (cols + 1)) * 2 ** -53 * trace;
    for (let i = 0; i < cols; i++) d[g + i * cols + i] = d[g + i * cols + i] + shift;
  }
  for (let j = 0; j < cols; j++) {
    let s = d[g + j * cols + j];
    for (let k = 0; k < j; k++) s -= d[g + k * cols + j] ** 2;
    const pivot = s > 0 ? Math.sqrt(s) : 0;
    d[g + j * cols + j] = pivot;
    for (let i = j + 1; i < cols; i++) {
      let t = d[g + j * cols + i];
      for (let k = 0; k < j; k++) t -= d[g + k * cols + j] * d[g + k * cols + i];
      d[g + j * cols + i] = pivot > 0 ? t / pivot : 0;
      d[g + i * cols + j] = 0;
    }
  }
  kernels.solveUpper(x, rows, cols, scratch);
}

// src/arithmetic/low-rank/symmetric-eigen.ts
function symmetricEigen(matrix, n) {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let diagonal = 0;
    for (let i = 0; i < n; i++) {
      diagonal += a[i * n + i] ** 2;
      for (let j = i + 1; j < n; j++) off += a[i * n + j] ** 2;
    }
    if (off <= diagonal * 1e-32 || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => a[j * n + j] - a[i * n + i] || i - j
  );
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    values[to] = a[from * n + from];
    for (let k = 0; k < n; k++) vectors[k * n + to] = v[k * n + from];
  });
  return { values, vectors };
}

// src/arithmetic/low-rank/randomized-svd.ts
function randomizedSvd(options) {
  const { kernels, rows: m, cols: n, ld, width: l, iterations } = options;
  const lp = roundUp4(l);
  const mp = roundUp4(m);
  const tau = 0;
  const basisN = even(m * ld);
  const sketchM = basisN + n * lp;
  const qt = sketchM + m * lp;
  const small = qt + l * mp;
  const xm = even(small + l * ld);
  const xn = xm + 2 * m * l;
  const scratch = xn + 2 * n * l;
  const wt = scratch + 2 * l * l;
  const utAt = even(wt + l * l);
  const vtAt = utAt + l * mp;
  kernels.reserve(vtAt + l * ld);
  let heap = kernels.floats();
  heap.fill(0, basisN, small + l * ld);
  fillGaussian(heap, basisN, n, l, lp, options.stream);
  const sketchToQ = () => {
    kernels.gemm({ a: tau, lda: ld, b: basisN, ldb: lp, c: sketchM, ldc: lp, m, k: n, n: lp });
    heap = kernels.floats();
    const d2 = kernels.doubles();
    const x = xm / 2;
    for (let i = 0; i < m; i++) {
      const row = sketchM + i * lp;
      for (let j = 0; j < l; j++) d2[x + j * m + i] = heap[row + j];
    }
    orthonormalize({ kernels, x: xm, rows: m, cols: l, scratch });
    for (let j = 0; j < l; j++) heap.set(d2.subarray(x + j * m, x + (j + 1) * m), qt + j * mp);
  };
  const projectRows = () => {
    kernels.gemm({ a: qt, lda: mp, b: tau, ldb: ld, c: small, ldc: ld, m: l, k: m, n: ld });
    heap = kernels.floats();
    const d2 = kernels.doubles();
    for (let j = 0; j < l; j++) d2.set(heap.subarray(small + j * ld, small + j * ld + n), xn / 2 + j * n);
  };
  sketchToQ();
  for (let it = 0; it < iterations; it++) {
    projectRows();
    orthonormalize({ kernels, x: xn, rows: n, cols: l, scratch });
    const d2 = kernels.doubles();
    const x = xn / 2;
    for (let i = 0; i < n; i++) {
      const row = basisN + i * lp;
      for (let j = 0; j < l; j++) heap[row + j] = d2[x + j * n + i];
    }
    sketchToQ();
  }
  projectRows();
  kernels.gram(xn, n, l, scratch);
  const d = kernels.doubles();
  const gram = d.slice(scratch / 2, scratch / 2 + l * l);
  const { vectors: w } = symmetricEigen(gram, l);
  heap = kernels.floats();
  for (let k = 0; k < l; k++) for (let j = 0; j < l; j++) heap[wt + k * l + j] = w[j * l + k];
  kernels.gemm({ a: wt, lda: l, b: small, ldb: ld, c: vtAt, ldc: ld, m: l, k: l, n: ld });
  kernels.gemm({ a: wt, lda: l, b: qt, ldb: mp, c: utAt, ldc: mp, m: l, k: l, n: mp });
  heap = kernels.floats();
  const raw = new Float64Array(l);
  for (let k = 0; k < l; k++) {
    let norm = 0;
    for (let c = 0; c < n; c++) norm += heap[vtAt + k * ld + c] ** 2;
    raw[k] = Math.sqrt(norm);
  }
  const order = Array.from({ length: l }, (_, k) => k).sort((i, j) => raw[j] - raw[i] || i - j);
  const values = new Float64Array(l);
  const vt = new Float32Array(l * n);
  const ut = new Float32Array(l * m);
  order.forEach((from, to) => {
    const sigma = raw[from];
    values[to] = sigma;
    if (sigma > 0) for (let c = 0; c < n; c++) vt[to * n + c] = heap[vtAt + from * ld + c] / sigma;
    ut.set(heap.subarray(utAt + from * mp, utAt + from * mp + m), to * m);
  });
  return { values, ut, vt };
}
function roundUp4(value) {
  return Math.ceil(value / 4) * 4;
}
function even(value) {
  return value + (value & 1);
}

// src/arithmetic/low-rank/factor-task-vector.ts
function factorTaskVector(options) {
  const { kernels, rows: m, cols: n, name, policy, svd, dtype } = options;
  const full = Math.min(m, n);
  const ld = roundUp4(n);
  const normSquared = kernels.sumOfSquares(0, m * ld);
  if (!Number.isFinite(normSquared)) {
    throw new DataError(
      `The task vector of ${name} has values that are not finite (NaN or infinity), which no low-rank factorization can represent; check the fine-tuned weights of this tensor.`,
      {
        code: "LORA_NOT_FINITE",
        subject: name
      }
    );
  }
  const norm = Math.sqrt(normSquared);
  const stream = deriveStream({ seed: svd.seed, labels: ["lora", name] });
  const sketch = (rank) => {
    const width = Math.min(full, rank + svd.oversampling);
    return {
      width,
      result: randomizedSvd({ kernels, rows: m, cols: n, ld, width, iterations: svd.iterations, stream })
    };
  };
  if (policy.kind === "fixed") {
    const rank = Math.max(1, Math.min(policy.rank, full));
    const { width, result } = sketch(rank);
    return measured(kernels, m, n, result, rank, width, norm, dtype);
  }
  const cap = Math.min(full, policy.maxRank ?? full);
  const target = policy.maxError;
  let tried = Math.min(cap, 32);
  for (; ; ) {
    const { width, result } = sketch(tried);
    let rank = Math.max(1, Math.min(tried, rankForEnergy(result.values, normSquared, target)));
    const reachable = rank < tried || tried >= cap;
    if (reachable) {
      let best = measured(kernels, m, n, result, rank, width, norm, dtype);
      while (best.relativeError > target && rank < Math.min(tried, width)) {
        rank++;
        best = measured(kernels, m, n, result, rank, width, norm, dtype);
      }
      if (best.relativeError <= target || tried >= cap) return best;
    }
    tried = Math.min(cap, tried * 2);
  }
}
function rankForEnergy(values, normSquared, target) {
  const allowed = target * target * normSquared;
  let kept = 0;
  for (let k = 0; k < values.length; k++) {
    if (normSquared - kept <= allowed) return Math.max(1, k);
    kept += values[k] ** 2;
  }
  return normSquared - kept <= allowed ? values.length : values.length + 1;
}
function measured(kernels, m, n, svd, rank, width, norm, dtype) {
  const a = new Float32Array(rank * n);
  const b = new Float32Array(m * rank);
  let kept = 0;
  for (let k = 0; k < rank; k++) {
    const sigma = svd.values[k];
    kept += sigma * sigma;
    const root = Math.sqrt(sigma);
    for (let c = 0; c < n; c++) a[k * n + c] = root * svd.vt[k * n + c];
    for (let i = 0; i < m; i++) b[i * rank + k] = root * svd.ut[k * m + i];
  }
  const storedA = stored(a, dtype);
  const storedB = stored(b, dtype);
  const relativeError = norm === 0 ? 0 : Math.sqrt(residualSquares(kernels, m, n, storedA, storedB, rank)) / norm;
  return {
    rank,
    a: storedA,
    b: storedB,
    norm,
    relativeError,
    retainedEnergy: norm === 0 ? 1 : Math.min(1, kept / (norm * norm)),
    width
  };
}
function stored(values, dtype) {
  if (dtype === "F32" || dtype === "F64") return values;
  return decodeToF32({ dtype, bytes: encodeFromF32({ dtype, values }) });
}
function residualSquares(kernels, m, n, a, b, rank) {
  const ld = roundUp4(n);
  const panelRows = 256;
  const at = m * ld;
  const bAt = at + rank * ld;
  const panel = bAt + m * rank;
  kernels.reserve(panel + panelRows * ld);
  const heap = kernels.floats();
  heap.fill(0, at, at + rank * ld);
  for (let k = 0; k < rank; k++) heap.set(a.subarray(k * n, (k + 1) * n), at + k * ld);
  heap.set(b, bAt);
  let sum = 0;
  for (let i0 = 0; i0 < m; i0 += panelRows) {
    const rows = Math.min(panelRows, m - i0);
    kernels.gemm({ a: bAt + i0 * rank, lda: rank, b: at, ldb: ld, c: panel, ldc: ld, m: rows, k: rank, n: ld });
    sum += kernels.squaredDistance(i0 * ld, panel, rows * ld);
  }
  return sum;
}

// src/engine/lora-job.ts
var LoraWorkspace = class {
  constructor(kernels, matrices) {
    this.kernels = kernels;
    this.matrices = matrices;
  }
  kernels;
  matrices;
  spare = [new Float32Array(0), new Float32Array(0)];
  /** The first `count` values of reusable buffer `which` (0 or 1); their contents are left from earlier use. */
  floats(which, count) {
    if (this.spare[which].length < count) this.spare[which] = new Float32Array(count);
    return this.spare[which].subarray(0, count);
  }
};
function runLoraJob(job, workspace) {
  const { kernels, matrices } = workspace;
  const [rows, cols] = job.shape;
  const count = rows * cols;
  const [m, n] = job.layout === "linear" ? [rows, cols] : [cols, rows];
  const ld = roundUp4(n);
  matrices.reserve(m * ld);
  const heap = matrices.floats();
  const base = kernels.decodeToF32({ ...job.base, out: workspace.floats(1, count) });
  if (job.layout === "linear" && ld === n) {
    const tau = kernels.decodeToF32({ ...job.finetuned, out: heap.subarray(0, count) });
    kernels.subtract({ finetuned: tau, base, out: tau });
  } else {
    const ft = kernels.decodeToF32({ ...job.finetuned, out: workspace.floats(0, count) });
    const tau = kernels.subtract({ finetuned: ft, base, out: ft });
    if (job.layout === "linear")
      for (let i = 0; i < m; i++) {
        heap.set(tau.subarray(i * n, (i + 1) * n), i * ld);
        heap.fill(0, i * ld + n, (i + 1) * ld);
      }
    else {
      heap.fill(0, 0, m * ld);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) heap[j * ld + i] = tau[i * cols + j];
    }
  }
  const factors = factorTaskVector({
    kernels: matrices,
    rows: m,
    cols: n,
    name: job.name,
    policy: job.policy,
    svd: job.svd,
    dtype: job.dtype
  });
  return {
    rank: factors.rank,
    a: kernels.encodeFromF32({ dtype: job.dtype, values: factors.a }),
    b: kernels.encodeFromF32({ dtype: job.dtype, values: factors.b }),
    norm: factors.norm,
    relativeError: factors.relativeError,
    retainedEnergy: factors.retainedEnergy,
    width: factors.width
  };
}

// src/engine/compute-pool.ts
var defaultWorkerUrl = new URL("./compute-worker.js", import.meta.url);

// src/engine/lora-pool.ts
var loraProtocol = 1;
var defaultWorkerUrl2 = new URL("./compute-worker.js", import.meta.url);

// src/engine/compute-worker.ts
var data = workerData;
if (!isMainThread && parentPort && data?.tvhubComputeWorker === computeProtocol)
  serve(parentPort, data);
if (!isMainThread && parentPort && data?.tvhubSinkThread === sinkThreadProtocol)
  serveSinkThread({ port: parentPort, ...data.memory === void 0 ? {} : { memory: data.memory } });
function serve(port, options) {
  const { memory, slotBytes } = options;
  const kernels = createArithmeticKernels();
  const run2 = createJobRunner({ kernels, statistics: options.statistics });
  const bytesOf = (wire) => "slot" in wire ? slotView(memory, slotBytes, wire.slot, wire.length) : wire.bytes;
  port.on("message", (message) => {
    try {
      const operands = message.operands.map((operand2) => ({
        dtype: operand2.dtype,
        bytes: bytesOf(operand2)
      }));
      const out = message.out >= 0 ? slotView(memory, slotBytes, message.out, slotBytes) : void 0;
      const { bytes, ...statistics } = run2(fromWireJob(message.job), operands, out);
      let output;
      if (out && bytes.buffer === memory && bytes.byteOffset === out.byteOffset)
        output = { slot: message.out, length: bytes.byteLength };
      else if (out && bytes.byteLength <= slotBytes) {
        out.set(bytes);
        output = { slot: message.out, length: bytes.byteLength };
      } else output = { bytes };
      const reply = { type: "done", id: message.id, output, ...statistics };
      port.postMessage(
        reply,
        "bytes" in output && output.bytes.buffer instanceof ArrayBuffer ? [output.bytes.buffer] : []
      );
    } catch (error) {
      const { name, message: text, code } = error;
      const failure = {
        name: name ?? "Error",
        message: text ?? String(error),
        ...typeof code === "string" ? { code } : {}
      };
      port.postMessage({ type: "failed", id: message.id, error: failure });
    }
  });
  port.postMessage({ type: "ready", implementation: kernels.implementation });
}
if (!isMainThread && parentPort && data?.tvhubLoraWorker === loraProtocol)
  serveLora(parentPort);
function serveLora(port) {
  const workspace = new LoraWorkspace(createArithmeticKernels(), createMatrixKernels());
  port.on("message", (message) => {
    try {
      const result = runLoraJob(message.job, workspace);
      const transfer = [result.a, result.b].flatMap(
        (bytes) => bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer] : []
      );
      port.postMessage({ type: "done", id: message.id, result }, [...new Set(transfer)]);
    } catch (error) {
      const { name, message: text, code } = error;
      port.postMessage({
        type: "failed",
        id: message.id,
        error: { name: name ?? "Error", message: text ?? String(error), ...typeof code === "string" ? { code } : {} }
      });
    }
  });
  port.postMessage({ type: "ready", implementation: workspace.matrices.implementation });
}
