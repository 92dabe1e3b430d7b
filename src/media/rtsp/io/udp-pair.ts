// A pair of UDP sockets on consecutive ports (RTP on an even port, RTCP on the next), as
// RTP over UDP expects (RFC 3550 §11).
import { createSocket, type Socket } from 'node:dgram';

export interface UdpPair {
  readonly rtp: Socket;
  readonly rtcp: Socket;
  readonly rtpPort: number;
  close(): void;
}

function bind(sock: Socket, port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = () => resolve(false);
    sock.once('error', onError);
    sock.bind(port, host, () => {
      sock.off('error', onError);
      resolve(true);
    });
  });
}

export async function openUdpPair(host = '0.0.0.0', attempts = 20): Promise<UdpPair> {
  const family = host.includes(':') ? 'udp6' : 'udp4';
  for (let i = 0; i < attempts; i++) {
    // Ports from the upper half of the ephemeral range, even for RTP.
    const port = 2 * Math.floor((40000 + Math.random() * 20000) / 2);
    const rtp = createSocket(family);
    if (!(await bind(rtp, port, host))) {
      rtp.close();
      continue;
    }
    const rtcp = createSocket(family);
    if (!(await bind(rtcp, port + 1, host))) {
      rtp.close();
      rtcp.close();
      continue;
    }
    rtp.on('error', () => {});
    rtcp.on('error', () => {});
    return {
      rtp,
      rtcp,
      rtpPort: port,
      close() {
        try {
          rtp.close();
        } catch {
          /* already closed */
        }
        try {
          rtcp.close();
        } catch {
          /* already closed */
        }
      },
    };
  }
  throw new Error('no free UDP port pair');
}
