// Adapts the payload-format packetizers of src/media (rtp-codecs) to the simulated camera.
import { H264Packetizer } from '../../media/h264/rtp-packetizer.ts';
import { H265Packetizer } from '../../media/h265/rtp-packetizer.ts';
import { AacPacketizer } from '../../media/aac/rtp-packetizer.ts';
import type { DemuxedAudio, DemuxedVideo } from './mp4-demux.ts';

export interface SimPacketizer {
  readonly ssrc: number;
  /** Whole RTP packets for one access unit (video: NAL units; audio: one raw frame). */
  packetize(units: readonly Uint8Array[], rtpTimestamp: number): Uint8Array[];
}

export interface SimPacketizerOptions {
  readonly payloadType: number;
  readonly ssrc: number;
  readonly initialSequence: number;
  readonly maxPayloadSize: number;
}

export function createVideoPacketizer(v: DemuxedVideo, o: SimPacketizerOptions): SimPacketizer {
  const options = { ssrc: o.ssrc, payloadType: o.payloadType, mtu: o.maxPayloadSize + 12, initialSequenceNumber: o.initialSequence };
  if (v.codec === 'h264') {
    const p = new H264Packetizer(options);
    return { ssrc: o.ssrc, packetize: (units, ts) => p.packetize(units, ts) };
  }
  const p = new H265Packetizer(options);
  return { ssrc: o.ssrc, packetize: (units, ts) => p.packetize(units, ts) };
}

export function createAudioPacketizer(a: DemuxedAudio, o: SimPacketizerOptions): SimPacketizer {
  // 960-sample frames are signalled in the AudioSpecificConfig (frameLengthFlag); cameras use 1024.
  const p = new AacPacketizer({ ssrc: o.ssrc, payloadType: o.payloadType, mtu: o.maxPayloadSize + 12, initialSequenceNumber: o.initialSequence });
  void a;
  return { ssrc: o.ssrc, packetize: (frames, ts) => p.packetize(frames, ts) };
}
