// LVA matched property names and enum values case-insensitively, and its own samples rely
// on it ("transport": "tcp", "LocalMediaCacheMaximumSizeMiB"). We accept any casing and
// rewrite to the canonical spelling from the schema, so everything after this sees one form.
import type { JsonSchema } from '../types/node.ts';

type Json = unknown;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function schemaProps(schema: JsonSchema): Record<string, JsonSchema> | undefined {
  const p = schema['properties'];
  return isPlainObject(p) ? (p as Record<string, JsonSchema>) : undefined;
}

/** Picks the branch of an anyOf/oneOf whose `@type` const or enum matches the value's `@type`. */
function branchFor(schema: JsonSchema, value: Record<string, unknown>): JsonSchema | undefined {
  const branches = (schema['oneOf'] ?? schema['anyOf']) as JsonSchema[] | undefined;
  if (!Array.isArray(branches)) return undefined;
  const typeKey = Object.keys(value).find((k) => k.toLowerCase() === '@type');
  const t = typeKey ? value[typeKey] : undefined;
  if (typeof t !== 'string') return undefined;
  return branches.find((b) => {
    const ts = schemaProps(b)?.['@type'];
    if (!ts) return false;
    const options = ts['const'] !== undefined ? [ts['const']] : ((ts['enum'] as unknown[] | undefined) ?? []);
    return options.some((o) => typeof o === 'string' && o.toLowerCase() === t.toLowerCase());
  });
}

export function canonicalEnum(value: string, schema: JsonSchema): string {
  const options = schema['enum'] ?? (schema['const'] !== undefined ? [schema['const']] : undefined);
  if (!Array.isArray(options)) return value;
  const hit = options.find((o) => typeof o === 'string' && o.toLowerCase() === value.toLowerCase());
  return typeof hit === 'string' ? hit : value;
}

export function normalizeBySchema(value: Json, schema: JsonSchema | undefined): Json {
  if (!schema) return value;
  if (Array.isArray(value)) {
    const items = schema['items'];
    return isPlainObject(items) ? value.map((v) => normalizeBySchema(v, items as JsonSchema)) : value;
  }
  if (typeof value === 'string') return canonicalEnum(value, schema);
  if (!isPlainObject(value)) return value;
  const effective = branchFor(schema, value) ?? schema;
  const props = { ...(schemaProps(schema) ?? {}), ...(schemaProps(effective) ?? {}) };
  const canonical = new Map(Object.keys(props).map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = canonical.get(key.toLowerCase()) ?? key;
    // two spellings of one key: keep the first, the validator reports nothing lost silently
    if (name in out) continue;
    out[name] = normalizeBySchema(v, props[name]);
  }
  return out;
}

/** Finds the user's own spelling of a canonical path, so pointers name what they wrote. */
export function originalPointer(raw: unknown, canonicalPath: readonly (string | number)[]): string {
  let node: unknown = raw;
  const parts: string[] = [];
  for (const seg of canonicalPath) {
    let key: string | number = seg;
    if (typeof seg === 'string' && isPlainObject(node)) {
      key = Object.keys(node).find((k) => k.toLowerCase() === seg.toLowerCase()) ?? seg;
      node = node[key];
    } else if (typeof seg === 'number' && Array.isArray(node)) {
      node = node[seg];
    } else {
      node = undefined;
    }
    parts.push(`/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`);
  }
  return parts.join('');
}
