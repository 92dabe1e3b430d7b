// `mediagraph serve [--config mediagraph.json] [--host 127.0.0.1] [--port 7070] [--data <dir>] [--token T] [--blob <conn>]
//   [--cache-quota-mib N] [--cache-min-free-mib N]
//   [--fleet [--fleet-container C] [--fleet-capacity N] [--fleet-lease-seconds S] [--fleet-host-id ID]]`
// The host as a service: LVA's direct methods and REST over HTTP, events as SSE, /metrics,
// playback and the viewer. Definitions persist under --data; what was active is re-activated.
// With --config, the site file is the desired state, applied at start and at every SIGHUP.
// With --fleet, definitions live in the shared store and instances run where leases say (docs/fleet.md).
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { MediaGraphHost } from '../../../runtime/host.ts';
import type { NodeRegistry } from '../../../runtime/registry.ts';
import { startHttpServer } from '../../http/server.ts';
import { openPlaybackSource } from '../../http/playback/store-source.ts';
import { resolveBlobTarget } from '../../blob-target.ts';
import { waitForStop } from './run.ts';
import type { CliIo } from '../io.ts';
import { blobFlag, resolveSecret, SECRET_ENV } from '../secret-inputs.ts';
import { DEFAULT_DATA, hintOldDataFolders } from '../data-folder.ts';
import { loadSite, type SitePlan } from '../../../site/load-site.ts';
import { formatSiteProblems } from '../../../site/format-problems.ts';
import { SiteApplier } from '../../../site/site-applier.ts';
import { watchSiteFile } from '../../../site/watch-site-file.ts';
import { CACHE_QUOTA_OPTIONS, cacheQuotaFromFlags } from '../cache-quota-flags.ts';
import { fleetSettings, openFleet, startFleetCoordinator, type FleetCoordinator, type FleetSettings, type OpenedFleet } from '../../../fleet/index.ts';

