// AssemblyScript, compiled by scripts/build-wasm.mjs; the root tsc does not understand it, hence:
// @ts-nocheck

// WebAssembly SIMD kernels for decode, compute and encode of BF16, F16 and F32, bit for bit the same
// results as the JavaScript reference in src/tensor (codecs) and src/arithmetic (kernels).
//
// Conventions, shared with ../create-wasm-kernels.ts:
// - Arguments are byte addresses in this module's memory and element counts.
// - Every kernel works in whole blocks of 8 elements: the JavaScript side sizes its buffers in
//   whole blocks and ignores what lands past `n`, which spares each loop a scalar tail.
//   (SIMD lanes are independent and float operations never trap, so padding garbage is harmless.)
//   The reductions are the exception: they take the exact count.
// - Float arithmetic is wasm's IEEE binary32 with round-to-nearest-even, the same as Math.fround on
//   every finite and infinite value. Wasm leaves the sign and payload of a computed NaN to the
//   engine, as ECMAScript does, so every NaN a kernel computes is replaced by the canonical quiet NaN
//   0x7fc00000, the rule of src/arithmetic/float32.ts. Decoding and encoding keep a NaN's sign and
//   payload (made quiet on encode), like src/tensor's codecs.

// ---------------------------------------------------------------------------------------------
// Lane helpers. "bits" vectors hold float32 bit patterns, one per 32-bit lane.

const HIGH_HALVES: v128 = i32x4.splat(<i32>0xffff0000);
const LOW_HALVES: v128 = i32x4.splat(0x0000ffff);
const ZERO: v128 = i32x4.splat(0);
const CANONICAL_NAN: v128 = i32x4.splat(0x7fc00000);

const CONSTANTS: usize = memory.data<i32>([
  0xffff0000, 0xffff0000, 0xffff0000, 0xffff0000,
  0x1, 0x1, 0x1, 0x1,
  0x7fff, 0x7fff, 0x7fff, 0x7fff,
  0x7fc00000, 0x7fc00000, 0x7fc00000, 0x7fc00000,
  0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff,
  0x7f800000, 0x7f800000, 0x7f800000, 0x7f800000,
  0xffff, 0xffff, 0xffff, 0xffff,
  0xf800000, 0xf800000, 0xf800000, 0xf800000,
  0x38000000, 0x38000000, 0x38000000, 0x38000000,
  0x800000, 0x800000, 0x800000, 0x800000,
  0x38800000, 0x38800000, 0x38800000, 0x38800000,
  0x8000, 0x8000, 0x8000, 0x8000,
  0xfff, 0xfff, 0xfff, 0xfff,
  0x7c00, 0x7c00, 0x7c00, 0x7c00,
  0x3f000000, 0x3f000000, 0x3f000000, 0x3f000000,
  0x200, 0x200, 0x200, 0x200,
], 16);
const K_HIGH: i32 = 0;
const K_ONE: i32 = 16;
const K_X7FFF: i32 = 32;
const K_CNAN: i32 = 48;
const K_ABS: i32 = 64;
const K_INF: i32 = 80;
const K_LOW: i32 = 96;
const K_EXP16: i32 = 112;
const K_REBIAS: i32 = 128;
const K_X00800000: i32 = 144;
const K_X38800000: i32 = 160;
const K_X8000: i32 = 176;
const K_XFFF: i32 = 192;
const K_X7C00: i32 = 208;
const K_HALF: i32 = 224;
const K_X0200: i32 = 240;
/** A constant vector from CONSTANTS: one load, where a v128.const costs V8 several instructions at every use. */
@inline function k(offset: i32): v128 {
  return v128.load(CONSTANTS + <usize>offset);
}

/** BF16 elements 0..3 of `v` (8 packed halves) as float32 bits: a zip with zeros puts each in a lane's high half. */
@inline function bf16Low(v: v128): v128 {
  return i16x8.shuffle(ZERO, v, 0, 8, 1, 9, 2, 10, 3, 11);
}

/** BF16 elements 4..7 of `v` as float32 bits. */
@inline function bf16High(v: v128): v128 {
  return i16x8.shuffle(ZERO, v, 4, 12, 5, 13, 6, 14, 7, 15);
}

/**
 * f32BitsToBf16Bits (src/tensor/bf16.ts) per lane, leaving the BF16 bits in each lane's high half:
 * add 0x7fff plus the kept LSB and let the carry round to nearest even (into the exponent, and to Inf,
 * when it must). A NaN gets no rounding bias, since a carry could turn it into Inf or flip its sign,
 * and is made quiet instead: the high half then reads (bits >>> 16) | 0x40.
 */
@inline function roundToBf16(x: v128): v128 {
  const isNaN = i32x4.gt_u(v128.and(x, i32x4.splat(0x7fffffff)), i32x4.splat(0x7f800000));
  const bias = i32x4.add(v128.and(i32x4.shr_u(x, 16), i32x4.splat(1)), i32x4.splat(0x7fff));
  return i32x4.add(v128.or(x, v128.and(isNaN, i32x4.splat(0x00400000))), v128.andnot(bias, isNaN));
}

/** `x` with every NaN lane replaced by the canonical quiet NaN. */
@inline function canonical(x: v128): v128 {
  return v128.bitselect(x, CANONICAL_NAN, f32x4.eq(x, x));
}

/**
 * roundToBf16 for lanes that come out of arithmetic: a NaN becomes canonical (0x7fc0 once rounded,
 * the bias cannot carry out of 0x7fc00000's low half), which also spares the NaN test.
 */
@inline function roundComputedToBf16(x: v128): v128 {
  const bias = i32x4.add(v128.and(i32x4.shr_u(x, 16), i32x4.splat(1)), i32x4.splat(0x7fff));
  return i32x4.add(canonical(x), bias);
}

/** Packs the high halves of two rounded vectors into 8 BF16 elements, in order. */
@inline function packHighHalves(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
}

/**
 * f16BitsToF32Bits (src/tensor/f16.ts) per lane; `h` holds one binary16 in each lane's low half and
 * zeros above. Normal values rebias the exponent (+112); Inf and NaN rebias twice so the exponent
 * saturates, payload kept; zeros and subnormals are built as 2^-14·(1 + m/1024) and have 2^-14
 * subtracted, which is exact.
 */
@inline function f16ToF32Bits(h: v128): v128 {
  let o = i32x4.shl(v128.and(h, k(K_X7FFF)), 13);
  const exponent = v128.and(o, k(K_EXP16));
  o = i32x4.add(o, k(K_REBIAS));
  o = i32x4.add(o, v128.and(i32x4.eq(exponent, k(K_EXP16)), k(K_REBIAS)));
  const small = f32x4.sub(i32x4.add(o, k(K_X00800000)), k(K_X38800000));
  o = v128.bitselect(small, o, i32x4.eq(exponent, ZERO));
  return v128.or(o, i32x4.shl(v128.and(h, k(K_X8000)), 16));
}

