/**
 * The `vmilist` executable (dist/cli.cjs): a few lines that load the bundled
 * CLI (dist/cli-bundle.cjs) with V8's code cache where the Node version and
 * the cache directory allow (see compile-cache.ts), else plainly, and run it.
 * The cache never fails a command: any problem with it means no cache.
 */
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import {
  V8_FLAGS,
  cacheFileName,
  commandKey,
  compileCacheDir,
  readCacheFile,
  removeStaleCaches,
  safeCacheDir,
  writeCacheFile,
  type CacheOutcome,
} from './compile-cache.js';

type Main = (argv: string[]) => Promise<number>;
type CommonJsWrapper = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

setFlagsFromString(V8_FLAGS);

// built as CommonJS (dist/cli.cjs): a CommonJS entry spares Node its ES module loader
const bundlePath = join(__dirname, 'cli-bundle.cjs');
const requireHere = nodeModule.createRequire(bundlePath);
const argv = process.argv.slice(2);

function mainOf(exports: unknown): Main {
  const main = (exports as { main?: unknown } | undefined)?.main;
  if (typeof main !== 'function') throw new Error(`${bundlePath} has no main()`);
  return main as Main;
}

interface Loaded {
  main: Main;
  outcome: CacheOutcome;
  /** Writes the cache after the run, when there was none (or V8 refused it). */
  after?: () => CacheOutcome;
}

function load(): Loaded {
  const dir = compileCacheDir(process.env);
  if (dir === undefined) return { main: mainOf(requireHere(bundlePath)), outcome: 'off' };
  if (!safeCacheDir(dir)) return { main: mainOf(requireHere(bundlePath)), outcome: 'unsafe' };
  const enable = (nodeModule as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (typeof enable === 'function') {
    // Node ≥ 22.1 caches every module loaded after this call, itself
    enable(dir);
    return { main: mainOf(requireHere(bundlePath)), outcome: 'node-cache' };
  }
  const source = readFileSync(bundlePath);
  const name = cacheFileName(source, commandKey(argv));
  const file = join(dir, name);
  const cachedData = readCacheFile(file);
  // the CommonJS wrapper on a line of its own, so stack traces keep the bundle's line numbers
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {\n${source.toString('utf8')}\n})`, {
    filename: bundlePath,
    lineOffset: -1,
    ...(cachedData ? { cachedData } : {}),
  });
  const outcome: CacheOutcome = cachedData === undefined ? 'miss' : script.cachedDataRejected === true ? 'rejected' : 'hit';
  const wrapper = script.runInThisContext() as CommonJsWrapper;
  const module = { exports: {} as unknown };
  wrapper.call(module.exports, module.exports, requireHere, module, bundlePath, dirname(bundlePath));
  const main = mainOf(module.exports);
  if (outcome === 'hit') return { main, outcome };
  return {
    main,
    outcome,
    // after the run: the cache then also holds the functions the command compiled lazily
    after: () => {
      if (!writeCacheFile(file, script.createCachedData())) return 'error';
      removeStaleCaches(dir, name);
      return 'written';
    },
  };
}

let loaded: Loaded;
try {
  loaded = load();
} catch {
  loaded = { main: mainOf(requireHere(bundlePath)), outcome: 'error' };
}

const report = (outcome: CacheOutcome): void => {
  if (process.env['VMILIST_DEBUG_COMPILE_CACHE']) process.stderr.write(`vmilist: compile cache: ${outcome}\n`);
};

report(loaded.outcome);
void loaded.main(argv).then((code) => {
  process.exitCode = code;
  if (loaded.after) {
    let outcome: CacheOutcome;
    try {
      outcome = loaded.after();
    } catch {
      outcome = 'error';
    }
    report(outcome);
  }
});
