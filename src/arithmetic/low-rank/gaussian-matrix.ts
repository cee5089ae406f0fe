import { fillRandom, type RandomStream } from "../../util/rng.js";

/**
 * Fills rows × cols of a row-major float32 matrix (leading dimension `ld`) with standard normal values: Box–Muller
 * on consecutive pairs of the stream's 32-bit words, element (i, j) from words 2(i·cols + j) and 2(i·cols + j) + 1,
 * rounded once to float32. Math.log and Math.cos are V8's own fdlibm ports, the same on every machine.
 */
export function fillGaussian(
  out: Float32Array,
  offset: number,
  rows: number,
  cols: number,
  ld: number,
  stream: RandomStream,
): void {
  const words = new Uint32Array(2 * cols);
  for (let i = 0; i < rows; i++) {
    fillRandom({ stream, start: 2 * i * cols, out: words });
    const row = offset + i * ld;
    for (let j = 0; j < cols; j++) {
      const u1 = ((words[2 * j] as number) + 1) / 2 ** 32;
      const u2 = (words[2 * j + 1] as number) / 2 ** 32;
      out[row + j] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
  }
}
