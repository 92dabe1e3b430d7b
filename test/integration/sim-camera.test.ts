// The simulated camera seen through a raw RTSP client: pacing at `speed`, sender reports whose
// NTP↔RTP mapping agrees with the packets, and RTP timestamp wrap-around handled downstream.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startSimulatedCamera } from '../../src/testing/sim-camera/sim-camera.ts';
import { RtspClient } from '../../src/media/rtsp/io/rtsp-client.ts';
import { parseRtpPacket } from '../../src/media/rtp/rtp-packet.ts';
import { parseRtcpCompound } from '../../src/media/rtp/rtcp.ts';
import { RtspMediaSession } from '../../src/media/session/rtsp-media-session.ts';
import type { Sample } from '../../src/types/media.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/media/${name}`, import.meta.url));

describe('simulated camera', () => {
  test('pacing at speed N and sender reports consistent with RTP timestamps', async (t) => {
    const speed = 5;
    const cam = await startSimulatedCamera({ file: fixture('h265-main.mp4'), speed, senderReportIntervalMs: 100 });
    t.after(() => cam.close());
    const rtp: { ts: number; at: number }[] = [];
    const srs: { ntpMs: number; rtp: number; at: number }[] = [];
    const client = new RtspClient(
      { url: cam.url },
      {
        onRtp: (_i, b, at) => {
          const r = parseRtpPacket(b);
          if (r.ok) rtp.push({ ts: r.packet.timestamp, at });
        },
        onRtcp: (_i, b, at) => {
          const r = parseRtcpCompound(b);
          if (r.ok) for (const p of r.packets) if (p.type === 'sr') srs.push({ ntpMs: p.ntpUnixMs, rtp: p.rtpTimestamp, at });
        },
      },
    );
    t.after(() => client.stop());
    const info = await client.start();
    assert.equal(info.sdp.media[0]?.framerate, 25);
    await new Promise((r) => setTimeout(r, 800));
    await client.stop();
    assert.ok(srs.length >= 4, `${srs.length} sender reports`);
    // Media time advances `speed` times faster than wall time (RTP 90 kHz over arrival time).
    const first = rtp[0];
    const last = rtp.at(-1);
    assert.ok(first && last);
    const mediaSec = ((last.ts - first.ts) >>> 0) / 90000;
    const wallSec = (last.at - first.at) / 1000;
    assert.ok(Math.abs(mediaSec / wallSec - speed) < 0.8, `ratio ${mediaSec / wallSec}`);
    // The camera's clock runs at media speed: between two SRs, RTP and NTP advance alike, while
    // both run `speed` × faster than the receiver's clock.
    const a = srs[0];
    const b = srs.at(-1);
    assert.ok(a && b);
    const rtpDelta = ((b.rtp - a.rtp) >>> 0) / 90000;
    const ntpDelta = (b.ntpMs - a.ntpMs) / 1000;
    assert.ok(Math.abs(rtpDelta - ntpDelta) < 0.05, `rtp ${rtpDelta} vs ntp ${ntpDelta}`);
    assert.ok(Math.abs(ntpDelta / ((b.at - a.at) / 1000) - speed) < 0.8, `NTP runs at ${ntpDelta / ((b.at - a.at) / 1000)}× the arrival clock`);
    // An SR's RTP time matches packets sent at about the same moment (decode-time pacing with
    // B-frames puts pts up to a few frames ahead of the send time).
    for (const sr of srs) {
      const near = rtp.filter((p) => Math.abs(p.at - sr.at) < 20);
      if (near.length === 0) continue;
      const diffs = near.map((p) => (((((p.ts - sr.rtp) >>> 0) + 0x80000000) % 0x100000000) - 0x80000000) / 90000);
      assert.ok(
        diffs.some((d) => Math.abs(d) < 0.5),
        `SR rtp far from packets: ${diffs.slice(0, 3)}`,
      );
    }
    assert.ok(cam.stats.senderReports >= 4 && cam.stats.videoFrames > 50);
  });

  test('RTP timestamps wrapping at 2^32 and sequence numbers at 65536 stay continuous downstream', async (t) => {
    const cam = await startSimulatedCamera({
      file: fixture('h264-main-aac.mp4'),
      speed: 8,
      quirks: { initialRtpTimestamp: 2 ** 32 - 90000, initialSequenceNumber: 65500 },
    });
    t.after(() => cam.close());
    const samples: Sample[] = [];
    const s = new RtspMediaSession(
      { url: cam.url },
      {
        onMessage: (m) => {
          if (m.kind === 'sample') samples.push(m);
        },
      },
    );
    t.after(() => s.stop());
    await s.start();
    await new Promise((r) => setTimeout(r, 700));
    await s.stop();
    const video = samples.filter((x) => x.trackId === 0);
    assert.ok(video.length > 60, `${video.length} frames`);
    for (let i = 1; i < video.length; i++) {
      const step = (video[i]?.dts ?? 0) - (video[i - 1]?.dts ?? 0);
      assert.ok(step > 0 && step < 3 * 3600, `step ${step} at ${i}`);
    }
    assert.equal(s.stats.lostPackets, 0);
  });
});
