// Scenario 5: mutated RTSP, SDP and RTP over real loopback sockets.
//  - Hostile server vs our client (RtspMediaSession = RtspClient + depacketizers): the server
//    answers the handshake (each answer mutated with some probability), then streams
//    interleaved frames taken from a real capture of the simulated camera, mostly mutated,
//    with mutated RTSP messages and raw garbage mixed in; then closes or goes silent.
//  - Hostile client vs our server (the simulated camera): a valid OPTIONS/DESCRIBE/SETUP to
//    learn the session, then a burst of mutated requests (SDP bodies, auth headers,
//    transports) and interleaved RTCP frames; then FIN.
// Counted: crashes (uncaught exceptions, non-RtspError rejections), hangs (a connection not
// ended by its deadline), server liveness (a real session succeeds between bursts), memory.
//   node --import tsx faults/fuzz-rtsp.ts [--inputs=1000000] [--seed=1]
import { createServer, connect, type Server, type Socket } from 'node:net';
import { RtspClient } from '../src/media/rtsp/io/rtsp-client.ts';
import { RtspMediaSession } from '../src/media/session/rtsp-media-session.ts';
import { RtspError } from '../src/media/rtsp/errors.ts';
import { serializeInterleaved } from '../src/media/rtsp/serialize.ts';
import { startSimulatedCamera, type SimulatedCamera } from '../src/testing/sim-camera/index.ts';
import { Rng, mutateBytes, mutateHeaderValue, mutateText } from './fuzz-mutator.ts';
import { argNumber, deadline, isMain, runAsMain, sleep, type ScenarioResult } from './lib.ts';
import { REPO_ROOT } from '../scripts/repo-paths.ts';

interface Capture {
  readonly sdp: string;
  readonly frames: readonly { readonly channel: number; readonly bytes: Uint8Array }[];
}

/** A real stream to mutate: the simulated camera's SDP and its first interleaved packets. */
async function capture(file: string, quirks: Parameters<typeof startSimulatedCamera>[0]['quirks'] = {}): Promise<Capture> {
  const cam = await startSimulatedCamera({ file, speed: 10, quirks });
  const frames: { channel: number; bytes: Uint8Array }[] = [];
  const client = new RtspClient(
    { url: cam.url, requestTimeoutMs: 3000 },
    {
      onRtp: (i, b) => {
        if (frames.length < 600) frames.push({ channel: 2 * i, bytes: Uint8Array.from(b) });
      },
      onRtcp: (i, b) => {
        if (frames.length < 600) frames.push({ channel: 2 * i + 1, bytes: Uint8Array.from(b) });
      },
    },
  );
  try {
    const info = await client.start();
    const end = Date.now() + 5000;
    while (frames.length < 600 && Date.now() < end) await sleep(20);
    return { sdp: info.sdpText, frames };
  } finally {
    await client.stop();
    await cam.close();
  }
}

export interface FuzzFigures {
  inputs: number;
  mutated: number;
  connections: number;
  crashes: number;
  untypedErrors: number;
  hangs: number;
  maxEndMs: number;
  sessionsEstablished: number;
  mediaMessages: number;
  /** What the other side demonstrably parsed: RTP packets the client's session counted, or requests + interleaved frames the server counted. */
  processed: number;
}

const fresh = (): FuzzFigures => ({
  inputs: 0,
  mutated: 0,
  connections: 0,
  crashes: 0,
  untypedErrors: 0,
  hangs: 0,
  maxEndMs: 0,
  sessionsEstablished: 0,
  mediaMessages: 0,
  processed: 0,
});

// ---------------------------------------------------------------- hostile server, our client

const FRAMES_PER_CONNECTION = 1500;

