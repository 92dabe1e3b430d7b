import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSdp, parseSdp, primaryFormat } from '../../src/media/sdp/sdp.ts';
import { SdpParseError } from '../../src/media/sdp/errors.ts';

// Shaped like a Hikvision answer: session control, video + AAC + G.711, bare LF on one line.
const camera =
  [
    'v=0',
    'o=- 1109162014219182 1109162014219192 IN IP4 10.0.0.5',
    's=Media Presentation',
    'e=NONE',
    'b=AS:5050',
    't=0 0',
    'a=control:rtsp://10.0.0.5:554/Streaming/Channels/101/?transportmode=unicast',
    'm=video 0 RTP/AVP 96',
    'c=IN IP4 0.0.0.0',
    'b=AS:5000',
    'a=recvonly',
    'a=x-dimensions:1920,1080',
    'a=control:rtsp://10.0.0.5:554/Streaming/Channels/101/trackID=1?transportmode=unicast',
    'a=rtpmap:96 H264/90000',
    'a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z01AKI2NQDwBE/LCAAAOEAACvyAI,aO44gA==',
    'a=framerate:25.000',
    'm=audio 0 RTP/AVP 97',
    'a=rtpmap:97 MPEG4-GENERIC/16000/1',
    'a=fmtp:97 streamtype=5;profile-level-id=15;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1408',
    'a=control:trackID=2',
    'm=audio 0 RTP/AVP 0',
    'a=control:trackID=3',
    'a=Media_header:MEDIAINFO=494D4B48;',
  ].join('\r\n') + '\n';

test('camera SDP: session and media parts', () => {
  const s = parseSdp(camera);
  assert.equal(s.version, 0);
  assert.equal(s.sessionName, 'Media Presentation');
  assert.equal(s.bandwidth.AS, 5050);
  assert.equal(s.control, 'rtsp://10.0.0.5:554/Streaming/Channels/101/?transportmode=unicast');
  assert.equal(s.media.length, 3);
  const [v, a, g] = s.media;
  assert.ok(v && a && g);
  assert.equal(v.type, 'video');
  assert.deepEqual(v.formats, [96]);
  assert.deepEqual(v.rtpmap.get(96), { payloadType: 96, encoding: 'H264', clockRate: 90000 });
  assert.equal(v.fmtp.get(96)?.['packetization-mode'], '1');
  assert.equal(v.fmtp.get(96)?.['sprop-parameter-sets'], 'Z01AKI2NQDwBE/LCAAAOEAACvyAI,aO44gA==');
  assert.equal(v.framerate, 25);
  assert.equal(v.bandwidth.AS, 5000);
  assert.deepEqual(v.connection, { netType: 'IN', addrType: 'IP4', address: '0.0.0.0' });
  assert.equal(v.control, 'rtsp://10.0.0.5:554/Streaming/Channels/101/trackID=1?transportmode=unicast');
  assert.deepEqual(a.rtpmap.get(97), { payloadType: 97, encoding: 'MPEG4-GENERIC', clockRate: 16000, channels: 1 });
  assert.equal(a.fmtp.get(97)?.config, '1408');
  assert.equal(a.fmtp.get(97)?.sizelength, '13');
  assert.equal(primaryFormat(g)?.encoding, 'PCMU');
  assert.equal(g.control, 'trackID=3');
});

test('typed errors', () => {
  const bad = (s: string, code: string) =>
    assert.throws(
      () => parseSdp(s),
      (e) => e instanceof SdpParseError && e.code === code,
      s,
    );
  bad('m=video 0 RTP/AVP 96', 'bad-version');
  bad('v=1\r\n', 'bad-version');
  bad('v=0\r\nhello\r\n', 'bad-line');
  bad('v=0\r\nm=video x RTP/AVP 96\r\n', 'bad-media');
  bad('v=0\r\nm=video 0 RTP/AVP 300\r\n', 'bad-media');
  bad('v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264\r\n', 'bad-rtpmap');
  bad('v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/0\r\n', 'bad-rtpmap');
  assert.throws(
    () => parseSdp('v=0\r\n' + 'a=x\r\n'.repeat(100), { maxBytes: 100 }),
    (e) => e instanceof SdpParseError && e.code === 'too-large',
  );
});

test('formatSdp output parses back', () => {
  const text = formatSdp({
    media: [
      { type: 'video', payloadType: 96, rtpmap: 'H265/90000', fmtp: 'sprop-vps=QAE=', control: 'trackID=0', framerate: 30 },
      { type: 'audio', payloadType: 97, rtpmap: 'mpeg4-generic/48000/2', fmtp: 'mode=AAC-hbr;config=1190', control: 'trackID=1' },
    ],
  });
  const s = parseSdp(text);
  assert.equal(s.media[0]?.rtpmap.get(96)?.encoding, 'H265');
  assert.equal(s.media[0]?.framerate, 30);
  assert.equal(s.media[1]?.rtpmap.get(97)?.channels, 2);
  assert.equal(s.media[1]?.control, 'trackID=1');
});
