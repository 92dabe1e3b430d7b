// The floor of a node recorder at N streams: one process (forked with IPC) that only reads N
// RTSP/TCP streams (socket reads, interleaved-frame parsing) and discards every RTP packet.
// bench/serve-upload.ts measures it from /proc beside `serve` and ffmpeg, with the same node
// flags: what a node process pays per stream before doing anything with the media.
// Parent → child: ReceiveStart, { cmd: 'stop' }. Child → parent: { type: 'ready' },
// { type: 'streaming' } (every stream delivered a packet), ReceiveDone.
import { RtspClient } from '../../src/media/rtsp/io/rtsp-client.ts';

export interface ReceiveStart {
  readonly cmd: 'start';
  readonly url: string;
  readonly streams: number;
}
export interface ReceiveDone {
  readonly type: 'done';
  readonly rtpPackets: number;
  readonly errors: readonly string[];
}

const clients: RtspClient[] = [];
const errors: string[] = [];
let packets = 0;

async function start(m: ReceiveStart): Promise<void> {
  const seen = new Set<number>();
  for (let i = 0; i < m.streams; i++) {
    const client = new RtspClient(
      { url: m.url, transport: 'tcp', transientMedia: true },
      {
        onRtp: () => {
          packets++;
          if (!seen.has(i)) {
            seen.add(i);
            if (seen.size === m.streams) process.send?.({ type: 'streaming' });
          }
        },
      },
    );
    clients.push(client);
    client.start().catch((e: unknown) => errors.push(`stream ${i}: ${e instanceof Error ? e.message : String(e)}`));
  }
}

async function stop(): Promise<void> {
  await Promise.allSettled(clients.map((c) => c.stop()));
  process.send?.({ type: 'done', rtpPackets: packets, errors } satisfies ReceiveDone);
  process.disconnect?.();
}

process.on('message', (m: { cmd?: string }) => {
  if (m.cmd === 'start') void start(m as ReceiveStart);
  else if (m.cmd === 'stop') void stop();
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
