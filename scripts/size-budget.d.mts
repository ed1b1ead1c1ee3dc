// Types for scripts/size-budget.mjs (imported by test/unit/bundle*.node.test.ts).
import type { Metafile } from 'esbuild';

/** Project root. */
export declare const ROOT: string;
/** Bytes per KB used for budgets (1024). */
export declare const KB: number;

/** One budgeted entry. */
export interface BudgetEntry {
  readonly name: string;
  readonly imports: readonly string[];
  readonly budgetKB: number;
}

/** Minified bytes in the output per package or project file. */
export interface Contributor {
  readonly contributor: string;
  readonly bytes: number;
}

/** Measurement of one entry. */
export interface BudgetResult extends BudgetEntry {
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly gzipKB: number;
  readonly ok: boolean;
  readonly contributors: readonly Contributor[];
}

export declare const ENTRIES: readonly BudgetEntry[];
export declare function bundleForBrowser(contents: string, options?: { minify?: boolean }): Promise<{ text: string; metafile: Metafile }>;
export declare function contributors(metafile: Metafile): Contributor[];
export declare function measureEntry(entry: BudgetEntry): Promise<BudgetResult>;
export declare function measureBudgets(): Promise<BudgetResult[]>;
