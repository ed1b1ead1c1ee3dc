/**
 * Schema check with the precompiled standalone validator generated from
 * `schemas/imagelist.schema.json` (no ajv, no eval at run time).
 */
import type { Issue } from '../errors.js';
import validate, { type AjvError } from './generated/imagelist.validator.js';

/** Every schema issue of `value` as `{path, message}`; empty when it conforms. */
export function schemaIssues(value: unknown): Issue[] {
  if (validate(value)) return [];
  return dedupe(pruneOneOf(validate.errors ?? []).map(toIssue));
}

// hv:endorser is "an object or an array of them": when the object branch has
// specific problems, the array branch's "must be an array" and the oneOf
// summary only add noise.
function pruneOneOf(errors: AjvError[]): AjvError[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  return errors.filter((e) => {
    if (!oneOfPaths.has(e.instancePath)) return true;
    const specific = errors.some((o) => o.instancePath.startsWith(`${e.instancePath}/`) || (o.instancePath === e.instancePath && o.keyword === 'required'));
    if (!specific) return true;
    return !(e.keyword === 'oneOf' || (e.keyword === 'type' && e.params['type'] === 'array'));
  });
}

function toIssue(e: AjvError): Issue {
  const path = e.instancePath === '' ? '/' : e.instancePath.replace(/~1/g, '/').replace(/~0/g, '~');
  switch (e.keyword) {
    case 'required':
      return { path: joinPath(path, String(e.params['missingProperty'])), message: 'is required' };
    case 'pattern':
      return { path, message: describePattern(String(e.params['pattern'])) };
    case 'type':
      return { path, message: `must be ${article(String(e.params['type']))}` };
    case 'minimum':
      return { path, message: `must be >= ${String(e.params['limit'])}` };
    default:
      return { path, message: e.message ?? e.keyword };
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

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
