// Bench: client CPU per MiB of one segment upload, @azure/storage-blob (`uploadData` from a
// buffer, `upload` from a file stream as the store does above 8 MiB) against a minimal
// SharedKey-signed Put Blob over a keep-alive agent (src/storage/blob/signed-put.ts). Azurite
// runs in its own process, so only the client's CPU is counted. Rounds alternate the two
// clients so load on a shared machine hits both alike; the ratio is per round, then the median.
//   node --import tsx bench/upload-put.ts [--sizes 2x40,15x8] [--rounds 5] [--concurrency 2] [--json out.json]
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzuriteProcess, type AzuriteProcess } from './load/azurite-process.ts';
import { PIPELINE_OPTIONS, parseBlobConnection } from '../src/storage/blob/connection.ts';
import { SignedBlobPut, putCredentialFrom } from '../src/storage/blob/signed-put.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const SIZES = opt('sizes', '2x40,15x8')
  .split(',')
  .map((p) => {
    const [mib, count] = p.split('x').map(Number);
    if (!mib || !count) throw new Error(`--sizes takes MiBxCount pairs such as 2x40, not ${p}`);
    return { mib, bytes: Math.round(mib * 1048576), count };
  });
const ROUNDS = Number(opt('rounds', '5'));
const CONCURRENCY = Number(opt('concurrency', '2'));
const jsonOut = opt('json', '');
const MIB = 1048576;

type Body = 'buffer' | 'file';
type Client = 'sdk' | 'put';

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function pool(n: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

// Azurite keeps blobs in memory (2 GiB at most, freed lazily): a fresh one per size and body.
let azurite: AzuriteProcess | undefined;
let container: ContainerClient;
let put: SignedBlobPut;
async function freshAzurite(): Promise<void> {
  await azurite?.close();
  azurite = await startAzuriteProcess();
  const conn = parseBlobConnection(azurite.connectionString);
  container = BlobServiceClient.fromConnectionString(azurite.connectionString, PIPELINE_OPTIONS).getContainerClient('bench-put');
  await container.createIfNotExists();
  const credential = putCredentialFrom(conn.kind, conn.secret, conn.accountName);
  if (!credential) throw new Error('the Azurite connection string has no account key');
  put = new SignedBlobPut(credential);
}
const dir = mkdtempSync(join(tmpdir(), 'bench-put-'));
try {
  const metadata = { start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:00:30.000Z', initid: 'abc', codecs: 'avc1.640028', mediadurationms: '30000' };

  const upload = async (client: Client, body: Body, name: string, buf: Buffer, file: string): Promise<void> => {
    if (client === 'sdk') {
      const blob = container.getBlockBlobClient(name);
      const opts = { metadata, blobHTTPHeaders: { blobContentType: 'video/iso.segment' } };
      if (body === 'buffer') await blob.uploadData(buf, opts);
      else await blob.upload(() => createReadStream(file, { highWaterMark: MIB }), buf.length, opts);
      return;
    }
    await put.put({
      url: new URL(container.getBlockBlobClient(name).url),
      body: body === 'buffer' ? buf : { file },
      byteLength: buf.length,
      contentType: 'video/iso.segment',
      metadata,
    });
  };

  const results: { mib: number; body: Body; sdkMsPerMiB: number; putMsPerMiB: number; ratio: number; sdkMiBps: number; putMiBps: number }[] = [];
  for (const size of SIZES) {
    const buf = randomBytes(size.bytes);
    const file = join(dir, `seg-${size.mib}.m4s`);
    writeFileSync(file, buf);
    for (const body of ['buffer', 'file'] as const) {
      await freshAzurite();
      const per: Record<Client, { ms: number[]; mibps: number[] }> = { sdk: { ms: [], mibps: [] }, put: { ms: [], mibps: [] } };
      const ratios: number[] = [];
      // one unmeasured warm-up round per client (JIT, sockets)
      for (const client of ['sdk', 'put'] as const) await pool(2, (i) => upload(client, body, `warm/${client}/${i}`, buf, file));
      for (let r = 0; r < ROUNDS; r++) {
        const order: Client[] = r % 2 === 0 ? ['sdk', 'put'] : ['put', 'sdk'];
        const round: Partial<Record<Client, number>> = {};
        for (const client of order) {
          const c0 = cpuMs();
          const t0 = performance.now();
          await pool(size.count, (i) => upload(client, body, `r${r}/${client}/${size.mib}-${i}.m4s`, buf, file));
          const wall = performance.now() - t0;
          const mib = (size.count * size.bytes) / MIB;
          round[client] = (cpuMs() - c0) / mib;
          per[client].ms.push(round[client]);
          per[client].mibps.push(mib / (wall / 1000));
        }
        ratios.push(round.sdk! / round.put!);
      }
      const row = {
        mib: size.mib,
        body,
        sdkMsPerMiB: median(per.sdk.ms),
        putMsPerMiB: median(per.put.ms),
        ratio: median(ratios),
        sdkMiBps: median(per.sdk.mibps),
        putMiBps: median(per.put.mibps),
      };
      results.push(row);
      console.log(
        `${size.mib} MiB ${body.padEnd(6)}: SDK ${row.sdkMsPerMiB.toFixed(2)} ms CPU/MiB (${row.sdkMiBps.toFixed(0)} MiB/s), signed PUT ${row.putMsPerMiB.toFixed(2)} ms CPU/MiB (${row.putMiBps.toFixed(0)} MiB/s), SDK/PUT ${row.ratio.toFixed(2)}×`,
      );
    }
  }
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ at: new Date().toISOString(), rounds: ROUNDS, concurrency: CONCURRENCY, results }, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await azurite?.close();
}