/**
 * f32BitsToF16Bits (src/tensor/f16.ts) per lane, leaving the binary16 bits in each lane's low half
 * and zeros above. Normal results round the rebiased bits to nearest even, and anything that rounds
 * to 0x7c00 or beyond is Inf (the clamp). Subnormal results come from adding 0.5: the float adder
 * rounds |x| to a multiple of 2^-24 (ties to even) and the low bits of the sum are the half's
 * mantissa. NaN keeps its sign and top payload bits and is made quiet.
 */
@inline function f32ToF16Bits(x: v128): v128 {
  const sign = v128.and(i32x4.shr_u(x, 16), k(K_X8000));
  const abs = v128.and(x, k(K_ABS));
  const rebiased = i32x4.sub(abs, k(K_REBIAS));
  const rounded = i32x4.shr_u(
    i32x4.add(i32x4.add(rebiased, k(K_XFFF)), v128.and(i32x4.shr_u(rebiased, 13), k(K_ONE))),
    13,
  );
  const normal = i32x4.min_u(rounded, k(K_X7C00));
  const subnormal = i32x4.sub(f32x4.add(abs, k(K_HALF)), k(K_HALF));
  let r = v128.bitselect(subnormal, normal, i32x4.lt_s(abs, k(K_X38800000)));
  const nan = v128.or(v128.and(i32x4.shr_u(abs, 13), k(K_X7FFF)), k(K_X0200));
  r = v128.bitselect(nan, r, i32x4.gt_s(abs, k(K_INF)));
  return v128.or(r, sign);
}

// ---------------------------------------------------------------------------------------------
// Loops. Each kernel is a block function for 8 elements and a loop that runs two blocks per
// iteration on pointers: V8 does not unroll, and with one block per iteration and an index the
// loop's own address arithmetic cost a third of the BF16 τ kernel's time.

/** The number of 8-element blocks `n` elements need. */
@inline function blocksOf(n: i32): i32 {
  return (n + 7) >>> 3;
}

// ---------------------------------------------------------------------------------------------
// Codecs: packed bytes <-> float32.

@inline function decodeBf16Block(src: usize, dst: usize): void {
  const v = v128.load(src);
  v128.store(dst, bf16Low(v));
  v128.store(dst, bf16High(v), 16);
}

/** BF16 at `src` to float32 at `dst`. */
export function decodeBf16(src: usize, dst: usize, n: i32): void {
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, src += 32, dst += 64) {
    decodeBf16Block(src, dst);
    decodeBf16Block(src + 16, dst + 32);
  }
  if (blocks & 1) decodeBf16Block(src, dst);
}

@inline function decodeF16Block(src: usize, dst: usize): void {
  const v = v128.load(src);
  v128.store(dst, f16ToF32Bits(i32x4.extend_low_i16x8_u(v)));
  v128.store(dst, f16ToF32Bits(i32x4.extend_high_i16x8_u(v)), 16);
}

/** F16 at `src` to float32 at `dst`. */
export function decodeF16(src: usize, dst: usize, n: i32): void {
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, src += 32, dst += 64) {
    decodeF16Block(src, dst);
    decodeF16Block(src + 16, dst + 32);
  }
  if (blocks & 1) decodeF16Block(src, dst);
}

@inline function encodeBf16Block(src: usize, dst: usize): void {
  v128.store(dst, packHighHalves(roundToBf16(v128.load(src)), roundToBf16(v128.load(src, 16))));
}

/** Float32 at `src` to BF16 at `dst`, rounding to nearest even. */
export function encodeBf16(src: usize, dst: usize, n: i32): void {
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, src += 64, dst += 32) {
    encodeBf16Block(src, dst);
    encodeBf16Block(src + 32, dst + 16);
  }
  if (blocks & 1) encodeBf16Block(src, dst);
}

@inline function encodeF16Block(src: usize, dst: usize): void {
  v128.store(dst, i16x8.narrow_i32x4_u(f32ToF16Bits(v128.load(src)), f32ToF16Bits(v128.load(src, 16))));
}

/** Float32 at `src` to F16 at `dst`, rounding to nearest even. */
export function encodeF16(src: usize, dst: usize, n: i32): void {
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, src += 64, dst += 32) {
    encodeF16Block(src, dst);
    encodeF16Block(src + 32, dst + 16);
  }
  if (blocks & 1) encodeF16Block(src, dst);
}

// ---------------------------------------------------------------------------------------------
// Arithmetic on float32 (src/arithmetic/subtract.ts and add-scaled.ts).

@inline function subF32Block(a: usize, b: usize, out: usize): void {
  const low = canonical(f32x4.sub(v128.load(a), v128.load(b)));
  const high = canonical(f32x4.sub(v128.load(a, 16), v128.load(b, 16)));
  v128.store(out, low);
  v128.store(out, high, 16);
}

/** out = a − b (τ = finetuned − base). `out` may be `a` or `b`. */
export function subF32(a: usize, b: usize, out: usize, n: i32): void {
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, a += 64, b += 64, out += 64) {
    subF32Block(a, b, out);
    subF32Block(a + 32, b + 32, out + 32);
  }
  if (blocks & 1) subF32Block(a, b, out);
}

/** acc + fround(λ·τ), NaN canonical: one merge step on 4 lanes. */
@inline function step(acc: v128, scale: v128, tau: v128): v128 {
  return canonical(f32x4.add(acc, f32x4.mul(scale, tau)));
}

@inline function axpyF32Block(acc: usize, x: usize, scale: v128): void {
  v128.store(acc, step(v128.load(acc), scale, v128.load(x)));
  v128.store(acc, step(v128.load(acc, 16), scale, v128.load(x, 16)), 16);
}

/** One merge step on float32: acc = acc + fround(λ·x). */
export function axpyF32(acc: usize, x: usize, lambda: f32, n: i32): void {
  const scale = f32x4.splat(lambda);
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, acc += 64, x += 64) {
    axpyF32Block(acc, x, scale);
    axpyF32Block(acc + 32, x + 32, scale);
  }
  if (blocks & 1) axpyF32Block(acc, x, scale);
}

@inline function axpySubF32Block(acc: usize, ft: usize, base: usize, scale: v128): void {
  v128.store(acc, step(v128.load(acc), scale, f32x4.sub(v128.load(ft), v128.load(base))));
  v128.store(acc, step(v128.load(acc, 16), scale, f32x4.sub(v128.load(ft, 16), v128.load(base, 16))), 16);
}

