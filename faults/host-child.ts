// Child process for faults/sigkill-host.ts: the full host recording LVA's CVR topology from a
// camera into a blob store, printing every event as one `EV <json>` line. Reopening the same
// data directory recovers the cache (and the host re-activates what was active). SIGTERM =
// clean stop (deactivate drains the cache); SIGKILL is the fault.
//   node --import tsx faults/host-child.ts <dataDir> <cachePath> <rtspUrl> <blobConnection> [segmentLength] [cacheMaximumSizeMiB]
import { readFileSync } from 'node:fs';
import { MediaGraphHost } from '../src/runtime/host.ts';
import { createBuiltinRegistry } from '../src/runtime/builtin-registry.ts';

const [dataDirectory, cachePath, rtspUrl, blobConnection, segmentLength, cacheMiB] = process.argv.slice(2);
if (!dataDirectory || !cachePath || !rtspUrl || !blobConnection) throw new Error('usage: <dataDir> <cachePath> <rtspUrl> <blobConnection>');
const host = await MediaGraphHost.open({ dataDirectory, registry: createBuiltinRegistry(), logLevel: 'silent', services: { blobConnection } });
host.events$.subscribe((e) => {
  process.stdout.write(`EV ${JSON.stringify({ type: e.type, body: e.body })}\n`);
});
const NAME = 'cam1';
let state: string | undefined;
try {
  state = host.instanceStatus(NAME).state;
} catch {
  state = undefined;
}
if (state === undefined) {
  await host.topologySet(JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')));
  await host.instanceSet({
    name: NAME,
    properties: {
      topologyName: 'CVRToAsset',
      parameters: [
        { name: 'rtspUrl', value: rtspUrl },
        { name: 'cachePath', value: cachePath },
        ...(segmentLength ? [{ name: 'segmentLength', value: segmentLength }] : []),
        ...(cacheMiB ? [{ name: 'cacheMaximumSizeMiB', value: cacheMiB }] : []),
      ],
    },
  });
}
for (let i = 0; i < 100 && ['Activating', 'Deactivating'].includes(host.instanceStatus(NAME).state); i++) await new Promise((r) => setTimeout(r, 50));
if (host.instanceStatus(NAME).state === 'Inactive') await host.instanceActivate(NAME);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void (async () => {
    await host.instanceDeactivate(NAME);
    await host.close();
    process.stdout.write('stopped\n');
    process.exit(0);
  })();
});
