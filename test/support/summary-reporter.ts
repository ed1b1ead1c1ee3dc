/**
 * A vitest reporter that writes test-output/summary.json with passed/failed/
 * skipped counts per project (node, chromium), which .ci/run prints.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

type Counts = { passed: number; failed: number; skipped: number };

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const projects: Record<string, Counts> = {};
    for (const mod of testModules) {
      const name = mod.project.name || 'default';
      const c = (projects[name] ??= { passed: 0, failed: 0, skipped: 0 });
      let any = false;
      for (const t of mod.children.allTests()) {
        any = true;
        const s = t.result().state;
        if (s === 'passed') c.passed++;
        else if (s === 'failed') c.failed++;
        else c.skipped++;
      }
      // a file that failed to load has no tests but must count as a failure
      if (!any && mod.state() === 'failed') c.failed++;
    }
    mkdirSync('test-output', { recursive: true });
    writeFileSync('test-output/summary.json', JSON.stringify({ projects, unhandledErrors: unhandledErrors.length }, null, 2));
  }
}