/**
 * One merge step whose τ is computed on the fly: acc = acc + fround(λ·fround(ft − base)). Only the
 * sum is made canonical, as in the reference: a NaN τ makes a NaN sum whatever its bits.
 */
export function axpySubF32(acc: usize, ft: usize, base: usize, lambda: f32, n: i32): void {
  const scale = f32x4.splat(lambda);
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, acc += 64, ft += 64, base += 64) {
    axpySubF32Block(acc, ft, base, scale);
    axpySubF32Block(acc + 32, ft + 32, base + 32, scale);
  }
  if (blocks & 1) axpySubF32Block(acc, ft, base, scale);
}

// ---------------------------------------------------------------------------------------------
// Fused kernels for the common dtype combinations: one pass over the packed bytes, no float32 buffer.

/**
 * 8 BF16 differences. A 32-bit lane holds two BF16 elements; the even ones are shifted up, the odd
 * ones masked in place, so no shuffle is needed until the final blend.
 */
@inline function subBf16Block(a: usize, b: usize, out: usize): void {
  const va = v128.load(a);
  const vb = v128.load(b);
  const even = roundComputedToBf16(f32x4.sub(i32x4.shl(va, 16), i32x4.shl(vb, 16)));
  const odd = roundComputedToBf16(f32x4.sub(v128.and(va, HIGH_HALVES), v128.and(vb, HIGH_HALVES)));
  v128.store(out, i16x8.shuffle(i32x4.shr_u(even, 16), odd, 0, 9, 2, 11, 4, 13, 6, 15));
}

/** τ for BF16 inputs and a BF16 output. */
export function subBf16(a: usize, b: usize, out: usize, n: i32): void {
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, a += 32, b += 32, out += 32) {
    subBf16Block(a, b, out);
    subBf16Block(a + 16, b + 16, out + 16);
  }
  if (blocks & 1) subBf16Block(a, b, out);
}

/** 8 F16 differences, even and odd elements in separate lanes as in subBf16Block. */
@inline function subF16Block(a: usize, b: usize, out: usize): void {
  const va = v128.load(a);
  const vb = v128.load(b);
  const even = f32ToF16Bits(
    canonical(f32x4.sub(f16ToF32Bits(v128.and(va, LOW_HALVES)), f16ToF32Bits(v128.and(vb, LOW_HALVES)))),
  );
  const odd = f32ToF16Bits(canonical(f32x4.sub(f16ToF32Bits(i32x4.shr_u(va, 16)), f16ToF32Bits(i32x4.shr_u(vb, 16)))));
  v128.store(out, v128.or(even, i32x4.shl(odd, 16)));
}

/** τ for F16 inputs and an F16 output. */
export function subF16(a: usize, b: usize, out: usize, n: i32): void {
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, a += 32, b += 32, out += 32) {
    subF16Block(a, b, out);
    subF16Block(a + 16, b + 16, out + 16);
  }
  if (blocks & 1) subF16Block(a, b, out);
}

@inline function subBf16ToF32Block(a: usize, b: usize, out: usize): void {
  const va = v128.load(a);
  const vb = v128.load(b);
  v128.store(out, canonical(f32x4.sub(bf16Low(va), bf16Low(vb))));
  v128.store(out, canonical(f32x4.sub(bf16High(va), bf16High(vb))), 16);
}

/** τ for BF16 inputs, stored as float32 (exact for every BF16 pair within 2^16 of each other). */
export function subBf16ToF32(a: usize, b: usize, out: usize, n: i32): void {
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, a += 32, b += 32, out += 64) {
    subBf16ToF32Block(a, b, out);
    subBf16ToF32Block(a + 16, b + 16, out + 32);
  }
  if (blocks & 1) subBf16ToF32Block(a, b, out);
}

@inline function subF16ToF32Block(a: usize, b: usize, out: usize): void {
  const va = v128.load(a);
  const vb = v128.load(b);
  v128.store(
    out,
    canonical(f32x4.sub(f16ToF32Bits(i32x4.extend_low_i16x8_u(va)), f16ToF32Bits(i32x4.extend_low_i16x8_u(vb)))),
  );
  v128.store(
    out,
    canonical(f32x4.sub(f16ToF32Bits(i32x4.extend_high_i16x8_u(va)), f16ToF32Bits(i32x4.extend_high_i16x8_u(vb)))),
    16,
  );
}

/** τ for F16 inputs, stored as float32. */
export function subF16ToF32(a: usize, b: usize, out: usize, n: i32): void {
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, a += 32, b += 32, out += 64) {
    subF16ToF32Block(a, b, out);
    subF16ToF32Block(a + 16, b + 16, out + 32);
  }
  if (blocks & 1) subF16ToF32Block(a, b, out);
}

@inline function axpyBf16Block(acc: usize, x: usize, scale: v128): void {
  const v = v128.load(x);
  v128.store(acc, step(v128.load(acc), scale, bf16Low(v)));
  v128.store(acc, step(v128.load(acc, 16), scale, bf16High(v)), 16);
}

/** A merge step with a BF16 τ (a published task vector): acc = acc + fround(λ·x). */
export function axpyBf16(acc: usize, x: usize, lambda: f32, n: i32): void {
  const scale = f32x4.splat(lambda);
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, acc += 64, x += 32) {
    axpyBf16Block(acc, x, scale);
    axpyBf16Block(acc + 32, x + 16, scale);
  }
  if (blocks & 1) axpyBf16Block(acc, x, scale);
}

@inline function axpyF16Block(acc: usize, x: usize, scale: v128): void {
  const v = v128.load(x);
  v128.store(acc, step(v128.load(acc), scale, f16ToF32Bits(i32x4.extend_low_i16x8_u(v))));
  v128.store(acc, step(v128.load(acc, 16), scale, f16ToF32Bits(i32x4.extend_high_i16x8_u(v))), 16);
}

/** A merge step with an F16 τ. */
export function axpyF16(acc: usize, x: usize, lambda: f32, n: i32): void {
  const scale = f32x4.splat(lambda);
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, acc += 64, x += 32) {
    axpyF16Block(acc, x, scale);
    axpyF16Block(acc + 32, x + 16, scale);
  }
  if (blocks & 1) axpyF16Block(acc, x, scale);
}

@inline function axpySubBf16Block(acc: usize, ft: usize, base: usize, scale: v128): void {
  const v = v128.load(ft);
  v128.store(acc, step(v128.load(acc), scale, f32x4.sub(bf16Low(v), v128.load(base))));
  v128.store(acc, step(v128.load(acc, 16), scale, f32x4.sub(bf16High(v), v128.load(base, 16))), 16);
}

