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

const patterns = new Map<string, (s: string) => boolean>();

// Where a value sits, as a chain from the root; turned into a JSON pointer
// only when an error is reported (most values have none, and building a
// string per property made validation several times slower). A check gets
// its parent's place and its own key, and makes a link of its own only for
// its children (objects and arrays), so the strings of a list cost none.
type Where = { readonly up: Where; readonly key: string | number } | null;
/** A value's key in its parent; undefined for the root. */
type Key = string | number | undefined;

function pointer(at: Where): string {
  let s = '';
  for (let w = at; w !== null; w = w.up) s = `/${typeof w.key === 'number' ? w.key : w.key.replace(/~/g, '~0').replace(/\//g, '~1')}${s}`;
  return s;
}

function here(up: Where, key: Key): Where {
  return key === undefined ? up : { up, key };
}

function fail(out: SchemaError[], up: Where, key: Key, keyword: string, params: Record<string, unknown>): void {
  out.push({ instancePath: pointer(here(up, key)), keyword, params });
}

/** A node turned into a function once (no string is built unless an error is found). */
type Check = (d: unknown, up: Where, key: Key, out: SchemaError[]) => void;

// one compiled checker per schema (the image-list schema is compiled once per realm)
const compiled = new WeakMap<RootSchema, Check>();

/** The schema errors of `value`, in ajv's order; empty when it conforms. */
export function schemaErrors(root: RootSchema, value: unknown): SchemaError[] {
  const out: SchemaError[] = [];
  let check = compiled.get(root);
  if (!check) compiled.set(root, (check = compile(root, root, new Map())));
  check(value, null, undefined, out);
  return out;
}

// One small function per kind of node, so each stays monomorphic.
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
  if (s.oneOf) {
    const branches = s.oneOf.map((b) => compile(root, b, refs));
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
  if (type === 'integer') {
    const { minimum, maximum } = s;
    return (d, up, key, out) => {
      // ajv checks the bounds of any finite number, integer or not
      if (!(typeof d === 'number' && d % 1 === 0 && Number.isFinite(d))) fail(out, up, key, 'type', { type });
      if (typeof d === 'number' && Number.isFinite(d)) {
        if (maximum !== undefined && d > maximum) fail(out, up, key, 'maximum', { comparison: '<=', limit: maximum });
        if (minimum !== undefined && d < minimum) fail(out, up, key, 'minimum', { comparison: '>=', limit: minimum });
      }
    };
  }
  if (type === 'string') {
    const { minLength, pattern } = s;
    const matches = pattern === undefined ? undefined : matcher(pattern);
    return (d, up, key, out) => {
      if (typeof d !== 'string') fail(out, up, key, 'type', { type });
      else {
        if (minLength !== undefined && !longEnough(d, minLength)) fail(out, up, key, 'minLength', { limit: minLength });
        if (matches && !matches(d)) fail(out, up, key, 'pattern', { pattern });
      }
    };
  }
  if (type === 'array') {
    const { minItems } = s;
    const items = s.items && compile(root, s.items, refs);
    return (d, up, key, out) => {
      if (!Array.isArray(d)) fail(out, up, key, 'type', { type });
      else {
        if (minItems !== undefined && d.length < minItems) fail(out, up, key, 'minItems', { limit: minItems });
        if (items) {
          const at = here(up, key);
          for (let i = 0; i < d.length; i++) items(d[i], at, i, out);
        }
      }
    };
  }
  const required = s.required ?? [];
  const names = Object.keys(s.properties ?? {});
  const checks = names.map((k) => compile(root, (s.properties as Record<string, SchemaNode>)[k] as SchemaNode, refs));
  return (d, up, key, out) => {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) {
      fail(out, up, key, 'type', { type });
      return;
    }
    const o = d as Record<string, unknown>;
    for (let i = 0; i < required.length; i++) {
      const k = required[i] as string;
      if (o[k] === undefined) fail(out, up, key, 'required', { missingProperty: k });
    }
    const at = here(up, key);
    for (let i = 0; i < names.length; i++) {
      const k = names[i] as string;
      const v = o[k];
      if (v !== undefined) (checks[i] as Check)(v, at, k, out);
    }
  };
}

/** At least `min` code points (ajv counts code points, not UTF-16 units)? A code point is at most two units. */
const longEnough = (d: string, min: number): boolean => d.length >= 2 * min || [...d].length >= min;

function matcher(source: string): (s: string) => boolean {
  let m = patterns.get(source);
  if (!m) {
    const re = new RegExp(source, 'u');
    m = (s) => re.test(s);
    patterns.set(source, m);
  }
  return m;
}
