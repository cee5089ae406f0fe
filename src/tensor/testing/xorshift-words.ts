/** A deterministic xorshift32 stream of 32-bit words: random bit patterns that are the same on every run. */
export function words(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}
