/**
 * The entries among `keys` that are set, to spread into another options object: options tell "not given" from a
 * value by the key's absence, and flags the command line did not give are undefined.
 */
export function pickDefined<T extends object, K extends keyof T>(
  from: T,
  keys: readonly K[],
): { [P in K]?: Exclude<T[P], undefined> } {
  const given: { [P in K]?: Exclude<T[P], undefined> } = {};
  for (const key of keys) if (from[key] !== undefined) given[key] = from[key] as Exclude<T[K], undefined>;
  return given;
}
