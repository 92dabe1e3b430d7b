// LVA's `${name}` substitution: instance values or defaults, typed, plus the
// runtime's `${System.*}` variables. Secret values are collected for redaction.
import type { ParameterDeclaration, ParameterType, ParameterValue, ValidationIssue } from './model.ts';
import { pointer } from './json-document.ts';
import { suggest } from './schema-check.ts';

export const SYSTEM_VARIABLES = ['System.GraphTopologyName', 'System.GraphInstanceName', 'System.DateTime', 'System.PreciseDateTime'] as const;

export interface SystemContext {
  readonly topologyName: string;
  readonly instanceName?: string;
  /** The activation time; one value per activation so every node sees the same instant. */
  readonly now?: Date;
}

const REFERENCE = /\$\{([^}]*)\}/g;

function two(n: number): string {
  return String(n).padStart(2, '0');
}

export function formatSystemDateTime(d: Date, precise: boolean): string {
  const base = `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}T${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
  return precise ? `${base}.${String(d.getUTCMilliseconds()).padStart(3, '0')}Z` : `${base}Z`;
}

export function checkParameterValue(type: ParameterType, value: string): string | undefined {
  switch (type) {
    case 'Int': {
      if (!/^[+-]?\d+$/.test(value.trim())) return `"${value}" is not an Int (a 32-bit signed integer)`;
      const n = Number(value);
      return n < -2147483648 || n > 2147483647 ? `${value} is outside the Int range (32-bit signed)` : undefined;
    }
    case 'Double':
      return value.trim() !== '' && Number.isFinite(Number(value)) ? undefined : `"${value}" is not a Double`;
    case 'Bool':
      return /^(true|false)$/i.test(value.trim()) ? undefined : `"${value}" is not a Bool (true or false)`;
    default:
      return undefined;
  }
}

/** A parameter value as text; undefined for objects and arrays (the schemas report those). */
function scalarText(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

export interface ResolvedParameters {
  /** Declared name → value, for declared parameters that have a value or a default. */
  readonly values: ReadonlyMap<string, string>;
  readonly secrets: readonly string[];
  readonly issues: readonly ValidationIssue[];
}

/**
 * Checks declarations and instance values. Pass `instanceValues: undefined` to validate a
 * topology alone: parameters without defaults then stay unresolved instead of missing.
 */
export function resolveParameters(declarations: readonly ParameterDeclaration[], instanceValues: readonly ParameterValue[] | undefined): ResolvedParameters {
  const issues: ValidationIssue[] = [];
  const byName = new Map<string, ParameterDeclaration>();
  declarations.forEach((d, i) => {
    const at = pointer('properties', 'parameters', i);
    if (byName.has(d.name.toLowerCase())) {
      issues.push({ code: 'ParameterDeclarationInvalid', pointer: `${at}/name`, message: `parameter "${d.name}" is declared twice`, document: 'topology' });
      return;
    }
    byName.set(d.name.toLowerCase(), d);
    const defaultText = scalarText(d.default);
    if (defaultText !== undefined) {
      const problem = checkParameterValue(d.type, defaultText);
      if (problem)
        issues.push({ code: 'ParameterTypeMismatch', pointer: `${at}/default`, message: `default of parameter "${d.name}": ${problem}`, document: 'topology' });
    }
  });

  const values = new Map<string, string>();
  const secrets: string[] = [];
  for (const d of byName.values()) {
    const defaultText = scalarText(d.default);
    if (defaultText !== undefined) values.set(d.name, defaultText);
  }

  const given = new Set<string>();
  (instanceValues ?? []).forEach((p, i) => {
    const at = pointer('properties', 'parameters', i);
    const d = byName.get(p.name.toLowerCase());
    if (!d) {
      issues.push({
        code: 'ParameterUnknown',
        pointer: `${at}/name`,
        message: `instance sets parameter "${p.name}", which the topology does not declare`,
        document: 'instance',
      });
      return;
    }
    if (given.has(d.name)) {
      issues.push({ code: 'ParameterDeclarationInvalid', pointer: `${at}/name`, message: `instance sets parameter "${p.name}" twice`, document: 'instance' });
      return;
    }
    given.add(d.name);
    const value = scalarText(p.value);
    if (value === undefined) return; // not a string, number or boolean: the instance schema says so
    const problem = checkParameterValue(d.type, value);
    if (problem) {
      // never echo a secret back, even when it is malformed
      const shown = d.type === 'SecretString' ? 'the value' : problem;
      issues.push({ code: 'ParameterTypeMismatch', pointer: `${at}/value`, message: `parameter "${d.name}" (${d.type}): ${shown}`, document: 'instance' });
    }
    values.set(d.name, value);
  });
  for (const d of byName.values()) {
    const v = values.get(d.name);
    if (d.type === 'SecretString' && v) secrets.push(v);
    if (instanceValues !== undefined && v === undefined) {
      issues.push({
        code: 'ParameterMissing',
        pointer: '/properties/parameters',
        message: `parameter "${d.name}" has no default and the instance gives no value`,
        document: 'instance',
      });
    }
  }
  return { values, secrets, issues };
}

export interface SubstitutionResult<T> {
  readonly value: T;
  /** Pointers of strings that still hold a reference (topology validated without an instance). */
  readonly unresolved: readonly string[];
  readonly issues: readonly ValidationIssue[];
}

export interface SubstituteOptions {
  /**
   * Leave `${System.*}` variables as written (also those a parameter value brings): the view
   * rules such as "a name pattern needs a system variable" are judged on.
   */
  readonly keepSystemVariables?: boolean;
}

/**
 * Replaces references in every string of `value`. `at` is the pointer of `value` itself.
 * Parameters first, then system variables, including those a parameter value holds
 * (`assetName` = `cam-${System.DateTime}`); a parameter value is never searched for other
 * parameters. An undeclared `${name}` is an issue and leaves its string unresolved, so no
 * other rule judges the text around it (a URL "${rtspUrl}" is not reported as a bad scheme).
 */
export function substitute<T>(
  value: T,
  at: string,
  declared: ReadonlySet<string>,
  values: ReadonlyMap<string, string>,
  system: SystemContext,
  options: SubstituteOptions = {},
): SubstitutionResult<T> {
  const issues: ValidationIssue[] = [];
  const unresolved: string[] = [];
  const lowerValues = new Map([...values].map(([k, v]) => [k.toLowerCase(), v]));
  const declaredByLower = new Map([...declared].map((d) => [d.toLowerCase(), d]));
  const now = system.now ?? new Date();
  const systemValue = (name: string): string | undefined => {
    switch (name.toLowerCase()) {
      case 'system.graphtopologyname':
        return system.topologyName;
      case 'system.graphinstancename':
        return system.instanceName;
      case 'system.datetime':
        return formatSystemDateTime(now, false);
      case 'system.precisedatetime':
        return formatSystemDateTime(now, true);
      default:
        return undefined;
    }
  };
  const isKnownSystem = (name: string): boolean => SYSTEM_VARIABLES.some((s) => s.toLowerCase() === name.toLowerCase());
  const walk = (v: unknown, p: string): unknown => {
    if (typeof v === 'string') {
      let pending = false;
      /** `${System.*}` → its value; `source` names where an unknown one came from. */
      const expandSystem = (text: string, source: string): string =>
        // a regex of its own: this runs inside the outer replace over REFERENCE
        text.replace(new RegExp(REFERENCE.source, 'g'), (whole, rawName: string) => {
          const name = rawName.trim();
          if (!name.toLowerCase().startsWith('system.')) return whole;
          if (!isKnownSystem(name)) {
            issues.push({
              code: 'ParameterUnknown',
              pointer: p,
              message: `unknown system variable \${${name}}${source}; known: ${SYSTEM_VARIABLES.join(', ')}`,
              document: 'topology',
            });
            return whole;
          }
          if (options.keepSystemVariables) return whole;
          const sv = systemValue(name);
          if (sv === undefined) {
            pending = true;
            return whole;
          }
          return sv;
        });
      const out = v.replace(REFERENCE, (whole, rawName: string) => {
        const name = rawName.trim();
        if (name.toLowerCase().startsWith('system.')) return expandSystem(whole, '');
        const declaredName = declaredByLower.get(name.toLowerCase());
        if (declaredName === undefined) {
          pending = true;
          issues.push({
            code: 'ParameterUnknown',
            pointer: p,
            message: `parameter "${name}" is not declared in properties.parameters${suggest(name, [...declared])}`,
            document: 'topology',
          });
          return whole;
        }
        const pv = lowerValues.get(name.toLowerCase());
        if (pv === undefined) {
          pending = true;
          return whole;
        }
        return expandSystem(pv, ` (in the value of parameter "${declaredName}")`);
      });
      if (pending) unresolved.push(p);
      return out;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${p}/${i}`));
    if (typeof v === 'object' && v !== null) {
      const o: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) o[k] = walk(item, `${p}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      return o;
    }
    return v;
  };
  return { value: walk(value, at) as T, unresolved, issues };
}

/** True if a string mentions any `${System.*}` variable (asset and file name patterns need one). */
export function mentionsSystemVariable(text: string): boolean {
  return [...text.matchAll(REFERENCE)].some((m) => (m[1] ?? '').trim().toLowerCase().startsWith('system.'));
}

/** True if a string references a parameter (`${name}` that is not a system variable). */
export function mentionsParameter(text: string): boolean {
  return [...text.matchAll(REFERENCE)].some((m) => !(m[1] ?? '').trim().toLowerCase().startsWith('system.'));
}
