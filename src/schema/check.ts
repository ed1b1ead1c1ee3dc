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

const patterns = new Map<string, RegExp>();

/** The schema errors of `value`, in ajv's order; empty when it conforms. */
export function schemaErrors(root: RootSchema, value: unknown): SchemaError[] {
  const out: SchemaError[] = [];
  check(root, root, value, '', out);
  return out;
}

function check(root: RootSchema, node: SchemaNode, d: unknown, path: string, out: SchemaError[]): void {
  const s = node.$ref === undefined ? node : (root.$defs[node.$ref.slice('#/$defs/'.length)] as SchemaNode);
  const fail = (keyword: string, params: Record<string, unknown>): void => {
    out.push({ instancePath: path, keyword, params });
  };
  if (s.oneOf) {
    // ajv: a branch passes when it adds no error; all branch errors go when exactly one passes
    const start = out.length;
    let valid = false;
    let passing: unknown = null;
    s.oneOf.forEach((branch, i) => {
      const before = out.length;
      check(root, branch, d, path, out);
      if (out.length !== before) return;
      if (valid) {
        valid = false;
        passing = [passing, i];
      } else {
        valid = true;
        passing = i;
      }
    });
    if (valid) out.length = start;
    else fail('oneOf', { passingSchemas: passing });
    return;
  }
  const type = s.type;
  if (type === 'integer') {
    // ajv checks the bounds of any finite number, integer or not
    if (!(typeof d === 'number' && d % 1 === 0 && Number.isFinite(d))) fail('type', { type });
    if (typeof d === 'number' && Number.isFinite(d)) {
      if (s.maximum !== undefined && d > s.maximum) fail('maximum', { comparison: '<=', limit: s.maximum });
      if (s.minimum !== undefined && d < s.minimum) fail('minimum', { comparison: '>=', limit: s.minimum });
    }
  } else if (type === 'string') {
    if (typeof d !== 'string') fail('type', { type });
    else {
      if (s.minLength !== undefined && [...d].length < s.minLength) fail('minLength', { limit: s.minLength });
      if (s.pattern !== undefined && !regex(s.pattern).test(d)) fail('pattern', { pattern: s.pattern });
    }
  } else if (type === 'array') {
    if (!Array.isArray(d)) fail('type', { type });
    else {
      if (s.minItems !== undefined && d.length < s.minItems) fail('minItems', { limit: s.minItems });
      if (s.items) for (let i = 0; i < d.length; i++) check(root, s.items, d[i], `${path}/${i}`, out);
    }
  } else if (typeof d !== 'object' || d === null || Array.isArray(d)) {
    fail('type', { type });
  } else {
    const o = d as Record<string, unknown>;
    for (const k of s.required ?? []) if (o[k] === undefined) fail('required', { missingProperty: k });
    const props = s.properties ?? {};
    for (const k of Object.keys(props)) {
      if (o[k] !== undefined) check(root, props[k] as SchemaNode, o[k], `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
    }
  }
}

function regex(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) {
    re = new RegExp(source, 'u');
    patterns.set(source, re);
  }
  return re;
}
