import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSdp } from '../../src/media/sdp/sdp.ts';
import { SdpParseError } from '../../src/media/sdp/errors.ts';

const valid =
  'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\na=control:trackID=0\r\nm=audio 0 RTP/AVP 97\r\na=rtpmap:97 mpeg4-generic/44100/2\r\n';

function check(s: string | Uint8Array): void {
  try {
    const d = parseSdp(s);
    for (const m of d.media) for (const f of m.formats) assert.ok(f >= 0 && f <= 127);
  } catch (e) {
    assert.ok(e instanceof SdpParseError, `untyped error: ${String(e)}`);
  }
}

test('random input', () => {
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 500 }), fc.uint8Array({ maxLength: 500 })), check), { numRuns: 500 });
});

test('mutated valid SDP', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 4 })), { maxLength: 6 }), (muts) => {
      let s = valid;
      for (const [i, del, ins] of muts) {
        const at = i % (s.length + 1);
        s = s.slice(0, at) + ins + s.slice(at + (del % 4));
      }
      check(s);
    }),
    { numRuns: 800 },
  );
});
