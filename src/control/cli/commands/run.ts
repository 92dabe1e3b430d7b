// `mediagraph run <topology.json> [--instance <instance.json>] [--name <instance>] [--param name=value ...]
//   [--blob <connection string | SAS URL>] [--for <seconds>] [--data <dir>]`
// Runs one instance in the foreground with a live status line; Ctrl-C deactivates it
// (the cache drains, bounded) and exits. Without --blob, recordings go to an embedded Azurite.
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { MediaGraphHost } from '../../../runtime/host.ts';
import { MediaGraphError } from '../../../runtime/errors.ts';
import type { NodeRegistry } from '../../../runtime/registry.ts';
import { resolveBlobTarget } from '../../blob-target.ts';
import { cliLogLine, startStatusLine, type StatusCounters } from '../status-line.ts';
import { stderrLines } from '../console-lines.ts';
import { readJsonFile } from './validate.ts';
import { validateTopology } from '../../../graph/validate.ts';
import { Redactor } from '../../../runtime/redact.ts';
import type { CliIo } from '../io.ts';
import { blobFlag, paramsFromEnv, paramsFromFiles, warnSecretParams } from '../secret-inputs.ts';
import { cachePathParameter, DEFAULT_DATA, defaultInstanceName, hintOldDataFolders } from '../data-folder.ts';
import { CACHE_QUOTA_OPTIONS, cacheQuotaFromFlags } from '../cache-quota-flags.ts';

