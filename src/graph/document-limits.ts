// Limits on a topology or instance document, checked before anything else reads it, so the
// cost of validating a hostile document is bounded by these numbers and not by its size.
// LVA documents no per-topology node or input limits; these leave ample room for real graphs
// (LVA's samples have 2–6 nodes, one or two inputs each, under 10 levels of nesting).
import type { ValidationIssue } from './model.ts';
import { pointerSegment } from './json-document.ts';

export const DOCUMENT_LIMITS = {
  /** Nesting of objects and arrays; LVA's own documents are at most 8 deep. */
  maxDepth: 32,
  /** JSON values of every kind (objects, arrays, strings, numbers…) in one document. */
  maxValues: 10_000,
  /** Keys of one object; LVA's richest node type has about 15 properties. */
  maxKeysPerObject: 100,
  /** Characters of all keys and strings together. */
  maxTextChars: 256 * 1024,
  /** sources + processors + sinks. */
  maxNodes: 100,
  /** Entries of one node's `inputs`. */
  maxInputsPerNode: 32,
  /** Parameter declarations of a topology, or parameter values of an instance. */
  maxParameters: 100,
} as const;

type DocumentKind = ValidationIssue['document'];

function limitIssue(document: DocumentKind, pointer: string, message: string): ValidationIssue {
  return { code: 'DocumentLimitExceeded', pointer, message, document };
}

/**
 * Walks the document without recursion (a deeply nested one must not overflow the stack)
 * and stops at the first limit passed: the cost is at most `maxValues` steps.
 */
export function structureIssues(raw: unknown, document: DocumentKind): ValidationIssue[] {
  const stack: { value: unknown; depth: number; pointer: string }[] = [{ value: raw, depth: 0, pointer: '' }];
  let values = 0;
  let chars = 0;
  while (stack.length > 0) {
    const { value, depth, pointer } = stack.pop()!;
    if (++values > DOCUMENT_LIMITS.maxValues) {
      return [limitIssue(document, '', `the ${document} holds more than ${DOCUMENT_LIMITS.maxValues} JSON values (the limit)`)];
    }
    if (typeof value === 'string') {
      chars += value.length;
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= DOCUMENT_LIMITS.maxDepth) {
        return [limitIssue(document, pointer, `the ${document} nests objects and arrays more than ${DOCUMENT_LIMITS.maxDepth} levels deep (the limit)`)];
      }
      if (Array.isArray(value)) {
        // pushed in reverse so the first offending item is the one reported
        for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth: depth + 1, pointer: `${pointer}/${i}` });
      } else {
        const keys = Object.keys(value);
        if (keys.length > DOCUMENT_LIMITS.maxKeysPerObject) {
          return [limitIssue(document, pointer, `an object of the ${document} has ${keys.length} keys; the limit is ${DOCUMENT_LIMITS.maxKeysPerObject}`)];
        }
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i]!;
          chars += key.length;
          stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, pointer: `${pointer}/${pointerSegment(key)}` });
        }
      }
    }
    if (chars > DOCUMENT_LIMITS.maxTextChars) {
      return [limitIssue(document, '', `the ${document}'s keys and strings exceed ${DOCUMENT_LIMITS.maxTextChars} characters (the limit)`)];
    }
  }
  return [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value of a key in any letter case (the documents are matched case-insensitively). */
function keyOf(o: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
}

function arrayAt(o: unknown, name: string): { key: string; items: readonly unknown[] } | undefined {
  if (!isObject(o)) return undefined;
  const key = keyOf(o, name);
  const v = key === undefined ? undefined : o[key];
  return key !== undefined && Array.isArray(v) ? { key, items: v } : undefined;
}

/** Quotas on what a graph may hold: node count, inputs per node, parameters. */
export function topologyQuotaIssues(raw: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const propsKey = isObject(raw) ? keyOf(raw, 'properties') : undefined;
  const props = propsKey !== undefined && isObject(raw) ? raw[propsKey] : undefined;
  if (!isObject(props)) return issues;
  const base = `/${pointerSegment(propsKey!)}`;
  let nodes = 0;
  for (const section of ['sources', 'processors', 'sinks']) {
    const list = arrayAt(props, section);
    if (!list) continue;
    nodes += list.items.length;
    list.items.forEach((node, i) => {
      const inputs = arrayAt(node, 'inputs');
      if (inputs && inputs.items.length > DOCUMENT_LIMITS.maxInputsPerNode) {
        issues.push(
          limitIssue(
            'topology',
            `${base}/${pointerSegment(list.key)}/${i}/${pointerSegment(inputs.key)}`,
            `a node takes at most ${DOCUMENT_LIMITS.maxInputsPerNode} inputs, not ${inputs.items.length}`,
          ),
        );
      }
    });
  }
  if (nodes > DOCUMENT_LIMITS.maxNodes) {
    issues.push(
      limitIssue('topology', base, `a topology holds at most ${DOCUMENT_LIMITS.maxNodes} nodes (sources, processors and sinks together), not ${nodes}`),
    );
  }
  const parameters = arrayAt(props, 'parameters');
  if (parameters && parameters.items.length > DOCUMENT_LIMITS.maxParameters) {
    issues.push(
      limitIssue(
        'topology',
        `${base}/${pointerSegment(parameters.key)}`,
        `a topology declares at most ${DOCUMENT_LIMITS.maxParameters} parameters, not ${parameters.items.length}`,
      ),
    );
  }
  return issues;
}

export function instanceQuotaIssues(raw: unknown): ValidationIssue[] {
  const propsKey = isObject(raw) ? keyOf(raw, 'properties') : undefined;
  const props = propsKey !== undefined && isObject(raw) ? raw[propsKey] : undefined;
  const parameters = arrayAt(props, 'parameters');
  if (!parameters || parameters.items.length <= DOCUMENT_LIMITS.maxParameters) return [];
  return [
    limitIssue(
      'instance',
      `/${pointerSegment(propsKey!)}/${pointerSegment(parameters.key)}`,
      `an instance sets at most ${DOCUMENT_LIMITS.maxParameters} parameters, not ${parameters.items.length}`,
    ),
  ];
}

/** Everything above for one document; both checks cost at most one step per value. */
export function documentLimitIssues(raw: unknown, document: DocumentKind): ValidationIssue[] {
  const quotas = document === 'topology' ? topologyQuotaIssues(raw) : instanceQuotaIssues(raw);
  return [...quotas, ...structureIssues(raw, document)];
}
