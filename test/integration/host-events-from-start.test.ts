// A host re-activates the instances that were active when it last stopped, inside open();
// an application that subscribes through `onEvent` sees those activations (a subscriber to
// `events$`, which exists only once open() resolves, would not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost, createBuiltinRegistry, type GraphEvent } from '../../src/index.ts';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';

const topology = {
  '@apiVersion': '2.0',
  name: 'CameraToFiles',
  properties: {
    parameters: [
      { name: 'rtspUrl', type: 'String' },
      { name: 'outputFolder', type: 'String' },
    ],
    sources: [
      {
        '@type': '#Microsoft.Media.MediaGraphRtspSource',
        name: 'camera',
        endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: '${rtspUrl}' },
      },
    ],
    sinks: [
      {
        '@type': '#Microsoft.Media.MediaGraphFileSink',
        name: 'files',
        baseDirectoryPath: '${outputFolder}',
        fileNamePattern: 'cam-${System.GraphInstanceName}',
        maximumSizeMiB: '10',
        inputs: [{ nodeName: 'camera' }],
      },
    ],
  },
};

test('onEvent receives the state changes of a stored instance that open() re-activates', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-host-events-'));
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4' });
  const hosts: MediaGraphHost[] = [];
  t.after(async () => {
    for (const h of hosts) await h.close();
    await camera.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const options = { dataDirectory: join(dir, 'host'), registry: createBuiltinRegistry(), logLevel: 'silent' as const };
  const first = await MediaGraphHost.open(options);
  hosts.push(first);
  await first.topologySet(topology);
  await first.instanceSet({
    name: 'cam-1',
    properties: {
      topologyName: 'CameraToFiles',
      parameters: [
        { name: 'rtspUrl', value: camera.url },
        { name: 'outputFolder', value: join(dir, 'out') },
      ],
    },
  });
  await first.instanceActivate('cam-1');
  // closing a host leaves its active instances marked active: the next open() resumes them
  await first.close();

  const seen: GraphEvent[] = [];
  const second = await MediaGraphHost.open({ ...options, onEvent: (e) => seen.push(e) });
  hosts.push(second);
  assert.equal(second.instanceStatus('cam-1').state, 'Active', 're-activated by open()');
  const states = seen
    .filter((e) => e.type === 'GraphInstanceStateChanged' && e.subject === '/graphInstances/cam-1')
    .map((e) => (e.body as { state: string }).state);
  assert.deepEqual(states, ['Activating', 'Active']);
});