/** A merge step with τ computed on the fly from a BF16 fine-tuned chunk and the float32 base. */
export function axpySubBf16(acc: usize, ft: usize, base: usize, lambda: f32, n: i32): void {
  const scale = f32x4.splat(lambda);
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, acc += 64, ft += 32, base += 64) {
    axpySubBf16Block(acc, ft, base, scale);
    axpySubBf16Block(acc + 32, ft + 16, base + 32, scale);
  }
  if (blocks & 1) axpySubBf16Block(acc, ft, base, scale);
}

@inline function axpySubF16Block(acc: usize, ft: usize, base: usize, scale: v128): void {
  const v = v128.load(ft);
  v128.store(acc, step(v128.load(acc), scale, f32x4.sub(f16ToF32Bits(i32x4.extend_low_i16x8_u(v)), v128.load(base))));
  v128.store(
    acc,
    step(v128.load(acc, 16), scale, f32x4.sub(f16ToF32Bits(i32x4.extend_high_i16x8_u(v)), v128.load(base, 16))),
    16,
  );
}

/** A merge step with τ computed on the fly from an F16 fine-tuned chunk and the float32 base. */
export function axpySubF16(acc: usize, ft: usize, base: usize, lambda: f32, n: i32): void {
  const scale = f32x4.splat(lambda);
  const blocks = blocksOf(n);
  for (let k = blocks >>> 1; k > 0; k--, acc += 64, ft += 32, base += 64) {
    axpySubF16Block(acc, ft, base, scale);
    axpySubF16Block(acc + 32, ft + 16, base + 32, scale);
  }
  if (blocks & 1) axpySubF16Block(acc, ft, base, scale);
}

// ---------------------------------------------------------------------------------------------
// Reductions (src/arithmetic/sum-of-squares.ts and dot-product.ts): float64 sums in index order.
// The order is the contract, so the additions stay one sequential chain; SIMD only loads, widens
// and multiplies (a float32 product is exact in float64), and the chain's latency bounds the speed.
// These take the exact count `n`: padding must not enter a sum.

/** initial + Σ x[i]², in index order. */
export function sumOfSquaresF32(x: usize, n: i32, initial: f64): f64 {
  let sum = initial;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const low = f64x2.promote_low_f32x4(v);
    const high = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    const low2 = f64x2.mul(low, low);
    const high2 = f64x2.mul(high, high);
    sum += f64x2.extract_lane(low2, 0);
    sum += f64x2.extract_lane(low2, 1);
    sum += f64x2.extract_lane(high2, 0);
    sum += f64x2.extract_lane(high2, 1);
  }
  for (; i < n; i++) {
    const value = <f64>load<f32>(x + (<usize>i << 2));
    sum += value * value;
  }
  return sum;
}

/** initial + Σ a[i]·b[i], in index order. */
export function dotF32(a: usize, b: usize, n: i32, initial: f64): f64 {
  let sum = initial;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const offset = <usize>i << 2;
    const va = v128.load(a + offset);
    const vb = v128.load(b + offset);
    const low = f64x2.mul(f64x2.promote_low_f32x4(va), f64x2.promote_low_f32x4(vb));
    const high = f64x2.mul(
      f64x2.promote_low_f32x4(i32x4.shuffle(va, va, 2, 3, 0, 1)),
      f64x2.promote_low_f32x4(i32x4.shuffle(vb, vb, 2, 3, 0, 1)),
    );
    sum += f64x2.extract_lane(low, 0);
    sum += f64x2.extract_lane(low, 1);
    sum += f64x2.extract_lane(high, 0);
    sum += f64x2.extract_lane(high, 1);
  }
  for (; i < n; i++) {
    const offset = <usize>i << 2;
    sum += <f64>load<f32>(a + offset) * <f64>load<f32>(b + offset);
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Reconstruction statistics (src/arithmetic/reconstruction-error.ts): a count and a maximum, which
// do not depend on the order, so the lanes run in parallel. Exact count `n` here too.

const ABS_BITS: v128 = i32x4.splat(0x7fffffff);
const INFINITY_BITS: v128 = i32x4.splat(0x7f800000);

/**
 * The float32 bits of |d| for a largest-error maximum, where d = fround(r − ft): a NaN (a NaN met a number)
 * counts as +Infinity. Non-negative float32 bits order as unsigned integers, so i32x4.max_u keeps the maximum.
 */
@inline function errorBits(d: v128): v128 {
  return i32x4.min_u(v128.and(d, ABS_BITS), INFINITY_BITS);
}

/** The largest of four error-bit lanes, as the float64 the statistics report. */
@inline function largestOf(bits: v128): f64 {
  const m = max<u32>(
    max<u32>(i32x4.extract_lane(bits, 0), i32x4.extract_lane(bits, 1)),
    max<u32>(i32x4.extract_lane(bits, 2), i32x4.extract_lane(bits, 3)),
  );
  return <f64>reinterpret<f32>(m);
}

/** The sum of four i32 lanes. */
@inline function laneSum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

/**
 * Compares r = fround(base + τ) with ft as bit patterns: writes at `result` the number of mismatches
 * (i32; two NaNs match whatever their bits) and at `result + 8` the largest |fround(r − ft)| (the f64 of
 * a float32; Infinity when a NaN meets a number, 0 for ±0 pairs).
 */
export function reconstructionStats(base: usize, ft: usize, tau: usize, n: i32, result: usize): void {
  let matches = ZERO;
  let largest = ZERO;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const offset = <usize>i << 2;
    const f = v128.load(ft + offset);
    const r = f32x4.add(v128.load(base + offset), v128.load(tau + offset));
    const match = v128.or(i32x4.eq(r, f), v128.and(f32x4.ne(r, r), f32x4.ne(f, f)));
    matches = i32x4.add(matches, match);
    largest = i32x4.max_u(largest, v128.andnot(errorBits(f32x4.sub(r, f)), match));
  }
  let count = i + laneSum(matches);
  let error = largestOf(largest);
  for (; i < n; i++) {
    const offset = <usize>i << 2;
    const f = load<f32>(ft + offset);
    const r = load<f32>(base + offset) + load<f32>(tau + offset);
    if (reinterpret<i32>(r) == reinterpret<i32>(f) || (r != r && f != f)) continue;
    count++;
    const e = r != r || f != f ? Infinity : <f64>abs<f32>(r - f);
    if (e > error) error = e;
  }
  store<i32>(result, count);
  store<f64>(result, error, 8);
}

// ---------------------------------------------------------------------------------------------
// A task vector with its card's statistics in one pass (../create-task-vector-statistics.ts).

const EVEN_INDEX: v128 = i32x4(0, 2, 4, 6);
const ODD_INDEX: v128 = i32x4(1, 3, 5, 7);
const LOW_INDEX: v128 = i32x4(0, 1, 2, 3);
const HIGH_INDEX: v128 = i32x4(4, 5, 6, 7);

