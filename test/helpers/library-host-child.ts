// A program built on the library, as a user writes one: open the host over its data folder,
// set the topology and the instance (the same documents at every start), activate, record.
//   node --import tsx test/helpers/library-host-child.ts <dataDir> <cachePath> <rtspUrl> <blobConnection>
import { readFileSync } from 'node:fs';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';

const [dataDirectory, cachePath, rtspUrl, blobConnection] = process.argv.slice(2);
if (!dataDirectory || !cachePath || !rtspUrl || !blobConnection) throw new Error('usage: <dataDir> <cachePath> <rtspUrl> <blobConnection>');
const host = await MediaGraphHost.open({ dataDirectory, registry: createBuiltinRegistry(), logLevel: 'silent', services: { blobConnection } });
try {
  await host.topologySet(JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')));
  await host.instanceSet({
    name: 'lib-1',
    properties: {
      topologyName: 'CVRToAsset',
      parameters: [
        { name: 'rtspUrl', value: rtspUrl },
        { name: 'cachePath', value: cachePath },
      ],
    },
  });
  await host.instanceActivate('lib-1');
  process.stdout.write(`ready ${host.instanceStatus('lib-1').state}\n`);
} catch (e) {
  process.stdout.write(`failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
