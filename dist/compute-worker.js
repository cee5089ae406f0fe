import { createRequire as __tvhubCreateRequire } from 'node:module'; const require = __tvhubCreateRequire(import.meta.url);

// src/app/compute-worker.ts
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
  U16: 2,
  I16: 2,
  F16: 2,
  BF16: 2,
  U32: 4,
  I32: 4,
  F32: 4,
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
    throw new InternalError(`The output buffer holds ${out.byteLength} bytes but ${count} ${dtype} elements need ${byteLength}.`, {
      code: "ENCODE_OUT_TOO_SMALL"
    });
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
var defaultChunkElements = 65536;
function wordsOf(values) {
  return new Int32Array(values.buffer, values.byteOffset, values.length);
}
function checkLengths(what, length, ...arrays) {
  for (const array of arrays) {
    if (array.length !== length) {
      throw new InternalError(`${what} got operands of ${length} and ${array.length} elements; they must have the same length.`, {
        code: "ARITHMETIC_LENGTH_MISMATCH"
      });
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
  const count = encodedLength(options.base);
  const finetunedCount = encodedLength(options.finetuned);
  if (finetunedCount !== count) {
    throw new InternalError(`computeTaskVector got ${count} base and ${finetunedCount} fine-tuned elements; read the same range of both.`, {
      code: "ARITHMETIC_LENGTH_MISMATCH"
    });
  }
  const step = Math.min(chunkSize(options.chunkElements), Math.max(count, 1));
  const outSize = dtypeSize(options.dtype);
  const out = options.out ?? new Uint8Array(count * outSize);
  const baseScratch = new Float32Array(step);
  const finetunedScratch = new Float32Array(step);
  const baseSize = dtypeSize(options.base.dtype);
  const finetunedSize = dtypeSize(options.finetuned.dtype);
  for (let start = 0; start < count; start += step) {
    const end = Math.min(count, start + step);
    const base = decodeToF32({ dtype: options.base.dtype, bytes: options.base.bytes.subarray(start * baseSize, end * baseSize), out: baseScratch });
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

// src/arithmetic/dot-product.ts
function dotProduct(options) {
  const { a, b } = options;
  checkLengths("dotProduct", a.length, b);
  let sum = options.initial ?? 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

// src/arithmetic/merge-chunk.ts
function mergeChunk(options) {
  const count = encodedLength(options.base);
  for (const [i, term] of options.terms.entries()) {
    const operand2 = "taskVector" in term ? term.taskVector : term.finetuned;
    const termCount = encodedLength(operand2);
    if (termCount !== count) {
      throw new InternalError(`mergeChunk got ${count} base elements but ${termCount} in term ${i}; read the same range of every input.`, {
        code: "ARITHMETIC_LENGTH_MISMATCH"
      });
    }
  }
  const step = Math.min(chunkSize(options.chunkElements), Math.max(count, 1));
  const outSize = dtypeSize(options.dtype);
  const out = options.out ?? new Uint8Array(count * outSize);
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
        const tau = decodeToF32({ dtype: term.taskVector.dtype, bytes: slice(term.taskVector, start, end), out: termScratch });
        addScaled({ acc, tau, weight: term.weight });
      } else {
        const finetuned = decodeToF32({ dtype: term.finetuned.dtype, bytes: slice(term.finetuned, start, end), out: termScratch });
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

// src/arithmetic/reconstruction-error.ts
var emptyReconstructionStats = { elements: 0, mismatches: 0, maxAbsError: 0 };
function reconstructionError(options) {
  return compare(options, options.taskVector);
}
function countInexactF32(options) {
  return compare(options, void 0);
}
function compare(options, taskVector) {
  const count = encodedLength(options.base);
  for (const operand2 of taskVector ? [options.finetuned, taskVector] : [options.finetuned]) {
    if (encodedLength(operand2) !== count) {
      throw new InternalError(`Reconstruction statistics got operands of different lengths; read the same range of every input.`, {
        code: "ARITHMETIC_LENGTH_MISMATCH"
      });
    }
  }
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
  countInexactF32
};

// src/arithmetic/simd/kernels.generated.ts
var kernelsWasmBase64 = "AGFzbQEAAAABQQlgBH9/f38AYAN/f38AYAZ/f39/f38AYAV/f399fwBgBH9/fX8AYAN/f3wBfGAFf39/f38AYAABf2AEf39/fAF8AxcWAgICBQAAAAAABgcBAQgBAQMDAwQEBAUDAQABB7gCFwpkZWNvZGVCZjE2AA8JZGVjb2RlRjE2AA4KZW5jb2RlQmYxNgAMCWVuY29kZUYxNgALBnN1YkYzMgAEB2F4cHlGMzIAEwpheHB5U3ViRjMyABAHc3ViQmYxNgAIBnN1YkYxNgAGDHN1YkJmMTZUb0YzMgAHC3N1YkYxNlRvRjMyAAUIYXhweUJmMTYAFQdheHB5RjE2ABQLYXhweVN1YkJmMTYAEgpheHB5U3ViRjE2ABEPc3VtT2ZTcXVhcmVzRjMyAAMGZG90RjMyAA0TcmVjb25zdHJ1Y3Rpb25TdGF0cwAJE3Rhc2tWZWN0b3JTdGF0c0JmMTYAAhJ0YXNrVmVjdG9yU3RhdHNGMTYAARJ0YXNrVmVjdG9yU3RhdHNGMzIAAAhoZWFwQmFzZQAKBm1lbW9yeQIADAEBCqaOARa1BQITewF/QYAI/QAEABpB4Aj9AAQAGkGQCP0ABAAaQaAI/QAEABpBsAj9AAQAIQxBwAj9AAQAIQtB0Aj9AAQAIQogBP0ABAAhECAE/QAEECEPIAT9AAQgIQ4gBP0ABDAhDSADIhkgA0EHakEDdiIDQQFrQQN0a/0RIQkDQCADQQBKBEAgAP0ABBAiCCAB/QAEECIG/eUBIgcgDCAHIAf9Qf1SIRQgAiAA/QAEACIWIAH9AAQAIgf95QEiEyAMIBMgE/1B/VIiFf0LBAAgAiAU/QsEECAHIBX95AEiFyAW/TcgFiAW/UL9UCETIAYgFP3kASIYIAj9NyAIIAj9Qv1QIQcgFyAW/eUBIAv9TiAK/bcBIBP9TyEGIBggCP3lASAL/U4gCv23ASAH/U8hCCADQQFGBEAgFf0MAAAAAAEAAAACAAAAAwAAACAJ/TkiFv1OIRUgFP0MBAAAAAUAAAAGAAAABwAAACAJ/TkiF/1OIRQgEyAW/U4hEyAHIBf9TiEHIAggF/1OIQggBiAW/U4hBgsgEiATIAf9rgH9rgEhEiARIAYgCP25Af25ASERIBAgFf1fIgYgBv3yAf3wASEQIA8gFSAV/Q0ICQoLDA0ODwABAgMEBQYH/V8iBiAG/fIB/fABIQ8gDiAU/V8iBiAG/fIB/fABIQ4gDSAUIBT9DQgJCgsMDQ4PAAECAwQFBgf9XyIGIAb98gH98AEhDSADQQFrIQMgAEEgaiEAIAFBIGohASACQSBqIQIMAQsLIAQgEP0LBAAgBCAP/QsEECAEIA79CwQgIAQgDf0LBDAgBSAZIBL9GwAgEv0bAWogEv0bAmogEv0bA2pqNgIAIAUgEf0bACIAIBH9GwEiASAAIAFLGyIAIBH9GwIiASAR/RsDIgIgASACSxsiASAAIAFLG767OQMIC/YMAgF/HHsgACEGQYAI/QAEABpB4Aj9AAQAIRJBkAj9AAQAGkGgCP0ABAAaQbAI/QAEABpBwAj9AAQAIRNB0Aj9AAQAIRQgBP0ABAAhDiAE/QAEECEPIAT9AAQgIRAgBP0ABDAhESADIANBB2pBA3YiAEEBa0EDdGv9ESEVA0AgAEEASgRAIAb9AAQAIgggEv1OIglBoAj9AAQAIgr9TkEN/asBIgdB8Aj9AAQAIgv9TiEWIAH9AAQAIhcgEv1OIhggCv1OQQ39qwEiGSAL/U4hGiAHQYAJ/QAEACIb/a4BIBYgC/03IBv9Tv2uASIcQZAJ/QAEACId/a4BQaAJ/QAEACIH/eUBIBwgFv0MAAAAAAAAAAAAAAAAAAAAAP03/VIgCUGwCf0ABAAiCf1OQRD9qwH9UCIWIBkgG/2uASAaIAv9NyAb/U79rgEiGSAd/a4BIAf95QEgGSAa/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAYIAn9TkEQ/asB/VAiGP3lASIZ/QwAAMB/AADAfwAAwH8AAMB/IBkgGf1B/VIiGUHACP0ABAAiGv1OIhwgG/2xASEeIAhBEP2tASIfIAr9TkEN/asBIiAgC/1OISEgF0EQ/a0BIhcgCv1OQQ39qwEiIiAL/U4hCCAgIBv9rgEgISAL/TcgG/1O/a4BIiAgHf2uASAH/eUBICAgIf0MAAAAAAAAAAAAAAAAAAAAAP03/VIgHyAJ/U5BEP2rAf1QIh8gIiAb/a4BIAggC/03IBv9Tv2uASILIB39rgEgB/3lASALIAj9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIBcgCf1OQRD9qwH9UCII/eUBIgv9DAAAwH8AAMB/AADAfwAAwH8gCyAL/UH9UiILIBr9TiIXIBv9sQEhGiACIBxBDf2tASAK/U5B8An9AAQAIhv9UCAcQeAJ/QAEACId/eQBIB39sQEgHkHACf0ABAAiIP2uASAeQQ39rQFBkAj9AAQAIh79Tv2uAUEN/a0BQdAJ/QAEACIh/bcBIBwgB/05/VIgHEHQCP0ABAAiHP07/VIgGUEQ/a0BIAn9Tv1QIhkgF0EN/a0BIAr9TiAb/VAgFyAd/eQBIB39sQEgGiAg/a4BIBpBDf2tASAe/U79rgFBDf2tASAh/bcBIBcgB/05/VIgFyAc/Tv9UiALQRD9rQEgCf1O/VAiCUEQ/asB/VD9CwQAIBlBoAj9AAQA/U5BDf2rASIHQfAI/QAEAP1OIQogGCAHQYAJ/QAEAP2uASAKQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgdBkAn9AAQA/a4BQaAJ/QAEAP3lASAHIAr9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIBlBsAn9AAQA/U5BEP2rAf1QIgf95AEiCiAW/TcgFiAW/UL9UCEXIAlBoAj9AAQA/U5BDf2rASILQfAI/QAEAP1OIRggCCALQYAJ/QAEAP2uASAYQfAI/QAEAP03QYAJ/QAEAP1O/a4BIghBkAn9AAQA/a4BQaAJ/QAEAP3lASAIIBj9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAlBsAn9AAQA/U5BEP2rAf1QIgj95AEiCyAf/TcgHyAf/UL9UCEJIAogFv3lASAT/U4gFP23ASAX/U8hCiALIB/95QEgE/1OIBT9twEgCf1PIQsgDCAAQQFGBHsgB/0MAAAAAAIAAAAEAAAABgAAACAV/TkiDP1OIQcgCP0MAQAAAAMAAAAFAAAABwAAACAV/TkiFv1OIQggCSAW/U4hCSALIBb9TiELIAogDP1OIQogFyAM/U4FIBcLIAn9rgH9rgEhDCANIAogC/25Af25ASENIA4gB/1fIgkgCf3yAf3wASEOIA8gByAH/Q0ICQoLDA0ODwABAgMEBQYH/V8iByAH/fIB/fABIQ8gECAI/V8iByAH/fIB/fABIRAgESAIIAj9DQgJCgsMDQ4PAAECAwQFBgf9XyIHIAf98gH98AEhESAAQQFrIQAgBkEQaiEGIAFBEGohASACQRBqIQIMAQsLIAQgDv0LBAAgBCAP/QsEECAEIBD9CwQgIAQgEf0LBDAgBSADIAz9GwAgDP0bAWogDP0bAmogDP0bA2pqNgIAIAUgDf0bACIAIA39GwEiASAAIAFLGyIAIA39GwIiASAN/RsDIgIgASACSxsiASAAIAFLG767OQMIC4kGAhZ7AX8gACEcQYAI/QAEACEOQeAI/QAEABpBkAj9AAQAIRNBoAj9AAQAIRRBsAj9AAQAIRVBwAj9AAQAIRZB0Aj9AAQAIRcgBP0ABAAhDyAE/QAEECEQIAT9AAQgIREgBP0ABDAhEiADIANBB2pBA3YiAEEBa0EDdGv9ESEYA0AgAEEASgRAIAIgHP0ABAAiBkEQ/asBIgkgAf0ABAAiB0EQ/asBIgj95QEiCiAVIAogCv1B/VIgCkEQ/a0BIBP9TiAU/a4B/a4BIgpBEP2tASAGIA79TiIZIAcgDv1OIgb95QEiByAVIAcgB/1B/VIgB0EQ/a0BIBP9TiAU/a4B/a4BIgv9DQABEhMEBRYXCAkaGwwNHh/9CwQAIAggCiAO/U4iB/3kASIaIAn9NyAJIAn9Qv1QIQogBiALIA79TiII/eQBIhsgGf03IBkgGf1C/VAhCyAaIAn95QEgFv1OIBf9twEgCv1PIQYgGyAZ/eUBIBb9TiAX/bcBIAv9TyEJIABBAUYEQCAH/QwAAAAAAgAAAAQAAAAGAAAAIBj9OSIZ/U4hByAI/QwBAAAAAwAAAAUAAAAHAAAAIBj9OSIa/U4hCCAKIBn9TiEKIAsgGv1OIQsgCSAa/U4hCSAGIBn9TiEGCyAMIAogC/2uAf2uASEMIA0gBiAJ/bkB/bkBIQ0gDyAH/V8iBiAG/fIB/fABIQ8gECAHIAf9DQgJCgsMDQ4PAAECAwQFBgf9XyIGIAb98gH98AEhECARIAj9XyIGIAb98gH98AEhESASIAggCP0NCAkKCwwNDg8AAQIDBAUGB/1fIgYgBv3yAf3wASESIABBAWshACAcQRBqIRwgAUEQaiEBIAJBEGohAgwBCwsgBCAP/QsEACAEIBD9CwQQIAQgEf0LBCAgBCAS/QsEMCAFIAMgDP0bACAM/RsBaiAM/RsCaiAM/RsDamo2AgAgBSAN/RsAIgAgDf0bASIBIAAgAUsbIgAgDf0bAiIBIA39GwMiAiABIAJLGyIBIAAgAUsbvrs5AwgLmgECAn8CewNAIARBBGoiAyABTARAIAIgACAEQQJ0av0ABAAiBv1fIgUgBf3yASIF/SEAoCAF/SEBoCAGIAb9DQgJCgsMDQ4PAAECAwQFBgf9XyIFIAX98gEiBf0hAKAgBf0hAaAhAiADIQQMAQsLA0AgASAESgRAIAIgACAEQQJ0aioCALsiAiACoqAhAiAEQQFqIQQMAQsLIAIL+wICAnsBfyADQQdqQQN2IgZBAXYhAwNAIANBAEoEQCAA/QAEECAB/QAEEP3lASEEIAIgAP0ABAAgAf0ABAD95QEiBf0MAADAfwAAwH8AAMB/AADAfyAFIAX9Qf1S/QsEACACIAT9DAAAwH8AAMB/AADAfwAAwH8gBCAE/UH9Uv0LBBAgAEEgav0ABBAgAUEgav0ABBD95QEhBCACQSBqIAD9AAQgIAH9AAQg/eUBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBAAgAiAE/QwAAMB/AADAfwAAwH8AAMB/IAQgBP1B/VL9CwQwIANBAWshAyAAQUBrIQAgAUFAayEBIAJBQGshAgwBCwsgBkEBcQRAIAD9AAQQIAH9AAQQ/eUBIQQgAiAA/QAEACAB/QAEAP3lASIF/QwAAMB/AADAfwAAwH8AAMB/IAUgBf1B/VL9CwQAIAIgBP0MAADAfwAAwH8AAMB/AADAfyAEIAT9Qf1S/QsEEAsL0w4CDHsBfyADQQdqQQN2IhBBAXYhAwNAIANBAEoEQCAA/QAEACIE/akBIgVBoAj9AAQAIgb9TkEN/asBIgdB8Aj9AAQAIgj9TiEJIAH9AAQAIgr9qQEiCyAG/U5BDf2rASIGIAj9TiEMIAIgB0GACf0ABAAiB/2uASAJIAj9NyAH/U79rgEiDUGQCf0ABAAiDv2uAUGgCf0ABAAiD/3lASANIAn9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAVBsAn9AAQAIgX9TkEQ/asB/VAgBiAH/a4BIAwgCP03IAf9Tv2uASIGIA79rgEgD/3lASAGIAz9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAsgBf1OQRD9qwH9UP3lASIF/QwAAMB/AADAfwAAwH8AAMB/IAUgBf1B/VL9CwQAIAT9qgEiBEGgCP0ABAD9TkEN/asBIgVB8Aj9AAQA/U4hBiAK/aoBIgdBoAj9AAQA/U5BDf2rASIIQfAI/QAEAP1OIQkgAiAFQYAJ/QAEAP2uASAGQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgVBkAn9AAQA/a4BQaAJ/QAEAP3lASAFIAb9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIARBsAn9AAQA/U5BEP2rAf1QIAhBgAn9AAQA/a4BIAlB8Aj9AAQA/TdBgAn9AAQA/U79rgEiBEGQCf0ABAD9rgFBoAn9AAQA/eUBIAQgCf0MAAAAAAAAAAAAAAAAAAAAAP03/VIgB0GwCf0ABAD9TkEQ/asB/VD95QEiBP0MAADAfwAAwH8AAMB/AADAfyAEIAT9Qf1S/QsEECAA/QAEECIE/akBIgVBoAj9AAQA/U5BDf2rASIGQfAI/QAEAP1OIQcgAf0ABBAiCP2pASIJQaAI/QAEAP1OQQ39qwEiCkHwCP0ABAD9TiELIAJBIGogBkGACf0ABAD9rgEgB0HwCP0ABAD9N0GACf0ABAD9Tv2uASIGQZAJ/QAEAP2uAUGgCf0ABAD95QEgBiAH/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAFQbAJ/QAEAP1OQRD9qwH9UCAKQYAJ/QAEAP2uASALQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgVBkAn9AAQA/a4BQaAJ/QAEAP3lASAFIAv9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAlBsAn9AAQA/U5BEP2rAf1Q/eUBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBAAgBP2qASIEQaAI/QAEAP1OQQ39qwEiBUHwCP0ABAD9TiEGIAj9qgEiB0GgCP0ABAD9TkEN/asBIghB8Aj9AAQA/U4hCSACIAVBgAn9AAQA/a4BIAZB8Aj9AAQA/TdBgAn9AAQA/U79rgEiBUGQCf0ABAD9rgFBoAn9AAQA/eUBIAUgBv0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBEGwCf0ABAD9TkEQ/asB/VAgCEGACf0ABAD9rgEgCUHwCP0ABAD9N0GACf0ABAD9Tv2uASIEQZAJ/QAEAP2uAUGgCf0ABAD95QEgBCAJ/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAHQbAJ/QAEAP1OQRD9qwH9UP3lASIE/QwAAMB/AADAfwAAwH8AAMB/IAQgBP1B/VL9CwQwIANBAWshAyAAQSBqIQAgAUEgaiEBIAJBQGshAgwBCwsgEEEBcQRAIAD9AAQAIgT9qQEiBUGgCP0ABAAiBv1OQQ39qwEiB0HwCP0ABAAiCP1OIQkgAf0ABAAiCv2pASILIAb9TkEN/asBIgYgCP1OIQwgAiAHQYAJ/QAEACIH/a4BIAkgCP03IAf9Tv2uASINQZAJ/QAEACIO/a4BQaAJ/QAEACIP/eUBIA0gCf0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBUGwCf0ABAAiBf1OQRD9qwH9UCAGIAf9rgEgDCAI/TcgB/1O/a4BIgYgDv2uASAP/eUBIAYgDP0MAAAAAAAAAAAAAAAAAAAAAP03/VIgCyAF/U5BEP2rAf1Q/eUBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBAAgBP2qASIEQaAI/QAEAP1OQQ39qwEiBUHwCP0ABAD9TiEGIAr9qgEiB0GgCP0ABAD9TkEN/asBIghB8Aj9AAQA/U4hCSACIAVBgAn9AAQA/a4BIAZB8Aj9AAQA/TdBgAn9AAQA/U79rgEiBUGQCf0ABAD9rgFBoAn9AAQA/eUBIAUgBv0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBEGwCf0ABAD9TkEQ/asB/VAgCEGACf0ABAD9rgEgCUHwCP0ABAD9N0GACf0ABAD9Tv2uASIEQZAJ/QAEAP2uAUGgCf0ABAD95QEgBCAJ/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAHQbAJ/QAEAP1OQRD9qwH9UP3lASIE/QwAAMB/AADAfwAAwH8AAMB/IAQgBP1B/VL9CwQQCwvjFAIQewF/IANBB2pBA3YiFEEBdiEDA0AgA0EASgRAIAD9AAQAIgT9DP//AAD//wAA//8AAP//AAD9TiIFQaAI/QAEACIG/U5BDf2rASIHQfAI/QAEACII/U4hCSAB/QAEACIK/Qz//wAA//8AAP//AAD//wAA/U4iCyAG/U5BDf2rASIMIAj9TiENIAdBgAn9AAQAIgf9rgEgCSAI/TcgB/1O/a4BIg5BkAn9AAQAIg/9rgFBoAn9AAQAIhD95QEgDiAJ/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAFQbAJ/QAEACIF/U5BEP2rAf1QIAwgB/2uASANIAj9NyAH/U79rgEiCSAP/a4BIBD95QEgCSAN/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiALIAX9TkEQ/asB/VD95QEiCf0MAADAfwAAwH8AAMB/AADAfyAJIAn9Qf1SIglBwAj9AAQAIgv9TiIMIAf9sQEhDSAEQRD9rQEiBCAG/U5BDf2rASIOIAj9TiERIApBEP2tASIKIAb9TkEN/asBIhIgCP1OIRMgDiAH/a4BIBEgCP03IAf9Tv2uASIOIA/9rgEgEP3lASAOIBH9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAQgBf1OQRD9qwH9UCASIAf9rgEgEyAI/TcgB/1O/a4BIgQgD/2uASAQ/eUBIAQgE/0MAAAAAAAAAAAAAAAAAAAAAP03/VIgCiAF/U5BEP2rAf1Q/eUBIgT9DAAAwH8AAMB/AADAfwAAwH8gBCAE/UH9UiIEIAv9TiIIIAf9sQEhByACIAxBDf2tASAG/U5B8An9AAQAIgr9UCAMQeAJ/QAEACIL/eQBIAv9sQEgDUHACf0ABAAiDv2uASANQQ39rQFBkAj9AAQAIg39Tv2uAUEN/a0BQdAJ/QAEACIP/bcBIAwgEP05/VIgDEHQCP0ABAAiDP07/VIgCUEQ/a0BIAX9Tv1QIAhBDf2tASAG/U4gCv1QIAggC/3kASAL/bEBIAcgDv2uASAHQQ39rQEgDf1O/a4BQQ39rQEgD/23ASAIIBD9Of1SIAggDP07/VIgBEEQ/a0BIAX9Tv1QQRD9qwH9UP0LBAAgAP0ABBAiBP0M//8AAP//AAD//wAA//8AAP1OIgVBoAj9AAQA/U5BDf2rASIGQfAI/QAEAP1OIQcgAf0ABBAiCP0M//8AAP//AAD//wAA//8AAP1OIglBoAj9AAQA/U5BDf2rASIKQfAI/QAEAP1OIQsgBkGACf0ABAD9rgEgB0HwCP0ABAD9N0GACf0ABAD9Tv2uASIGQZAJ/QAEAP2uAUGgCf0ABAD95QEgBiAH/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAFQbAJ/QAEAP1OQRD9qwH9UCAKQYAJ/QAEAP2uASALQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgVBkAn9AAQA/a4BQaAJ/QAEAP3lASAFIAv9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAlBsAn9AAQA/U5BEP2rAf1Q/eUBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9UiIFQcAI/QAEAP1OIgZBgAn9AAQA/bEBIQcgBEEQ/a0BIgRBoAj9AAQA/U5BDf2rASIJQfAI/QAEAP1OIQogCEEQ/a0BIghBoAj9AAQA/U5BDf2rASILQfAI/QAEAP1OIQwgCUGACf0ABAD9rgEgCkHwCP0ABAD9N0GACf0ABAD9Tv2uASIJQZAJ/QAEAP2uAUGgCf0ABAD95QEgCSAK/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAEQbAJ/QAEAP1OQRD9qwH9UCALQYAJ/QAEAP2uASAMQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgRBkAn9AAQA/a4BQaAJ/QAEAP3lASAEIAz9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAhBsAn9AAQA/U5BEP2rAf1Q/eUBIgT9DAAAwH8AAMB/AADAfwAAwH8gBCAE/UH9UiIEQcAI/QAEAP1OIghBgAn9AAQA/bEBIQkgAiAGQQ39rQFBoAj9AAQA/U5B8An9AAQA/VAgBkHgCf0ABAD95AFB4An9AAQA/bEBIAdBwAn9AAQA/a4BIAdBDf2tAUGQCP0ABAD9Tv2uAUEN/a0BQdAJ/QAEAP23ASAGQaAJ/QAEAP05/VIgBkHQCP0ABAD9O/1SIAVBEP2tAUGwCf0ABAD9Tv1QIAhBDf2tAUGgCP0ABAD9TkHwCf0ABAD9UCAIQeAJ/QAEAP3kAUHgCf0ABAD9sQEgCUHACf0ABAD9rgEgCUEN/a0BQZAI/QAEAP1O/a4BQQ39rQFB0An9AAQA/bcBIAhBoAn9AAQA/Tn9UiAIQdAI/QAEAP07/VIgBEEQ/a0BQbAJ/QAEAP1O/VBBEP2rAf1Q/QsEECADQQFrIQMgAEEgaiEAIAFBIGohASACQSBqIQIMAQsLIBRBAXEEQCAA/QAEACIE/Qz//wAA//8AAP//AAD//wAA/U4iBUGgCP0ABAAiBv1OQQ39qwEiB0HwCP0ABAAiCP1OIQkgAf0ABAAiCv0M//8AAP//AAD//wAA//8AAP1OIgsgBv1OQQ39qwEiDCAI/U4hDSAHQYAJ/QAEACIH/a4BIAkgCP03IAf9Tv2uASIOQZAJ/QAEACIP/a4BQaAJ/QAEACIQ/eUBIA4gCf0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBUGwCf0ABAAiBf1OQRD9qwH9UCAMIAf9rgEgDSAI/TcgB/1O/a4BIgkgD/2uASAQ/eUBIAkgDf0MAAAAAAAAAAAAAAAAAAAAAP03/VIgCyAF/U5BEP2rAf1Q/eUBIgn9DAAAwH8AAMB/AADAfwAAwH8gCSAJ/UH9UiIJQcAI/QAEACIL/U4iDCAH/bEBIQ0gBEEQ/a0BIgQgBv1OQQ39qwEiDiAI/U4hESAKQRD9rQEiCiAG/U5BDf2rASISIAj9TiETIA4gB/2uASARIAj9NyAH/U79rgEiDiAP/a4BIBD95QEgDiAR/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAEIAX9TkEQ/asB/VAgEiAH/a4BIBMgCP03IAf9Tv2uASIEIA/9rgEgEP3lASAEIBP9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAogBf1OQRD9qwH9UP3lASIE/QwAAMB/AADAfwAAwH8AAMB/IAQgBP1B/VIiBCAL/U4iCCAH/bEBIQcgAiAMQQ39rQEgBv1OQfAJ/QAEACIK/VAgDEHgCf0ABAAiC/3kASAL/bEBIA1BwAn9AAQAIg79rgEgDUEN/a0BQZAI/QAEACIN/U79rgFBDf2tAUHQCf0ABAAiD/23ASAMIBD9Of1SIAxB0Aj9AAQAIgz9O/1SIAlBEP2tASAF/U79UCAIQQ39rQEgBv1OIAr9UCAIIAv95AEgC/2xASAHIA79rgEgB0EN/a0BIA39Tv2uAUEN/a0BIA/9twEgCCAQ/Tn9UiAIIAz9O/1SIARBEP2tASAF/U79UEEQ/asB/VD9CwQACwuTBgIDewF/IANBB2pBA3YiB0EBdiEDA0AgA0EASgRAIAL9DAAAAAAAAAAAAAAAAAAAAAAgAP0ABAAiBP0NAAEQEQIDEhMEBRQVBgcWF/0MAAAAAAAAAAAAAAAAAAAAACAB/QAEACIF/Q0AARARAgMSEwQFFBUGBxYX/eUBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9Uv0LBAAgAv0MAAAAAAAAAAAAAAAAAAAAACAE/Q0ICRgZCgsaGwwNHB0ODx4f/QwAAAAAAAAAAAAAAAAAAAAAIAX9DQgJGBkKCxobDA0cHQ4PHh/95QEiBP0MAADAfwAAwH8AAMB/AADAfyAEIAT9Qf1S/QsEECACQSBq/QwAAAAAAAAAAAAAAAAAAAAAIAD9AAQQIgT9DQABEBECAxITBAUUFQYHFhf9DAAAAAAAAAAAAAAAAAAAAAAgAf0ABBAiBf0NAAEQEQIDEhMEBRQVBgcWF/3lASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQAIAL9DAAAAAAAAAAAAAAAAAAAAAAgBP0NCAkYGQoLGhsMDRwdDg8eH/0MAAAAAAAAAAAAAAAAAAAAACAF/Q0ICRgZCgsaGwwNHB0ODx4f/eUBIgT9DAAAwH8AAMB/AADAfwAAwH8gBCAE/UH9Uv0LBDAgA0EBayEDIABBIGohACABQSBqIQEgAkFAayECDAELCyAHQQFxBEAgAv0MAAAAAAAAAAAAAAAAAAAAACAA/QAEACIE/Q0AARARAgMSEwQFFBUGBxYX/QwAAAAAAAAAAAAAAAAAAAAAIAH9AAQAIgX9DQABEBECAxITBAUUFQYHFhf95QEiBv0MAADAfwAAwH8AAMB/AADAfyAGIAb9Qf1S/QsEACAC/QwAAAAAAAAAAAAAAAAAAAAAIAT9DQgJGBkKCxobDA0cHQ4PHh/9DAAAAAAAAAAAAAAAAAAAAAAgBf0NCAkYGQoLGhsMDRwdDg8eH/3lASIE/QwAAMB/AADAfwAAwH8AAMB/IAQgBP1B/VL9CwQQCwvbBgIDewF/IANBB2pBA3YiB0EBdiEDA0AgA0EASgRAIAIgAP0ABAAiBEEQ/asBIAH9AAQAIgVBEP2rAf3lASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VIgBkEQ/a0B/QwBAAAAAQAAAAEAAAABAAAA/U79DP9/AAD/fwAA/38AAP9/AAD9rgH9rgFBEP2tASAE/QwAAP//AAD//wAA//8AAP///U4gBf0MAAD//wAA//8AAP//AAD///1O/eUBIgT9DAAAwH8AAMB/AADAfwAAwH8gBCAE/UH9UiAEQRD9rQH9DAEAAAABAAAAAQAAAAEAAAD9Tv0M/38AAP9/AAD/fwAA/38AAP2uAf2uAf0NAAESEwQFFhcICRobDA0eH/0LBAAgAiAA/QAEECIEQRD9qwEgAf0ABBAiBUEQ/asB/eUBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9UiAGQRD9rQH9DAEAAAABAAAAAQAAAAEAAAD9Tv0M/38AAP9/AAD/fwAA/38AAP2uAf2uAUEQ/a0BIAT9DAAA//8AAP//AAD//wAA///9TiAF/QwAAP//AAD//wAA//8AAP///U795QEiBP0MAADAfwAAwH8AAMB/AADAfyAEIAT9Qf1SIARBEP2tAf0MAQAAAAEAAAABAAAAAQAAAP1O/Qz/fwAA/38AAP9/AAD/fwAA/a4B/a4B/Q0AARITBAUWFwgJGhsMDR4f/QsEECADQQFrIQMgAEEgaiEAIAFBIGohASACQSBqIQIMAQsLIAdBAXEEQCACIAD9AAQAIgRBEP2rASAB/QAEACIFQRD9qwH95QEiBv0MAADAfwAAwH8AAMB/AADAfyAGIAb9Qf1SIAZBEP2tAf0MAQAAAAEAAAABAAAAAQAAAP1O/Qz/fwAA/38AAP9/AAD/fwAA/a4B/a4BQRD9rQEgBP0MAAD//wAA//8AAP//AAD///1OIAX9DAAA//8AAP//AAD//wAA///9Tv3lASIE/QwAAMB/AADAfwAAwH8AAMB/IAQgBP1B/VIgBEEQ/a0B/QwBAAAAAQAAAAEAAAABAAAA/U79DP9/AAD/fwAA/38AAP9/AAD9rgH9rgH9DQABEhMEBRYXCAkaGwwNHh/9CwQACwv5AgQCfAV/BXsCfQNAIAdBBGoiCCADTARAIAdBAnQiByABav0ABAAhDiAMIAAgB2r9AAQAIAIgB2r9AAQA/eQBIg8gDv03IA8gD/1CIA4gDv1C/U79UCIQ/a4BIQwgDSAPIA795QH9DP///3////9/////f////3/9Tv0MAACAfwAAgH8AAIB/AACAf/23ASAQ/U/9uQEhDSAIIQcMAQsLIAcgDP0bACAM/RsBaiAM/RsCaiAM/RsDamohCCAN/RsAIgkgDf0bASIKIAkgCksbIgkgDf0bAiIKIA39GwMiCyAKIAtLGyIKIAkgCksbvrshBQNAIAMgB0oEQCAHQQJ0IgkgAWoiCioCACISIBJcIgsgACAJaioCACACIAlqKgIAkiIRIBFcIglxIAooAgAgEbxGckUEQCAIQQFqIQhEAAAAAAAA8H8gESASk4u7IAkgC3IbIgYgBWQEQCAGIQULCyAHQQFqIQcMAQsLIAQgCDYCACAEIAU5AwgLBQBBgAoL9wcCDHsBfyACQQdqQQN2Ig9BAXYhAgNAIAJBAEoEQCAA/QAEACIDQcAI/QAEACIE/U4iBUGACf0ABAAiBv2xASEHIAD9AAQQIgggBP1OIgQgBv2xASEGIAEgBUEN/a0BQaAI/QAEACIJ/U5B8An9AAQAIgr9UCAFQeAJ/QAEACIL/eQBIAv9sQEgB0HACf0ABAAiDP2uASAHQQ39rQFBkAj9AAQAIgf9Tv2uAUEN/a0BQdAJ/QAEACIN/bcBIAVBoAn9AAQAIg79Of1SIAVB0Aj9AAQAIgX9O/1SIANBEP2tAUGwCf0ABAAiA/1O/VAgBEEN/a0BIAn9TiAK/VAgBCAL/eQBIAv9sQEgBiAM/a4BIAZBDf2tASAH/U79rgFBDf2tASAN/bcBIAQgDv05/VIgBCAF/Tv9UiAIQRD9rQEgA/1O/VD9hgH9CwQAIABBIGr9AAQAIgNBwAj9AAQA/U4iBEGACf0ABAD9sQEhBSAA/QAEMCIGQcAI/QAEAP1OIgdBgAn9AAQA/bEBIQggASAEQQ39rQFBoAj9AAQA/U5B8An9AAQA/VAgBEHgCf0ABAD95AFB4An9AAQA/bEBIAVBwAn9AAQA/a4BIAVBDf2tAUGQCP0ABAD9Tv2uAUEN/a0BQdAJ/QAEAP23ASAEQaAJ/QAEAP05/VIgBEHQCP0ABAD9O/1SIANBEP2tAUGwCf0ABAD9Tv1QIAdBDf2tAUGgCP0ABAD9TkHwCf0ABAD9UCAHQeAJ/QAEAP3kAUHgCf0ABAD9sQEgCEHACf0ABAD9rgEgCEEN/a0BQZAI/QAEAP1O/a4BQQ39rQFB0An9AAQA/bcBIAdBoAn9AAQA/Tn9UiAHQdAI/QAEAP07/VIgBkEQ/a0BQbAJ/QAEAP1O/VD9hgH9CwQQIAJBAWshAiAAQUBrIQAgAUEgaiEBDAELCyAPQQFxBEAgAP0ABAAiA0HACP0ABAAiBP1OIgVBgAn9AAQAIgb9sQEhByAA/QAEECIIIAT9TiIEIAb9sQEhBiABIAVBDf2tAUGgCP0ABAAiCf1OQfAJ/QAEACIK/VAgBUHgCf0ABAAiC/3kASAL/bEBIAdBwAn9AAQAIgz9rgEgB0EN/a0BQZAI/QAEACIH/U79rgFBDf2tAUHQCf0ABAAiDf23ASAFQaAJ/QAEACIO/Tn9UiAFQdAI/QAEACIF/Tv9UiADQRD9rQFBsAn9AAQAIgP9Tv1QIARBDf2tASAJ/U4gCv1QIAQgC/3kASAL/bEBIAYgDP2uASAGQQ39rQEgB/1O/a4BQQ39rQEgDf23ASAEIA79Of1SIAQgBf07/VIgCEEQ/a0BIAP9Tv1Q/YYB/QsEAAsLnAcCBHsBfyACQQdqQQN2IgdBAXYhAgNAIAJBAEoEQCAA/QAEACID/Qz///9/////f////3////9//U79DAAAgH8AAIB/AACAfwAAgH/9PCEEIAD9AAQQIgX9DP///3////9/////f////3/9Tv0MAACAfwAAgH8AAIB/AACAf/08IQYgASADIAT9DAAAQAAAAEAAAABAAAAAQAD9Tv1QIANBEP2tAf0MAQAAAAEAAAABAAAAAQAAAP1O/Qz/fwAA/38AAP9/AAD/fwAA/a4BIAT9T/2uASAFIAb9DAAAQAAAAEAAAABAAAAAQAD9Tv1QIAVBEP2tAf0MAQAAAAEAAAABAAAAAQAAAP1O/Qz/fwAA/38AAP9/AAD/fwAA/a4BIAb9T/2uAf0NAgMGBwoLDg8SExYXGhseH/0LBAAgAEEgav0ABAAiA/0M////f////3////9/////f/1O/QwAAIB/AACAfwAAgH8AAIB//TwhBCAA/QAEMCIF/Qz///9/////f////3////9//U79DAAAgH8AAIB/AACAfwAAgH/9PCEGIAEgAyAE/QwAAEAAAABAAAAAQAAAAEAA/U79UCADQRD9rQH9DAEAAAABAAAAAQAAAAEAAAD9Tv0M/38AAP9/AAD/fwAA/38AAP2uASAE/U/9rgEgBSAG/QwAAEAAAABAAAAAQAAAAEAA/U79UCAFQRD9rQH9DAEAAAABAAAAAQAAAAEAAAD9Tv0M/38AAP9/AAD/fwAA/38AAP2uASAG/U/9rgH9DQIDBgcKCw4PEhMWFxobHh/9CwQQIAJBAWshAiAAQUBrIQAgAUEgaiEBDAELCyAHQQFxBEAgAP0ABAAiA/0M////f////3////9/////f/1O/QwAAIB/AACAfwAAgH8AAIB//TwhBCAA/QAEECIF/Qz///9/////f////3////9//U79DAAAgH8AAIB/AACAfwAAgH/9PCEGIAEgAyAE/QwAAEAAAABAAAAAQAAAAEAA/U79UCADQRD9rQH9DAEAAAABAAAAAQAAAAEAAAD9Tv0M/38AAP9/AAD/fwAA/38AAP2uASAE/U/9rgEgBSAG/QwAAEAAAABAAAAAQAAAAEAA/U79UCAFQRD9rQH9DAEAAAABAAAAAQAAAAEAAAD9Tv0M/38AAP9/AAD/fwAA/38AAP2uASAG/U/9rgH9DQIDBgcKCw4PEhMWFxobHh/9CwQACwvAAQICfwN7A0AgBEEEaiIFIAJMBEAgAyAEQQJ0IgQgAGr9AAQAIgf9XyABIARq/QAEACII/V/98gEiBv0hAKAgBv0hAaAgByAH/Q0ICQoLDA0ODwABAgMEBQYH/V8gCCAI/Q0ICQoLDA0ODwABAgMEBQYH/V/98gEiBv0hAKAgBv0hAaAhAyAFIQQMAQsLA0AgAiAESgRAIAMgBEECdCIFIABqKgIAuyABIAVqKgIAu6KgIQMgBEEBaiEEDAELCyADC5YHAgV7AX8gAkEHakEDdiIIQQF2IQIDQCACQQBKBEAgAP0ABAAiA/2pASIEQaAI/QAEAP1OQQ39qwEiBUHwCP0ABAAiBv1OIQcgASAFQYAJ/QAEACIF/a4BIAcgBv03IAX9Tv2uASIFQZAJ/QAEAP2uAUGgCf0ABAD95QEgBSAH/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAEQbAJ/QAEAP1OQRD9qwH9UP0LBAAgA/2qASIDQaAI/QAEAP1OQQ39qwEiBEHwCP0ABAD9TiEFIAEgBEGACf0ABAD9rgEgBUHwCP0ABAD9N0GACf0ABAD9Tv2uASIEQZAJ/QAEAP2uAUGgCf0ABAD95QEgBCAF/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiADQbAJ/QAEAP1OQRD9qwH9UP0LBBAgAP0ABBAiA/2pASIEQaAI/QAEAP1OQQ39qwEiBUHwCP0ABAD9TiEGIAFBIGogBUGACf0ABAD9rgEgBkHwCP0ABAD9N0GACf0ABAD9Tv2uASIFQZAJ/QAEAP2uAUGgCf0ABAD95QEgBSAG/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAEQbAJ/QAEAP1OQRD9qwH9UP0LBAAgA/2qASIDQaAI/QAEAP1OQQ39qwEiBEHwCP0ABAD9TiEFIAEgBEGACf0ABAD9rgEgBUHwCP0ABAD9N0GACf0ABAD9Tv2uASIEQZAJ/QAEAP2uAUGgCf0ABAD95QEgBCAF/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiADQbAJ/QAEAP1OQRD9qwH9UP0LBDAgAkEBayECIABBIGohACABQUBrIQEMAQsLIAhBAXEEQCAA/QAEACID/akBIgRBoAj9AAQA/U5BDf2rASIFQfAI/QAEACIG/U4hByABIAVBgAn9AAQAIgX9rgEgByAG/TcgBf1O/a4BIgVBkAn9AAQA/a4BQaAJ/QAEAP3lASAFIAf9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIARBsAn9AAQA/U5BEP2rAf1Q/QsEACAD/aoBIgNBoAj9AAQA/U5BDf2rASIEQfAI/QAEAP1OIQUgASAEQYAJ/QAEAP2uASAFQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgRBkAn9AAQA/a4BQaAJ/QAEAP3lASAEIAX9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIANBsAn9AAQA/U5BEP2rAf1Q/QsEEAsL3AICAXsBfyACQQdqQQN2IgRBAXYhAgNAIAJBAEoEQCAB/QwAAAAAAAAAAAAAAAAAAAAAIAD9AAQAIgP9DQABEBECAxITBAUUFQYHFhf9CwQAIAH9DAAAAAAAAAAAAAAAAAAAAAAgA/0NCAkYGQoLGhsMDRwdDg8eH/0LBBAgAUEgav0MAAAAAAAAAAAAAAAAAAAAACAA/QAEECID/Q0AARARAgMSEwQFFBUGBxYX/QsEACAB/QwAAAAAAAAAAAAAAAAAAAAAIAP9DQgJGBkKCxobDA0cHQ4PHh/9CwQwIAJBAWshAiAAQSBqIQAgAUFAayEBDAELCyAEQQFxBEAgAf0MAAAAAAAAAAAAAAAAAAAAACAA/QAEACID/Q0AARARAgMSEwQFFBUGBxYX/QsEACAB/QwAAAAAAAAAAAAAAAAAAAAAIAP9DQgJGBkKCxobDA0cHQ4PHh/9CwQQCwvPAwICewF/IAP9EyEFIARBB2pBA3YiB0EBdiEEA0AgBEEASgRAIAAgAP0ABAAgBSAB/QAEACAC/QAEAP3lAf3mAf3kASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQAIAAgAP0ABBAgBSAB/QAEECAC/QAEEP3lAf3mAf3kASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQQIAAgAEEgav0ABAAgBSABQSBq/QAEACACQSBq/QAEAP3lAf3mAf3kASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQgIAAgAP0ABDAgBSAB/QAEMCAC/QAEMP3lAf3mAf3kASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQwIARBAWshBCAAQUBrIQAgAUFAayEBIAJBQGshAgwBCwsgB0EBcQRAIAAgAP0ABAAgBSAB/QAEACAC/QAEAP3lAf3mAf3kASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQAIAAgAP0ABBAgBSAB/QAEECAC/QAEEP3lAf3mAf3kASIF/QwAAMB/AADAfwAAwH8AAMB/IAUgBf1B/VL9CwQQCwvYCQIGewF/IAP9EyEFIARBB2pBA3YiC0EBdiEEA0AgBEEASgRAIAH9AAQAIgb9qQEiB0GgCP0ABAD9TkEN/asBIghB8Aj9AAQAIgn9TiEKIAAgAP0ABAAgBSAIQYAJ/QAEACII/a4BIAogCf03IAj9Tv2uASIIQZAJ/QAEAP2uAUGgCf0ABAD95QEgCCAK/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAHQbAJ/QAEAP1OQRD9qwH9UCAC/QAEAP3lAf3mAf3kASIH/QwAAMB/AADAfwAAwH8AAMB/IAcgB/1B/VL9CwQAIAb9qgEiBkGgCP0ABAD9TkEN/asBIgdB8Aj9AAQA/U4hCCAAIAD9AAQQIAUgB0GACf0ABAD9rgEgCEHwCP0ABAD9N0GACf0ABAD9Tv2uASIHQZAJ/QAEAP2uAUGgCf0ABAD95QEgByAI/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAGQbAJ/QAEAP1OQRD9qwH9UCAC/QAEEP3lAf3mAf3kASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQQIAH9AAQQIgb9qQEiB0GgCP0ABAD9TkEN/asBIghB8Aj9AAQA/U4hCSAAIABBIGr9AAQAIAUgCEGACf0ABAD9rgEgCUHwCP0ABAD9N0GACf0ABAD9Tv2uASIIQZAJ/QAEAP2uAUGgCf0ABAD95QEgCCAJ/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAHQbAJ/QAEAP1OQRD9qwH9UCACQSBq/QAEAP3lAf3mAf3kASIH/QwAAMB/AADAfwAAwH8AAMB/IAcgB/1B/VL9CwQgIAb9qgEiBkGgCP0ABAD9TkEN/asBIgdB8Aj9AAQA/U4hCCAAIAD9AAQwIAUgB0GACf0ABAD9rgEgCEHwCP0ABAD9N0GACf0ABAD9Tv2uASIHQZAJ/QAEAP2uAUGgCf0ABAD95QEgByAI/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAGQbAJ/QAEAP1OQRD9qwH9UCAC/QAEMP3lAf3mAf3kASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQwIARBAWshBCAAQUBrIQAgAUEgaiEBIAJBQGshAgwBCwsgC0EBcQRAIAH9AAQAIgb9qQEiB0GgCP0ABAD9TkEN/asBIghB8Aj9AAQAIgn9TiEKIAAgAP0ABAAgBSAIQYAJ/QAEACII/a4BIAogCf03IAj9Tv2uASIIQZAJ/QAEAP2uAUGgCf0ABAD95QEgCCAK/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAHQbAJ/QAEAP1OQRD9qwH9UCAC/QAEAP3lAf3mAf3kASIH/QwAAMB/AADAfwAAwH8AAMB/IAcgB/1B/VL9CwQAIAb9qgEiBkGgCP0ABAD9TkEN/asBIgdB8Aj9AAQA/U4hCCAAIAD9AAQQIAUgB0GACf0ABAD9rgEgCEHwCP0ABAD9N0GACf0ABAD9Tv2uASIFQZAJ/QAEAP2uAUGgCf0ABAD95QEgBSAI/QwAAAAAAAAAAAAAAAAAAAAA/Tf9UiAGQbAJ/QAEAP1OQRD9qwH9UCAC/QAEEP3lAf3mAf3kASIF/QwAAMB/AADAfwAAwH8AAMB/IAUgBf1B/VL9CwQQCwueBQIDewF/IAP9EyEFIARBB2pBA3YiCEEBdiEEA0AgBEEASgRAIAAgAP0ABAAgBf0MAAAAAAAAAAAAAAAAAAAAACAB/QAEACIG/Q0AARARAgMSEwQFFBUGBxYXIAL9AAQA/eUB/eYB/eQBIgf9DAAAwH8AAMB/AADAfwAAwH8gByAH/UH9Uv0LBAAgACAA/QAEECAF/QwAAAAAAAAAAAAAAAAAAAAAIAb9DQgJGBkKCxobDA0cHQ4PHh8gAv0ABBD95QH95gH95AEiBv0MAADAfwAAwH8AAMB/AADAfyAGIAb9Qf1S/QsEECAAIABBIGr9AAQAIAX9DAAAAAAAAAAAAAAAAAAAAAAgAf0ABBAiBv0NAAEQEQIDEhMEBRQVBgcWFyACQSBq/QAEAP3lAf3mAf3kASIH/QwAAMB/AADAfwAAwH8AAMB/IAcgB/1B/VL9CwQgIAAgAP0ABDAgBf0MAAAAAAAAAAAAAAAAAAAAACAG/Q0ICRgZCgsaGwwNHB0ODx4fIAL9AAQw/eUB/eYB/eQBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9Uv0LBDAgBEEBayEEIABBQGshACABQSBqIQEgAkFAayECDAELCyAIQQFxBEAgACAA/QAEACAF/QwAAAAAAAAAAAAAAAAAAAAAIAH9AAQAIgb9DQABEBECAxITBAUUFQYHFhcgAv0ABAD95QH95gH95AEiB/0MAADAfwAAwH8AAMB/AADAfyAHIAf9Qf1S/QsEACAAIAD9AAQQIAX9DAAAAAAAAAAAAAAAAAAAAAAgBv0NCAkYGQoLGhsMDRwdDg8eHyAC/QAEEP3lAf3mAf3kASIF/QwAAMB/AADAfwAAwH8AAMB/IAUgBf1B/VL9CwQQCwuPAwICewF/IAL9EyEEIANBB2pBA3YiBkEBdiEDA0AgA0EASgRAIAAgAP0ABAAgBCAB/QAEAP3mAf3kASIF/QwAAMB/AADAfwAAwH8AAMB/IAUgBf1B/VL9CwQAIAAgAP0ABBAgBCAB/QAEEP3mAf3kASIF/QwAAMB/AADAfwAAwH8AAMB/IAUgBf1B/VL9CwQQIAAgAEEgav0ABAAgBCABQSBq/QAEAP3mAf3kASIF/QwAAMB/AADAfwAAwH8AAMB/IAUgBf1B/VL9CwQgIAAgAP0ABDAgBCAB/QAEMP3mAf3kASIF/QwAAMB/AADAfwAAwH8AAMB/IAUgBf1B/VL9CwQwIANBAWshAyAAQUBrIQAgAUFAayEBDAELCyAGQQFxBEAgACAA/QAEACAEIAH9AAQA/eYB/eQBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBAAgACAA/QAEECAEIAH9AAQQ/eYB/eQBIgT9DAAAwH8AAMB/AADAfwAAwH8gBCAE/UH9Uv0LBBALC5gJAgZ7AX8gAv0TIQQgA0EHakEDdiIKQQF2IQMDQCADQQBKBEAgAf0ABAAiBf2pASIGQaAI/QAEAP1OQQ39qwEiB0HwCP0ABAAiCP1OIQkgACAA/QAEACAEIAdBgAn9AAQAIgf9rgEgCSAI/TcgB/1O/a4BIgdBkAn9AAQA/a4BQaAJ/QAEAP3lASAHIAn9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAZBsAn9AAQA/U5BEP2rAf1Q/eYB/eQBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9Uv0LBAAgBf2qASIFQaAI/QAEAP1OQQ39qwEiBkHwCP0ABAD9TiEHIAAgAP0ABBAgBCAGQYAJ/QAEAP2uASAHQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgZBkAn9AAQA/a4BQaAJ/QAEAP3lASAGIAf9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAVBsAn9AAQA/U5BEP2rAf1Q/eYB/eQBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBBAgAf0ABBAiBf2pASIGQaAI/QAEAP1OQQ39qwEiB0HwCP0ABAD9TiEIIAAgAEEgav0ABAAgBCAHQYAJ/QAEAP2uASAIQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgdBkAn9AAQA/a4BQaAJ/QAEAP3lASAHIAj9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAZBsAn9AAQA/U5BEP2rAf1Q/eYB/eQBIgb9DAAAwH8AAMB/AADAfwAAwH8gBiAG/UH9Uv0LBCAgBf2qASIFQaAI/QAEAP1OQQ39qwEiBkHwCP0ABAD9TiEHIAAgAP0ABDAgBCAGQYAJ/QAEAP2uASAHQfAI/QAEAP03QYAJ/QAEAP1O/a4BIgZBkAn9AAQA/a4BQaAJ/QAEAP3lASAGIAf9DAAAAAAAAAAAAAAAAAAAAAD9N/1SIAVBsAn9AAQA/U5BEP2rAf1Q/eYB/eQBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBDAgA0EBayEDIABBQGshACABQSBqIQEMAQsLIApBAXEEQCAB/QAEACIF/akBIgZBoAj9AAQA/U5BDf2rASIHQfAI/QAEACII/U4hCSAAIAD9AAQAIAQgB0GACf0ABAAiB/2uASAJIAj9NyAH/U79rgEiB0GQCf0ABAD9rgFBoAn9AAQA/eUBIAcgCf0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBkGwCf0ABAD9TkEQ/asB/VD95gH95AEiBv0MAADAfwAAwH8AAMB/AADAfyAGIAb9Qf1S/QsEACAF/aoBIgVBoAj9AAQA/U5BDf2rASIGQfAI/QAEAP1OIQcgACAA/QAEECAEIAZBgAn9AAQA/a4BIAdB8Aj9AAQA/TdBgAn9AAQA/U79rgEiBEGQCf0ABAD9rgFBoAn9AAQA/eUBIAQgB/0MAAAAAAAAAAAAAAAAAAAAAP03/VIgBUGwCf0ABAD9TkEQ/asB/VD95gH95AEiBP0MAADAfwAAwH8AAMB/AADAfyAEIAT9Qf1S/QsEEAsL3gQCA3sBfyAC/RMhBCADQQdqQQN2IgdBAXYhAwNAIANBAEoEQCAAIAD9AAQAIAT9DAAAAAAAAAAAAAAAAAAAAAAgAf0ABAAiBf0NAAEQEQIDEhMEBRQVBgcWF/3mAf3kASIG/QwAAMB/AADAfwAAwH8AAMB/IAYgBv1B/VL9CwQAIAAgAP0ABBAgBP0MAAAAAAAAAAAAAAAAAAAAACAF/Q0ICRgZCgsaGwwNHB0ODx4f/eYB/eQBIgX9DAAAwH8AAMB/AADAfwAAwH8gBSAF/UH9Uv0LBBAgACAAQSBq/QAEACAE/QwAAAAAAAAAAAAAAAAAAAAAIAH9AAQQIgX9DQABEBECAxITBAUUFQYHFhf95gH95AEiBv0MAADAfwAAwH8AAMB/AADAfyAGIAb9Qf1S/QsEICAAIAD9AAQwIAT9DAAAAAAAAAAAAAAAAAAAAAAgBf0NCAkYGQoLGhsMDRwdDg8eH/3mAf3kASIF/QwAAMB/AADAfwAAwH8AAMB/IAUgBf1B/VL9CwQwIANBAWshAyAAQUBrIQAgAUEgaiEBDAELCyAHQQFxBEAgACAA/QAEACAE/QwAAAAAAAAAAAAAAAAAAAAAIAH9AAQAIgX9DQABEBECAxITBAUUFQYHFhf95gH95AEiBv0MAADAfwAAwH8AAMB/AADAfyAGIAb9Qf1S/QsEACAAIAD9AAQQIAT9DAAAAAAAAAAAAAAAAAAAAAAgBf0NCAkYGQoLGhsMDRwdDg8eH/3mAf3kASIE/QwAAMB/AADAfwAAwH8AAMB/IAQgBP1B/VL9CwQQCwsLhAIBAEGCCAv8Af//AAD//wAA//8AAP//AQAAAAEAAAABAAAAAQAAAP9/AAD/fwAA/38AAP9/AAAAAMB/AADAfwAAwH8AAMB/////f////3////9/////fwAAgH8AAIB/AACAfwAAgH///wAA//8AAP//AAD//wAAAACADwAAgA8AAIAPAACADwAAADgAAAA4AAAAOAAAADgAAIAAAACAAAAAgAAAAIAAAACAOAAAgDgAAIA4AACAOACAAAAAgAAAAIAAAACAAAD/DwAA/w8AAP8PAAD/DwAAAHwAAAB8AAAAfAAAAHwAAAAAAD8AAAA/AAAAPwAAAD8AAgAAAAIAAAACAAAAAg==";

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
  "taskVectorStatsF32"
];
var compiled;
function compile() {
  if (compiled !== void 0) return compiled;
  const wasm = globalThis.WebAssembly;
  const bytes = Buffer.from(kernelsWasmBase64, "base64");
  compiled = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  return compiled;
}
function instantiateSimdKernels() {
  const module = compile();
  const wasm = globalThis.WebAssembly;
  if (!module || !wasm) return void 0;
  const exports = new wasm.Instance(module, {}).exports;
  const missing = exportNames.filter((name) => typeof exports[name] !== "function");
  if (missing.length > 0) {
    throw new InternalError(`The WebAssembly kernels lack ${missing.join(", ")}; kernels.generated.ts is stale, run npm run build.`, {
      code: "SIMD_EXPORTS_MISSING"
    });
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
  return new WasmKernels(simd, capacity);
}
var WasmKernels = class {
  constructor(simd, capacity) {
    this.simd = simd;
    this.capacity = capacity;
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
    for (let start = 0; start < count; start += this.capacity) {
      const n = Math.min(this.capacity, count - start);
      this.floats(a, n).set(finetuned.subarray(start, start + n));
      this.floats(b, n).set(base.subarray(start, start + n));
      this.simd.subF32(a, b, a, n);
      out.set(this.floats(a, n), start);
    }
    return out;
  }
  addScaled(options) {
    const { acc, tau } = options;
    const count = acc.length;
    checkLengths("addScaled", count, tau);
    const weight = Math.fround(options.weight);
    const [sum, term] = this.slots;
    for (let start = 0; start < count; start += this.capacity) {
      const n = Math.min(this.capacity, count - start);
      this.floats(sum, n).set(acc.subarray(start, start + n));
      this.floats(term, n).set(tau.subarray(start, start + n));
      this.simd.axpyF32(sum, term, weight, n);
      acc.set(this.floats(sum, n), start);
    }
    return acc;
  }
  addScaledDifference(options) {
    const { acc, finetuned, base } = options;
    const count = acc.length;
    checkLengths("addScaledDifference", count, finetuned, base);
    const weight = Math.fround(options.weight);
    const [sum, ft, bs] = this.slots;
    for (let start = 0; start < count; start += this.capacity) {
      const n = Math.min(this.capacity, count - start);
      this.floats(sum, n).set(acc.subarray(start, start + n));
      this.floats(ft, n).set(finetuned.subarray(start, start + n));
      this.floats(bs, n).set(base.subarray(start, start + n));
      this.simd.axpySubF32(sum, ft, bs, weight, n);
      acc.set(this.floats(sum, n), start);
    }
    return acc;
  }
  computeTaskVector(options) {
    const { base, finetuned, dtype } = options;
    const count = encodedLength(base);
    const finetunedCount = encodedLength(finetuned);
    if (finetunedCount !== count) {
      throw new InternalError(`computeTaskVector got ${count} base and ${finetunedCount} fine-tuned elements; read the same range of both.`, {
        code: "ARITHMETIC_LENGTH_MISMATCH"
      });
    }
    const step = Math.min(chunkSize(options.chunkElements), this.capacity);
    const out = bytesOut(options.out, count, dtype);
    const outSize = dtypeSize(dtype);
    const [s0, s1, s2, s3] = this.slots;
    const fused = base.dtype === finetuned.dtype ? this.fusedSubtraction(base.dtype, dtype) : void 0;
    for (let start = 0; start < count; start += step) {
      const n = Math.min(step, count - start);
      const target = out.subarray(start * outSize, (start + n) * outSize);
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
    }
    return out;
  }
  mergeChunk(options) {
    const { base, terms, dtype } = options;
    const count = encodedLength(base);
    for (const [i, term] of terms.entries()) {
      const termCount = encodedLength("taskVector" in term ? term.taskVector : term.finetuned);
      if (termCount !== count) {
        throw new InternalError(`mergeChunk got ${count} base elements but ${termCount} in term ${i}; read the same range of every input.`, {
          code: "ARITHMETIC_LENGTH_MISMATCH"
        });
      }
    }
    const step = Math.min(chunkSize(options.chunkElements), this.capacity);
    const out = bytesOut(options.out, count, dtype);
    const outSize = dtypeSize(dtype);
    const [acc, baseFloats, raw, scratch] = this.slots;
    const keepBase = terms.some((term) => "finetuned" in term);
    for (let start = 0; start < count; start += step) {
      const n = Math.min(step, count - start);
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
      this.storeFloats(acc, n, dtype, out.subarray(start * outSize, (start + n) * outSize), scratch);
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
    const count = encodedLength(options.base);
    for (const operand2 of taskVector ? [options.finetuned, taskVector] : [options.finetuned]) {
      if (encodedLength(operand2) !== count) {
        throw new InternalError(`Reconstruction statistics got operands of different lengths; read the same range of every input.`, {
          code: "ARITHMETIC_LENGTH_MISMATCH"
        });
      }
    }
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
    throw new InternalError(`The output buffer holds ${out.byteLength} bytes but ${count} ${dtype} elements need ${byteLength}.`, {
      code: "ENCODE_OUT_TOO_SMALL"
    });
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
    throw new UsageError('This JavaScript engine cannot run the WebAssembly SIMD kernels; use the JavaScript ones (implementation "js" or "auto").', {
      code: "SIMD_UNAVAILABLE"
    });
  }
  return javascriptKernels;
}

// src/safetensors/serve-sink-thread.ts
import { createHash } from "node:crypto";
import { closeSync, fdatasyncSync, mkdirSync, openSync, renameSync, rmSync, write as writeCallback } from "node:fs";
import { promisify } from "node:util";
import { dirname } from "node:path";

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
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(temporary, "w");
    files.set(sink, { fd, path, temporary, durable, hash: createHash("sha256"), size: 0, tail: Promise.resolve() });
    reply({ type: "opened", sink, fd });
  };
  const bytesOf = (file, request) => {
    if ("bytes" in request) return request.bytes;
    if (memory && request.offset + request.length <= memory.byteLength) return new Uint8Array(memory, request.offset, request.length);
    throw new InternalError(`${file.path}: a write named bytes outside the sink thread's shared memory; this is a bug in tvhub, please report it.`, { code: "SINK_THREAD_RANGE" });
  };
  const writeAll = async (fd, bytes, position) => {
    for (let done = 0; done < bytes.length; ) done += (await writeAt(fd, bytes, done, bytes.length - done, position + done)).bytesWritten;
  };
  const write = (sink, file, request) => {
    const fail = (error) => {
      file.failure ??= toWireError(error);
      reply({ type: "failed", sink, id: request.id, error: file.failure });
    };
    let bytes;
    try {
      if (file.fd === void 0) throw new InternalError(`${file.path}: a write came after the file was closed; this is a bug in tvhub, please report it.`, { code: "SINK_STATE" });
      bytes = bytesOf(file, request);
      file.hash.update(bytes);
    } catch (error) {
      return fail(error);
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
          if (!file) throw new InternalError(`Sink ${request.sink} was committed but is not open; this is a bug in tvhub, please report it.`, { code: "SINK_STATE" });
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
    throw new UsageError(`The random seed ${String(seed)} is not an integer from 0 to 2^53 \u2212 1; pass a whole number such as 42.`, {
      code: "RNG_BAD_SEED",
      subject: "seed"
    });
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
    throw new UsageError(`A random stream position must be a whole number \u2265 0, not ${String(start)}.`, { code: "RNG_BAD_POSITION" });
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
    throw new InternalError(`A merge got ${m} task vectors but ${options.weights.length} weights.`, { code: "ARITHMETIC_WEIGHTS_MISMATCH" });
  }
  const offset = options.offset ?? 0;
  if (sparsification.kind === "magnitude" && offset !== 0) {
    throw new InternalError("Magnitude sparsification needs whole tensors (its top-k is per tensor), not a chunk at an offset.", {
      code: "ARITHMETIC_NEEDS_WHOLE_TENSOR"
    });
  }
  const out = outputFor("generalizedMerge", n, options.out);
  const outWords = wordsOf(out);
  const weights = options.weights.map((weight) => Math.fround(weight));
  const lambda2 = consensus.kind === "ties" ? Math.fround(consensus.lambda) : 1;
  const words = taskVectors.map(wordsOf);
  const thresholds = sparsification.kind === "magnitude" ? taskVectors.map((values) => magnitudeThreshold({ values, k: keepCount(sparsification.density, n) })) : [];
  const tiesLeft = thresholds.map((threshold) => threshold.keepAtThreshold);
  const streams = sparsification.kind === "dare" ? taskVectors.map((_, i) => deriveStream({ seed: sparsification.seed, labels: ["dare", sparsification.tensorName, i] })) : [];
  const random = streams.map(() => new Uint32Array(Math.min(slice2, n)));
  const keepFrom = sparsification.kind === "dare" ? sparsification.dropRate * 2 ** 32 : 0;
  const divisor = sparsification.kind === "dare" ? Math.fround(1 - sparsification.dropRate) : 1;
  const v = new Float64Array(m);
  for (let start = 0; start < n; start += slice2) {
    const end = Math.min(n, start + slice2);
    for (let i = 0; i < streams.length; i++) {
      fillRandom({ stream: streams[i], start: offset + start, out: random[i].subarray(0, end - start) });
    }
    for (let j = start; j < end; j++) {
      for (let i = 0; i < m; i++) {
        const tau = taskVectors[i][j];
        let sparse = tau;
        if (sparsification.kind === "magnitude") {
          const magnitude = words[i][j] & 2147483647;
          const threshold = thresholds[i];
          const kept = magnitude > threshold.bits || magnitude === threshold.bits && tiesLeft[i]-- > 0;
          sparse = kept ? tau : 0;
        } else if (sparsification.kind === "dare") {
          sparse = random[i][j - start] < keepFrom ? 0 : Math.fround(tau / divisor);
        }
        v[i] = Math.fround(weights[i] * sparse);
      }
      let result;
      if (consensus.kind === "sum") {
        result = base[j];
        for (let i = 0; i < m; i++) result = Math.fround(result + v[i]);
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

// src/arithmetic/merge-methods.ts
var density = {
  name: "density",
  description: "Fraction of each task vector's elements kept, by magnitude, per tensor.",
  default: 0.2,
  min: 0,
  max: 1,
  minExclusive: true
};
var dropRate = {
  name: "drop_rate",
  description: "p, the probability of dropping each element of each task vector; survivors are scaled by 1/(1 \u2212 p).",
  default: 0.9,
  min: 0,
  max: 1,
  maxExclusive: true
};
var lambda = {
  name: "lambda",
  description: "\u03BB, the scale of the merged task vector added to the base.",
  default: 1,
  min: -Number.MAX_VALUE,
  max: Number.MAX_VALUE
};
var taskArithmeticPaper = "https://arxiv.org/abs/2212.04089";
var tiesPaper = "https://arxiv.org/abs/2306.01708";
var darePaper = "https://arxiv.org/abs/2311.03099";
var taskArithmetic = defineMethod(
  {
    name: "task_arithmetic",
    title: "Task arithmetic",
    formula: "\u03B8 = \u03B8_base + \u03A3_i \u03BB_i \u03C4_i",
    reference: taskArithmeticPaper,
    granularity: "elementwise",
    random: false,
    parameters: []
  },
  () => ({ sparsification: { kind: "none" }, consensus: { kind: "sum" } })
);
var magnitudePruneMethod = defineMethod(
  {
    name: "magnitude_prune",
    title: "Magnitude pruning",
    formula: "\u03B8 = \u03B8_base + \u03A3_i \u03BB_i topk(\u03C4_i)",
    reference: tiesPaper,
    granularity: "tensor",
    random: false,
    parameters: [density]
  },
  (p) => ({ sparsification: { kind: "magnitude", density: p.density }, consensus: { kind: "sum" } })
);
var ties = defineMethod(
  {
    name: "ties",
    title: "TIES-Merging",
    formula: "\u03B8 = \u03B8_base + \u03BB \xB7 disjoint_mean(elect(\u03BB_i trim(\u03C4_i)))",
    reference: tiesPaper,
    granularity: "tensor",
    random: false,
    parameters: [density, lambda]
  },
  (p) => ({ sparsification: { kind: "magnitude", density: p.density }, consensus: { kind: "ties", lambda: p.lambda } })
);
var dareLinear = defineMethod(
  {
    name: "dare_linear",
    title: "DARE + task arithmetic",
    formula: "\u03B8 = \u03B8_base + \u03A3_i \u03BB_i dare_p(\u03C4_i)",
    reference: darePaper,
    granularity: "elementwise",
    random: true,
    parameters: [dropRate]
  },
  (p, random) => ({ sparsification: { kind: "dare", dropRate: p.drop_rate, ...random }, consensus: { kind: "sum" } })
);
var dareTies = defineMethod(
  {
    name: "dare_ties",
    title: "DARE + TIES",
    formula: "\u03B8 = \u03B8_base + \u03BB \xB7 disjoint_mean(elect(\u03BB_i dare_p(\u03C4_i)))",
    reference: darePaper,
    granularity: "elementwise",
    random: true,
    parameters: [dropRate, lambda]
  },
  (p, random) => ({ sparsification: { kind: "dare", dropRate: p.drop_rate, ...random }, consensus: { kind: "ties", lambda: p.lambda } })
);
var mergeMethods = [taskArithmetic, magnitudePruneMethod, ties, dareLinear, dareTies];
function findMergeMethod(name) {
  return mergeMethods.find((method) => method.name === name);
}
function resolveMethodParameters(options) {
  const { method } = options;
  const given = options.given ?? {};
  const path = options.path ?? "parameters";
  const known = new Set(method.parameters.map((parameter) => parameter.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      const accepted = method.parameters.length ? `it takes ${method.parameters.map((p) => p.name).join(", ")}` : "it takes none";
      throw new UsageError(`${path}.${name} is not a parameter of the ${method.name} method; ${accepted}.`, {
        code: "METHOD_UNKNOWN_PARAMETER",
        subject: `${path}.${name}`
      });
    }
  }
  const resolved = {};
  for (const parameter of method.parameters) {
    const value = given[parameter.name] ?? parameter.default;
    const low = parameter.minExclusive ? value > parameter.min : value >= parameter.min;
    const high = parameter.maxExclusive ? value < parameter.max : value <= parameter.max;
    if (typeof value !== "number" || !Number.isFinite(value) || !low || !high) {
      throw new UsageError(`${path}.${parameter.name} is ${String(value)}, but ${method.name} needs it in ${rangeText(parameter)}.`, {
        code: "METHOD_PARAMETER_RANGE",
        subject: `${path}.${parameter.name}`
      });
    }
    resolved[parameter.name] = value;
  }
  return resolved;
}
function rangeText(parameter) {
  if (parameter.min === -Number.MAX_VALUE && parameter.max === Number.MAX_VALUE) return "the finite numbers";
  return `${parameter.minExclusive ? "(" : "["}${parameter.min}, ${parameter.max}${parameter.maxExclusive ? ")" : "]"}`;
}
function defineMethod(spec, configure) {
  const method = { ...spec, merge: (input) => run(method, input, configure) };
  return method;
}
function run(method, input, configure) {
  const parameters = resolveMethodParameters({ method, ...input.parameters ? { given: input.parameters } : {} });
  if (method.random && !input.random) {
    throw new UsageError(`The ${method.name} method draws random numbers and needs a seed; set a seed for the merge (the model card records it).`, {
      code: "METHOD_SEED_REQUIRED",
      subject: "seed"
    });
  }
  if (method.granularity === "tensor" && (input.offset ?? 0) !== 0) {
    throw new InternalError(`The ${method.name} method ranks whole tensors and cannot take a chunk at an offset.`, {
      code: "ARITHMETIC_NEEDS_WHOLE_TENSOR"
    });
  }
  const { sparsification, consensus } = configure(parameters, input.random ?? { seed: 0, tensorName: "" });
  return generalizedMerge({
    base: input.base,
    taskVectors: input.taskVectors,
    weights: input.weights,
    sparsification,
    consensus,
    ...input.offset !== void 0 ? { offset: input.offset } : {},
    ...input.out ? { out: input.out } : {}
  });
}

// src/app/compute-messages.ts
var computeProtocol = 3;
function fromWireJob(wire) {
  if (wire.kind.op !== "merge") return wire;
  const method = findMergeMethod(wire.kind.method);
  if (!method) throw new InternalError(`A worker got merge method ${wire.kind.method}, which it has no kernel for.`, { code: "COMPUTE_UNKNOWN_METHOD" });
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
  const kernels = { BF16: simd.taskVectorStatsBf16, F16: simd.taskVectorStatsF16, F32: simd.taskVectorStatsF32 };
  const interleaved = [0, 4, 1, 5, 2, 6, 3, 7];
  const inOrder = [0, 1, 2, 3, 4, 5, 6, 7];
  return (options) => {
    const { finetuned, base, dtype } = options;
    if (finetuned.dtype !== dtype || base.dtype !== dtype || dtype === "F64") return composed(options);
    const count = encodedLength(base);
    if (encodedLength(finetuned) !== count) {
      throw new InternalError(`computeTaskVector got ${count} base and ${encodedLength(finetuned)} fine-tuned elements; read the same range of both.`, {
        code: "ARITHMETIC_LENGTH_MISMATCH"
      });
    }
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
    return { bytes: out, sumOfSquares: sumOfSquares2, reconstruction: { ...emptyReconstructionStats, elements: count, mismatches, maxAbsError } };
  };
}
function outputBytes(out, byteLength) {
  if (!out) return new Uint8Array(byteLength);
  if (out.byteLength < byteLength) {
    throw new InternalError(`The output buffer holds ${out.byteLength} bytes but the task vector needs ${byteLength}.`, { code: "ENCODE_OUT_TOO_SMALL" });
  }
  return out.byteLength === byteLength ? out : out.subarray(0, byteLength);
}

// src/app/compute-job.ts
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
    case "merge": {
      const { method, terms } = job.kind;
      const base = encoded(operand(operands, 0));
      if (method.name === "task_arithmetic") {
        return kernels.mergeChunk({ base, terms: mergeTerms(terms, operands, count, job.kind.base, kernels), dtype: computable(outDtype) });
      }
      const baseValues = kernels.decodeToF32(base);
      const taskVectors = tauValues(terms, operands, count, kernels);
      const merged = method.merge({
        base: baseValues,
        taskVectors,
        weights: terms.map((term) => term.weight32),
        parameters: job.kind.parameters,
        ...method.random ? { random: { seed: job.kind.seed ?? 0, tensorName: job.tensor.name } } : {},
        offset: job.start
      });
      return kernels.encodeFromF32({ dtype: computable(outDtype), values: merged });
    }
  }
}
function mergeTerms(terms, operands, count, mergeBase, kernels) {
  let next = 1;
  return terms.map((term) => {
    switch (term.tau.kind) {
      case "vector":
        return { weight: term.weight32, taskVector: encoded(operand(operands, next++)) };
      case "taskVector": {
        const finetuned = encoded(operand(operands, next++));
        const base = encoded(operand(operands, next++));
        if (sameRef(term.tau.base, mergeBase)) return { weight: term.weight32, finetuned };
        return { weight: term.weight32, taskVector: { dtype: "F32", bytes: kernels.computeTaskVector({ finetuned, base, dtype: "F32" }) } };
      }
      case "zero":
        return { weight: term.weight32, taskVector: { dtype: "F32", bytes: new Uint8Array(count * 4) } };
    }
  });
}
function tauValues(terms, operands, count, kernels) {
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
    }
  });
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
  if (!isComputable(dtype)) throw new InternalError(`A float operation reached a ${dtype} tensor.`, { code: "EXECUTE_NOT_FLOAT" });
  return dtype;
}

// src/app/create-job-runner.ts
function createJobRunner(options) {
  const { kernels, statistics } = options;
  const taskVector = createTaskVectorStatistics({ implementation: kernels.implementation === "wasm" ? "auto" : "js", kernels });
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
        return { bytes: computed.bytes, sumOfSquares: computed.sumOfSquares, reconstruction: computed.reconstruction };
      }
    }
    const bytes = computeJob({ job, operands, kernels });
    if (!statistics || !isComputable(dtype)) return { bytes };
    if (job.kind.op === "copy") {
      return { bytes, sumOfSquares: squares(dtype, bytes) };
    }
    return { bytes };
  };
}

// src/app/compute-worker.ts
var data = workerData;
if (!isMainThread && parentPort && data?.tvhubComputeWorker === computeProtocol) serve(parentPort, data);
if (!isMainThread && parentPort && data?.tvhubSinkThread === sinkThreadProtocol) serveSinkThread({ port: parentPort, ...data.memory === void 0 ? {} : { memory: data.memory } });
function serve(port, options) {
  const { memory, slotBytes } = options;
  const kernels = createArithmeticKernels();
  const run2 = createJobRunner({ kernels, statistics: options.statistics });
  const bytesOf = (wire) => "slot" in wire ? slotView(memory, slotBytes, wire.slot, wire.length) : wire.bytes;
  port.on("message", (message) => {
    try {
      const operands = message.operands.map((operand2) => ({ dtype: operand2.dtype, bytes: bytesOf(operand2) }));
      const out = message.out >= 0 ? slotView(memory, slotBytes, message.out, slotBytes) : void 0;
      const { bytes, ...statistics } = run2(fromWireJob(message.job), operands, out);
      let output;
      if (out && bytes.buffer === memory && bytes.byteOffset === out.byteOffset) output = { slot: message.out, length: bytes.byteLength };
      else if (out && bytes.byteLength <= slotBytes) {
        out.set(bytes);
        output = { slot: message.out, length: bytes.byteLength };
      } else output = { bytes };
      const reply = { type: "done", id: message.id, output, ...statistics };
      port.postMessage(reply, "bytes" in output && output.bytes.buffer instanceof ArrayBuffer ? [output.bytes.buffer] : []);
    } catch (error) {
      const { name, message: text, code } = error;
      const failure = { name: name ?? "Error", message: text ?? String(error), ...typeof code === "string" ? { code } : {} };
      port.postMessage({ type: "failed", id: message.id, error: failure });
    }
  });
  port.postMessage({ type: "ready", implementation: kernels.implementation });
}
