// Types for scripts/size-budget.mjs (imported by test/unit/bundle*.node.test.ts).
import type { Metafile } from 'esbuild';

/** Project root. */
export declare const ROOT: string;
/** Bytes per KB used for budgets (1024). */
export declare const KB: number;

/** One budgeted app: what it imports from 'vmilist', and its gzip budget. */
export interface BudgetEntry {
  readonly name: string;
  readonly imports: readonly string[];
  readonly budgetKB: number;
}

/** Minified bytes in the output per package or installed file. */
export interface Contributor {
  readonly contributor: string;
  readonly bytes: number;
}

/** One bundler's output size. */
export interface BundleSize {
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly gzipKB: number;
}

/** Measurement of one entry with both bundlers. */
export interface BudgetResult extends BudgetEntry {
  readonly esbuild: BundleSize;
  readonly vite: BundleSize;
  /** The larger gzip size of the two bundlers, in KB. */
  readonly gzipKB: number;
  readonly ok: boolean;
  /** From the esbuild bundle. */
  readonly contributors: readonly Contributor[];
}

/** The packed package installed into a temporary app. */
export interface PackedApp {
  readonly appDir: string;
  readonly tarball: string;
  readonly packedBytes: number;
  dispose(): void;
}

export declare const ENTRIES: readonly BudgetEntry[];
export declare const BUNDLERS: readonly string[];
export declare function installPackedApp(options?: { build?: boolean }): PackedApp;
export declare function bundleForBrowser(contents: string, options?: { minify?: boolean }): Promise<{ text: string; metafile: Metafile }>;
export declare function bundleWithEsbuild(appDir: string, imports: readonly string[] | Readonly<Record<string, readonly string[]>>): Promise<{ text: string; metafile: Metafile }>;
export declare function bundleWithVite(appDir: string, imports: readonly string[] | Readonly<Record<string, readonly string[]>>): Promise<{ text: string }>;
export declare function contributors(metafile: Metafile): Contributor[];
export declare function measureEntry(appDir: string, entry: BudgetEntry): Promise<BudgetResult>;
export declare function measureBudgets(options?: { build?: boolean; entries?: readonly BudgetEntry[] }): Promise<{ results: BudgetResult[]; packedBytes: number }>;
