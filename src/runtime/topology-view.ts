// What GraphTopologySet/Get/List answer: the topology as it was set — `${parameter}`
// references intact, never the defaults substituted in — with every SecretString default
// masked, since LVA never echoed secrets. A document read this way and set again keeps the
// stored secret where it still holds the mask, so a read-modify-write never bakes defaults in
// nor turns a password into "***".
import { MediaGraphError } from './errors.ts';
import { REDACTION_MASK } from './redact.ts';
import type { Topology } from '../graph/model.ts';
import { normalizeBySchema } from '../graph/normalize.ts';
import { topologyEnvelopeSchema } from '../graph/document-schemas.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Property names are matched case-insensitively, as LVA did (`Properties`, `Default`). */
function keyOf(o: Json, name: string): string | undefined {
  return Object.keys(o).find((k) => k.toLowerCase() === name);
}

function field(o: Json, name: string): unknown {
  const k = keyOf(o, name);
  return k === undefined ? undefined : o[k];
}

/** The parameter declarations of a raw topology, with the keys that hold them. */
function declarations(doc: unknown): Json[] {
  const props = isObject(doc) ? field(doc, 'properties') : undefined;
  const params = isObject(props) ? field(props, 'parameters') : undefined;
  return Array.isArray(params) ? params.filter(isObject) : [];
}

function isSecretWithDefault(d: Json): boolean {
  return String(field(d, 'type') ?? '').toLowerCase() === 'secretstring' && keyOf(d, 'default') !== undefined;
}

/** Rebuilds `doc` with each parameter declaration passed through `map` (other fields shared). */
function mapDeclarations(doc: unknown, map: (d: Json) => Json): unknown {
  if (!isObject(doc)) return doc;
  const pk = keyOf(doc, 'properties');
  const props = pk === undefined ? undefined : doc[pk];
  if (pk === undefined || !isObject(props)) return doc;
  const dk = keyOf(props, 'parameters');
  const params = dk === undefined ? undefined : props[dk];
  if (dk === undefined || !Array.isArray(params)) return doc;
  return { ...doc, [pk]: { ...props, [dk]: params.map((d: unknown) => (isObject(d) ? map(d) : d)) } };
}

/**
 * The stored document as callers see it: as set (property names in their canonical spelling,
 * so `name` and `properties` are where clients look), SecretString defaults masked.
 */
export function presentTopology(stored: unknown): Topology {
  return mapDeclarations(normalizeBySchema(stored, topologyEnvelopeSchema), (d) =>
    isSecretWithDefault(d) ? { ...d, [keyOf(d, 'default')!]: REDACTION_MASK } : d,
  ) as Topology;
}

/**
 * A topology being set: where a SecretString default is the mask, the default stored for that
 * parameter is put back. A mask with no stored secret behind it is refused rather than kept
 * as a password of three asterisks.
 */
export function keepMaskedTopologySecrets(raw: unknown, storedByName: (name: string) => unknown): unknown {
  const name = isObject(raw) ? field(raw, 'name') : undefined;
  const previous = typeof name === 'string' ? storedByName(name) : undefined;
  const stored = new Map<string, unknown>();
  for (const d of declarations(previous)) {
    if (isSecretWithDefault(d)) stored.set(String(field(d, 'name')).toLowerCase(), field(d, 'default'));
  }
  return mapDeclarations(raw, (d) => {
    const dk = keyOf(d, 'default');
    if (dk === undefined || d[dk] !== REDACTION_MASK || String(field(d, 'type') ?? '').toLowerCase() !== 'secretstring') return d;
    const name = String(field(d, 'name'));
    if (!stored.has(name.toLowerCase())) {
      throw new MediaGraphError(
        'ParameterDeclarationInvalid',
        `parameter "${name}": the default is the mask "${REDACTION_MASK}" (as GraphTopologyGet shows a secret) but no default is stored for it; give the value`,
        [{ code: 'ParameterDeclarationInvalid', target: '/properties/parameters', message: `"${name}": masked default with no stored value` }],
      );
    }
    return { ...d, [dk]: stored.get(name.toLowerCase()) };
  });
}
