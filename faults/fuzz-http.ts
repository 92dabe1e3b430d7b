// Scenario: hostile HTTP requests against a real `mediagraph serve` (a child process) on
// loopback, with a recorded asset in a real Azurite so playback routes have bytes to range
// over. Requests are mutated at every level: request line, headers, Range values, query
// strings (availableMedia and playlist windows), paths and bodies; several are in flight at
// once. Counted: the server exiting (a crash), 500 answers (and any carrying a stack trace),
// and /healthz latency measured between bursts (it must stay responsive).
//   node --import tsx faults/fuzz-http.ts [--requests=200000] [--seed=1] [--concurrency=16]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite } from '../src/testing/azurite.ts';
import { BlobAssetStore } from '../src/storage/blob/blob-asset-store.ts';
import { Rng, mutateHeaderValue, mutateText } from './fuzz-mutator.ts';
import { argNumber, isMain, runAsMain, sleep, type ScenarioResult } from './lib.ts';
import { rawExchange as exchange } from './raw-http.ts';

const ASSET = 'fuzz-asset';
const SEGMENT_MS = 2000;
const root = join(import.meta.dirname, '..');

interface Recorded {
  readonly segments: readonly string[];
  readonly initId: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** An asset whose segments are arbitrary bytes: playback never parses them, ranges read them. */
async function record(connectionString: string, dir: string): Promise<Recorded> {
  const store = await BlobAssetStore.create(connectionString, ASSET);
  const initPath = join(dir, 'init.mp4');
  writeFileSync(initPath, Buffer.alloc(700, 1));
  await store.uploadInit({ id: 'avc-fuzz', path: initPath });
  const fromMs = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
  const segments: string[] = [];
  for (let i = 0; i < 4; i++) {
    const path = join(dir, `seg${i}.m4s`);
    writeFileSync(path, Buffer.alloc(5000 + i * 1000, i + 2));
    const at = fromMs + i * SEGMENT_MS;
    const { blobName } = await store.uploadSegment({
      path,
      startWallClockMs: at,
      endWallClockMs: at + SEGMENT_MS,
      mediaDurationMs: SEGMENT_MS,
      tracks: [{ trackId: 1, mediaType: 'video', codecString: 'avc1.42c01e', sampleCount: 50, durationMs: SEGMENT_MS }],
      init: { id: 'avc-fuzz', path: initPath, byteSize: 700 },
    });
    segments.push(blobName);
  }
  await store.recordInIndex({ ranges: [{ startMs: fromMs, endMs: fromMs + 4 * SEGMENT_MS }], gaps: [] });
  return { segments, initId: 'avc-fuzz', fromMs, toMs: fromMs + 4 * SEGMENT_MS };
}

const EDGE_QUERY = [
  '',
  '0000',
  '0050',
  '9999',
  '99999',
  '-1',
  '2026',
  '2026-13',
  '2026-02-30',
  '2026-11-30T25:00:00Z',
  '2026-11-30T08:00:00Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999Z',
  '+275760-09-13T00:00:00Z',
  '%',
  '%zz',
  '%00',
  'a'.repeat(5000),
  'year',
  'full',
  'day',
  'month',
  'YEAR',
  'null',
  '[]',
  '{}',
  '${x}',
];
const EDGE_RANGE = [
  'bytes=0-',
  'bytes=-',
  'bytes=-0',
  'bytes=-1',
  'bytes=0-0',
  'bytes=5000-',
  'bytes=4999-',
  'bytes=99999999999999999999-',
  'bytes=0-99999999999999999999',
  'bytes=1-0',
  'bytes=0-1,2-3',
  'bytes=a-b',
  'items=0-1',
  'bytes=',
  'bytes=-99999999999999999999',
  'bytes=18446744073709551615-18446744073709551616',
  `bytes=${'9'.repeat(400)}-`,
];
const EDGE_PATH = [
  '/',
  '//',
  '/..',
  '/%2e%2e/',
  '/api/assets/%',
  '/api/assets/%zz/availableMedia',
  `/api/assets/${'a'.repeat(5000)}/availableMedia`,
  '/api/topologies/%00',
  '/api/instances/..%2F..%2Fetc',
  '/api/assets/fuzz-asset/segments/..%2Findex%2F2026-01-01.json',
  '/api/events?instance=%',
  '/metrics?x=1',
  '/healthz/',
  '*',
  'http://127.0.0.1/healthz',
  '/api/methods/%47raphTopologyList',
];
const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'G ET', 'get', ''];

