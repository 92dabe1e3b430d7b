// Scenario: one good camera records through a real `mediagraph serve` child (LVA's CVR
// topology into a real Azurite, loopback only) while bad instances are set and activated
// beside it and hostile requests hit the same server in rounds. Checked: every bad instance
// is refused or fails alone with a one-line error; no hostile request gets a 5xx; the server
// never exits and /healthz keeps answering (worst latency reported); and the good camera's
// recording stays gapless: one range in availableMedia, no gap entries, media stored ≈ wall
// time × speed, the attack window covered, every segment decoding with ffmpeg.
//   node --import tsx faults/isolation.ts [--quick] [--window-s=60] [--speed=10] [--cut-good-camera-ms=3000 (must FAIL)]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { startSimulatedCamera, type SimulatedCamera } from '../src/testing/sim-camera/index.ts';
import { startAzurite } from '../src/testing/azurite.ts';
import { BlobAssetStore } from '../src/storage/blob/index.ts';
import { scanFragments } from '../src/media/mp4/read-fragments.ts';
import { readInitSegment } from '../src/media/mp4/read-init.ts';
import { eventually, moreSegmentsThan, startRecorder, type Recorder } from '../test/helpers/restart-harness.ts';
import { ffmpegDecodeErrors } from '../test/helpers/recording-check.ts';
import {
  BAD_RANGES,
  call,
  readingEventClient,
  deepDocument,
  hugeTopology,
  malformedRequests,
  rawExchange,
  refusedPort,
  stalledEventClients,
  startGarbageRtspServer,
  type Answer,
} from './isolation-attacks.ts';
import { argNumber, isMain, runAsMain, sleep, type ScenarioResult } from './lib.ts';

const FIXTURE = 'test/fixtures/media/h264-main-aac.mp4';
const GOOD = 'good';
const GOOD_ASSET = `sampleAsset-CVRToAsset-${GOOD}`;
const root = join(import.meta.dirname, '..');

export interface IsolationOptions {
  /** Wall seconds the attack lasts (the good camera records throughout). */
  readonly windowS: number;
  /** Camera speed: media seconds per wall second. */
  readonly speed: number;
  /** Concurrent `availableMedia` year queries per round, and stalled SSE clients. */
  readonly concurrentQueries?: number;
  readonly stalledClients?: number;
  /** Checks the checker: the good camera's connection is cut this long mid-window (a real gap). */
  readonly goodCameraCutMs?: number;
  /** /healthz slower than this is a failure. */
  readonly maxHealthzMs?: number;
}

interface InstanceStatusBody {
  state: string;
  recording?: boolean;
  notRecordingReason?: string;
  lastError?: { code: string; message: string };
}

/** The first detail of an OData error body, as `target: message`. */
function detailOf(body: string): string {
  try {
    type OData = { error: { details: { target: string; message: string }[] } };
    // direct methods wrap LVA's answer as { status, payload }
    const parsed = JSON.parse(body) as OData | { payload: OData };
    const d = ('payload' in parsed ? parsed.payload : parsed).error.details[0]!;
    return `${d.target}: ${d.message}`;
  } catch {
    return body.slice(0, 200);
  }
}