/**
 * Lanes where fround(base + τ) is the fine-tuned value: the same bits, or a NaN fine-tuned value. τ of a NaN is
 * NaN, so base + τ is then NaN too: the reference's "two NaNs match" needs no test of the sum.
 */
@inline function reproduced(sum: v128, ft: v128): v128 {
  return v128.or(i32x4.eq(sum, ft), f32x4.ne(ft, ft));
}

/**
 * τ = fround(ft − base) stored at `out` in the inputs' dtype (as subBf16, subF16 and subF32 write it), and in the
 * same pass over the registers:
 * - Σ τ² of the stored values in eight float64 accumulators at `sums` (element i in accumulator i mod 8, in index
 *   order), read first and written back, so a caller carries them from call to call. BF16 and F16 split a block
 *   into even and odd elements, so their accumulators are stored as lanes 0,2 | 4,6 | 1,3 | 5,7; F32 keeps the
 *   order, 0,1 | 2,3 | 4,5 | 6,7;
 * - reconstructionStats of base, ft and that τ: the mismatch count (i32 at `result`) and the largest error
 *   (f64 at `result` + 8).
 * The dtype is the type argument, fixed at compile time: u16 is BF16, i16 is F16, f32 is F32. The loop has no
 * branch but the last block's: on fine-tunes most blocks have a mismatch (τ rounded to 16 bits is rarely exact), and
 * a test per block cost more than the work it skipped. Elements past `n` in the last block are computed (the output
 * is written in whole blocks) but counted nowhere.
 */
@inline function taskVectorStats<T>(a: usize, b: usize, out: usize, n: i32, sums: usize, result: usize): void {
  const f16 = sizeof<T>() == 2 && isSigned<T>();
  const step: usize = sizeof<T>() * 8;
  // Constants as loop-invariant values in registers (see k()).
  const highHalves = k(K_HIGH);
  const lowHalves = k(K_LOW);
  const one = k(K_ONE);
  const roundingBias = k(K_X7FFF);
  const canonicalNaN = k(K_CNAN);
  const absBits = k(K_ABS);
  const infinityBits = k(K_INF);
  let sA0 = v128.load(sums);
  let sA1 = v128.load(sums, 16);
  let sB0 = v128.load(sums, 32);
  let sB1 = v128.load(sums, 48);
  let matches = ZERO;
  let largest = ZERO;
  const blocks = blocksOf(n);
  const left = i32x4.splat(n - ((blocks - 1) << 3));
  for (let remaining = blocks; remaining > 0; remaining--, a += step, b += step, out += step) {
    // Two float32 vectors of the block's fine-tuned and base values (A and B), and τ of each as float32.
    let ftA: v128, baseA: v128, ftB: v128, baseB: v128, tauA: v128, tauB: v128;
    if (sizeof<T>() == 4) {
      ftA = v128.load(a);
      ftB = v128.load(a, 16);
      baseA = v128.load(b);
      baseB = v128.load(b, 16);
      const dA = f32x4.sub(ftA, baseA);
      const dB = f32x4.sub(ftB, baseB);
      tauA = v128.bitselect(dA, canonicalNaN, f32x4.eq(dA, dA));
      tauB = v128.bitselect(dB, canonicalNaN, f32x4.eq(dB, dB));
      v128.store(out, tauA);
      v128.store(out, tauB, 16);
    } else if (f16) {
      const va = v128.load(a);
      const vb = v128.load(b);
      ftA = f16ToF32Bits(v128.and(va, lowHalves));
      baseA = f16ToF32Bits(v128.and(vb, lowHalves));
      ftB = f16ToF32Bits(i32x4.shr_u(va, 16));
      baseB = f16ToF32Bits(i32x4.shr_u(vb, 16));
      const halfA = f32ToF16Bits(canonical(f32x4.sub(ftA, baseA)));
      const halfB = f32ToF16Bits(canonical(f32x4.sub(ftB, baseB)));
      v128.store(out, v128.or(halfA, i32x4.shl(halfB, 16)));
      tauA = f16ToF32Bits(halfA);
      tauB = f16ToF32Bits(halfB);
    } else {
      const va = v128.load(a);
      const vb = v128.load(b);
      ftA = i32x4.shl(va, 16);
      baseA = i32x4.shl(vb, 16);
      ftB = v128.and(va, highHalves);
      baseB = v128.and(vb, highHalves);
      const dA = f32x4.sub(ftA, baseA);
      const dB = f32x4.sub(ftB, baseB);
      // roundComputedToBf16, with its constants in registers.
      const roundedA = i32x4.add(
        v128.bitselect(dA, canonicalNaN, f32x4.eq(dA, dA)),
        i32x4.add(v128.and(i32x4.shr_u(dA, 16), one), roundingBias),
      );
      const roundedB = i32x4.add(
        v128.bitselect(dB, canonicalNaN, f32x4.eq(dB, dB)),
        i32x4.add(v128.and(i32x4.shr_u(dB, 16), one), roundingBias),
      );
      v128.store(out, i16x8.shuffle(i32x4.shr_u(roundedA, 16), roundedB, 0, 9, 2, 11, 4, 13, 6, 15));
      tauA = v128.and(roundedA, highHalves);
      tauB = v128.and(roundedB, highHalves);
    }
    const sumA = f32x4.add(baseA, tauA);
    const sumB = f32x4.add(baseB, tauB);
    let matchA = reproduced(sumA, ftA);
    let matchB = reproduced(sumB, ftB);
    let errorA = v128.andnot(i32x4.min_u(v128.and(f32x4.sub(sumA, ftA), absBits), infinityBits), matchA);
    let errorB = v128.andnot(i32x4.min_u(v128.and(f32x4.sub(sumB, ftB), absBits), infinityBits), matchB);
    if (remaining == 1) {
      const keepA = i32x4.lt_s(sizeof<T>() == 4 ? LOW_INDEX : EVEN_INDEX, left);
      const keepB = i32x4.lt_s(sizeof<T>() == 4 ? HIGH_INDEX : ODD_INDEX, left);
      tauA = v128.and(tauA, keepA);
      tauB = v128.and(tauB, keepB);
      matchA = v128.and(matchA, keepA);
      matchB = v128.and(matchB, keepB);
      errorA = v128.and(errorA, keepA);
      errorB = v128.and(errorB, keepB);
    }
    matches = i32x4.add(matches, i32x4.add(matchA, matchB));
    largest = i32x4.max_u(largest, i32x4.max_u(errorA, errorB));
    const a0 = f64x2.promote_low_f32x4(tauA);
    const a1 = f64x2.promote_low_f32x4(i32x4.shuffle(tauA, tauA, 2, 3, 0, 1));
    const b0 = f64x2.promote_low_f32x4(tauB);
    const b1 = f64x2.promote_low_f32x4(i32x4.shuffle(tauB, tauB, 2, 3, 0, 1));
    sA0 = f64x2.add(sA0, f64x2.mul(a0, a0));
    sA1 = f64x2.add(sA1, f64x2.mul(a1, a1));
    sB0 = f64x2.add(sB0, f64x2.mul(b0, b0));
    sB1 = f64x2.add(sB1, f64x2.mul(b1, b1));
  }
  v128.store(sums, sA0);
  v128.store(sums, sA1, 16);
  v128.store(sums, sB0, 32);
  v128.store(sums, sB1, 48);
  // `matches` holds minus the number of reproduced elements.
  store<i32>(result, n + laneSum(matches));
  store<f64>(result, largestOf(largest), 8);
}