function hostileServer(corpus: readonly Capture[], seed: number, f: FuzzFigures): Server {
  let connNo = 0;
  return createServer((sock) => {
    const rng = new Rng(seed * 7919 + ++connNo);
    const cap = rng.pick(corpus);
    sock.on('error', () => {});
    let buf = '';
    let silent = false;
    const answer = (text: string, mutateP: number): void => {
      if (silent || sock.destroyed) return;
      if (rng.chance(mutateP)) {
        sock.write(mutateText(text, rng));
        f.inputs++;
        f.mutated++;
      } else sock.write(text);
    };
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (;;) {
        while (buf.startsWith('$') && buf.length >= 4) {
          // RTCP receiver reports from the client
          const len = (buf.charCodeAt(2) << 8) | buf.charCodeAt(3);
          if (buf.length < 4 + len) return;
          buf = buf.slice(4 + len);
        }
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const method = head.split(' ', 1)[0] ?? '';
        const cseq = /CSeq:\s*(\d+)/i.exec(head)?.[1] ?? '0';
        const url = head.split(' ')[1] ?? 'rtsp://127.0.0.1/x';
        switch (method) {
          case 'OPTIONS':
            answer(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN\r\n\r\n`, 0.1);
            break;
          case 'DESCRIBE': {
            const sdp = rng.chance(0.25) ? Buffer.from(mutateText(cap.sdp, rng)).toString('latin1') : cap.sdp;
            if (sdp !== cap.sdp) {
              f.inputs++;
              f.mutated++;
            }
            answer(
              `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nContent-Base: ${url}/\r\nContent-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(sdp, 'latin1')}\r\n\r\n${sdp}`,
              0.1,
            );
            break;
          }
          case 'SETUP': {
            const il = /interleaved=(\d+)-(\d+)/.exec(head);
            answer(
              `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nTransport: RTP/AVP/TCP;unicast;interleaved=${il?.[1] ?? 0}-${il?.[2] ?? 1};ssrc=1234ABCD\r\nSession: FZ${connNo};timeout=60\r\n\r\n`,
              0.1,
            );
            break;
          }
          case 'PLAY':
            answer(
              `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nSession: FZ${connNo}\r\nRange: npt=0.000-\r\nRTP-Info: url=${url}/trackID=0;seq=1;rtptime=0\r\n\r\n`,
              0.1,
            );
            setTimeout(() => void stream(), 10); // after start() has resolved
            break;
          default:
            answer(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nSession: FZ${connNo}\r\n\r\n`, 0.1);
        }
      }
    });
    // Most connections keep the interleaved framing intact (mutated payloads reach the
    // depacketizers); some mix in RTSP messages and raw garbage that break the framing.
    const mixed = rng.chance(0.15);
    const stream = async (): Promise<void> => {
      for (let sent = 0; sent < FRAMES_PER_CONNECTION && !sock.destroyed; ) {
        const batch: Uint8Array[] = [];
        let mutatedInBatch = 0;
        for (let i = 0; i < 50; i++, sent++) {
          const r = mixed ? rng.int(100) : 0;
          if (r < 85) {
            const fr = rng.pick(cap.frames);
            const mutate = rng.chance(0.7);
            if (mutate) mutatedInBatch++;
            const payload = mutate ? mutateBytes(fr.bytes, rng) : fr.bytes;
            const channel = rng.chance(0.02) ? rng.int(256) : fr.channel;
            batch.push(serializeInterleaved(channel, payload.subarray(0, 0xffff)));
          } else if (r < 95) {
            mutatedInBatch++;
            batch.push(
              mutateText(
                rng.pick([
                  `RTSP/1.0 200 OK\r\nCSeq: ${rng.int(20)}\r\nSession: FZ${connNo}\r\n\r\n`,
                  `ANNOUNCE rtsp://127.0.0.1/x RTSP/1.0\r\nCSeq: 9\r\nContent-Type: application/sdp\r\nContent-Length: ${cap.sdp.length}\r\n\r\n${cap.sdp}`,
                  `RTSP/1.0 401 Unauthorized\r\nCSeq: 3\r\nWWW-Authenticate: Digest realm="cam", nonce="abc", algorithm=MD5\r\n\r\n`,
                  `RTSP/1.0 302 Found\r\nCSeq: 2\r\nLocation: rtsp://127.0.0.1:1/elsewhere\r\n\r\n`,
                ]),
                rng,
              ),
            );
          } else {
            mutatedInBatch++;
            batch.push(rng.bytes(1 + rng.int(200)));
          }
        }
        if (sock.destroyed) break; // inputs count only when written to an open connection
        f.inputs += batch.length;
        f.mutated += mutatedInBatch;
        if (!sock.write(Buffer.concat(batch)))
          await new Promise<void>((r) => {
            sock.once('drain', r);
            sock.once('close', r);
          });
      }
      if (rng.chance(0.2))
        silent = true; // the client must notice the silence by itself
      else sock.end();
    };
  });
}

