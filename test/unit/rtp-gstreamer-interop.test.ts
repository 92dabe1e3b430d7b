// Our depacketizers against an independent packetizer: GStreamer's rtph264pay, rtph265pay
// and rtpmp4gpay, written to a file with RFC 4571 framing, compared with the samples mp4box
// reads from the same fixture.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { H264Depacketizer } from '../../src/media/h264/rtp-depacketizer.ts';
import { H265Depacketizer } from '../../src/media/h265/rtp-depacketizer.ts';
import { AacDepacketizer } from '../../src/media/aac/rtp-depacketizer.ts';
import type { Depacketizer } from '../../src/media/rtp/depacketizer.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { loadFixture, splitLengthPrefixed, fixturePath } from './rtp-mp4-fixtures.ts';
import { fixtureSkip } from '../helpers/fixtures.ts';
import { depacketizeAll, hexOf } from './rtp-test-helpers.ts';

const hasGst = hasCommand('gst-launch-1.0', ['--version']);

function gstPackets(t: { after: (fn: () => void) => void }, pipeline: string): Uint8Array[] {
  const dir = mkdtempSync(join(tmpdir(), 'mg-rtp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'stream.rtp');
  const r = spawnSync('gst-launch-1.0', ['-q', ...`${pipeline} ! rtpstreampay ! filesink location=${out}`.split(' ')], { timeout: 30_000, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const buf = new Uint8Array(readFileSync(out));
  const packets: Uint8Array[] = [];
  for (let p = 0; p + 2 <= buf.length; ) {
    const len = (buf[p]! << 8) | buf[p + 1]!;
    packets.push(buf.subarray(p + 2, p + 2 + len));
    p += 2 + len;
  }
  return packets;
}

function videoCheck(d: Depacketizer, packets: Uint8Array[], name: string, prefix: string, isParamSet: (n: Uint8Array) => boolean): void {
  const track = loadFixture(name).find((x) => x.codec.startsWith(prefix))!;
  const aus = depacketizeAll(d, packets);
  assert.deepEqual(d.takeErrors(), []);
  assert.equal(aus.length, track.samples.length);
  const scale = 90000 / track.timescale;
  const offset = aus[0]!.timestamp - track.samples[0]!.cts * scale;
  for (let i = 0; i < aus.length; i++) {
    const s = track.samples[i]!;
    const a = aus[i]!;
    assert.equal(a.timestamp - offset, s.cts * scale, `pts of AU ${i}`);
    assert.equal(a.keyframe, s.isSync, `keyframe flag of AU ${i}`);
    assert.deepEqual(a.units.filter((n) => !isParamSet(n)).map(hexOf), splitLengthPrefixed(s.data).map(hexOf), `NALs of AU ${i}`);
  }
}

describe('interop with GStreamer payloaders', { skip: skipUnless(hasGst, 'gst-launch-1.0') }, () => {
  test('rtph264pay (parameter sets in-band only) → H264Depacketizer', { skip: fixtureSkip('h264-360p-aac.mp4') }, (t) => {
    const packets = gstPackets(
      t,
      `filesrc location=${fixturePath('h264-360p-aac.mp4')} ! qtdemux name=d d.video_0 ! h264parse ! rtph264pay config-interval=-1 pt=96 mtu=1400`,
    );
    const d = new H264Depacketizer();
    videoCheck(d, packets, 'h264-360p-aac.mp4', 'avc1', (n) => [7, 8].includes(n[0]! & 0x1f));
    assert.equal(d.videoConfig?.codecString, 'avc1.4d401e');
  });

  test('rtph265pay → H265Depacketizer', { skip: fixtureSkip('h265-360p.mp4') }, (t) => {
    const packets = gstPackets(
      t,
      `filesrc location=${fixturePath('h265-360p.mp4')} ! qtdemux name=d d.video_0 ! h265parse ! rtph265pay config-interval=-1 pt=96 mtu=1000`,
    );
    const d = new H265Depacketizer();
    videoCheck(d, packets, 'h265-360p.mp4', 'hvc1', (n) => [32, 33, 34].includes((n[0]! >> 1) & 0x3f));
    assert.equal(d.videoConfig?.codecString, 'hvc1.1.6.L63.90');
  });

  test('rtpmp4gpay (mpeg4-generic AAC-hbr) → AacDepacketizer', { skip: fixtureSkip('h264-360p-aac.mp4') }, (t) => {
    const packets = gstPackets(t, `filesrc location=${fixturePath('h264-360p-aac.mp4')} ! qtdemux name=d d.audio_0 ! aacparse ! rtpmp4gpay pt=97`);
    const track = loadFixture('h264-360p-aac.mp4').find((x) => x.codec.startsWith('mp4a'))!;
    const d = new AacDepacketizer({ config: '119056e500', sizeLength: 13, indexLength: 3, indexDeltaLength: 3 });
    const aus = depacketizeAll(d, packets);
    assert.deepEqual(d.takeErrors(), []);
    // qtdemux trims the first and last frame (edit list), so match from wherever it starts
    assert.ok(aus.length >= track.samples.length - 2, `${aus.length} of ${track.samples.length} frames`);
    const first = track.samples.findIndex((s) => hexOf(s.data) === hexOf(aus[0]!.units[0]!));
    assert.ok(first >= 0 && first <= 2);
    for (let i = 0; i < aus.length; i++) {
      const s = track.samples[first + i]!;
      // GStreamer rounds each buffer's nanosecond pts to the 48 kHz clock: ±1 tick
      const drift = aus[i]!.timestamp - aus[0]!.timestamp - (s.dts - track.samples[first]!.dts);
      assert.ok(Math.abs(drift) <= 1, `ts of frame ${i} off by ${drift}`);
      assert.equal(hexOf(aus[i]!.units[0]!), hexOf(s.data), `frame ${i}`);
    }
  });
});