/** taskVectorStats for BF16 inputs and a BF16 τ. */
export function taskVectorStatsBf16(a: usize, b: usize, out: usize, n: i32, sums: usize, result: usize): void {
  taskVectorStats<u16>(a, b, out, n, sums, result);
}

/** taskVectorStats for F16 inputs and an F16 τ. */
export function taskVectorStatsF16(a: usize, b: usize, out: usize, n: i32, sums: usize, result: usize): void {
  taskVectorStats<i16>(a, b, out, n, sums, result);
}

/** taskVectorStats for F32 inputs and an F32 τ (`a`, `b` and `out` hold float32s). */
export function taskVectorStatsF32(a: usize, b: usize, out: usize, n: i32, sums: usize, result: usize): void {
  taskVectorStats<f32>(a, b, out, n, sums, result);
}

// ---------------------------------------------------------------------------------------------
// LoRA delta: rows of s·(left·right), the order of src/arithmetic/lora-delta.ts. Each output element
// starts at +0 and adds fround(left[i,k]·right[k,j]) for k = 0 … rank−1 in order, one float32 add
// per k (wasm SIMD has no fused multiply-add, so every product is rounded as in the reference); the
// sum is multiplied by s and made canonical. `right` is `rank × width` (width a multiple of 16, the
// tile the JavaScript side copied in), `left` is `rows × rank`, `out` is `rows × width`.

/**
 * 16 columns at a time, rows in pairs: each `right` vector loaded feeds both rows' sums (8 accumulators). The
 * column strip is the outer loop, so its rank × 16 values stay in L1 while every row of the block passes over them
 * (rows outside meant re-reading all of `right` from L2 for each pair, the bound at rank 64).
 */
export function loraRowsF32(left: usize, right: usize, out: usize, rows: i32, rank: i32, width: i32, scale: f32): void {
  const s = f32x4.splat(scale);
  const rowBytes = <usize>width << 2;
  const leftBytes = <usize>rank << 2;
  const pairs = rows >> 1;
  for (let j: usize = 0; j < rowBytes; j += 64) {
    let l1 = left;
    let o1 = out + j;
    for (let i = 0; i < pairs; i++, l1 += leftBytes << 1, o1 += rowBytes << 1) {
      const l2 = l1 + leftBytes;
      let a0 = ZERO;
      let a1 = ZERO;
      let a2 = ZERO;
      let a3 = ZERO;
      let b0 = ZERO;
      let b1 = ZERO;
      let b2 = ZERO;
      let b3 = ZERO;
      let r = right + j;
      for (let k: usize = 0; k < leftBytes; k += 4, r += rowBytes) {
        const l = v128.load32_splat(l1 + k);
        const m = v128.load32_splat(l2 + k);
        const r0 = v128.load(r);
        const r1 = v128.load(r, 16);
        const r2 = v128.load(r, 32);
        const r3 = v128.load(r, 48);
        a0 = f32x4.add(a0, f32x4.mul(l, r0));
        a1 = f32x4.add(a1, f32x4.mul(l, r1));
        a2 = f32x4.add(a2, f32x4.mul(l, r2));
        a3 = f32x4.add(a3, f32x4.mul(l, r3));
        b0 = f32x4.add(b0, f32x4.mul(m, r0));
        b1 = f32x4.add(b1, f32x4.mul(m, r1));
        b2 = f32x4.add(b2, f32x4.mul(m, r2));
        b3 = f32x4.add(b3, f32x4.mul(m, r3));
      }
      storeScaled(o1, s, a0, a1, a2, a3);
      storeScaled(o1 + rowBytes, s, b0, b1, b2, b3);
    }
    if (rows & 1) {
      let a0 = ZERO;
      let a1 = ZERO;
      let a2 = ZERO;
      let a3 = ZERO;
      let r = right + j;
      for (let k: usize = 0; k < leftBytes; k += 4, r += rowBytes) {
        const l = v128.load32_splat(l1 + k);
        a0 = f32x4.add(a0, f32x4.mul(l, v128.load(r)));
        a1 = f32x4.add(a1, f32x4.mul(l, v128.load(r, 16)));
        a2 = f32x4.add(a2, f32x4.mul(l, v128.load(r, 32)));
        a3 = f32x4.add(a3, f32x4.mul(l, v128.load(r, 48)));
      }
      storeScaled(o1, s, a0, a1, a2, a3);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Matrix products for the truncated SVD of task vectors (src/arithmetic/low-rank). Row-major float32
// matrices at byte addresses, leading dimensions in elements. C = A·B: each element of C is the chain
// c = fround(c + fround(a·b)) over p = 0, 1, ..., k − 1 from c = +0, the order of the JavaScript
// reference in src/arithmetic/low-rank/matrix-kernels.ts; the blocking below only changes which
// elements are computed when, never the order within one chain, so every result is bit for bit the
// reference's. No fused multiply-add: wasm SIMD has none outside relaxed-simd, whose rounding is the
// engine's choice.

/**
 * gemmF32's blocks: B's kc × nc block (512 KiB, stays in L2), A's mc × kc block (128 KiB), and a 4 × 8 edge tile,
 * static data below the heap (hence build-wasm's initial memory).
 */
const GEMM_KC: i32 = 256;
const GEMM_NC: i32 = 512;
const GEMM_MC: i32 = 128;
const GEMM_PACK_B: usize = memory.data(GEMM_KC * GEMM_NC * 4, 64);
const GEMM_PACK_A: usize = memory.data(GEMM_KC * GEMM_MC * 4, 64);
const GEMM_EDGE: usize = memory.data(4 * 8 * 4, 64);

/**
 * A 4 × 8 tile of C (row stride rowC bytes) continued over kc steps of packed A ([p][4]) and packed B ([p][8]): eight
 * f32x4 accumulators, the most V8 keeps in registers (5 × 8, 6 × 8 and 4 × 12 tiles spilled and ran 2–3× slower).
 * Not inlined and not unrolled: either made V8 spill here, and each cost about 30%.
 */
function gemmMicro4x8(pa: usize, pb: usize, c: usize, rowC: usize, kc: i32, first: bool): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  if (first) {
    c00 = ZERO; c01 = ZERO; c10 = ZERO; c11 = ZERO; c20 = ZERO; c21 = ZERO; c30 = ZERO; c31 = ZERO;
  } else {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + rowC); c11 = v128.load(c + rowC, 16);
    c20 = v128.load(c + 2 * rowC); c21 = v128.load(c + 2 * rowC, 16);
    c30 = v128.load(c + 3 * rowC); c31 = v128.load(c + 3 * rowC, 16);
  }
  const end = pb + (<usize>kc << 5);
  while (pb < end) {
    const b0 = v128.load(pb); const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0)); c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0)); c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += 16;
    pb += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + rowC, c10); v128.store(c + rowC, c11, 16);
  v128.store(c + 2 * rowC, c20); v128.store(c + 2 * rowC, c21, 16);
  v128.store(c + 3 * rowC, c30); v128.store(c + 3 * rowC, c31, 16);
}

