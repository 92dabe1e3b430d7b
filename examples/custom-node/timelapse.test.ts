// The custom node end to end: registered on a host, wired into a topology between the RTSP
// source and a file sink, run against the simulated camera; the file holds keyframes only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatedCamera } from 'mediagraph/testing';
import { openHostWithCustomNodes } from './register.ts';
import { inspectMp4 } from '../../test/helpers/mp4-inspect.ts';

test('time-lapse topology with the custom node records only spaced keyframes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-timelapse-'));
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 8 });
  const host = await openHostWithCustomNodes({ dataDirectory: join(dir, 'host'), logLevel: 'silent' });
  t.after(async () => {
    await host.close();
    await camera.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await host.topologySet(JSON.parse(readFileSync('examples/custom-node/topology.json', 'utf8')));
  await host.instanceSet({
    name: 'lapse',
    properties: {
      topologyName: 'KeyframeTimelapse',
      parameters: [
        { name: 'rtspUrl', value: camera.url },
        { name: 'outputFolder', value: join(dir, 'out') },
      ],
    },
  });
  await host.instanceActivate('lapse');
  await new Promise((r) => setTimeout(r, 3000)); // ~24 s of media at 8×
  await host.instanceDeactivate('lapse');
  const files = readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.mp4'));
  assert.ok(files.length >= 1, 'a file was written');
  const tracks = inspectMp4(new Uint8Array(readFileSync(join(dir, 'out', files[0]!))));
  assert.deepEqual(
    tracks.map((x) => x.type),
    ['video'],
    'audio dropped by the sampler',
  );
  const samples = tracks[0]!.samples;
  assert.ok(samples.length >= 5, `${samples.length} keyframes`);
  assert.ok(
    samples.every((s) => s.is_sync),
    'every sample is a keyframe',
  );
  for (let i = 1; i < samples.length; i++) assert.ok((samples[i]!.dts - samples[i - 1]!.dts) / tracks[0]!.timescale >= 2 - 1e-6, 'spaced by intervalSeconds');
});
