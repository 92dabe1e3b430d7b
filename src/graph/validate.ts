// Validate at the boundary (docs/architecture.md, Conventions): normalise casing → envelope schema → parameters →
// per-node schema and rules → graph rules. Every issue names a JSON pointer and a rule.
// The result is frozen and is what the planner and compiler consume.
import type { NodeSpec, NodeInputSpec, NodeTypeLookup } from '../types/node.ts';
import { NODE_SECTIONS, SECTION_ROLE, type Instance, type ParameterDeclaration, type Topology, type ValidatedNode, type ValidationIssue } from './model.ts';
import { instanceSchema, nodeSchemaFor, topologyEnvelopeSchema } from './document-schemas.ts';
import { normalizeBySchema } from './normalize.ts';
import { resolveParameters, substitute, type SystemContext } from './parameters.ts';
import { schemaIssues, suggest } from './schema-check.ts';
import { apiVersionOf, avaTypeHint, missingApiVersion, nodeForVersion } from './api-version.ts';
import { graphIssues } from './graph-rules.ts';
import { documentLimitIssues } from './document-limits.ts';

/** Issues returned for one document: enough to fix it, never a multi-megabyte answer. */
export const MAX_REPORTED_ISSUES = 100;

/** Longest message kept: messages quote the user's values, which may be 100 KB long. */
const MAX_MESSAGE_CHARS = 500;

function bounded(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return issues
    .slice(0, MAX_REPORTED_ISSUES)
    .map((i) => (i.message.length > MAX_MESSAGE_CHARS ? { ...i, message: `${i.message.slice(0, MAX_MESSAGE_CHARS)}…` } : i));
}

export type { ValidatedNode } from './model.ts';

export interface ValidationResult {
  readonly ok: boolean;
  readonly issues: readonly ValidationIssue[];
  /**
   * What does not make the document invalid but will stop it at run time: node types this
   * host validates but cannot run (activation fails with NodeTypeNotSupported).
   */
  readonly warnings: readonly ValidationIssue[];
  readonly topology?: Topology;
  readonly instance?: Instance;
  readonly nodes: readonly ValidatedNode[];
  /** SecretString values to redact everywhere. */
  readonly secrets: readonly string[];
}

