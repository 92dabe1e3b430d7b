// Named input ports: topology inputs are routed to ports by the kind their upstream emits (the
// same routing in validation and in the compiler), counts are per port, and the registry
// refuses a definition whose ports are malformed (a plugin in plain JavaScript has no compiler).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY } from 'rxjs';
import { routeInputs } from '../../src/graph/ports.ts';
import { validateTopology } from '../../src/graph/validate.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { NodeRegistry } from '../../src/runtime/registry.ts';
import { MediaGraphError } from '../../src/types/errors.ts';
import type { NodeDefinition } from '../../src/types/node.ts';

const gate = { media: { kind: 'media' }, trigger: { kind: ['signal', 'media'] } } as const;

test('inputs go to the most specific port with room, whatever their order', () => {
  assert.deepEqual(routeInputs(gate, ['media', 'media']).ports, ['media', 'trigger']);
  assert.deepEqual(routeInputs(gate, ['signal', 'media']).ports, ['trigger', 'media']);
  assert.deepEqual(routeInputs(gate, ['media', 'signal']).ports, ['media', 'trigger']);
  const twoSignals = routeInputs(gate, ['signal', 'signal']);
  assert.deepEqual(twoSignals.overflow, [1]);
  assert.deepEqual(twoSignals.unfilled, [{ port: 'media', min: 1, count: 0 }]);
  assert.deepEqual(routeInputs(gate, ['segment', 'media']).mismatched, [0]);
  assert.deepEqual(routeInputs({ many: { kind: 'media', max: Infinity } }, ['media', 'media', 'media']).ports, ['many', 'many', 'many']);
});

const registry = createBuiltinRegistry();
const evr = JSON.parse(readFileSync('examples/evr-motion/topology.json', 'utf8')) as { properties: { processors: { name: string; inputs: unknown[] }[] } };

test("LVA's event-based recording wires the signal gate either way round", () => {
  assert.deepEqual(validateTopology(evr, registry).issues, []);
  const swapped = structuredClone(evr);
  swapped.properties.processors[1]!.inputs.reverse();
  assert.deepEqual(validateTopology(swapped, registry).issues, []);
});

test('a port that is full or left empty is named, with what the ports take', () => {
  const topology = {
    name: 'Gate',
    properties: {
      sources: [
        { '@type': '#Microsoft.Media.MediaGraphIoTHubMessageSource', name: 'hub1' },
        { '@type': '#Microsoft.Media.MediaGraphIoTHubMessageSource', name: 'hub2' },
      ],
      processors: [{ '@type': '#Microsoft.Media.MediaGraphSignalGateProcessor', name: 'gate', inputs: [{ nodeName: 'hub1' }, { nodeName: 'hub2' }] }],
      sinks: [
        {
          '@type': '#Microsoft.Media.MediaGraphFileSink',
          name: 'file',
          baseDirectoryPath: join(tmpdir(), 'mg-gate'),
          fileNamePattern: 'a-${System.DateTime}',
          maximumSizeMiB: '10',
          inputs: [{ nodeName: 'gate' }],
        },
      ],
    },
  };
  const issues = validateTopology(topology, registry).issues.map((i) => [i.code, i.pointer, i.message]);
  assert.deepEqual(issues, [
    [
      'ModuleValidationError',
      '/properties/processors/0/inputs/1/nodeName',
      '"gate" (#Microsoft.Media.MediaGraphSignalGateProcessor) has no room for another "signal" input: its ports are media ("media"), trigger ("signal" or "media")',
    ],
    [
      'ModuleValidationError',
      '/properties/processors/0/inputs',
      '"gate" (#Microsoft.Media.MediaGraphSignalGateProcessor) needs 1 input(s) on its port "media" ("media"), got 0: its ports are media ("media"), trigger ("signal" or "media")',
    ],
  ]);
});

function refusal(definition: unknown): string {
  try {
    new NodeRegistry().register(definition as NodeDefinition);
  } catch (e) {
    assert.ok(e instanceof MediaGraphError && e.code === 'RegistrationInvalid', String(e));
    return e.message;
  }
  return 'accepted';
}

test('the registry refuses malformed ports with a sentence that shows the right shape', () => {
  const base = { type: '#Plugin.Thing', role: 'processor', description: '', configSchema: {}, create: () => () => EMPTY };
  assert.match(refusal({ ...base, inputs: ['media'], output: { kind: 'media' } }), /inputs must name its ports, e\.g\. \{ media: \{ kind: 'media' \} \}/);
  assert.match(refusal({ ...base, inputs: { media: {} }, output: { kind: 'media' } }), /input port "media" needs a kind/);
  assert.match(refusal({ ...base, inputs: { media: { kind: 'media', min: 2, max: 1 } }, output: { kind: 'media' } }), /min and max count its inputs/);
  assert.match(
    refusal({ ...base, inputs: { media: { kind: 'media' } }, output: 'media' }),
    /output must be null \(a sink\) or a port such as \{ kind: 'media' \}/,
  );
  assert.match(refusal({ ...base, inputs: {}, output: { kind: 'media' } }), /a processor needs at least one input port/);
  assert.equal(refusal({ ...base, inputs: { media: { kind: 'media' } }, output: { kind: 'media' } }), 'accepted');
});
