/**
 * Sets `target[key] = value` as an own, enumerable property even where `key` is `__proto__`: a name read from a
 * file is data, and an assignment would set the object's prototype instead (Python's json keeps such a key).
 */
export function defineOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
