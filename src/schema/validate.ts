/**
 * Schema check against `schemas/imagelist.schema.json`, in the compact form
 * scripts/build-schemas.mjs generates from it, walked by ./check.ts (no ajv,
 * no eval at run time).
 */
import type { Issue } from '../errors.js';
import { schemaErrors, type SchemaError } from './check.js';
import schema from './generated/imagelist.schema.js';

/** How many schema issues are listed at most by default; the rest are counted. */
export const DEFAULT_MAX_ISSUES = 100;

/** The first schema issues of a value and how many there are in all. */
export interface SchemaReport {
  /** At most `maxIssues` issues, in document order. */
  readonly issues: Issue[];
  /** The number of distinct issues found. */
  readonly total: number;
}

/**
 * The schema issues of `value`: the first `maxIssues` and the total. Work
 * and memory are linear in the number of errors (a list of 10⁶ bad images
 * must not cost minutes), and the report stays short.
 */
export function schemaReport(value: unknown, maxIssues = DEFAULT_MAX_ISSUES): SchemaReport {
  const errors = schemaErrors(schema, value);
  if (errors.length === 0) return { issues: [], total: 0 };
  const seen = new Set<string>();
  const issues: Issue[] = [];
  let total = 0;
  for (const e of pruneOneOf(errors)) {
    const issue = toIssue(e);
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    total++;
    if (issues.length < maxIssues) issues.push(issue);
  }
  return { issues, total };
}

/**
 * The schema issues of `value` as `{path, message}`, empty when it
 * conforms: the first 100, then, when there are more, one last issue at `/`
 * saying how many were left out (work stays linear in their number).
 */
export function schemaIssues(value: unknown): Issue[] {
  const report = schemaReport(value);
  return listIssues(report.issues, report.total);
}

/**
 * At most `max` of `issues` (the first ones), and, when `total` is more
 * than that, one last issue at `/` saying how many were left out.
 */
export function listIssues(issues: readonly Issue[], total: number, max = DEFAULT_MAX_ISSUES): Issue[] {
  const listed = issues.slice(0, max);
  if (total > listed.length) listed.push({ path: '/', message: `… and ${total - listed.length} more issues not listed (${total} in all)` });
  return listed;
}

// hv:endorser is "an object or an array of them": when the object branch has
// specific problems, the array branch's "must be an array" and the oneOf
// summary only add noise. One pass to note which paths have specific
// problems (an error below them, or a missing property at them), one to filter.
function pruneOneOf(errors: SchemaError[]): SchemaError[] {
  const oneOfPaths = new Set<string>();
  for (const e of errors) if (e.keyword === 'oneOf') oneOfPaths.add(e.instancePath);
  if (oneOfPaths.size === 0) return errors;
  const specific = new Set<string>();
  for (const o of errors) {
    if (o.keyword === 'required') specific.add(o.instancePath);
    for (let i = o.instancePath.lastIndexOf('/'); i >= 0; i = o.instancePath.lastIndexOf('/', i - 1)) {
      const ancestor = o.instancePath.slice(0, i);
      if (oneOfPaths.has(ancestor)) specific.add(ancestor);
      if (i === 0) break;
    }
  }
  const out: SchemaError[] = [];
  for (const e of errors) {
    const noise = oneOfPaths.has(e.instancePath) && specific.has(e.instancePath) && (e.keyword === 'oneOf' || (e.keyword === 'type' && e.params['type'] === 'array'));
    if (!noise) out.push(e);
  }
  return out;
}

function toIssue(e: SchemaError): Issue {
  const path = e.instancePath === '' ? '/' : e.instancePath.replace(/~1/g, '/').replace(/~0/g, '~');
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return { path: joinPath(path, String(p['missingProperty'])), message: 'is required' };
    case 'pattern':
      return { path, message: describePattern(String(p['pattern'])) };
    case 'type':
      return { path, message: `must be ${article(String(p['type']))}` };
    // ajv's words for the other keywords the schema uses
    case 'minimum':
    case 'maximum':
      return { path, message: `must be ${String(p['comparison'])} ${String(p['limit'])}` };
    case 'minLength':
      return { path, message: `must NOT have fewer than ${String(p['limit'])} characters` };
    case 'minItems':
      return { path, message: `must NOT have fewer than ${String(p['limit'])} items` };
    case 'oneOf':
      return { path, message: 'must match exactly one schema in oneOf' };
    default:
      return { path, message: `must satisfy ${e.keyword} ${JSON.stringify(p)}` };
  }
}

function joinPath(base: string, key: string): string {
  return base === '/' ? `/${key}` : `${base}/${key}`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describePattern(pattern: string): string {
  if (pattern.includes('[89abAB]')) return 'must be an RFC 4122 UUID (8-4-4-4-12 hex digits, variant 8/9/a/b)';
  if (pattern.includes('{128}')) return 'must be a SHA-512 digest of 128 hex digits';
  if (pattern.startsWith('^[0-9]{4}-')) return 'must be a date such as 2011-03-10T17:09:12Z';
  if (pattern.includes('A-Za-z0-9.-]*=')) return 'must be a DN such as /C=DE/O=GermanGrid/CN=Jane Doe';
  return `must match ${pattern}`;
}
