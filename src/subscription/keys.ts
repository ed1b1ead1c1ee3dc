/**
 * A memo of the UUID order of record maps the reducer built. Enumerating a
 * 100k-key object (for-in, Object.keys) sorts its keys and costs more than
 * the rest of a reduction while growing faster than linearly; the reducer
 * already knows the keys of every map it builds, so it remembers them per
 * (immutable) map object. A map from elsewhere is enumerated once.
 */
const KEYS = new WeakMap<object, readonly string[]>();

/** The own keys of a record map, from the memo when the reducer built it. */
export function recordKeys(map: Readonly<Record<string, unknown>>): readonly string[] {
  let keys = KEYS.get(map);
  if (!keys) {
    keys = Object.keys(map);
    KEYS.set(map, keys);
  }
  return keys;
}

/** Remembers the keys of a map just built (in insertion order). */
export function rememberKeys(map: Readonly<Record<string, unknown>>, keys: readonly string[]): void {
  KEYS.set(map, keys);
}
