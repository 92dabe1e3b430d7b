// LVA's CVR topology, unchanged, through the host: simulated camera → RtspSource →
// (AssetSink = Fmp4Segmenter → DurableCache → BlobAssetSink) → Azurite. Every uploaded blob
// is downloaded and decoded by ffmpeg with its init segment; the index has no gap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import { BlobAssetStore } from '../../src/storage/blob/index.ts';
import type { GraphEvent } from '../../src/types/events.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { ffmpegDecodeErrors } from '../helpers/recording-check.ts';
import { inspectMp4 } from '../helpers/mp4-inspect.ts';

test('CVR to Azurite: several segments, each blob decodes, no gaps, LVA events in order', { skip: skipUnless(hasCommand('ffmpeg'), 'ffmpeg') }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-cvr-'));
  const azurite = await startAzurite();
  const camera = await startSimulatedCamera({
    file: 'test/fixtures/media/h264-main-aac.mp4',
    speed: 10,
    auth: { username: 'viewer', password: 'cam-Secret-42', scheme: 'digest' },
  });
  const host = await MediaGraphHost.open({
    dataDirectory: join(dir, 'host'),
    registry: createBuiltinRegistry(),
    logLevel: 'silent',
    services: { blobConnection: azurite.connectionString },
  });
  const events: GraphEvent[] = [];
  const sub = host.events$.subscribe((e) => events.push(e));
  t.after(async () => {
    sub.unsubscribe();
    await host.close();
    await camera.close();
    await azurite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const topology = JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8'));
  await host.topologySet(topology);
  await host.instanceSet({
    name: 'cam1',
    properties: {
      topologyName: 'CVRToAsset',
      parameters: [
        { name: 'rtspUrl', value: camera.url },
        { name: 'rtspUserName', value: 'viewer' },
        { name: 'rtspPassword', value: 'cam-Secret-42' },
        { name: 'cachePath', value: join(dir, 'cache') },
      ],
    },
  });
  await host.instanceActivate('cam1');
  // 30 s segments at 10× speed: one every ~3 s; wait for three uploads
  const deadline = Date.now() + 40_000;
  while (events.filter((e) => e.type === 'SegmentUploaded').length < 3) {
    assert.ok(Date.now() < deadline, `uploads: ${events.filter((e) => e.type === 'SegmentUploaded').length}; events: ${events.map((e) => e.type).join(',')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await host.instanceDeactivate('cam1');
  assert.equal(host.instanceStatus('cam1').state, 'Inactive');

  const types = events.map((e) => e.type);
  for (const expected of ['MediaSessionEstablished', 'RecordingStarted', 'RecordingAvailable', 'RecordingStopped'])
    assert.ok(types.includes(expected as GraphEvent['type']), `missing ${expected}`);
  assert.ok(types.indexOf('RecordingStarted') < types.indexOf('RecordingAvailable'));
  assert.ok(types.lastIndexOf('RecordingStopped') > types.lastIndexOf('SegmentUploaded'), 'stopped after the drain');
  assert.ok(!JSON.stringify(events).includes('cam-Secret-42'), 'no password in events');

  const store = await BlobAssetStore.create(azurite.connectionString, 'sampleAsset-CVRToAsset-cam1');
  const segments = (await store.listNames('segments/')).sort();
  const inits = await store.listNames('init/');
  assert.ok(segments.length >= 3, segments.join());
  assert.equal(inits.length, 1);
  assert.equal(segments.length, types.filter((x) => x === 'SegmentUploaded').length, 'each segment uploaded once');
  const init = await store.download(inits[0]!);
  const scratch = join(dir, 'check.mp4');
  for (const name of segments) {
    const seg = await store.download(name);
    writeFileSync(scratch, Buffer.concat([init, seg]));
    assert.equal(ffmpegDecodeErrors(scratch), '', name);
    const video = inspectMp4(new Uint8Array(Buffer.concat([init, seg]))).find((x) => x.type === 'video')!;
    assert.ok(video.samples[0]!.is_sync, `${name} starts on a keyframe`);
    const dur = video.samples.reduce((n, s) => n + s.duration, 0) / video.timescale;
    if (name !== segments.at(-1)) assert.ok(dur >= 29.9, `${name}: ${dur} s of video`);
  }
  // consecutive segments meet exactly in wall-clock labels (start of one = end of the previous),
  // whatever the camera's clock did, so the asset shows no gap where nothing was lost
  const { BlobPlaybackSource } = await import('../../src/control/http/playback/blob-source.ts');
  const now = Date.now();
  const listed = await (await BlobPlaybackSource.create(azurite.connectionString)).listSegments(
    'sampleAsset-CVRToAsset-cam1',
    now - 3_600_000,
    now + 3_600_000,
  );
  assert.equal(listed.length, segments.length);
  for (let i = 1; i < listed.length; i++)
    assert.ok(Math.abs(listed[i]!.startMs - listed[i - 1]!.endMs) <= 1, `${listed[i]!.name} starts where ${listed[i - 1]!.name} ends`);
  const available = await store.availableRanges(now - 3_600_000, now + 3_600_000);
  assert.equal(available.gaps.length, 0, JSON.stringify(available));

  // export the whole range to one plain .mp4 and (--segments) to a folder of the stored segments
  const { main } = await import('../../src/control/cli/main.ts');
  const errs: string[] = [];
  const io = { out: () => undefined, err: (l: string) => void errs.push(l) };
  const range = [
    '--asset',
    'sampleAsset-CVRToAsset-cam1',
    '--from',
    new Date(now - 3_600_000).toISOString(),
    '--to',
    new Date(now + 3_600_000).toISOString(),
    '--blob',
    azurite.connectionString,
  ];
  assert.equal(await main(['export', ...range, '--out', join(dir, 'export', 'all.mp4')], io), 0, errs.join('\n'));
  assert.equal(ffmpegDecodeErrors(join(dir, 'export', 'all.mp4')), '');
  const video = inspectMp4(new Uint8Array(readFileSync(join(dir, 'export', 'all.mp4')))).find((x) => x.type === 'video')!;
  assert.ok(video.samples.length >= 25 * 30 * 3, `${video.samples.length} frames exported`);
  assert.equal(await main(['export', ...range, '--out', join(dir, 'export', 'folder'), '--segments'], io), 0, errs.join('\n'));
  assert.equal(readdirSync(join(dir, 'export', 'folder')).filter((f) => f.endsWith('.m4s')).length, segments.length);
});
