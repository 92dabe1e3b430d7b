import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createTrackDecoder } from '../../src/media/rtp/track-decoder.ts';

describe('createTrackDecoder', () => {
  test('H264 with sprop yields a depacketizer that already knows the config', () => {
    const r = createTrackDecoder({
      encodingName: 'h264',
      clockRate: 90000,
      fmtp: { 'Packetization-Mode': '1', 'sprop-parameter-sets': 'Z0LAHtkAoD2wEQAAAwABAAADADIPFi5I,aMuMsg==' },
    });
    assert.ok(r.ok);
    assert.equal(r.decoder.codec, 'h264');
    assert.equal(r.decoder.mediaType, 'video');
    if (r.decoder.codec === 'h264') {
      assert.equal(r.decoder.depacketizer.sps?.width, 640);
      assert.equal(r.decoder.depacketizer.sps?.height, 480);
    }
  });

  test('H265 and mpeg4-generic AAC', () => {
    const h = createTrackDecoder({ encodingName: 'H265', clockRate: 90000, fmtp: {} });
    assert.ok(h.ok && h.decoder.codec === 'h265');
    const a = createTrackDecoder({
      encodingName: 'MPEG4-GENERIC',
      clockRate: 48000,
      channels: 2,
      fmtp: { mode: 'AAC-hbr', sizelength: '13', indexlength: '3', indexdeltalength: '3', config: '1190' },
    });
    assert.ok(a.ok);
    if (a.ok && a.decoder.codec === 'aac') assert.equal(a.decoder.depacketizer.audioConfig?.sampleRate, 48000);
  });

  test('camera audio the recorder cannot store is a typed unsupported-codec result', () => {
    for (const encodingName of ['PCMU', 'PCMA', 'opus', 'G726-32', 'MP4A-LATM', 'L16']) {
      const r = createTrackDecoder({ encodingName, clockRate: 8000, fmtp: {} });
      assert.equal(r.ok, false, encodingName);
      if (!r.ok) {
        assert.equal(r.error.code, 'unsupported-codec');
        assert.equal(r.error.encodingName, encodingName);
      }
    }
    const i = createTrackDecoder({ encodingName: 'H264', clockRate: 90000, fmtp: { 'packetization-mode': '2' } });
    assert.ok(!i.ok && i.error.code === 'unsupported-codec');
  });

  test('broken AAC fmtp is bad-fmtp, not a throw', () => {
    const r = createTrackDecoder({ encodingName: 'mpeg4-generic', clockRate: 48000, fmtp: { mode: 'AAC-hbr', config: 'xyz', sizelength: '13' } });
    assert.ok(!r.ok && r.error.code === 'bad-fmtp');
    const m = createTrackDecoder({ encodingName: 'mpeg4-generic', clockRate: 48000, fmtp: { mode: 'AAC-hbr' } });
    assert.ok(!m.ok && m.error.code === 'bad-fmtp');
  });
});
