/**
 * A yield to the event loop (a macrotask, not a microtask), so painting,
 * input and timers run between pieces of a long hash. Reading a stream
 * whose data is already buffered resolves in microtasks only: without this,
 * hashing a 200 MB file held the page for the whole hash.
 */

interface YieldingGlobals {
  setImmediate?: (callback: () => void) => unknown;
}

/** Resolves on a later turn of the event loop, by the cheapest means the runtime has. */
export function nextTurn(): Promise<void> {
  const g = globalThis as YieldingGlobals;
  // not scheduler.yield(): its continuation runs ahead of queued tasks, which could starve timers
  // Node, Bun: no clamping
  const immediate = g.setImmediate;
  if (typeof immediate === 'function') return new Promise((resolve) => immediate(resolve));
  // browsers and Deno: setTimeout(0) is clamped to 4 ms when nested, a message is not
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
