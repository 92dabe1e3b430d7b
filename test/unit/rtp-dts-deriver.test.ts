import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DtsDeriver } from '../../src/media/rtp/dts-deriver.ts';
import { H264Packetizer } from '../../src/media/h264/rtp-packetizer.ts';
import { H264Depacketizer } from '../../src/media/h264/rtp-depacketizer.ts';
import { H265Packetizer } from '../../src/media/h265/rtp-packetizer.ts';
import { H265Depacketizer } from '../../src/media/h265/rtp-depacketizer.ts';
import { loadFixture, splitLengthPrefixed } from './rtp-mp4-fixtures.ts';
import { fixtureSkip } from '../helpers/fixtures.ts';
import { depacketizeAll } from './rtp-test-helpers.ts';

function checkOrder(pts: number[], dts: number[]): void {
  for (let i = 0; i < pts.length; i++) {
    assert.ok(dts[i]! <= pts[i]!, `dts ${dts[i]} > pts ${pts[i]} at ${i}`);
    if (i > 0) assert.ok(dts[i]! > dts[i - 1]!, `dts not increasing at ${i}`);
  }
}

describe('DtsDeriver', () => {
  test('I P B B pattern with depth 1: dts one frame behind sorted pts', () => {
    const d = new DtsDeriver({ reorderDepth: 1, frameDuration: 3600 });
    const pts = [0, 3, 1, 2, 6, 4, 5].map((x) => 100_000 + x * 3600);
    const dts = pts.map((p) => d.next(p));
    assert.deepEqual(
      dts.map((x) => (x - 100_000) / 3600),
      [-1, 0, 1, 2, 3, 4, 5],
    );
    checkOrder(pts, dts);
    assert.equal(d.violations, 0);
  });

  test('no B-frames, depth 0: dts = pts', () => {
    const d = new DtsDeriver({ reorderDepth: 0 });
    assert.deepEqual(
      [10, 20, 30].map((p) => d.next(p)),
      [10, 20, 30],
    );
  });

  test('reordering deeper than announced raises the depth and is counted', () => {
    const d = new DtsDeriver({ reorderDepth: 0, frameDuration: 10 });
    const pts = [0, 30, 10, 20, 60, 40, 50, 90, 70, 80, 120, 100, 110];
    const dts = pts.map((p) => d.next(p));
    assert.ok(d.violations > 0);
    assert.ok(d.reorderDepth >= 1);
    for (let i = 1; i < dts.length; i++) assert.ok(dts[i]! > dts[i - 1]!);
    // once deep enough, later frames are fine again
    const tail = [150, 130, 140, 180, 160, 170].map((p) => [p, d.next(p)] as const);
    for (const [p, x] of tail) assert.ok(x <= p);
  });

  test('variable frame rate (17–160 ms intervals) with B-frame reordering of depth 2', () => {
    // presentation times with jittery intervals, then sent in IPBB-like decode order
    let x = 7;
    const rand = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) % 1000) / 1000;
    const presented: number[] = [];
    let p = 5_000_000;
    for (let i = 0; i < 300; i++) presented.push((p += Math.round(90 * (17 + rand() * 143))));
    const decodeOrder: number[] = [presented[0]!];
    for (let i = 1; i + 2 < presented.length; i += 3) decodeOrder.push(presented[i + 2]!, presented[i]!, presented[i + 1]!);
    const d = new DtsDeriver({ reorderDepth: 2, frameDuration: 3000 });
    checkOrder(
      decodeOrder,
      decodeOrder.map((q) => d.next(q)),
    );
    assert.equal(d.violations, 0);
  });

  test('a pts jump (camera restart) restarts instead of dragging dts', () => {
    const d = new DtsDeriver({ reorderDepth: 2, frameDuration: 3600 });
    for (let i = 0; i < 10; i++) d.next(i * 3600);
    const after = d.next(90000 * 3600);
    assert.equal(d.restarts, 1);
    assert.equal(d.restarted, true);
    d.next(90001 * 3600);
    assert.equal(d.restarted, false);
    assert.ok(after <= 90000 * 3600 && after > 90000 * 3500);
  });

  for (const [name, codec] of [
    ['h264-1080p-aac.mp4', 'h264'],
    ['h264-360p-aac.mp4', 'h264'],
    ['h265-360p.mp4', 'h265'],
  ] as const) {
    test(`B-frame stream ${name}: derived dts equals the file's dts, after RTP`, { skip: fixtureSkip(name) }, () => {
      const t = loadFixture(name).find((x) => x.codec.startsWith(codec === 'h264' ? 'avc1' : 'hvc1'))!;
      const scale = 90000 / t.timescale;
      const params = codec === 'h264' ? [...t.sps, ...t.pps] : [...t.vps, ...t.sps, ...t.pps];
      const pk = codec === 'h264' ? new H264Packetizer({ ssrc: 1, payloadType: 96 }) : new H265Packetizer({ ssrc: 1, payloadType: 96 });
      const packets = t.samples.flatMap((s) => {
        const nals = splitLengthPrefixed(s.data);
        return pk.packetize(s.isSync ? [...params, ...nals] : nals, s.cts * scale);
      });
      const dp = codec === 'h264' ? new H264Depacketizer() : new H265Depacketizer();
      const aus = depacketizeAll(dp, packets);
      assert.equal(aus.length, t.samples.length);
      const sps = dp.sps!;
      assert.ok(sps.maxNumReorderFrames !== undefined && sps.fps !== undefined);
      const deriver = new DtsDeriver({ reorderDepth: sps.maxNumReorderFrames, frameDuration: 90000 / sps.fps });
      const pts = aus.map((a) => a.timestamp);
      const dts = pts.map((p) => deriver.next(p));
      checkOrder(pts, dts);
      const offset = pts[0]! - t.samples[0]!.cts * scale;
      const fileDts = t.samples.map((s) => s.dts * scale + offset);
      assert.deepEqual(dts, fileDts);
      assert.equal(deriver.violations, 0);
    });
  }

  test('without SPS hints (default depth 4) the 1080p stream still gets valid dts', { skip: fixtureSkip('h264-1080p-aac.mp4') }, () => {
    const t = loadFixture('h264-1080p-aac.mp4').find((x) => x.codec.startsWith('avc1'))!;
    const d = new DtsDeriver();
    const pts = t.samples.map((s) => 1_000_000 + (s.cts * 90000) / t.timescale);
    checkOrder(
      pts,
      pts.map((p) => d.next(p)),
    );
  });
});
