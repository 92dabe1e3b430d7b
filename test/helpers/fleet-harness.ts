// Shared by the fleet tests and the fleet fault scenarios: `serve --fleet` hosts as real child
// processes on one Azurite, each with its own data folder (and working directory, where the
// CVR example's relative cache path lands), CVR instances of the simulated camera created
// through one host's HTTP API, and what the fleet and the store hold.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { BlobAssetStore } from '../../src/storage/blob/index.ts';
import { parseIsoBasic } from '../../src/storage/blob/naming.ts';
import type { FleetView } from '../../src/fleet/index.ts';
import { eventually } from './restart-harness.ts';

const BIN = resolve(import.meta.dirname, '../../bin/mediagraph.js');

/**
 * LVA's CVR example spelled with the native nodes the asset sink expands to, so that segments
 * can be 2 s long (the LVA node allows PT30S at least): a failover shows in seconds, at the
 * camera's real speed (wall-clock labels then match the media).
 */
const CVR_TOPOLOGY = {
  name: 'CVRToAsset',
  properties: {
    parameters: [{ name: 'rtspUrl', type: 'String' }],
    sources: [
      {
        '@type': '#Microsoft.Media.MediaGraphRtspSource',
        name: 'rtspSource',
        endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: '${rtspUrl}' },
      },
    ],
    processors: [
      {
        '@type': '#Mediagraph.Fmp4Segmenter',
        name: 'segmenter',
        segmentLength: 'PT2S',
        inputs: [{ nodeName: 'rtspSource', outputSelectors: [{ property: 'mediaType', operator: 'isNot', value: 'application' }] }],
      },
      {
        '@type': '#Mediagraph.DurableCache',
        name: 'cache',
        localMediaCachePath: '.data/cache',
        localMediaCacheMaximumSizeMiB: '256',
        inputs: [{ nodeName: 'segmenter' }],
      },
    ],
    sinks: [
      {
        '@type': '#Mediagraph.BlobAssetSink',
        name: 'assetSink',
        assetNamePattern: 'sampleAsset-${System.GraphTopologyName}-${System.GraphInstanceName}',
        inputs: [{ nodeName: 'cache' }],
      },
    ],
  },
};

export interface FleetHost {
  readonly id: string;
  readonly folder: string;
  child: ChildProcess;
  url: string;
  output: string;
  exited: Promise<string>;
  ended: string | undefined;
}

export interface FleetHostOptions {
  readonly connection: string;
  readonly leaseSeconds: number;
  readonly capacity?: number;
}

/** Starts (or restarts, on the same folder) one fleet host; resolves once it listens. */
export async function startFleetHost(id: string, folder: string, opts: FleetHostOptions): Promise<FleetHost> {
  mkdirSync(folder, { recursive: true });
  const args = [
    BIN,
    'serve',
    '--fleet',
    '--port',
    '0',
    '--data',
    join(folder, 'data'),
    '--fleet-host-id',
    id,
    '--fleet-lease-seconds',
    String(opts.leaseSeconds),
    ...(opts.capacity !== undefined ? ['--fleet-capacity', String(opts.capacity)] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: folder,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MEDIAGRAPH_FROM_SOURCE: '1', AZURE_STORAGE_CONNECTION_STRING: opts.connection },
  });
  const host: FleetHost = { id, folder, child, url: '', output: '', exited: Promise.resolve(''), ended: undefined };
  host.exited = new Promise((r) =>
    child.once('exit', (code, signal) => {
      host.ended = String(code ?? signal);
      r(host.ended);
    }),
  );
  const collect = (d: Buffer): void => {
    host.output += d.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  host.url = await eventually(
    async () => {
      if (host.ended !== undefined) throw new Error(`host ${id} exited (${host.ended}):\n${host.output.slice(-1500)}`);
      return /listening on (http:\/\/\S+)/.exec(host.output)?.[1];
    },
    60_000,
    `host ${id} listening`,
  );
  return host;
}

