// Writes the generated reference files: schemas/ from the registry, docs/errors.md and
// docs/events.md from the catalogs. `--check` fails if a committed file is stale (CI/tests).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fullTopologySchema, instanceSchema } from '../src/graph/document-schemas.ts';
import { createBuiltinRegistry } from '../src/runtime/builtin-registry.ts';
import type { NodeRegistry } from '../src/runtime/registry.ts';
import { loadPlugins, takePluginArgs } from '../src/control/cli/plugins.ts';
import { ERROR_CATALOG } from '../src/types/errors.ts';
import { EVENT_CLASSES } from '../src/types/events.ts';
import { siteConfigSchema } from '../src/site/site-config.ts';

const root = resolve(import.meta.dirname, '..');

/** Messages about secrets that carry no catalog code (events, CLI exit 2, log warnings). */
const SECRET_MESSAGES = [
  '## Secrets: messages without a code',
  '',
  '| where | message (shape) | meaning and fix |',
  '|---|---|---|',
  '| `AuthenticationError` event, instance error | `DESCRIBE rtsp://B/…: 401 Unauthorized (redirected from rtsp://A:554 to rtsp://B:8554, another origin: the configured credentials are sent only to rtsp://A:554; …)` | The camera redirected to another scheme, host or port, and that server asks for credentials. They are not sent there. If that server is meant to be recorded, configure its URL (with its credentials) as the camera URL. |',
  "| `AuthenticationError` event, instance error | `…: 401 Unauthorized (the server asks for Basic after Digest was used; the password is not sent in clear)` | A server (or a redirect target the caller allowed) asked for Basic after Digest had been answered. Fix the server's configuration; the client never downgrades. |",
  '| CLI, exit 2 | `give --token or --token-file, not both` (also `--blob`, `--password`) | One secret from one place. |',
  '| CLI, exit 2 | `--token-file: cannot read <file>: ENOENT`, `--blob-file: <file> is empty`, `MEDIAGRAPH_TOKEN_FILE: …` | The secret file is missing, unreadable or empty; the message names the file, never its content. |',
  '| CLI, exit 2 | `--param-file <file>: line 3 is not name=value` | A parameter file line without a name; the line itself is not shown (it may hold a secret). |',
  '| CLI, stderr | `warning: --token on the command line is readable by every local user; prefer --token-file or MEDIAGRAPH_TOKEN` | The run goes on; move the secret to a file or the environment (README, step 2). Also for `--param` values that the topology declares `SecretString` or that carry a URL password. |',
  "| CLI, exit 1 | `<data>/azurite/account-key does not hold a base64 account key of at least 32 bytes; …` | The embedded store's key file was damaged. Restore it; a new key (after deleting the file) cannot read what the old one stored. |",
  "| log, warning | `the asset's container was deleted while recording: created it again; …` | Someone deleted the asset's container. Recording carries on into a new one; what the old one held is gone and the index lists only what is stored. |",
  '',
];

export function generatedFiles(registry: NodeRegistry = createBuiltinRegistry()): Record<string, string> {
  const topology = fullTopologySchema(registry.list());
  const instance = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://mediagraph.dev/schemas/instance.schema.json',
    title: 'mediagraph graph instance (LVA media graph instance)',
    ...instanceSchema,
  };
  const errors = [
    '# Error codes',
    '',
    'Generated from `src/types/errors.ts` by `npm run generate`. Every error the host returns carries one of',
    'these codes among its `details`, with a `target` JSON pointer where a document is at fault.',
    '',
    '| code | HTTP status | LVA top-level code | meaning |',
    '|---|---|---|---|',
    ...Object.entries(ERROR_CATALOG).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.top} | ${e.doc} |`),
    '',
    ...SECRET_MESSAGES,
  ].join('\n');
  const events = [
    '# Events',
    '',
    'Generated from `src/types/events.ts`. `eventType` is `Microsoft.Media.Graph.<class>.<type>` as in LVA;',
    '`subject` is `/graphInstances/<instance>[/<sources|processors|sinks>/<node>]`.',
    '',
    '| type | class |',
    '|---|---|',
    ...Object.entries(EVENT_CLASSES).map(([type, cls]) => `| \`${type}\` | ${cls} |`),
    '',
    '## Supervision: `InstanceRestarting`, `InstanceRestarted`',
    '',
    'When a node of an Active instance fails (an I/O error, a cache that cannot open, …) the host publishes',
    '`RuntimeError` (`code: NodeFailed`) and then `InstanceRestarting`',
    "`{ attempt, retryInMs, error: { code, message } }` on the instance's subject; the instance stays Active and",
    'its whole pipeline is rebuilt after `retryInMs` (1 s, doubling, capped at 30 s; a run that lasted 60 s',
    'starts the count again). `InstanceRestarted` `{ attempt, downMs }` follows once the pipeline runs again.',
    'Until then `GET /readyz` answers 503 naming the instance and since when, and `/metrics` shows',
    '`mediagraph_instance_recording{graph_instance} 0` and `mediagraph_instance_not_recording_since_seconds`.',
    '',
  ].join('\n');
  return {
    'schemas/topology.schema.json': `${JSON.stringify(topology, null, 2)}\n`,
    'schemas/instance.schema.json': `${JSON.stringify(instance, null, 2)}\n`,
    'schemas/site.schema.json': `${JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', $id: 'https://mediagraph.dev/schemas/site.schema.json', ...siteConfigSchema }, null, 2)}\n`,
    'docs/errors.md': errors,
    'docs/events.md': events,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  // `--plugin <module>` adds a user's node types to the schema (what `mediagraph schema --plugin` prints)
  const { plugins, rest } = takePluginArgs(process.argv.slice(2));
  const check = rest.includes('--check');
  const registry = createBuiltinRegistry();
  await loadPlugins(plugins, registry);
  let stale = 0;
  for (const [rel, text] of Object.entries(generatedFiles(registry))) {
    const path = join(root, rel);
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* missing */
    }
    if (current === text) continue;
    if (check) {
      console.log(`${rel} is stale: run npm run generate`);
      stale++;
    } else {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
      console.log(`wrote ${rel}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