/** Samples /healthz every 50 ms until stopped; worst latency and failures. */
function healthzSampler(base: string): { stop: () => Promise<{ worstMs: number; probes: number; failed: number }> } {
  let running = true;
  let worstMs = 0;
  let probes = 0;
  let failed = 0;
  const loop = (async () => {
    while (running) {
      const a = await call(`${base}/healthz`, {}, 5000);
      probes++;
      if (a.status === 200) worstMs = Math.max(worstMs, a.ms);
      else {
        failed++;
        worstMs = Math.max(worstMs, a.ms);
      }
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { worstMs, probes, failed };
    },
  };
}

export async function runIsolation(o: IsolationOptions): Promise<ScenarioResult> {
  const started = performance.now();
  const failures: string[] = [];
  const fail = (what: string): void => {
    if (failures.length < 30) failures.push(what);
  };
  const dir = mkdtempSync(join(tmpdir(), 'mg-isolation-'));
  const azurite = await startAzurite();
  let camera: SimulatedCamera | undefined;
  const garbage = await startGarbageRtspServer();
  const cleanup: (() => unknown)[] = [];
  let server: Recorder | undefined;
  try {
    server = startRecorder(process.execPath, [
      join(root, 'bin/mediagraph.js'),
      'serve',
      '--port',
      '0',
      '--data',
      join(dir, 'data'),
      '--blob',
      azurite.connectionString,
    ]);
    const srv = server;
    const base = await eventually(async () => /listening on (\S+)/.exec(srv.output())?.[1], 30_000, 'serve to listen', srv);
    const port = Number(new URL(base).port);
    const method = (name: string, payload: unknown): Promise<Answer> => call(`${base}/api/methods/${name}`, { method: 'POST', body: JSON.stringify(payload) });
    const cvr = readFileSync(join(root, 'examples/cvr-asset/topology.json'), 'utf8');
    const setCvr = (name: string, rtspUrl: string, cachePath: string): Promise<Answer> =>
      method('GraphInstanceSet', {
        name,
        properties: {
          topologyName: 'CVRToAsset',
          parameters: [
            { name: 'rtspUrl', value: rtspUrl },
            { name: 'cachePath', value: cachePath },
          ],
        },
      });
    if ((await method('GraphTopologySet', JSON.parse(cvr))).status !== 201) throw new Error('the CVR topology was not set');

    // the good camera, started just before it is recorded (media is dated by the wall clock,
    // never after it arrived: at speed N a segment's label spans 1/N of its media)
    const cameraT0 = Date.now();
    const goodCamera = await startSimulatedCamera({ file: FIXTURE, speed: o.speed });
    camera = goodCamera;
    if ((await setCvr(GOOD, goodCamera.url, join(dir, 'good-cache'))).status !== 201) throw new Error('the good instance was not set');
    const activatedAt = Date.now();
    if ((await method('GraphInstanceActivate', { name: GOOD })).status !== 200) throw new Error('the good instance did not activate');
    await moreSegmentsThan(azurite.connectionString, GOOD_ASSET, 0, 60_000, srv);
    const sampler = healthzSampler(base);
    const watcher = readingEventClient(base);
    cleanup.push(() => watcher.stop());
    const attackFrom = Date.now();

    // bad instances, all at once beside it
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const heldRoot = join(dir, 'held-cache');
    mkdirSync(join(heldRoot, 'held', 'assetSink.cache'), { recursive: true });
    const holder = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/lock-racer.ts')], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    cleanup.push(() => holder.kill('SIGKILL'));
    holder.stdin.write(`try ${join(heldRoot, 'held', 'assetSink.cache', 'lock')} 0\n`);
    const held = await Promise.race([
      new Promise<string>((r) => createInterface({ input: holder.stdout }).once('line', r)),
      sleep(15_000).then(() => 'no answer'),
    ]);
    if (held !== 'won') fail(`the lock holder did not take the cache lock: ${held}`);
    const refused = await refusedPort();
    const cacheRefusals: Record<string, string> = {
      notdir: join(file, 'cache'),
      proc: '/proc/1/x', // outside-path-ok: a cache path no process may create, fed in on purpose
      held: heldRoot,
    };
    const cameraFailures: Record<string, string> = {
      refused: `rtsp://127.0.0.1:${refused}/x`,
      garbage: garbage.url,
    };
    const bad: Record<string, { set?: number; activate?: number; state?: string; code?: string; message?: string; reason?: string; events?: number }> = {};
    await Promise.all(
      Object.entries(cacheRefusals).map(async ([name, path]) => {
        const set = await setCvr(name, goodCamera.url, path);
        const act = await method('GraphInstanceActivate', { name });
        bad[name] = { set: set.status, activate: act.status };
        if (act.status !== 409) fail(`${name}: activation answered ${act.status ?? 'nothing'}, not 409: ${act.body.slice(0, 200)}`);
      }),
    );
    await Promise.all(
      Object.entries(cameraFailures).map(async ([name, url]) => {
        const set = await setCvr(name, url, join(dir, `${name}-cache`));
        const act = await method('GraphInstanceActivate', { name });
        bad[name] = { set: set.status, activate: act.status };
        if (act.status !== 200) fail(`${name}: activation answered ${act.status ?? 'nothing'}: ${act.body.slice(0, 200)}`);
      }),
    );
    // an asset name that cannot be a container name (underscore), refused where it is set
    const badAssetTopology = cvr
      .replace('"name": "CVRToAsset"', '"name": "BadAsset"')
      .replace('sampleAsset-${System.GraphTopologyName}', 'cam_${System.GraphTopologyName}');
    await method('GraphTopologySet', JSON.parse(badAssetTopology));
    const badAsset = await method('GraphInstanceSet', {
      name: 'badasset',
      properties: {
        topologyName: 'BadAsset',
        parameters: [
          { name: 'rtspUrl', value: goodCamera.url },
          { name: 'cachePath', value: join(dir, 'badasset-cache') },
        ],
      },
    });
    bad['badasset'] = { set: badAsset.status, message: detailOf(badAsset.body) };
    if (badAsset.status !== 400) fail(`badasset: instance set answered ${badAsset.status ?? 'nothing'}, not 400`);

    // hostile requests in rounds until the window ends
    const statuses = new Map<string, number>();
    const count = (what: string, a: Answer, ok: (s: number) => boolean): void => {
      const key = `${what}:${a.status ?? 'none'}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (a.status === undefined || !ok(a.status)) fail(`${what} answered ${a.status ?? 'nothing'} in ${a.ms.toFixed(0)} ms: ${a.body.slice(0, 160)}`);
    };
    const store = await BlobAssetStore.create(azurite.connectionString, GOOD_ASSET);
    const firstSegment = (await store.listNames('segments/'))[0]!;
    const huge = hugeTopology();
    const deep = deepDocument();
    const stalled: Socket[] = stalledEventClients(port, o.stalledClients ?? 20);
    cleanup.push(() => {
      for (const s of stalled) s.destroy();
    });
    const slowest = { huge: 0, deep: 0, year: 0 };
    let rounds = 0;
    let cut = false;
    const windowEnd = attackFrom + o.windowS * 1000;
    do {
      rounds++;
      const year = `${base}/api/assets/${GOOD_ASSET}/availableMedia?precision=year&startTime=0000&endTime=9999`;
      await Promise.all([
        call(`${base}/api/topologies/Huge`, { method: 'PUT', body: huge }).then((a) => {
          slowest.huge = Math.max(slowest.huge, a.ms);
          count('huge-topology', a, (s) => s === 400);
        }),
        call(`${base}/api/topologies/Deep`, { method: 'PUT', body: deep }).then((a) => {
          slowest.deep = Math.max(slowest.deep, a.ms);
          count('deep-arrays', a, (s) => s === 400);
        }),
        call(`${base}/api/instances/Deep`, { method: 'PUT', body: deep }).then((a) => count('deep-instance', a, (s) => s === 400)),
        ...Array.from({ length: o.concurrentQueries ?? 30 }, () =>
          call(year).then((a) => {
            slowest.year = Math.max(slowest.year, a.ms);
            count('year-query', a, (s) => s === 200);
          }),
        ),
        ...BAD_RANGES.map((range) =>
          call(`${base}/api/assets/${GOOD_ASSET}/${firstSegment}`, { headers: { Range: range } }).then((a) => count('bad-range', a, (s) => s < 500)),
        ),
        ...malformedRequests(port).map((bytes) =>
          rawExchange(port, bytes).then((a) => {
            // Node's parser may close a request it cannot frame without answering: not a failure
            const key = `malformed:${a.status ?? 'closed'}`;
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
            if (a.status !== undefined && a.status >= 500) fail(`malformed request answered ${a.status}: ${JSON.stringify(bytes.slice(0, 80))}`);
          }),
        ),
      ]);
      if (srv.ended() !== undefined) break;
      if (o.goodCameraCutMs && !cut && Date.now() > attackFrom + o.windowS * 500) {
        cut = true;
        await goodCamera.close();
        await sleep(o.goodCameraCutMs);
        camera = await startSimulatedCamera({ file: FIXTURE, speed: o.speed, port: goodCamera.port });
      }
      await sleep(500);
    } while (Date.now() < windowEnd);
    const attackTo = Date.now();

    // the bad instances' own view of what went wrong
    for (const name of [...Object.keys(cacheRefusals), ...Object.keys(cameraFailures)]) {
      const a = await call(`${base}/api/instances/${name}/status`);
      const s = a.status === 200 ? (JSON.parse(a.body) as InstanceStatusBody) : undefined;
      bad[name] = {
        ...bad[name],
        state: s?.state ?? `status ${a.status ?? 'none'}`,
        ...(s?.lastError ? { code: s.lastError.code, message: s.lastError.message } : {}),
        ...(s?.notRecordingReason ? { reason: s.notRecordingReason } : {}),
      };
      if (s?.lastError?.message.includes('\n')) fail(`${name}: lastError spans lines`);
      if (name in cacheRefusals && (s?.state !== 'Inactive' || s.lastError?.code !== 'ResourceValidationError')) fail(`${name}: ${JSON.stringify(s)}`);
      if (name in cameraFailures) {
        if (s?.recording !== false) fail(`${name} claims to record: ${JSON.stringify(s)}`);
        // its events say why, one line each
        const mine = watcher.events.filter((e) => e.subject.startsWith(`/graphInstances/${name}/`) && ['NetworkError', 'StreamDisconnected'].includes(e.type));
        const last = mine.at(-1);
        bad[name] = {
          ...bad[name],
          events: mine.length,
          ...(last ? { message: `${last.type}: ${String(last.body['message'] ?? last.body['reason'] ?? '')}` } : {}),
        };
        if (!last) fail(`${name}: no NetworkError or StreamDisconnected event says why it does not record`);
      }
    }
    const goodAnswer = await call(`${base}/api/instances/${GOOD}/status`);
    const goodStatus = goodAnswer.status === 200 ? (JSON.parse(goodAnswer.body) as InstanceStatusBody) : undefined;
    if (goodStatus?.state !== 'Active' || goodStatus.recording !== true) fail(`the good camera is not recording: ${JSON.stringify(goodStatus)}`);
    const health = await sampler.stop();
    if (health.failed > 0) fail(`/healthz failed ${health.failed} of ${health.probes} times`);
    if (health.worstMs > (o.maxHealthzMs ?? 2000)) fail(`/healthz took up to ${health.worstMs.toFixed(0)} ms`);

    // stop the good camera cleanly (its open segment is uploaded), then judge its recording
    const deact = await method('GraphInstanceDeactivate', { name: GOOD });
    const deactivatedAt = Date.now();
    if (deact.status !== 200) fail(`deactivating the good camera answered ${deact.status ?? 'nothing'}`);
    const serveDied = srv.ended();
    // first in the list: everything after a death fails too
    if (serveDied !== undefined) failures.unshift(`serve exited (${serveDied}): ${srv.output().slice(-400)}`);
    // from serve's availableMedia; straight from the store if serve is gone
    const fromMs = cameraT0 - 3_600_000;
    const toMs = Date.now() + 86_400_000;
    const availAnswer = await call(
      `${base}/api/assets/${GOOD_ASSET}/availableMedia?precision=full&startTime=${new Date(fromMs).toISOString()}&endTime=${new Date(toMs).toISOString()}`,
    );
    type Listed = { timeRanges?: { start: string; end: string }[]; gaps?: { start: string; end: string; reason?: string }[] };
    const avail: Listed =
      availAnswer.status === 200
        ? (JSON.parse(availAnswer.body) as Listed)
        : await store.availableRanges(fromMs, toMs).then((a) => ({
            timeRanges: a.ranges.map((r) => ({ start: new Date(r.startMs).toISOString(), end: new Date(r.endMs).toISOString() })),
            gaps: a.gaps.map((g) => ({
              start: new Date(g.startMs).toISOString(),
              end: new Date(g.endMs).toISOString(),
              ...(g.reason ? { reason: g.reason } : {}),
            })),
          }));
    const ranges = (avail.timeRanges ?? []).map((r) => ({ start: Date.parse(r.start), end: Date.parse(r.end) }));
    const gaps = avail.gaps ?? [];
    const names = await store.listNames('segments/');
    const rangeS = ranges.reduce((s, r) => s + (r.end - r.start), 0) / 1000;
    const wallS = (deactivatedAt - activatedAt) / 1000;
    // labels are wall-clock time (one wall second of slack at each end for the first keyframe
    // and the last upload)
    const slackMs = 1000;
    const covered = ranges.some((r) => r.start <= attackFrom + slackMs && r.end >= attackTo - slackMs);
    if (ranges.length !== 1) fail(`the good camera's recording has ${ranges.length} ranges: ${JSON.stringify(avail.timeRanges)}`);
    if (gaps.length > 0) fail(`the good camera's recording has gaps: ${JSON.stringify(gaps)}`);
    if (!covered) fail(`the attack window [${new Date(attackFrom).toISOString()}, ${new Date(attackTo).toISOString()}] is not inside one recorded range`);

    // every segment decodes after its init; the media they hold, from their own fragments
    const inits = await Promise.all((await store.listNames('init/')).map((n) => store.download(n)));
    const scratch = join(dir, 'check.mp4');
    let undecodable = 0;
    let mediaS = 0;
    for (const n of names) {
      const seg = await store.download(n);
      const init = inits.find((i) => {
        writeFileSync(scratch, Buffer.concat([i, seg]));
        return ffmpegDecodeErrors(scratch) === '';
      });
      if (!init) {
        undecodable++;
        fail(`${n} does not decode`);
        continue;
      }
      const video = readInitSegment(new Uint8Array(init)).find((t) => t.mediaType === 'video');
      for (const f of scanFragments(new Uint8Array(seg)).fragments)
        for (const r of f.runs) if (video && r.trackId === video.trackId) mediaS += r.durationTicks / video.timescale;
    }
    const ratio = mediaS / (wallS * o.speed);
    if (ratio < 0.8 || ratio > 1.1) fail(`media stored ${mediaS.toFixed(1)} s for ${wallS.toFixed(1)} wall s × ${o.speed} (ratio ${ratio.toFixed(2)})`);
    // the cameras' default password never leaves the host, whatever failed
    if (srv.output().includes('dummyPassword') || watcher.raw().includes('dummyPassword')) fail('an RTSP password appeared in the output or the event stream');
    const badText = Object.entries(bad)
      .map(([n, b]) =>
        `${n}: ${[b.set, b.activate].filter((x) => x !== undefined).join('/')} ${b.state ?? ''} ${b.code ?? ''} ${b.reason ?? ''} ${b.events !== undefined ? `${b.events} events` : ''}`
          .replace(/\s+/g, ' ')
          .trim(),
      )
      .join('; ');
    return {
      scenario: 'isolation',
      pass: failures.length === 0,
      trials: rounds,
      figures: {
        windowS: Number(((attackTo - attackFrom) / 1000).toFixed(1)),
        speed: o.speed,
        rounds,
        badInstances: Object.keys(bad).length,
        hostileRequests: [...statuses.values()].reduce((a, b) => a + b, 0) + (o.stalledClients ?? 20),
        ranges: ranges.length,
        gaps: gaps.length,
        rangeS: Number(rangeS.toFixed(1)),
        mediaS: Number(mediaS.toFixed(1)),
        wallS: Number(wallS.toFixed(1)),
        mediaToWallXSpeed: Number(ratio.toFixed(3)),
        segments: names.length,
        undecodable,
        serveExited: serveDied ?? false,
        healthzProbes: health.probes,
        healthzFailed: health.failed,
        healthzWorstMs: Number(health.worstMs.toFixed(0)),
        slowestHugePutMs: Number(slowest.huge.toFixed(0)),
        slowestDeepPutMs: Number(slowest.deep.toFixed(0)),
        slowestYearQueryMs: Number(slowest.year.toFixed(0)),
        statuses: [...statuses]
          .sort()
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
        bad: badText,
      },
      failures,
      // the scenario's temporary folder is named <tmp>: results are committed, paths outside the repository are not
      notes: [
        `range ${JSON.stringify(avail.timeRanges)}; segments ${names.join(' ')}; activated ${new Date(activatedAt).toISOString()}, camera ${new Date(cameraT0).toISOString()}`,
        ...Object.entries(bad).map(([n, b]) => `${n}: ${b.message ?? '(no error message)'}`),
      ].map((n) => n.replaceAll(dir, '<tmp>')),
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    };
  } finally {
    for (const c of cleanup) c();
    await server?.kill();
    await garbage.close();
    await camera?.close();
    await azurite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  await runAsMain(() =>
    runIsolation({ windowS: argNumber('window-s', quick ? 8 : 60), speed: argNumber('speed', 10), goodCameraCutMs: argNumber('cut-good-camera-ms', 0) }),
  );
}