async function fuzzClient(corpus: readonly Capture[], inputs: number, seed: number, f: FuzzFigures, concurrency = 4): Promise<void> {
  const srv = hostileServer(corpus, seed, f);
  const sockets = new Set<Socket>();
  srv.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const one = async (): Promise<void> => {
    f.connections++;
    const t0 = Date.now();
    let ended!: () => void;
    const done = new Promise<void>((r) => {
      ended = r;
    });
    const session = new RtspMediaSession(
      { url: `rtsp://fuzz:fuzz-Secret-9@127.0.0.1:${port}/cam`, requestTimeoutMs: 400, mediaTimeoutMs: 500, rtcpIntervalMs: 200 },
      {
        onMessage: () => {
          f.mediaMessages++;
        },
        onError: (e) => {
          if (!(e instanceof RtspError)) f.untypedErrors++;
          ended();
        },
      },
    );
    try {
      await session.start();
      f.sessionsEstablished++;
    } catch (e) {
      if (!(e instanceof RtspError)) f.untypedErrors++;
      ended();
    }
    // Streaming 1500 frames takes well under a second; then a close or a 500 ms silence.
    const r = await Promise.race([done.then(() => 'ok' as const), deadline(8000).then(() => 'hang' as const)]);
    if (r === 'hang') f.hangs++;
    await Promise.race([session.stop(), deadline(3000)]);
    f.processed += session.stats.rtpPackets + session.stats.malformedPackets;
    f.maxEndMs = Math.max(f.maxEndMs, Date.now() - t0);
  };
  // The target counts what the client parsed (RTP packets its session took in), not bytes sent.
  const target = f.processed + inputs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (f.processed < target) await one();
    }),
  );
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => srv.close(() => r()));
}

// ---------------------------------------------------------------- hostile client, our server

const REQUESTS_PER_CONNECTION = 400;
const BATCH = 10;

