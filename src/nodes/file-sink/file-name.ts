// File names for the file sink: LVA's `${System.*}` variables (when the graph left them for the
// run time), then `-<n>.mp4` with the first free n.
import type { NodeContext } from '../../types/node.ts';

const compact = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '');

/** `${System.DateTime}` → `20200512T233309Z`, `${System.PreciseDateTime}` → `20200512T233309.123Z`. */
export function expandSystemVariables(pattern: string, atMs: number, ctx: Pick<NodeContext, 'instanceName' | 'topologyName'>): string {
  return pattern.replace(/\$\{System\.(\w+)\}/gi, (whole, name: string) => {
    switch (name.toLowerCase()) {
      case 'datetime':
        return compact(atMs).replace(/\.\d{3}Z$/, 'Z');
      case 'precisedatetime':
        return compact(atMs);
      case 'graphtopologyname':
        return ctx.topologyName;
      case 'graphinstancename':
        return ctx.instanceName;
      default:
        return whole;
    }
  });
}

/** Characters never allowed in the produced file name (a pattern must not climb directories). */
export function unsafeFileNameReason(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (/[/\\]/.test(name)) return 'contains a path separator';
  if (name === '.' || name === '..') return 'is a relative directory name';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f]/.test(name)) return 'contains control characters';
  return undefined;
}

/** The n of `<base>-<n>.mp4` names among `existing`, so a new file never overwrites an old one. */
export function nextIndex(base: string, existing: readonly string[]): number {
  let max = 0;
  const prefix = `${base}-`;
  for (const f of existing) {
    if (!f.startsWith(prefix)) continue;
    const m = /^(\d+)\.mp4(?:\.part)?$/.exec(f.slice(prefix.length));
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

/** Matches the names this pattern produces (`<expanded pattern>-<n>.mp4`), so the size bound
 * only ever deletes this sink's own files, never others in the same folder. */
export function ownFileMatcher(pattern: string, ctx: Pick<NodeContext, 'instanceName' | 'topologyName'>): RegExp {
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = pattern.split(/(\$\{System\.\w+\})/i).map((part) => {
    const m = /^\$\{System\.(\w+)\}$/i.exec(part);
    if (!m) return escape(part);
    switch (m[1]!.toLowerCase()) {
      case 'datetime':
        return '\\d{8}T\\d{6}Z';
      case 'precisedatetime':
        return '\\d{8}T\\d{6}\\.\\d{3}Z';
      default:
        return escape(expandSystemVariables(part, 0, ctx));
    }
  });
  return new RegExp(`^${parts.join('')}-\\d+\\.mp4$`);
}
