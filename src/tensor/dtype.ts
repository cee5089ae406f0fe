/** The safetensors dtypes, with their element sizes in bytes. */
export const dtypeSizes = {
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
  F64: 8,
} as const;

export type Dtype = keyof typeof dtypeSizes;

/** Float dtypes that arithmetic decodes to float32 and encodes back. */
export const computableDtypes = ["F64", "F32", "F16", "BF16"] as const;
export type ComputableDtype = (typeof computableDtypes)[number];

export function isDtype(value: string): value is Dtype {
  return Object.hasOwn(dtypeSizes, value);
}

export function isComputable(dtype: Dtype): dtype is ComputableDtype {
  return (computableDtypes as readonly string[]).includes(dtype);
}

export function dtypeSize(dtype: Dtype): number {
  return dtypeSizes[dtype];
}

/** Names users type (`bf16`, `float16`, `torch.bfloat16`) to a safetensors dtype. */
const aliases: Record<string, ComputableDtype> = {
  f64: "F64",
  float64: "F64",
  double: "F64",
  f32: "F32",
  float32: "F32",
  float: "F32",
  f16: "F16",
  float16: "F16",
  half: "F16",
  fp16: "F16",
  bf16: "BF16",
  bfloat16: "BF16",
};

export function parseComputableDtype(text: string): ComputableDtype | undefined {
  return aliases[text.toLowerCase().replace(/^torch\./, "")];
}