export function describeError(e: unknown): string {
  if (e instanceof MediaGraphError) {
    const details = e.details.filter((d) => d.target || d.code !== e.code);
    return details.length ? `${e.code}: ${details.map((d) => `${d.target || '/'}: ${d.message}`).join('\n  ')}` : `${e.code}: ${e.message}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * What did not reach the store, split by where it went: still cached (as the cache itself
 * reports when it can), evicted or never written (both recorded gaps), or kept on disk
 * outside the cache (salvaged at the next start).
 */
export function notUploadedSummary(c: StatusCounters): string {
  const computed = Math.max(0, c.written - c.uploaded - c.evicted);
  const cached = Math.min(computed, c.stillCached ?? computed);
  const onDisk = computed - cached;
  const parts = [
    ...(cached ? [`${cached} stay in the local cache and upload at the next run`] : []),
    ...(onDisk ? [`${onDisk} stay on disk outside the cache and are salvaged at the next run`] : []),
    ...(c.evicted ? [`${c.evicted} were evicted from the full cache (recorded as gaps)`] : []),
  ];
  const errors = c.storageErrors ? ` after ${c.storageErrors} storage error(s)` : '';
  const notWritten = c.notWritten ? `${c.notWritten} segment(s) could not be written to disk (recorded as gaps)` : '';
  if (c.uploaded >= c.written && c.evicted === 0) return `every segment written was uploaded (${c.written}); ${notWritten}`;
  return `${c.written - c.uploaded} of ${c.written} segment(s) were not uploaded${errors}: ${parts.join('; ')}${notWritten ? `; ${notWritten}` : ''}`;
}

export function waitForStop(seconds: number | undefined): Promise<string> {
  return new Promise((resolvePromise) => {
    const done = (why: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (timer) clearTimeout(timer);
      resolvePromise(why);
    };
    const onInt = () => done('interrupted');
    const onTerm = () => done('terminated');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    const timer = seconds !== undefined ? setTimeout(() => done(`ran ${seconds} s`), seconds * 1000) : undefined;
  });
}

export async function runCommand(argv: readonly string[], io: CliIo, registry: NodeRegistry): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      instance: { type: 'string' },
      param: { type: 'string', multiple: true, default: [] },
      'param-file': { type: 'string', multiple: true, default: [] },
      blob: { type: 'string' },
      'blob-file': { type: 'string' },
      store: { type: 'string' },
      for: { type: 'string' },
      data: { type: 'string' },
      name: { type: 'string' },
      ...CACHE_QUOTA_OPTIONS,
    },
  });
  const file = positionals[0];
  if (!file) {
    io.err(
      'usage: mediagraph run <topology.json> [--instance <instance.json>] [--name <instance>] [--param name=value ...] [--blob <connection>] [--for <seconds>] [--data <dir>] [--cache-quota-mib N] [--cache-min-free-mib N]',
    );
    return 2;
  }
  let topology: { name?: unknown };
  let instance: { name?: string; properties?: { topologyName?: string; parameters?: { name: string; value: string }[] } };
  try {
    topology = (await readJsonFile(file)) as { name?: unknown };
    instance = values.instance ? ((await readJsonFile(values.instance)) as typeof instance) : {};
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e));
    return 2;
  }
  const cliParams: [string, string][] = [];
  for (const kv of values.param ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) {
      // not echoed: a misplaced secret would land in the terminal's scrollback
      io.err('--param expects name=value (one argument had no name before "=")');
      return 2;
    }
    cliParams.push([kv.slice(0, eq), kv.slice(eq + 1)]);
  }
  // Later sources win: the instance file, MEDIAGRAPH_PARAM_<name>, --param-file, --param.
  // Names are case-insensitive (as LVA's), so one spelling per parameter is kept.
  const params = new Map<string, [string, string]>();
  for (const [n, v] of [
    ...(instance.properties?.parameters ?? []).map((p) => [p.name, String(p.value)] as [string, string]),
    ...paramsFromEnv(process.env),
    ...(await paramsFromFiles(values['param-file'] ?? [])),
    ...cliParams,
  ])
    params.set(n.toLowerCase(), [n, v]);
  const dataDirectory = resolve(values.data ?? DEFAULT_DATA);
  const cacheParam = cachePathParameter(topology, new Set(params.keys()));
  if (cacheParam) params.set(cacheParam.toLowerCase(), [cacheParam, join(dataDirectory, 'cache')]);
  // one instance (and asset) per camera: not one shared default name
  const name = values.name ?? instance.name ?? defaultInstanceName(String(topology.name ?? ''), params);
  const instanceDoc = {
    ...instance,
    name,
    properties: {
      ...instance.properties,
      topologyName: String(topology.name ?? ''),
      parameters: [...params.values()].map(([n, v]) => ({ name: n, value: v })),
    },
  };
  const check = validateTopology(topology, registry, { instance: instanceDoc });
  const redactor = new Redactor();
  for (const s of check.secrets) redactor.add(s);
  warnSecretParams(cliParams, check.secrets, io.err);
  if (!check.ok) {
    for (const i of check.issues) io.err(redactor.text(`${i.document === 'instance' ? 'instance#' : ''}${i.pointer || '/'}: ${i.message} [${i.code}]`));
    return 1;
  }
  if (values.data === undefined) await hintOldDataFolders(dataDirectory, io.err);
  let target;
  let cacheQuota;
  try {
    cacheQuota = cacheQuotaFromFlags(values);
    target = await resolveBlobTarget(await blobFlag(values, io.err), dataDirectory, process.env, values.store);
  } catch (e) {
    io.err(`run: ${redactor.text(e instanceof Error ? e.message : String(e))}`);
    return 2;
  }
  redactor.add(target.connection);
  // log lines and the status line share stderr without being glued together
  const lines = stderrLines(io.err);
  const logWrite = (line: string): void => {
    const shown = cliLogLine(line);
    if (shown !== undefined) lines.line(shown);
  };
  // Only this instance runs: others stored in the same data folder belong to other runs.
  const host = await MediaGraphHost.open({
    dataDirectory,
    registry,
    logLevel: 'warn',
    logWrite,
    services: { blobConnection: target.connection },
    cacheQuota,
    resumeActiveInstances: false,
  });
  io.err(`recording to ${target.description}`);
  let code = 0;
  try {
    // The files are the desired state: the same files again (a restart after a crash) change
    // nothing, changed ones replace what the data folder holds.
    const applied = await host.apply(topology, instanceDoc);
    if (applied.topology === 'updated' || applied.instance === 'updated') {
      io.err(
        `updated the stored ${[applied.topology === 'updated' ? `topology ${String(topology.name)}` : '', applied.instance === 'updated' ? `instance ${name}` : ''].filter(Boolean).join(' and ')} from the given files`,
      );
    }
    const status = startStatusLine(host, name, lines);
    try {
      await host.instanceActivate(name);
      lines.line(`instance ${name} is Active: connecting to the camera; Ctrl-C to stop (the cache drains before exit)`);
      const stopped = new Promise<string>((res) => {
        const sub = host.events$.subscribe((e) => {
          if (e.type === 'GraphInstanceStateChanged' && e.subject === `/graphInstances/${name}` && (e.body as { state: string }).state === 'Inactive') {
            sub.unsubscribe();
            res('the instance stopped');
          }
        });
      });
      const why = await Promise.race([waitForStop(values.for !== undefined ? Number(values.for) : undefined), stopped]);
      if (host.instanceStatus(name).state === 'Active') {
        lines.line(`${why}: deactivating (uploading what the cache holds; Ctrl-C again to stop now)…`);
        const deactivated = host.instanceDeactivate(name);
        // A second interrupt does not wait for a drain that a dead uplink may never finish.
        const again = (): void => {
          if (host.stopDrainNow(name)) lines.line('stopping now: what was not uploaded stays in the local cache for the next run');
        };
        process.once('SIGINT', again);
        process.once('SIGTERM', again);
        try {
          await deactivated;
        } finally {
          process.off('SIGINT', again);
          process.off('SIGTERM', again);
        }
      }
      const last = host.instanceStatus(name).lastError;
      if (last) {
        io.err(`instance stopped with an error: ${last.code}: ${last.message}`);
        code = 1;
      }
    } finally {
      status.stop();
    }
    // a script must notice when recordings did not reach the store
    const c = status.counters;
    if (code === 0 && (c.uploaded < c.written || c.evicted > 0 || (c.notWritten ?? 0) > 0)) {
      io.err(notUploadedSummary(c));
      code = 1;
    }
  } catch (e) {
    io.err(redactor.text(`run failed: ${describeError(e)}`));
    code = 1;
  } finally {
    await host.close();
    await target.close();
  }
  return code;
}
