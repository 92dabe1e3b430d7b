import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseAudioSpecificConfig,
  tryParseAudioSpecificConfig,
  aacCodecString,
  buildAudioSpecificConfig,
  hexToBytes,
  bytesToHex,
} from '../../src/media/aac/audio-specific-config.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { loadFixture, ffprobeStreams, hasFixture } from './rtp-mp4-fixtures.ts';

describe('parseAudioSpecificConfig', () => {
  for (const name of ['h264-360p-aac.mp4', 'h264-1080p-aac.mp4']) {
    test(`${name} esds matches ffprobe`, { skip: skipUnless(hasCommand('ffprobe') && hasFixture(name), 'ffprobe') }, () => {
      const audio = loadFixture(name, 1).find((t) => t.codec.startsWith('mp4a'));
      assert.ok(audio?.audioSpecificConfig);
      const asc = parseAudioSpecificConfig(audio.audioSpecificConfig);
      const probe = ffprobeStreams(name).find((s) => s.codec_name === 'aac');
      assert.ok(probe);
      assert.equal(asc.sampleRate, Number(probe.sample_rate));
      assert.equal(asc.channels, probe.channels);
      assert.equal(aacCodecString(asc), audio.codec);
      assert.equal(asc.sampleRate, audio.timescale);
    });
  }

  test('golden bytes: 1210 = AAC LC 44.1 kHz stereo, 1190 = 48 kHz stereo, 1408 = 16 kHz mono', () => {
    assert.deepEqual(parseAudioSpecificConfig(hexToBytes('1210')!), {
      objectType: 2,
      sampleRate: 44100,
      samplingFrequencyIndex: 4,
      channels: 2,
      channelConfiguration: 2,
      frameLength: 1024,
    });
    assert.equal(parseAudioSpecificConfig(hexToBytes('1190')!).sampleRate, 48000);
    const mono = parseAudioSpecificConfig(hexToBytes('1408')!);
    assert.equal(mono.sampleRate, 16000);
    assert.equal(mono.channels, 1);
    assert.equal(bytesToHex(buildAudioSpecificConfig(2, 16000, 1)), '1408');
    assert.equal(bytesToHex(buildAudioSpecificConfig(2, 48000, 2)), '1190');
  });

  test('explicit frequency, escape object type, HE-AAC', () => {
    // objectType 2, index 15, rate 22222 (24 bits), channels 1
    const bits = '00010' + '1111' + (22222).toString(2).padStart(24, '0') + '0001' + '000';
    const bytes = Uint8Array.from(
      bits
        .padEnd(40, '0')
        .match(/.{8}/g)!
        .map((b) => parseInt(b, 2)),
    );
    const a = parseAudioSpecificConfig(bytes);
    assert.equal(a.sampleRate, 22222);
    assert.equal(a.samplingFrequencyIndex, 15);
    // HE-AAC: type 5, 24 kHz core, stereo, extension 48 kHz, core type 2
    const he = parseAudioSpecificConfig(hexToBytes('2b118800')!);
    assert.equal(he.objectType, 5);
    assert.equal(he.sampleRate, 24000);
    assert.equal(he.extensionSampleRate, 48000);
    assert.equal(aacCodecString(he), 'mp4a.40.5');
  });

  test('bad input is a typed error', () => {
    assert.equal(tryParseAudioSpecificConfig(Uint8Array.of(0x12)).ok, false);
    const r = tryParseAudioSpecificConfig(Uint8Array.of(0x16, 0x80)); // index 13 is reserved
    assert.equal(r.ok, false);
    assert.equal(hexToBytes('12g0'), undefined);
    assert.equal(hexToBytes('121'), undefined);
  });
});