function templates(rec: Recorded, port: number): string[] {
  const h = `Host: 127.0.0.1:${port}\r\nConnection: close\r\n`;
  const day = new Date(rec.fromMs).toISOString().slice(0, 10);
  const start = new Date(rec.fromMs).toISOString();
  const end = new Date(rec.toMs).toISOString();
  const topology = JSON.stringify({
    name: 'T',
    properties: {
      sources: [
        {
          '@type': '#Microsoft.Media.MediaGraphRtspSource',
          name: 's',
          endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: 'rtsp://127.0.0.1:1/x' },
        },
      ],
      sinks: [
        {
          '@type': '#Microsoft.Media.MediaGraphAssetSink',
          name: 'k',
          inputs: [{ nodeName: 's' }],
          assetNamePattern: 'a-${System.GraphInstanceName}',
          localMediaCachePath: '/tmp/mediagraph-fuzz-never', // outside-path-ok: a hostile or never-written path the test feeds in
          localMediaCacheMaximumSizeMiB: '64',
        },
      ],
    },
  });
  const body = (method: string, path: string, text: string): string =>
    `${method} ${path} HTTP/1.1\r\n${h}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
  return [
    `GET /healthz HTTP/1.1\r\n${h}\r\n`,
    `GET /readyz HTTP/1.1\r\n${h}\r\n`,
    `GET /metrics HTTP/1.1\r\n${h}\r\n`,
    `GET /api/topologies HTTP/1.1\r\n${h}\r\n`,
    `GET /api/topologies/T HTTP/1.1\r\n${h}\r\n`,
    `GET /api/instances/i1/status HTTP/1.1\r\n${h}\r\n`,
    `HEAD /api/events HTTP/1.1\r\n${h}\r\n`,
    `GET /api/assets HTTP/1.1\r\n${h}\r\n`,
    `GET /api/assets/${ASSET}/availableMedia?precision=year&startTime=0000&endTime=9999 HTTP/1.1\r\n${h}\r\n`,
    `GET /api/assets/${ASSET}/availableMedia?precision=day&startTime=${day}&endTime=${day} HTTP/1.1\r\n${h}\r\n`,
    `GET /api/assets/${ASSET}/availableMedia?precision=full&startTime=${start}&endTime=${end} HTTP/1.1\r\n${h}\r\n`,
    `GET /api/assets/${ASSET}/playlist.m3u8?startTime=${start}&endTime=${end} HTTP/1.1\r\n${h}\r\n`,
    `GET /api/assets/${ASSET}/playlist.m3u8 HTTP/1.1\r\n${h}\r\n`,
    ...rec.segments.map((s) => `GET /api/assets/${ASSET}/${s} HTTP/1.1\r\n${h}Range: bytes=100-299\r\n\r\n`),
    `GET /api/assets/${ASSET}/init/${rec.initId}.mp4 HTTP/1.1\r\n${h}Range: bytes=0-\r\n\r\n`,
    body('PUT', '/api/topologies/T', topology),
    body('PUT', '/api/instances/i1', JSON.stringify({ name: 'i1', properties: { topologyName: 'T' } })),
    body('POST', '/api/methods/GraphTopologyList', '{}'),
    body('POST', '/api/methods/GraphInstanceGet', '{"name":"i1"}'),
    `DELETE /api/instances/nope HTTP/1.1\r\n${h}\r\n`,
    `POST /api/instances/nope/activate HTTP/1.1\r\n${h}Content-Length: 0\r\n\r\n`,
  ];
}

/** One mutation of a request, biased to where HTTP servers break. */
function mutateRequest(template: string, rng: Rng): Uint8Array {
  const lineEnd = template.indexOf('\r\n');
  const [method, target, version] = template.slice(0, lineEnd).split(' ') as [string, string, string];
  const rest = template.slice(lineEnd);
  const [path, query = ''] = target.split('?');
  switch (rng.int(8)) {
    case 0:
      return mutateText(template, rng);
    case 1:
      return mutateHeaderValue(template, rng);
    case 2: {
      // a query value replaced, dropped or repeated
      const params = query ? query.split('&') : [];
      const i = rng.int(params.length + 1);
      const key = params[i]?.split('=')[0] ?? rng.pick(['precision', 'startTime', 'endTime', 'instance', 'token']);
      const value = rng.pick(EDGE_QUERY);
      if (rng.chance(0.3)) params.push(`${key}=${value}`);
      else params[i] = `${key}=${value}`;
      return Buffer.from(`${method} ${path}?${params.join('&')} ${version}${rest}`, 'latin1');
    }
    case 3: {
      // a Range header with an edge value
      const withRange = /\r\nRange: [^\r]*/.test(rest)
        ? rest.replace(/\r\nRange: [^\r]*/, `\r\nRange: ${rng.pick(EDGE_RANGE)}`)
        : rest.replace('\r\n', `\r\nRange: ${rng.pick(EDGE_RANGE)}\r\n`);
      return Buffer.from(`${method} ${target} ${version}${withRange}`, 'latin1');
    }
    case 4:
      return Buffer.from(`${method} ${rng.pick(EDGE_PATH)} ${version}${rest}`, 'latin1');
    case 5:
      return Buffer.from(`${rng.pick(METHODS)} ${target} ${version}${rest}`, 'latin1');
    case 6: {
      // a lying or absurd Content-Length / Transfer-Encoding
      const header = rng.pick([
        'Content-Length: 99999999999999999999',
        'Content-Length: -1',
        'Content-Length: 5',
        'Transfer-Encoding: chunked',
        'Transfer-Encoding: gzip, chunked',
        'Content-Length: 1\r\nContent-Length: 2',
        'Expect: 100-continue',
      ]);
      return Buffer.from(`${method} ${target} ${version}\r\n${header}${rest}`, 'latin1');
    }
    default:
      return Buffer.from(`${method} ${target} ${rng.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1', 'HTTP/9', 'RTSP/1.0', ''])}${rest}`, 'latin1');
  }
}

