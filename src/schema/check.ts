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

// A function per kind of node, each from its own function literal, so V8
// keeps separate type feedback for strings, integers, arrays and objects
// (one shared literal made every property access megamorphic).
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
  if (s.oneOf) return oneOfCheck(s.oneOf.map((b) => compile(root, b, refs)));
  if (type === 'integer') return integerCheck(s.minimum, s.maximum);
  if (type === 'string') return stringCheck(s.minLength, s.pattern);
  if (type === 'array') return arrayCheck(s.minItems, s.items && compile(root, s.items, refs));
  const props = Object.entries(s.properties ?? {});
  return objectCheck(
    s.required ?? [],
    props.map(([k]) => k),
    props.map(([, n]) => compile(root, n, refs)),
    type,
  );
}

function oneOfCheck(branches: readonly Check[]): Check {
  return (d, up, key, out) => {
    // ajv: a branch passes when it adds no error; all branch errors go when exactly one passes
    const start = out.length;
    let passing: unknown = null;
    let valid = false;
    for (let i = 0; i < branches.length; i++) {
      const before = out.length;
      (branches[i] as Check)(d, up, key, out);
      if (out.length === before) [valid, passing] = valid ? [false, [passing, i]] : [true, i];
    }
    if (valid) out.length = start;
    else fail(out, up, key, 'oneOf', { passingSchemas: passing });
  };
}

function integerCheck(minimum: number | undefined, maximum: number | undefined): Check {
  return (d, up, key, out) => {
    // ajv checks the bounds of any finite number, integer or not
    if (!(typeof d === 'number' && d % 1 === 0 && Number.isFinite(d))) fail(out, up, key, 'type', { type: 'integer' });
    if (typeof d === 'number' && Number.isFinite(d)) {
      if (maximum !== undefined && d > maximum) fail(out, up, key, 'maximum', { comparison: '<=', limit: maximum });
      if (minimum !== undefined && d < minimum) fail(out, up, key, 'minimum', { comparison: '>=', limit: minimum });
    }
  };
}

function stringCheck(minLength: number | undefined, pattern: string | undefined): Check {
  const re = pattern === undefined ? undefined : new RegExp(pattern, 'u'); // V8 caches the compiled pattern
  return (d, up, key, out) => {
    if (typeof d !== 'string') fail(out, up, key, 'type', { type: 'string' });
    else {
      if (minLength !== undefined && !longEnough(d, minLength)) fail(out, up, key, 'minLength', { limit: minLength });
      if (re && !re.test(d)) fail(out, up, key, 'pattern', { pattern });
    }
  };
}

function arrayCheck(minItems: number | undefined, items: Check | undefined): Check {
  return (d, up, key, out) => {
    if (!Array.isArray(d)) fail(out, up, key, 'type', { type: 'array' });
    else {
      if (minItems !== undefined && d.length < minItems) fail(out, up, key, 'minItems', { limit: minItems });
      const at = { up, key };
      if (items) for (let i = 0; i < d.length; i++) items(d[i], at, i, out);
    }
  };
}

function objectCheck(required: readonly string[], keys: readonly string[], checks: readonly Check[], type: SchemaNode['type']): Check {
  return (d, up, key, out) => {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) {
      fail(out, up, key, 'type', { type });
      return;
    }
    const o = d as Record<string, unknown>;
    for (let i = 0; i < required.length; i++) if (o[required[i] as string] === undefined) fail(out, up, key, 'required', { missingProperty: required[i] });
    const at = { up, key };
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const v = o[k];
      if (v !== undefined) (checks[i] as Check)(v, at, k, out);
    }
  };
}

/** At least `min` code points (ajv counts code points, not UTF-16 units)? A code point is at most two units. */
const longEnough = (d: string, min: number): boolean => d.length >= 2 * min || [...d].length >= min;
