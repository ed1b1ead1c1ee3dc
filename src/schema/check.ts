/**
 * Checks a value against the compact schema tree that scripts/build-schemas.mjs
 * generates from `schemas/imagelist.schema.json`. It reports what ajv's
 * standalone validator (draft 2020-12, `allErrors`) reports, error for error
 * in the same order: test/unit/schema-oracle.node.test.ts compares the two.
 * It replaces that generated code because it is a third of its size on the
 * verify path of every browser app (issue #13's budget); the generator
 * refuses a schema keyword this file does not implement.
 */

/** One node of the compact schema: the subset of JSON Schema the image-list schema uses. */
export interface SchemaNode {
  readonly $ref?: string;
  readonly type?: 'object' | 'array' | 'string' | 'integer';
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly minItems?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly oneOf?: readonly SchemaNode[];
}

/** The root schema: a node and its `$defs`. */
export interface RootSchema extends SchemaNode {
  readonly $defs: Readonly<Record<string, SchemaNode>>;
}

/** One schema error, shaped as ajv's (`instancePath` is a JSON pointer). */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
}

// Where a value sits, as a chain from the root (whose link has no `up`);
// turned into a JSON pointer only when an error is reported (most values have
// none, and building a string per property made validation several times
// slower). A check gets its parent's place and its own key, and makes a link
// of its own only for its children (objects and arrays), so the strings of a
// list cost none.
type Where = { readonly up: Where | null; readonly key: string | number };

function pointer(at: Where): string {
  let s = '';
  for (let w = at; w.up !== null; w = w.up) s = `/${typeof w.key === 'number' ? w.key : w.key.replace(/~/g, '~0').replace(/\//g, '~1')}${s}`;
  return s;
}

function fail(out: SchemaError[], up: Where | null, key: string | number, keyword: string, params: Record<string, unknown>): void {
  out.push({ instancePath: pointer({ up, key }), keyword, params });
}

/** A node turned into a function once (no string is built unless an error is found). */
type Check = (d: unknown, up: Where | null, key: string | number, out: SchemaError[]) => void;

/** The schema errors of `value`, in ajv's order; empty when it conforms. */
export function schemaErrors(root: RootSchema, value: unknown): SchemaError[] {
  const out: SchemaError[] = [];
  compile(root, root, new Map())(value, null, '', out); // a few dozen nodes: cheap per call
  return out;
}

// One function for every kind of node: a function per kind was ~2 ms faster on
// 10k images but ~100 bytes more gzip, and the verify app is at its budget.
function compile(root: RootSchema, node: SchemaNode, refs: Map<string, Check>): Check {
  const ref = node.$ref;
  if (ref !== undefined) {
    // resolved on first use, so a recursive schema compiles too
    let c = refs.get(ref);
    if (!c) {
      let inner: Check | undefined;
      refs.set(ref, (c = (d, up, key, out) => (inner ??= compile(root, root.$defs[ref.slice(8)] as SchemaNode, refs))(d, up, key, out)));
    }
    return c;
  }
  const s = node;
  const type = s.type;
  const oneOf = s.oneOf?.map((b) => compile(root, b, refs));
  const items = s.items && compile(root, s.items, refs);
  const props = Object.entries(s.properties ?? {}).map(([k, n]) => [k, compile(root, n, refs)] as const);
  const required = s.required ?? [];
  const re = s.pattern === undefined ? undefined : new RegExp(s.pattern, 'u'); // V8 caches the compiled pattern
  return (d, up, key, out) => {
    if (oneOf) {
      // ajv: a branch passes when it adds no error; all branch errors go when exactly one passes
      const start = out.length;
      let passing: unknown = null;
      let valid = false;
      for (let i = 0; i < oneOf.length; i++) {
        const before = out.length;
        (oneOf[i] as Check)(d, up, key, out);
        if (out.length === before) [valid, passing] = valid ? [false, [passing, i]] : [true, i];
      }
      if (valid) out.length = start;
      else fail(out, up, key, 'oneOf', { passingSchemas: passing });
    } else if (type === 'integer') {
      // ajv checks the bounds of any finite number, integer or not
      if (!(typeof d === 'number' && d % 1 === 0 && Number.isFinite(d))) fail(out, up, key, 'type', { type });
      if (typeof d === 'number' && Number.isFinite(d)) {
        if (s.maximum !== undefined && d > s.maximum) fail(out, up, key, 'maximum', { comparison: '<=', limit: s.maximum });
        if (s.minimum !== undefined && d < s.minimum) fail(out, up, key, 'minimum', { comparison: '>=', limit: s.minimum });
      }
    } else if (type === 'string') {
      if (typeof d !== 'string') fail(out, up, key, 'type', { type });
      else {
        if (s.minLength !== undefined && !longEnough(d, s.minLength)) fail(out, up, key, 'minLength', { limit: s.minLength });
        if (re && !re.test(d)) fail(out, up, key, 'pattern', { pattern: s.pattern });
      }
    } else if (type === 'array') {
      if (!Array.isArray(d)) fail(out, up, key, 'type', { type });
      else {
        if (s.minItems !== undefined && d.length < s.minItems) fail(out, up, key, 'minItems', { limit: s.minItems });
        const at = { up, key };
        if (items) for (let i = 0; i < d.length; i++) items(d[i], at, i, out);
      }
    } else if (typeof d !== 'object' || d === null || Array.isArray(d)) fail(out, up, key, 'type', { type });
    else {
      const o = d as Record<string, unknown>;
      for (const k of required) if (o[k] === undefined) fail(out, up, key, 'required', { missingProperty: k });
      const at = { up, key };
      for (const [k, check] of props) if (o[k] !== undefined) check(o[k], at, k, out);
    }
  };
}

/** At least `min` code points (ajv counts code points, not UTF-16 units)? A code point is at most two units. */
const longEnough = (d: string, min: number): boolean => d.length >= 2 * min || [...d].length >= min;
