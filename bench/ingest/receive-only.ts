// The floor of a node recorder at N = 1: one process that only receives the camera's RTSP/TCP
// stream (socket reads into the reused buffer, interleaved-frame parsing) and discards every
// RTP packet. Whatever a full recorder spends above this is RTP/codec/segmenter work; this
// part alone is what one node process pays per stream before doing anything with the media.
//   node --initial-old-space-size=64 --import tsx bench/ingest/receive-only.ts [--seconds 20]
import { RtspClient } from '../../src/media/rtsp/io/rtsp-client.ts';
import { startLoad, DEFAULT_FILE } from '../rtsp-ingest.ts';

const i = process.argv.indexOf('--seconds');
const seconds = Number(i >= 0 ? process.argv[i + 1] : 20);
const load = await startLoad('sim', DEFAULT_FILE);
let packets = 0;
const client = new RtspClient(
  { url: load.url, transport: 'tcp', transientMedia: true },
  {
    onRtp: () => {
      packets++;
    },
  },
);
try {
  await client.start();
  await new Promise((r) => setTimeout(r, 5000)); // warm-up
  const cpu0 = process.cpuUsage();
  const p0 = packets;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const ms = (us: number): string => (us / 1000 / seconds).toFixed(1);
  console.log(
    `receive only, 1 stream: ${ms(cpu.user + cpu.system)} ms CPU per stream-second (user ${ms(cpu.user)}, sys ${ms(cpu.system)}), ${Math.round((packets - p0) / seconds)} RTP packets/s`,
  );
} finally {
  await client.stop();
  await load.close();
}
