// Adapts the payload-format packetizers of src/media (rtp-codecs) to the simulated camera.
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
  void v; void o;
  throw new Error('video packetizer not available yet');
}

export function createAudioPacketizer(a: DemuxedAudio, o: SimPacketizerOptions): SimPacketizer {
  void a; void o;
  throw new Error('audio packetizer not available yet');
}