export async function api(host: FleetHost, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const r = await fetch(`${host.url}${path}`, {
    method,
    headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await r.text();
  return { status: r.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

async function ok(host: FleetHost, method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await api(host, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path} on ${host.id}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

export function instanceNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `cam${String(i + 1).padStart(2, '0')}`);
}

/** The CVR topology (2 s segments) and `names` recording `cameraUrl`, set and activated through `host`. */
export async function createCvrInstances(host: FleetHost, names: readonly string[], cameraUrl: string): Promise<void> {
  await ok(host, 'PUT', '/api/topologies/CVRToAsset', CVR_TOPOLOGY);
  for (const name of names) {
    await ok(host, 'PUT', `/api/instances/${name}`, {
      name,
      properties: {
        topologyName: 'CVRToAsset',
        parameters: [{ name: 'rtspUrl', value: cameraUrl }],
      },
    });
    await ok(host, 'POST', `/api/instances/${name}/activate`);
  }
}

export function assetOf(instance: string): string {
  return `sampleAsset-CVRToAsset-${instance}`;
}

export async function fleetView(host: FleetHost): Promise<FleetView> {
  return (await ok(host, 'GET', '/api/fleet')) as FleetView;
}

/** Instance → the hosts whose own API says it records it now. */
export async function recordingHosts(hosts: readonly FleetHost[], names: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const h of hosts) {
    if (h.ended !== undefined) continue;
    for (const n of names) {
      const s = (await api(h, 'GET', `/api/instances/${n}/status`)).json as { state?: string } | undefined;
      if (s?.state === 'Active') out.get(n)!.push(h.id);
    }
  }
  return out;
}

export interface StoredSegmentInfo {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly sha256: string;
  readonly bytes: Buffer;
}

export async function storedSegments(connection: string, asset: string): Promise<StoredSegmentInfo[]> {
  const store = await BlobAssetStore.create(connection, asset);
  const names = (await store.listNames('segments/')).sort();
  const out: StoredSegmentInfo[] = [];
  for (const n of names) {
    const m = /^segments\/(\d{8}T\d{6}(?:\.\d+)?Z)_(\d+)\.m4s$/.exec(n);
    if (!m) continue;
    const start = parseIsoBasic(m[1]!);
    const bytes = await store.download(n);
    out.push({ name: n, startMs: start, endMs: start + Number(m[2]), sha256: createHash('sha256').update(bytes).digest('hex'), bytes });
  }
  return out;
}

/** Every gap of the asset's index and markers, with its reason. */
export async function allGaps(connection: string, asset: string): Promise<{ startMs: number; endMs: number; reason: string }[]> {
  const store = await BlobAssetStore.create(connection, asset);
  const avail = await store.availableRanges(Date.now() - 3600_000, Date.now() + 3600_000);
  return avail.gaps.map((g) => ({ startMs: g.startMs, endMs: g.endMs, reason: g.reason }));
}

export async function handoverGaps(connection: string, asset: string): Promise<{ startMs: number; endMs: number }[]> {
  const store = await BlobAssetStore.create(connection, asset);
  const avail = await store.availableRanges(Date.now() - 3600_000, Date.now() + 3600_000);
  return avail.gaps.filter((g) => g.reason === 'handover').map((g) => ({ startMs: g.startMs, endMs: g.endMs }));
}

/**
 * Decodes every stored segment of `asset`: per init segment, the init followed by all its
 * segments in time order, one decoder run each (a run per segment takes minutes for a fleet's
 * assets); a run with errors is retried segment by segment to name the culprits.
 */
export async function undecodableSegments(connection: string, asset: string, scratch: string, decodeErrors: (file: string) => string): Promise<string[]> {
  const store = await BlobAssetStore.create(connection, asset);
  const segments = await store.listSegments(Date.now() - 24 * 3600_000, Date.now() + 3600_000);
  const byInit = new Map<string, typeof segments>();
  for (const s of segments) byInit.set(s.initId, [...(byInit.get(s.initId) ?? []), s]);
  const bad: string[] = [];
  for (const [initId, segs] of byInit) {
    const init = await store.download(`init/${initId}.mp4`).catch(() => undefined);
    if (!init) {
      bad.push(...segs.map((s) => `${s.name} (no init ${initId})`));
      continue;
    }
    const bodies = await Promise.all(segs.map((s) => store.download(`segments/${s.name}`)));
    writeFileSync(scratch, Buffer.concat([init, ...bodies]));
    if (decodeErrors(scratch) === '') continue;
    for (let i = 0; i < segs.length; i++) {
      writeFileSync(scratch, Buffer.concat([init, bodies[i]!]));
      if (decodeErrors(scratch) !== '') bad.push(segs[i]!.name);
    }
  }
  return bad;
}

export async function stopHost(host: FleetHost, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (host.ended === undefined) host.child.kill(signal);
  await host.exited;
}
