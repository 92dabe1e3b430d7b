// Whether a document sent again is the one already stored: a restarted control plane (a
// `run`, a deployment script, LVA operations replayed after a module restart) sends the same
// topology and instance again, and that must be a no-op, never a conflict. Compared after
// normalisation (property-name case, defaults) with key order and bookkeeping ignored.

/** Fields that describe the request or the host's bookkeeping, not the definition itself. */
const IGNORED_KEYS = new Set(['systemData', '@apiVersion', '$schema', 'state']);

function canonical(value: unknown, depth: number): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    // `state` is bookkeeping only at properties level (an instance's read-only state)
    if (IGNORED_KEYS.has(key) && (key !== 'state' || depth === 1)) continue;
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = canonical(v, depth + 1);
  }
  return out;
}

export function sameDefinition(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a, 0)) === JSON.stringify(canonical(b, 0));
}
