// Issue 14's storage seam from the command line: `serve --store file:<folder>` records LVA's CVR
// topology from the simulated camera into a local folder (the asset layout on disk), plays it
// back over the HTTP API (availableMedia, the playlist, a segment and its init), and
// `export --store file:<folder>` writes it to an .mp4 that ffmpeg decodes. No Azurite at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { eventually, startRecorder } from '../helpers/restart-harness.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';

const ASSET = 'sampleAsset-CVRToAsset-cam-f';

async function method(base: string, name: string, payload: unknown): Promise<number> {
  const r = await fetch(`${base}/api/methods/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  await r.arrayBuffer();
  return r.status;
}

test('serve --store file:<folder> records, plays back over HTTP and exports, with no Blob Storage', {
  skip: skipUnless(hasCommand('ffmpeg'), 'ffmpeg'),
}, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mg-file-store-'));
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 20 });
  t.after(async () => {
    await camera.close();
    rmSync(root, { recursive: true, force: true });
  });
  const storeRoot = join(root, 'assets');
  const data = join(root, 'data');
  const env = { ...process.env, AZURE_STORAGE_CONNECTION_STRING: '' };
  const serve = startRecorder(process.execPath, ['bin/mediagraph.js', 'serve', '--port', '0', '--data', data, '--store', `file:${storeRoot}`], env);
  t.after(() => serve.kill());
  const base = await eventually(async () => /listening on (\S+)/.exec(serve.output())?.[1], 20_000, 'serve to listen', serve);
  assert.match(serve.output(), /recordings go to local folder/);
  assert.equal(await method(base, 'GraphTopologySet', JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8'))), 201);
  assert.equal(
    await method(base, 'GraphInstanceSet', {
      name: 'cam-f',
      properties: {
        topologyName: 'CVRToAsset',
        parameters: [
          { name: 'rtspUrl', value: camera.url },
          { name: 'cachePath', value: join(data, 'cache') },
        ],
      },
    }),
    201,
  );
  assert.equal(await method(base, 'GraphInstanceActivate', { name: 'cam-f' }), 200);

  // The asset is a folder with the layout of a container.
  const assetDir = join(storeRoot, ASSET.toLowerCase());
  const segmentFiles = () => (existsSync(join(assetDir, 'segments')) ? readdirSync(join(assetDir, 'segments')).filter((n) => n.endsWith('.m4s')) : []);
  await eventually(async () => segmentFiles().length >= 3, 40_000, 'three segments in the folder', serve);
  assert.equal(readdirSync(join(assetDir, 'init')).length, 1);
  assert.equal(await method(base, 'GraphInstanceDeactivate', { name: 'cam-f' }), 200);
  assert.ok(readdirSync(join(assetDir, 'index')).length >= 1, 'the day index was written at the end of the run');

  // availableMedia: one continuous range over everything stored.
  const names = segmentFiles().sort();
  const first = JSON.parse(readFileSync(join(assetDir, 'segments', `${names[0]}.json`), 'utf8')) as { start: string; end: string; initid: string };
  const last = JSON.parse(readFileSync(join(assetDir, 'segments', `${names.at(-1)}.json`), 'utf8')) as { end: string };
  const from = new Date(Date.parse(first.start) - 60_000).toISOString();
  const to = new Date(Date.parse(last.end) + 60_000).toISOString();
  const avail = (await (await fetch(`${base}/api/assets/${ASSET}/availableMedia?precision=full&startTime=${from}&endTime=${to}`)).json()) as {
    timeRanges: { start: string; end: string }[];
  };
  assert.deepEqual(avail.timeRanges, [{ start: first.start, end: last.end }]);

  // The playlist names every segment; a segment and its init answer with the bytes on disk.
  const playlist = await (await fetch(`${base}/api/assets/${ASSET}/playlist.m3u8?startTime=${from}&endTime=${to}`)).text();
  assert.equal((playlist.match(/#EXTINF/g) ?? []).length, names.length, playlist);
  const segUri = /^(segments\/\S+\.m4s)$/m.exec(playlist)?.[1];
  const initUri = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
  assert.ok(segUri && initUri, playlist);
  const segBytes = Buffer.from(await (await fetch(`${base}/api/assets/${ASSET}/${segUri}`)).arrayBuffer());
  assert.ok(segBytes.equals(readFileSync(join(assetDir, segUri))));
  const initBytes = Buffer.from(await (await fetch(`${base}/api/assets/${ASSET}/${initUri}`)).arrayBuffer());
  assert.ok(initBytes.equals(readFileSync(join(assetDir, 'init', `${first.initid}.mp4`))));
  await serve.kill();

  // export from the same folder: one .mp4 that ffmpeg decodes.
  const out = join(root, 'export', 'all.mp4');
  const exp = spawnSync(
    process.execPath,
    ['bin/mediagraph.js', 'export', '--asset', ASSET, '--from', from, '--to', to, '--out', out, '--store', `file:${storeRoot}`, '--data', data],
    { env, timeout: 60_000, encoding: 'utf8' },
  );
  assert.equal(exp.status, 0, exp.stderr);
  assert.ok(statSync(out).size > segBytes.length);
  const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', out, '-f', 'null', '-'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(decode.status, 0, decode.stderr);
  assert.equal(existsSync(join(data, 'azurite')), false, 'no embedded Azurite was started');
});
