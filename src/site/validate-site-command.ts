// `mediagraph validate --config mediagraph.json`: the site file's problems, one
// `<file>#<json-pointer>: <message> [<code>]` line each; exit 0 (`valid`, warnings above it), 1 or 2.
import { resolve } from 'node:path';
import type { NodeTypeLookup } from '../runtime/registry.ts';
import { loadSite } from './load-site.ts';
import { formatSiteProblems } from './format-problems.ts';

export async function validateSiteFile(file: string, registry: NodeTypeLookup, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let loaded;
  try {
    // secrets may be set only where the site runs: a missing one is a warning here
    loaded = await loadSite(file, registry, { defaultDataDirectory: resolve('.data'), missingSecretsAreWarnings: true });
  } catch (e) {
    err(e instanceof Error ? e.message : String(e));
    return 2;
  }
  for (const line of formatSiteProblems(file, loaded.problems, loaded.ok ? loaded.plan.secrets : loaded.secrets)) out(line);
  if (!loaded.ok) return 1;
  const cameras = loaded.plan.graphs.length + loaded.plan.disabled.length;
  out(`valid (${cameras} camera(s)/instance(s)${loaded.plan.disabled.length ? `, ${loaded.plan.disabled.length} disabled` : ''})`);
  return 0;
}