export interface ValidateOptions {
  /** The instance to validate against the topology; without it, only the topology is checked. */
  readonly instance?: unknown;
  readonly system?: Partial<SystemContext>;
  /**
   * Require `@apiVersion` on the topology (and the instance), as LVA's direct methods did;
   * without it a document missing one is read as 2.0. `mediagraph validate` sets it.
   */
  readonly requireApiVersion?: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Maps a pointer written with canonical keys back to the spelling in the user's document. */
export function toOriginalPointer(raw: unknown, canonical: string): string {
  if (canonical === '') return '';
  let node: unknown = raw;
  const out: string[] = [];
  for (const seg of canonical
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    let key = seg;
    if (isObject(node)) {
      // the spelling is usually the user's already; searching every key per issue is quadratic
      key = Object.hasOwn(node, seg) ? seg : (Object.keys(node).find((k) => k.toLowerCase() === seg.toLowerCase()) ?? seg);
      node = node[key];
    } else if (Array.isArray(node)) {
      node = node[Number(seg)];
    } else node = undefined;
    out.push(`/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  }
  return out.join('');
}

export function normalizeInstance(raw: unknown): { instance?: Instance; issues: ValidationIssue[] } {
  if (!isObject(raw)) {
    return { issues: [{ code: 'InvalidResource', pointer: '', message: 'an instance must be a JSON object', document: 'instance' }] };
  }
  // limits first: everything below walks the document recursively
  const limits = documentLimitIssues(raw, 'instance');
  if (limits.length) return { issues: limits };
  const normalized = normalizeBySchema(raw, instanceSchema);
  const issues = schemaIssues(instanceSchema, normalized, '', 'instance', 'an instance').map((i) => ({
    ...i,
    pointer: toOriginalPointer(raw, i.pointer),
  }));
  return { instance: normalized as Instance, issues: bounded(issues) };
}

export function validateTopology(raw: unknown, registry: NodeTypeLookup, options: ValidateOptions = {}): ValidationResult {
  const issues: ValidationIssue[] = [];
  const fail = (): ValidationResult => ({ ok: false, issues: bounded(issues), warnings: [], nodes: [], secrets: [] });
  if (!isObject(raw)) {
    issues.push({ code: 'InvalidResource', pointer: '', message: 'a topology must be a JSON object', document: 'topology' });
    return fail();
  }
  // 0. Limits first, so a hostile document costs no more than the limits allow.
  issues.push(...documentLimitIssues(raw, 'topology'));
  if (issues.length) return fail();

  // 1. Envelope (nodes only by their base properties here).
  const envelope = normalizeBySchema(raw, topologyEnvelopeSchema) as Record<string, unknown>;
  for (const i of schemaIssues(topologyEnvelopeSchema, envelope, '', 'topology', 'a topology')) {
    // node-specific properties are checked per type below, not as "unknown" here
    if (i.code === 'PropertyUnknown' && /^\/properties\/(sources|processors|sinks)\/\d+\//.test(i.pointer)) continue;
    issues.push({ ...i, pointer: toOriginalPointer(raw, i.pointer) });
  }
  const apiVersion = apiVersionOf(envelope);
  if (options.requireApiVersion) issues.push(...missingApiVersion(raw, 'topology'));
  const props = envelope['properties'];
  if (!isObject(props)) return fail();

  // 2. Parameters.
  let instance: Instance | undefined;
  if (options.instance !== undefined) {
    const ni = normalizeInstance(options.instance);
    issues.push(...ni.issues);
    if (options.requireApiVersion) issues.push(...missingApiVersion(options.instance, 'instance'));
    instance = ni.instance;
    if (
      instance &&
      typeof envelope['name'] === 'string' &&
      typeof instance.properties?.topologyName === 'string' &&
      instance.properties.topologyName.toLowerCase() !== String(envelope['name']).toLowerCase()
    ) {
      issues.push({
        code: 'TopologyNotFound',
        pointer: toOriginalPointer(options.instance, '/properties/topologyName'),
        message: `instance refers to topology "${instance.properties.topologyName}", not "${String(envelope['name'])}"`,
        document: 'instance',
      });
    }
  }
  const declarations = (Array.isArray(props['parameters']) ? props['parameters'] : []).filter(isObject) as unknown as ParameterDeclaration[];
  const resolved = resolveParameters(
    declarations.filter((d) => typeof d.name === 'string'),
    // entries without a string name are reported by the instance schema; they set nothing
    instance
      ? Array.isArray(instance.properties?.parameters)
        ? instance.properties.parameters.filter((p) => isObject(p) && typeof p.name === 'string')
        : []
      : undefined,
  );
  for (const i of resolved.issues) {
    const doc = i.document === 'instance' ? options.instance : raw;
    issues.push({ ...i, pointer: toOriginalPointer(doc, i.pointer) });
  }
  const declared = new Set(declarations.map((d) => d.name).filter((n) => typeof n === 'string'));
  const system: SystemContext = {
    topologyName: String(envelope['name'] ?? ''),
    instanceName: options.system?.instanceName ?? instance?.name,
    now: options.system?.now,
  };

  // 3. Nodes.
  const nodes: ValidatedNode[] = [];
  const warnings: ValidationIssue[] = [];
  for (const section of NODE_SECTIONS) {
    const list = props[section];
    if (list === undefined) continue;
    if (!Array.isArray(list)) continue; // reported by the envelope schema
    list.forEach((rawNode: unknown, index: number) => {
      const at = `/properties/${section}/${index}`;
      if (!isObject(rawNode)) return;
      const type = rawNode['@type'];
      const definition = typeof type === 'string' ? registry.get(type) : undefined;
      if (typeof type === 'string' && !definition) {
        const known = registry.list().map((d) => d.type);
        const hint = avaTypeHint(type, known) ?? suggest(type, known);
        issues.push({
          code: 'ModuleValidationError',
          pointer: toOriginalPointer(raw, `${at}/@type`),
          message: `unknown node type "${type}"${hint || `; registered types: ${known.join(', ')}`}`,
          document: 'topology',
        });
      }
      const normalized = (definition ? normalizeBySchema(rawNode, nodeSchemaFor(definition)) : rawNode) as Record<string, unknown>;
      const sub = substitute(normalized, at, declared, resolved.values, system);
      for (const i of sub.issues) issues.push({ ...i, pointer: toOriginalPointer(raw, i.pointer) });
      // enum values that came from parameters ("medium") are canonicalised after substitution
      const substituted = (definition ? normalizeBySchema(sub.value, nodeSchemaFor(definition)) : sub.value) as Record<string, unknown>;
      const relative = (p: string): string => p.slice(at.length);
      // what the parameters made of each pattern, system variables kept: judged only with an instance
      const patterns = instance
        ? (substitute(normalized, at, declared, resolved.values, system, { keepSystemVariables: true }).value as Record<string, unknown>)
        : undefined;
      const versioned = nodeForVersion(definition?.type ?? String(type), apiVersion, {
        spec: substituted,
        written: normalized,
        patterns,
        unresolved: new Set(sub.unresolved.map(relative)),
      });
      const spec = { ...versioned.spec, '@type': definition?.type ?? String(type) } as unknown as NodeSpec;
      nodes.push({ section, index, pointer: at, definition, spec });
      /** A node-relative pointer as the user wrote it: generated 1.0 → 2.0 properties name their source. */
      const userPointer = (rel: string): string => {
        const renamed = [...versioned.renamed].find(([from]) => rel === from || rel.startsWith(`${from}/`));
        return toOriginalPointer(raw, `${at}${renamed ? renamed[1] : rel}`);
      };
      const userMessage = (rel: string, message: string): string => {
        const renamed = [...versioned.renamed].find(([from]) => rel === from || rel.startsWith(`${from}/`));
        return renamed ? message.replaceAll(renamed[0].slice(1), renamed[1].slice(1)) : message;
      };
      for (const c of versioned.issues) {
        // already written in the user's terms
        issues.push({
          code: c.code as ValidationIssue['code'],
          pointer: toOriginalPointer(raw, `${at}${c.pointer}`),
          message: c.message,
          document: 'topology',
        });
      }
      if (!definition) return;
      if (definition.role !== SECTION_ROLE[section]) {
        issues.push({
          code: 'ModuleValidationError',
          pointer: toOriginalPointer(raw, `${at}/@type`),
          message: `${definition.type} is a ${definition.role}; it belongs in properties.${definition.role}s, not ${section}`,
          document: 'topology',
        });
      }
      if (definition.notSupportedYet || (!definition.create && !definition.expand)) {
        warnings.push({
          code: 'NodeTypeNotSupported',
          pointer: toOriginalPointer(raw, `${at}/@type`),
          message: `${definition.type} cannot run on this host (${definition.notSupportedYet ?? 'no implementation'}): the topology validates, but activating an instance of it fails`,
          document: 'topology',
        });
      }
      const skipped = new Set([...versioned.unresolved, ...versioned.suppressed]);
      const isSkipped = (rel: string): boolean => [...skipped].some((u) => rel === u || rel.startsWith(`${u}/`));
      for (const i of schemaIssues(nodeSchemaFor(definition), spec, at, 'topology', definition.type)) {
        const rel = relative(i.pointer);
        if (isSkipped(rel)) continue;
        issues.push({ ...i, pointer: userPointer(rel), message: userMessage(rel, i.message) });
      }
      if (definition.check) {
        const context = {
          raw: versioned.written as unknown as NodeSpec,
          unresolved: versioned.unresolved,
          apiVersion,
          patterns: versioned.patterns as unknown as NodeSpec | undefined,
        };
        for (const c of definition.check(spec, context)) {
          if (isSkipped(c.pointer)) continue;
          issues.push({
            code: c.code as ValidationIssue['code'],
            pointer: userPointer(c.pointer),
            message: userMessage(c.pointer, c.message),
            document: 'topology',
          });
        }
      }
    });
  }

  // 4. Graph rules (names, wiring, ports, cycles).
  for (const i of graphIssues(nodes)) issues.push({ ...i, pointer: toOriginalPointer(raw, i.pointer) });

  const topology = deepFreeze({
    ...envelope,
    properties: {
      ...props,
      ...Object.fromEntries(NODE_SECTIONS.filter((s) => Array.isArray(props[s])).map((s) => [s, nodes.filter((n) => n.section === s).map((n) => n.spec)])),
    },
  }) as unknown as Topology;
  return {
    ok: issues.length === 0,
    issues: bounded(issues),
    warnings: bounded(warnings),
    topology,
    instance,
    nodes: deepFreeze(nodes),
    secrets: resolved.secrets,
  };
}

export function inputsOf(spec: NodeSpec): readonly NodeInputSpec[] {
  return Array.isArray(spec.inputs) ? spec.inputs : [];
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