async function healthzMs(port: number): Promise<number> {
  const t0 = performance.now();
  const a = await exchange(port, Buffer.from(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`), 10_000);
  return a.status === 200 ? performance.now() - t0 : Infinity;
}

function startServe(dataDirectory: string, connectionString: string): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(process.execPath, [join(root, 'bin/mediagraph.js'), 'serve', '--port', '0', '--data', dataDirectory], {
    cwd: root,
    env: { ...process.env, AZURE_STORAGE_CONNECTION_STRING: connectionString },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 30 s: ${out.slice(-500)}`)), 30_000);
    const check = (): void => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve({ child, port: Number(m[1]), output: () => out });
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${out.slice(-500)}`));
    });
  });
}

export interface HttpFuzzOptions {
  readonly requests: number;
  readonly seed: number;
  readonly concurrency?: number;
  /** /healthz slower than this between bursts is a failure. */
  readonly maxHealthzMs?: number;
}

export async function runHttpFuzz(opts: HttpFuzzOptions): Promise<ScenarioResult> {
  const started = performance.now();
  const failures: string[] = [];
  const fail = (what: string): void => {
    if (failures.length < 20) failures.push(what);
  };
  const dir = mkdtempSync(join(tmpdir(), 'mg-fuzz-http-'));
  const azurite = await startAzurite();
  const statuses = new Map<string, number>();
  let answered = 0;
  let unanswered = 0;
  const unansweredSamples: string[] = [];
  let errors500 = 0;
  let healthzWorst = 0;
  let healthzProbes = 0;
  let crashed = false;
  const rng = new Rng(opts.seed);
  let serve: Awaited<ReturnType<typeof startServe>> | undefined;
  try {
    const rec = await record(azurite.connectionString, dir);
    serve = await startServe(join(dir, 'data'), azurite.connectionString);
    serve.child.on('exit', (code, signal) => {
      crashed = true;
      fail(`serve exited (${code ?? signal}): ${serve!.output().slice(-400)}`);
    });
    const port = serve.port;
    const base = templates(rec, port);
    // the valid ones first, so GETs find a topology and an instance
    for (const t of base) await exchange(port, Buffer.from(t, 'latin1'), 10_000, t.startsWith('HEAD '));
    const concurrency = opts.concurrency ?? 16;
    const burst = concurrency * 8;
    for (let sent = 0; sent < opts.requests && !crashed; sent += burst) {
      const n = Math.min(burst, opts.requests - sent);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < n && !crashed) {
          const i = next++;
          const template = rng.pick(base);
          const bytes = rng.chance(0.9) ? mutateRequest(template, rng) : Buffer.from(template, 'latin1');
          const a = await exchange(port, bytes, 5000, Buffer.from(bytes.subarray(0, 5)).toString('latin1') === 'HEAD ');
          if (a.status === undefined) {
            unanswered++;
            if (unansweredSamples.length < 5) unansweredSamples.push(JSON.stringify(Buffer.from(bytes).toString('latin1').slice(0, 160)));
            continue;
          }
          answered++;
          const key = String(a.status);
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          if (a.status === 500) {
            errors500++;
            const stack = /\n\s+at [^\n]+:\d+:\d+/.test(a.body) || /Error:|TypeError|RangeError/.test(a.body);
            fail(
              `request ${sent + i}: 500${stack ? ' with a stack' : ''}: ${Buffer.from(bytes).toString('latin1').split('\r\n')[0]!.slice(0, 200)} → ${a.body.slice(0, 200)}`,
            );
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const ms = await healthzMs(port);
      healthzProbes++;
      healthzWorst = Math.max(healthzWorst, ms);
      if (ms > (opts.maxHealthzMs ?? 2000)) fail(`/healthz took ${Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : 'forever'} after request ${sent + n}`);
    }
    if (!crashed && serve.child.exitCode === null) {
      const ms = await healthzMs(port);
      if (!Number.isFinite(ms)) fail('serve stopped answering /healthz');
    }
  } finally {
    if (serve && serve.child.exitCode === null) {
      serve.child.removeAllListeners('exit');
      serve.child.kill('SIGTERM');
      await Promise.race([new Promise((r) => serve!.child.once('exit', r)), sleep(10_000)]);
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
    await azurite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    scenario: 'fuzz-http',
    pass: failures.length === 0,
    trials: opts.requests,
    figures: {
      requests: opts.requests,
      answered,
      unanswered,
      errors500,
      crashed,
      healthzProbes,
      healthzWorstMs: Number(healthzWorst.toFixed(1)),
      statuses: [...statuses]
        .sort()
        .map(([k, v]) => `${k}:${v}`)
        .join(' '),
    },
    failures,
    // no answer is allowed (e.g. a body announced and never sent, then FIN); a few for the record
    notes: unansweredSamples.map((r) => `unanswered: ${r}`),
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
}

if (isMain(import.meta.url))
  await runAsMain(() => runHttpFuzz({ requests: argNumber('requests', 200_000), seed: argNumber('seed', 1), concurrency: argNumber('concurrency', 16) }));
