// JSON Schema checks through ajv, turned into issues with JSON pointers and our error codes.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { JsonSchema } from '../types/node.ts';
import type { ValidationIssue } from './model.ts';
import type { ErrorCode } from '../types/errors.ts';

const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, verbose: true });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema as object);
    compiled.set(schema, v);
  }
  return v;
}

/** Small edit distance, to suggest `segmentLength` for `segmentLenght`. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Names longer than this get no suggestion: no real name is, and the distance is quadratic. */
const SUGGEST_MAX_LENGTH = 64;
const SUGGEST_MAX_CANDIDATES = 200;

export function suggest(name: string, known: readonly string[]): string {
  if (name.length > SUGGEST_MAX_LENGTH) return '';
  const best = known
    .slice(0, SUGGEST_MAX_CANDIDATES)
    .filter((k) => k.length <= SUGGEST_MAX_LENGTH && Math.abs(k.length - name.length) <= Math.max(2, Math.floor(name.length / 4)))
    .map((k) => ({ k, d: distance(name.toLowerCase(), k.toLowerCase()) }))
    .sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean "${best.k}"?)` : '';
}

function toIssue(e: ErrorObject, base: string, document: ValidationIssue['document'], what: string): ValidationIssue {
  const at = `${base}${e.instancePath}`;
  const params = e.params as Record<string, unknown>;
  let code: ErrorCode = 'PropertyValueInvalid';
  let pointer = at;
  let message: string;
  switch (e.keyword) {
    case 'required':
      code = 'PropertyRequired';
      pointer = `${at}/${String(params['missingProperty'])}`;
      message = `required property "${String(params['missingProperty'])}" is missing`;
      break;
    case 'additionalProperties': {
      code = 'PropertyUnknown';
      const prop = String(params['additionalProperty']);
      pointer = `${at}/${prop}`;
      const parentProps = Object.keys(((e.parentSchema as JsonSchema | undefined)?.['properties'] ?? {}) as object);
      message = `"${prop}" is not a property of ${what}${suggest(prop, parentProps)}`;
      break;
    }
    case 'enum':
      message = `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (any letter case)`;
      break;
    case 'pattern':
      code = 'PropertyValueInvalidPattern';
      message = `does not match the required pattern ${String(params['pattern'])}`;
      break;
    case 'minItems':
      message = `needs at least ${String(params['limit'])} item(s)`;
      break;
    default:
      message = e.message ?? `fails rule ${e.keyword}`;
  }
  return { code, pointer, message, document };
}

/** Issues reported per schema check; validateTopology caps the whole list too. */
export const MAX_ISSUES_PER_CHECK = 50;

export function schemaIssues(schema: JsonSchema, value: unknown, base: string, document: ValidationIssue['document'], what: string): ValidationIssue[] {
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  const seen = new Set<string>();
  const out: ValidationIssue[] = [];
  for (const e of validate.errors ?? []) {
    // a document with thousands of mistakes is answered with the first ones, at bounded cost
    if (out.length >= MAX_ISSUES_PER_CHECK) break;
    const issue = toIssue(e, base, document, what);
    const key = `${issue.pointer}|${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(issue);
    }
  }
  return out;
}