/**
 * C (m × n) = A (m × k) · B (k × n), row-major, n a multiple of 4 (pad B's and C's rows with zeros), leading
 * dimensions in elements; C is overwritten (k = 0 leaves it as it was). Blocked as GotoBLAS does: for each block of B
 * (kc × nc), packed into slivers of 8 columns ([p][8], contiguous: τ's rows are 16 KiB apart and, read in place, fight
 * over the same L1 sets), and each block of A (mc × kc), packed into slivers of 4 rows, every B sliver (8 KiB, in L1)
 * meets every A sliver (from L2) in the 4 × 8 micro-kernel. A tile's chain continues across the kc blocks (C is
 * loaded back after the first), so the order of each element's sum is untouched.
 */
export function gemmF32(a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, k: i32, n: i32): void {
  const rowA = <usize>lda << 2;
  const rowB = <usize>ldb << 2;
  const rowC = <usize>ldc << 2;
  for (let j0 = 0; j0 < n; j0 += GEMM_NC) {
    const nc = min(GEMM_NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += GEMM_KC) {
      const kc = min(GEMM_KC, k - p0);
      const first = p0 == 0;
      // Pack B[p0 : p0 + kc, j0 : j0 + nc] as slivers of 8 columns, [p][8] each; a last sliver of 4 padded with zeros.
      const slivers = (nc + 7) >> 3;
      const sliverBytes = <usize>kc << 5;
      for (let s = 0; s < slivers; s++) {
        let src = b + <usize>p0 * rowB + (<usize>(j0 + (s << 3)) << 2);
        let dst = GEMM_PACK_B + <usize>s * sliverBytes;
        const full = (s << 3) + 8 <= nc;
        for (let p = 0; p < kc; p++, src += rowB, dst += 32) {
          v128.store(dst, v128.load(src));
          v128.store(dst, full ? v128.load(src, 16) : ZERO, 16);
        }
      }
      for (let i0 = 0; i0 < m; i0 += GEMM_MC) {
        const mc = min(GEMM_MC, m - i0);
        // Pack A[i0 : i0 + mc, p0 : p0 + kc] as slivers of 4 rows, [p][4] each, missing rows zero.
        const panels = (mc + 3) >> 2;
        const panelBytes = <usize>kc << 4;
        for (let q = 0; q < panels; q++) {
          const rows = min(4, mc - (q << 2));
          const srcA = a + <usize>(i0 + (q << 2)) * rowA + (<usize>p0 << 2);
          let dst = GEMM_PACK_A + <usize>q * panelBytes;
          if (rows == 4) {
            for (let p = 0; p < kc; p++, dst += 16) {
              const s = srcA + (<usize>p << 2);
              store<f32>(dst, load<f32>(s));
              store<f32>(dst, load<f32>(s + rowA), 4);
              store<f32>(dst, load<f32>(s + 2 * rowA), 8);
              store<f32>(dst, load<f32>(s + 3 * rowA), 12);
            }
          } else {
            for (let p = 0; p < kc; p++, dst += 16) {
              const s = srcA + (<usize>p << 2);
              for (let r = 0; r < 4; r++)
                store<f32>(dst + (<usize>r << 2), r < rows ? load<f32>(s + <usize>r * rowA) : 0);
            }
          }
        }
        const blockC = c + <usize>i0 * rowC + (<usize>j0 << 2);
        for (let s = 0; s < slivers; s++) {
          const cols = min(8, nc - (s << 3));
          const pb = GEMM_PACK_B + <usize>s * sliverBytes;
          for (let q = 0; q < panels; q++) {
            const rows = min(4, mc - (q << 2));
            const pa = GEMM_PACK_A + <usize>q * panelBytes;
            const at = blockC + <usize>(q << 2) * rowC + (<usize>s << 5);
            if (rows == 4 && cols == 8) {
              gemmMicro4x8(pa, pb, at, rowC, kc, first);
            } else {
              if (!first)
                for (let r = 0; r < rows; r++)
                  for (let x = 0; x < cols; x += 4)
                    v128.store(
                      GEMM_EDGE + (<usize>(r * 8 + x) << 2),
                      v128.load(at + <usize>r * rowC + (<usize>x << 2)),
                    );
              gemmMicro4x8(pa, pb, GEMM_EDGE, 32, kc, first);
              for (let r = 0; r < rows; r++)
                for (let x = 0; x < cols; x += 4)
                  v128.store(at + <usize>r * rowC + (<usize>x << 2), v128.load(GEMM_EDGE + (<usize>(r * 8 + x) << 2)));
            }
          }
        }
      }
    }
  }
}
/**
 * Σ (a[i] − b[i])² in float64 (each difference and square exact in float64), over exactly n elements:
 * four running sums, element i into sum i mod 4, added at the end as (s0 + s1) + (s2 + s3).
 */