async function talk(port: number, rng: Rng, f: FuzzFigures, sdp: string, frames: Capture['frames'], path: string): Promise<void> {
  f.connections++;
  const url = `rtsp://127.0.0.1:${port}${path}`;
  const sock = connect(port, '127.0.0.1');
  sock.on('error', () => {});
  let received = '';
  sock.on('data', (d: Buffer) => {
    if (received.length < 65536) received += d.toString('latin1');
  });
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  await new Promise<void>((r) => {
    sock.once('connect', r);
    sock.once('close', r);
  });
  const t0 = Date.now();
  // A real start so the burst reaches the states behind SETUP and PLAY.
  sock.write(
    `OPTIONS ${url} RTSP/1.0\r\nCSeq: 1\r\n\r\nDESCRIBE ${url} RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\nSETUP ${url}/trackID=0 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n`,
  );
  const end = Date.now() + 1000;
  let session = 'none';
  while (Date.now() < end && !sock.destroyed) {
    const m = /Session:\s*([^;\r\n]+)/.exec(received);
    if (m) {
      session = m[1]!;
      break;
    }
    if (/CSeq: 3\r\n/.test(received)) break; // answered without a session (401 on the camera with auth)
    await sleep(2);
  }
  const templates = [
    `OPTIONS ${url} RTSP/1.0\r\nCSeq: 4\r\nSession: ${session}\r\n\r\n`,
    `DESCRIBE ${url} RTSP/1.0\r\nCSeq: 5\r\nAccept: application/sdp\r\nAuthorization: Digest username="admin", realm="cam", nonce="0123", uri="${url}", response="00112233445566778899aabbccddeeff"\r\n\r\n`,
    `SETUP ${url}/trackID=1 RTSP/1.0\r\nCSeq: 6\r\nSession: ${session}\r\nTransport: RTP/AVP/TCP;unicast;interleaved=2-3\r\n\r\n`,
    `SETUP ${url}/trackID=0 RTSP/1.0\r\nCSeq: 6\r\nTransport: RTP/AVP;unicast;client_port=9-10\r\n\r\n`,
    `PLAY ${url} RTSP/1.0\r\nCSeq: 7\r\nSession: ${session}\r\nRange: npt=0.000-\r\nScale: 1\r\n\r\n`,
    `GET_PARAMETER ${url} RTSP/1.0\r\nCSeq: 8\r\nSession: ${session}\r\nContent-Length: 0\r\n\r\n`,
    `SET_PARAMETER ${url} RTSP/1.0\r\nCSeq: 9\r\nSession: ${session}\r\nContent-Type: text/parameters\r\nContent-Length: 9\r\n\r\nfoo: bar\n`,
    `ANNOUNCE ${url} RTSP/1.0\r\nCSeq: 10\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
    `TEARDOWN ${url} RTSP/1.0\r\nCSeq: 11\r\nSession: ${session}\r\n\r\n`,
    `GET /${path} HTTP/1.0\r\nx-sessioncookie: abc${rng.int(1000)}\r\nAccept: application/x-rtsp-tunnelled\r\n\r\n`,
  ];
  for (let sent = 0; sent < REQUESTS_PER_CONNECTION && !sock.destroyed; ) {
    const batch: Uint8Array[] = [];
    for (let i = 0; i < BATCH; i++, sent++) {
      const r = rng.int(100);
      if (r < 45) batch.push(mutateHeaderValue(rng.pick(templates), rng));
      else if (r < 60) batch.push(mutateText(rng.pick(templates), rng));
      else if (r < 90) {
        const fr = rng.pick(frames);
        batch.push(serializeInterleaved(rng.chance(0.8) ? 1 : rng.int(256), mutateBytes(fr.bytes, rng).subarray(0, 0xffff)));
      } else if (r < 92) batch.push(rng.bytes(1 + rng.int(300)));
      else batch.push(Buffer.from(rng.pick(templates), 'latin1')); // a valid request keeps the state machine moving
    }
    if (sock.destroyed) break;
    f.inputs += batch.length;
    f.mutated += batch.length;
    if (!sock.write(Buffer.concat(batch)))
      await Promise.race([
        new Promise<void>((r) => {
          sock.once('drain', r);
        }),
        closed,
      ]);
    await new Promise((r) => setImmediate(r)); // lets a close by the server be seen before the next batch
  }
  sock.end();
  const r = await Promise.race([closed.then(() => 'ok' as const), deadline(3000).then(() => 'hang' as const)]);
  if (r === 'hang') {
    f.hangs++;
    sock.destroy();
  }
  f.maxEndMs = Math.max(f.maxEndMs, Date.now() - t0);
}

/** A real client session against the camera: the server must still work. */
async function serverAlive(cam: SimulatedCamera): Promise<boolean> {
  let media = 0;
  const s = new RtspMediaSession(
    { url: cam.url, requestTimeoutMs: 3000 },
    {
      onMessage: () => {
        media++;
      },
    },
  );
  try {
    await Promise.race([
      s.start(),
      deadline(4000).then(() => {
        throw new Error('start timed out');
      }),
    ]);
    const end = Date.now() + 3000;
    while (media === 0 && Date.now() < end) await sleep(20);
    return media > 0;
  } catch {
    return false;
  } finally {
    await Promise.race([s.stop(), deadline(3000)]);
  }
}

async function fuzzServer(
  corpus: readonly Capture[],
  inputs: number,
  seed: number,
  f: FuzzFigures,
  liveness: { probes: number; failed: number },
  concurrency = 4,
): Promise<void> {
  const cams = [
    await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 4 }),
    await startSimulatedCamera({
      file: 'test/fixtures/media/h265-main.mp4',
      speed: 4,
      auth: { username: 'admin', password: 'cam-Fuzz-Secret-7', scheme: 'digest' },
    }),
  ];
  const frames = corpus.flatMap((c) => c.frames.filter((x) => x.channel % 2 === 1).concat(c.frames.slice(0, 50)));
  const parsed = (): number => cams.reduce((n, c) => n + c.server.stats.requests + c.server.stats.rtcpFromClients, 0);
  const parsedBefore = parsed();
  try {
    let n = 0;
    // The target counts what the server parsed (requests + interleaved frames), not bytes sent:
    // the server drops a connection at its first unparseable input, so most of a burst is never read.
    await Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        while (parsed() - parsedBefore < inputs) {
          const rng = new Rng(seed * 104729 + ++n);
          const cam = rng.pick(cams);
          await talk(cam.port, rng, f, corpus[0]!.sdp, frames, '/live');
          if (w === 0 && n % 200 < 1) {
            liveness.probes++;
            if (!(await serverAlive(cams[0]!))) liveness.failed++;
          }
        }
      }),
    );
    liveness.probes++;
    if (!(await serverAlive(cams[0]!))) liveness.failed++;
    f.processed = parsed() - parsedBefore;
  } finally {
    for (const c of cams) await c.close();
  }
}

// ---------------------------------------------------------------- both

export interface FuzzOptions {
  /** Inputs the receiving sides must parse, split evenly between client and server. */
  readonly inputs: number;
  readonly seed?: number;
  readonly sides?: 'client' | 'server' | 'both';
}

export async function runRtspFuzz(o: FuzzOptions): Promise<ScenarioResult> {
  const t0 = performance.now();
  const seed = o.seed ?? 1;
  // Counted, with the distinct kinds kept (a crash in a media timer repeats hundreds of times a second).
  let crashCount = 0;
  const crashKinds = new Map<string, number>();
  const onCrash = (e: unknown): void => {
    crashCount++;
    // stack frames name files relative to the repository: results are committed and read elsewhere
    const kind = e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 4).join(' | ').replaceAll(`${REPO_ROOT}/`, '') : String(e);
    if (crashKinds.size < 50 || crashKinds.has(kind)) crashKinds.set(kind, (crashKinds.get(kind) ?? 0) + 1);
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 500);
  try {
    const corpus = [await capture('test/fixtures/media/h264-main-aac.mp4'), await capture('test/fixtures/media/h265-main.mp4')];
    const client = fresh();
    const server = fresh();
    const liveness = { probes: 0, failed: 0 };
    const tc = performance.now();
    const sides = o.sides ?? 'both';
    const share = sides === 'both' ? Math.ceil(o.inputs / 2) : o.inputs;
    if (sides !== 'server') await fuzzClient(corpus, share, seed, client);
    const clientSec = (performance.now() - tc) / 1000;
    await sleep(200);
    client.crashes = crashCount;
    const ts = performance.now();
    if (sides !== 'client') await fuzzServer(corpus, share, seed, server, liveness);
    const serverSec = (performance.now() - ts) / 1000;
    await sleep(200);
    server.crashes = crashCount - client.crashes;
    const warm = rss[Math.min(rss.length - 1, 4)] ?? rss[0] ?? 0;
    const rssGrowthMiB = (Math.max(...rss) - warm) / 1048576;
    const failures: string[] = [...[...crashKinds].slice(0, 10).map(([c, n]) => `crash ×${n}: ${c}`)];
    if (client.hangs) failures.push(`client: ${client.hangs} connections not ended within 8 s`);
    if (server.hangs) failures.push(`server: ${server.hangs} connections not closed within 3 s of FIN`);
    if (client.untypedErrors) failures.push(`client: ${client.untypedErrors} failures that were not RtspError`);
    if (liveness.failed) failures.push(`server: ${liveness.failed} of ${liveness.probes} liveness sessions failed`);
    if (rssGrowthMiB > 150) failures.push(`RSS grew ${rssGrowthMiB.toFixed(0)} MiB`);
    const total = client.processed + server.processed;
    const rate = (n: number, sec: number): number => (sec > 0 ? Math.round(n / sec) : 0);
    return {
      scenario: 'RTSP/SDP/RTP fuzz over sockets',
      pass: failures.length === 0,
      trials: total,
      figures: {
        parsedInputs: total,
        parsedPerSec: rate(total, clientSec + serverSec),
        sentInputs: client.inputs + server.inputs,
        clientInputs: client.inputs,
        clientRtpParsed: client.processed,
        clientMutated: client.mutated,
        clientConnections: client.connections,
        clientSessions: client.sessionsEstablished,
        clientMediaMessages: client.mediaMessages,
        clientParsedPerSec: rate(client.processed, clientSec),
        clientCrashes: client.crashes,
        clientUntyped: client.untypedErrors,
        clientHangs: client.hangs,
        clientMaxConnMs: client.maxEndMs,
        serverInputs: server.inputs,
        serverParsed: server.processed,
        serverParsedPerSec: rate(server.processed, serverSec),
        serverConnections: server.connections,
        serverCrashes: server.crashes,
        serverHangs: server.hangs,
        serverMaxConnMs: server.maxEndMs,
        livenessProbes: liveness.probes,
        livenessFailed: liveness.failed,
        rssStartMiB: Math.round(warm / 1048576),
        rssMaxMiB: Math.round(Math.max(...rss) / 1048576),
        rssEndMiB: Math.round((rss.at(-1) ?? 0) / 1048576),
        seed,
      },
      failures,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    clearInterval(sampler);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
}

if (isMain(import.meta.url)) await runAsMain(() => runRtspFuzz({ inputs: argNumber('inputs', 1_000_000), seed: argNumber('seed', 1) }));
