/**
 * Plain objects used as maps keyed by Client IDs, which a user writes: `__proto__`, `constructor`
 * or `toString` are Client IDs like any other. Reading with `obj[id]` would find Object.prototype's
 * members, and writing `obj['__proto__'] = x` would replace the prototype instead of storing x, so
 * these maps are read and written through own properties only. The objects stay plain JSON (the
 * hosts save them as they are).
 */
export function ownValue<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

export function setOwn<T>(map: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}
