import { VmiListError } from '../../src/index.js';

/** The VmiListError code `f` throws, `undefined` when it returns, or a marker for any other exception. */
export function errorCode(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof VmiListError ? e.code : `not a VmiListError: ${String(e)}`;
  }
}