export function squaredDistanceF32(a: usize, b: usize, n: i32): f64 {
  let s01 = f64x2.splat(0);
  let s23 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const offset = <usize>i << 2;
    const va = v128.load(a + offset);
    const vb = v128.load(b + offset);
    const d01 = f64x2.sub(f64x2.promote_low_f32x4(va), f64x2.promote_low_f32x4(vb));
    const d23 = f64x2.sub(
      f64x2.promote_low_f32x4(i32x4.shuffle(va, va, 2, 3, 0, 1)),
      f64x2.promote_low_f32x4(i32x4.shuffle(vb, vb, 2, 3, 0, 1)),
    );
    s01 = f64x2.add(s01, f64x2.mul(d01, d01));
    s23 = f64x2.add(s23, f64x2.mul(d23, d23));
  }
  let s0 = f64x2.extract_lane(s01, 0);
  let s1 = f64x2.extract_lane(s01, 1);
  let s2 = f64x2.extract_lane(s23, 0);
  let s3 = f64x2.extract_lane(s23, 1);
  for (; i < n; i++) {
    const d = <f64>load<f32>(a + (<usize>i << 2)) - <f64>load<f32>(b + (<usize>i << 2));
    const r = i & 3;
    if (r == 0) s0 += d * d;
    else if (r == 1) s1 += d * d;
    else if (r == 2) s2 += d * d;
    else s3 += d * d;
  }
  return (s0 + s1) + (s2 + s3);
}

/** fround(s·acc) for 16 columns, NaN canonical. */
@inline function storeScaled(o: usize, s: v128, a0: v128, a1: v128, a2: v128, a3: v128): void {
  v128.store(o, canonical(f32x4.mul(s, a0)));
  v128.store(o, canonical(f32x4.mul(s, a1)), 16);
  v128.store(o, canonical(f32x4.mul(s, a2)), 32);
  v128.store(o, canonical(f32x4.mul(s, a3)), 48);
}

// Float64 kernels of the orthonormalization (src/arithmetic/low-rank/orthonormalize.ts). X is column-major:
// column c is `rows` float64 values from x + c·rows·8.

/**
 * G (cols × cols, row-major) = XᵀX, upper triangle and its mirror: G[i][j] is the sum over rows in order in two
 * chains, even rows and odd rows, added at the end (even + odd).
 */
export function gramF64(x: usize, rows: i32, cols: i32, g: usize): void {
  const colBytes = <usize>rows << 3;
  const pairs = rows >> 1;
  for (let i = 0; i < cols; i++) {
    const xi = x + <usize>i * colBytes;
    let j = i;
    // Four columns j at a time: four independent chains (the add's latency, not its throughput, bounds one chain),
    // each X[·, i] pair loaded once; every entry is still its own even and odd chain over the rows in order.
    for (; j + 4 <= cols; j += 4) {
      const x0 = x + <usize>j * colBytes;
      const x1 = x0 + colBytes;
      const x2 = x1 + colBytes;
      const x3 = x2 + colBytes;
      let a0 = f64x2.splat(0);
      let a1 = f64x2.splat(0);
      let a2 = f64x2.splat(0);
      let a3 = f64x2.splat(0);
      for (let r = 0; r < pairs; r++) {
        const o = <usize>r << 4;
        const v = v128.load(xi + o);
        a0 = f64x2.add(a0, f64x2.mul(v, v128.load(x0 + o)));
        a1 = f64x2.add(a1, f64x2.mul(v, v128.load(x1 + o)));
        a2 = f64x2.add(a2, f64x2.mul(v, v128.load(x2 + o)));
        a3 = f64x2.add(a3, f64x2.mul(v, v128.load(x3 + o)));
      }
      gramStore(a0, xi, x0, rows, g, cols, i, j);
      gramStore(a1, xi, x1, rows, g, cols, i, j + 1);
      gramStore(a2, xi, x2, rows, g, cols, i, j + 2);
      gramStore(a3, xi, x3, rows, g, cols, i, j + 3);
    }
    for (; j < cols; j++) {
      const xj = x + <usize>j * colBytes;
      let acc = f64x2.splat(0);
      for (let r = 0; r < pairs; r++) {
        const o = <usize>r << 4;
        acc = f64x2.add(acc, f64x2.mul(v128.load(xi + o), v128.load(xj + o)));
      }
      gramStore(acc, xi, xj, rows, g, cols, i, j);
    }
  }
}

/** G[i][j] = G[j][i] = even + odd, the odd row count's last row added to the even chain. */
// @ts-ignore: decorator
@inline
function gramStore(acc: v128, xi: usize, xj: usize, rows: i32, g: usize, cols: i32, i: i32, j: i32): void {
  let even = f64x2.extract_lane(acc, 0);
  const odd = f64x2.extract_lane(acc, 1);
  if (rows & 1) even += load<f64>(xi + (<usize>(rows - 1) << 3)) * load<f64>(xj + (<usize>(rows - 1) << 3));
  const sum = even + odd;
  store<f64>(g + ((<usize>(i * cols + j)) << 3), sum);
  store<f64>(g + ((<usize>(j * cols + i)) << 3), sum);
}

/** Rows per block of solveUpperF64: a block of every column stays in L2 while the columns are updated. */
const SOLVE_ROWS: i32 = 512;

/**
 * X ← X·R⁻¹ for R (cols × cols, row-major, upper triangular): column j becomes (x_j − Σ_{k<j} R[k][j]·y_k) / R[j][j],
 * k in order; a zero pivot gives a zero column. Rows are independent, so the blocking does not change a bit.
 */
export function solveUpperF64(x: usize, rows: i32, cols: i32, r: usize): void {
  const colBytes = <usize>rows << 3;
  for (let r0 = 0; r0 < rows; r0 += SOLVE_ROWS) {
    const r1 = min(rows, r0 + SOLVE_ROWS);
    const start = <usize>r0 << 3;
    const end = <usize>r1 << 3;
    const vectorEnd = start + ((<usize>(r1 - r0) >> 1) << 4);
    for (let j = 0; j < cols; j++) {
      const yj = x + <usize>j * colBytes;
      for (let k = 0; k < j; k++) {
        const rkj = load<f64>(r + (<usize>(k * cols + j) << 3));
        if (rkj == 0) continue;
        const yk = x + <usize>k * colBytes;
        const f = f64x2.splat(rkj);
        let o = start;
        for (; o < vectorEnd; o += 16)
          v128.store(yj + o, f64x2.sub(v128.load(yj + o), f64x2.mul(f, v128.load(yk + o))));
        for (; o < end; o += 8) store<f64>(yj + o, load<f64>(yj + o) - rkj * load<f64>(yk + o));
      }
      const pivot = load<f64>(r + (<usize>(j * cols + j) << 3));
      if (pivot == 0) {
        for (let o = start; o < end; o += 8) store<f64>(yj + o, 0);
        continue;
      }
      const p = f64x2.splat(pivot);
      let o = start;
      for (; o < vectorEnd; o += 16) v128.store(yj + o, f64x2.div(v128.load(yj + o), p));
      for (; o < end; o += 8) store<f64>(yj + o, load<f64>(yj + o) / pivot);
    }
  }
}

/** Where the JavaScript side may start placing buffers: past this module's static data. */
export function heapBase(): usize {
  return __heap_base;
}