export async function serveCommand(argv: readonly string[], io: CliIo, registry: NodeRegistry): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string' },
      watch: { type: 'boolean' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '7070' },
      data: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      blob: { type: 'string' },
      'blob-file': { type: 'string' },
      store: { type: 'string' },
      for: { type: 'string' },
      fleet: { type: 'boolean' },
      'fleet-container': { type: 'string' },
      'fleet-capacity': { type: 'string' },
      'fleet-lease-seconds': { type: 'string' },
      'fleet-host-id': { type: 'string' },
      ...CACHE_QUOTA_OPTIONS,
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`--port must be 0..65535, not ${values.port}`);
    return 2;
  }
  const siteOptions = { defaultDataDirectory: resolve(DEFAULT_DATA), ...(values.data !== undefined ? { dataOverride: resolve(values.data) } : {}) };
  let plan: SitePlan | undefined;
  if (values.config !== undefined) {
    const loaded = await loadSite(values.config, registry, siteOptions);
    const lines = formatSiteProblems(values.config, loaded.problems, loaded.ok ? loaded.plan.secrets : loaded.secrets);
    for (const line of lines) io.err(line);
    if (!loaded.ok) return 1;
    plan = loaded.plan;
  }
  const dataDirectory = plan?.dataDirectory ?? siteOptions.dataOverride ?? siteOptions.defaultDataDirectory;
  if (values.data === undefined) await hintOldDataFolders(dataDirectory, io.err);
  let token: string | undefined;
  let target;
  let cacheQuota;
  let fleet: { settings: FleetSettings; opened?: OpenedFleet } | undefined;
  try {
    if (values.fleet) {
      if (values.config !== undefined) throw new Error('--fleet and --config: a fleet keeps its cameras in the shared store, not in a site file');
      fleet = {
        settings: fleetSettings(
          {
            container: values['fleet-container'],
            // a StatefulSet or an IoT Edge deployment sets these from the pod name / device id
            capacity: values['fleet-capacity'] ?? process.env['MEDIAGRAPH_FLEET_CAPACITY'],
            leaseSeconds: values['fleet-lease-seconds'],
            hostId: values['fleet-host-id'] ?? process.env['MEDIAGRAPH_HOST_ID'],
          },
          dataDirectory,
        ),
      };
    }
    cacheQuota = cacheQuotaFromFlags(values, plan?.cacheQuota);
    token = await resolveSecret(
      { option: 'token', value: values.token, file: values['token-file'], envVar: SECRET_ENV.token, envFileVar: SECRET_ENV.tokenFile },
      process.env,
      io.err,
    );
    target = await resolveBlobTarget((await blobFlag(values, io.err)) ?? plan?.storageConnection, dataDirectory, process.env, values.store);
    if (fleet && (target.embedded || target.connection.startsWith('file:'))) {
      await target.close();
      throw new Error('--fleet needs a store all hosts share: give --blob or AZURE_STORAGE_CONNECTION_STRING');
    }
    if (fleet) fleet.opened = await openFleet(target.connection, fleet.settings);
  } catch (e) {
    io.err(`serve: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  // A SIGHUP while starting (systemctl reload) must not end the process (the default action):
  // it is remembered and applied once the first apply is done.
  let started = false;
  let reloadPending = false;
  const onHangup = (): void => {
    if (started) void reload();
    else reloadPending = true;
  };
  if (plan) process.on('SIGHUP', onHangup);
  // with a site file, the file says which of its cameras run: none is resumed only to be stopped
  const host = await MediaGraphHost.open({
    dataDirectory,
    registry,
    logLevel: 'info',
    services: { blobConnection: target.connection },
    cacheQuota,
    resumeActiveInstances: plan === undefined,
    ...(fleet?.opened ? { fleet: { definitions: fleet.opened.definitions } } : {}),
  });
  let coordinator: FleetCoordinator | undefined;
  const site = plan ? new SiteApplier(host, io.err) : undefined;
  let stopWatching = (): void => {};
  const reload = async (): Promise<void> => {
    if (!site || !plan || values.config === undefined) return;
    const loaded = await loadSite(values.config, registry, siteOptions).catch((e: unknown) => ({
      ok: false as const,
      problems: [{ pointer: '', message: e instanceof Error ? e.message : String(e), code: 'FileUnreadable' }],
      secrets: [],
    }));
    for (const line of formatSiteProblems(values.config, loaded.problems, loaded.ok ? loaded.plan.secrets : loaded.secrets)) io.err(line);
    if (!loaded.ok) {
      io.err(`site: ${values.config} not applied (see above); the cameras keep running as they were`);
      return;
    }
    if (loaded.plan.dataDirectory !== plan.dataDirectory || loaded.plan.storageConnection !== plan.storageConnection) {
      io.err('site: a change of the data folder or the storage takes effect at the next start');
    }
    const report = await site.apply({ ...loaded.plan, dataDirectory: plan.dataDirectory });
    io.err(
      `site: reloaded ${values.config}: ${report.added.length} added, ${report.changed.length} changed, ${report.removed.length} removed, ${report.unchanged.length} unchanged${report.failed.length ? `, ${report.failed.length} failed` : ''}`,
    );
  };
  try {
    if (site && plan) {
      await site.apply(plan);
      await site.resumeOthers(plan);
      started = true;
      if (reloadPending) void reload();
      if (values.watch) stopWatching = watchSiteFile(plan.file, onHangup);
    }
    if (fleet?.opened) {
      coordinator = await startFleetCoordinator(host, fleet.opened, target.connection, fleet.settings, host.logger);
      io.err(
        `fleet: host ${fleet.settings.hostId}, capacity ${fleet.settings.capacity}, leases of ${fleet.settings.leaseSeconds} s in container ${fleet.settings.container}`,
      );
    }
    const playback = await openPlaybackSource(target.connection);
    const http = await startHttpServer(host, {
      host: values.host,
      port,
      ...(token ? { token } : {}),
      playback,
      ...(coordinator ? { fleet: coordinator } : {}),
    });
    io.out(`listening on ${http.url}`);
    io.err(`recordings go to ${target.description}; definitions in ${dataDirectory}`);
    if (plan) io.err(`site: ${plan.graphs.length} camera(s) from ${values.config}; kill -HUP ${process.pid} (or --watch) applies changes to the file`);
    const why = await waitForStop(values.for !== undefined ? Number(values.for) : undefined);
    if (coordinator) {
      io.err(`${why}: draining (recording stops, caches upload, leases go back to the fleet)`);
      await coordinator.drain();
      coordinator = undefined;
    } else io.err(`${why}: stopping (active instances stay marked active and resume at the next start)`);
    await http.close();
    return 0;
  } catch (e) {
    io.err(`serve: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    process.off('SIGHUP', onHangup);
    stopWatching();
    await coordinator?.drain();
    await host.close();
    await target.close();
  }
}
