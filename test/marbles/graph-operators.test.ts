// Marble tests for the compiler's own operators and wiring under virtual time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { of, map, merge, catchError } from 'rxjs';
import { MediaGraphError } from '../../src/types/errors.ts';
import { marbleTest, createTestContext } from '../../src/testing/index.ts';
import { selectMediaTypes } from '../../src/graph/operators/select-media-types.ts';
import { compileGraph } from '../../src/graph/compile.ts';
import { defineNode } from '../../src/nodes/define-node.ts';
import type { MediaMessage } from '../../src/types/media.ts';
import type { PlannedNode } from '../../src/graph/plan.ts';
import type { NodeDefinition } from '../../src/types/node.ts';
import type { SignalMessage } from '../../src/types/signal.ts';

/** Signals numbered by their time, so a marble's value is easy to read back. */
const signals: Record<string, SignalMessage> = {
  1: { kind: 'signal', wallClockMs: 1 },
  2: { kind: 'signal', wallClockMs: 2 },
  3: { kind: 'signal', wallClockMs: 3 },
};

const v: MediaMessage = {
  kind: 'track',
  trackId: 1,
  mediaType: 'video',
  timescale: 90000,
  config: { codec: 'h264', vps: [], sps: [], pps: [], width: 2, height: 2, codecString: 'avc1.42000a', profile: 'Baseline' },
};
const a: MediaMessage = {
  kind: 'track',
  trackId: 2,
  mediaType: 'audio',
  timescale: 48000,
  config: { codec: 'aac', audioSpecificConfig: new Uint8Array([0x11, 0x90]), sampleRate: 48000, channels: 2, codecString: 'mp4a.40.2' },
};
const vs: MediaMessage = { kind: 'sample', trackId: 1, dts: 0, pts: 0, keyframe: true, units: [], wallClockMs: 0 };
const as: MediaMessage = { kind: 'sample', trackId: 2, dts: 0, pts: 0, keyframe: true, units: [], wallClockMs: 0 };
const d: MediaMessage = { kind: 'discontinuity', reason: 'reconnect', atWallClockMs: 5 };

test('outputSelectors: "is video" keeps video tracks and their samples; other messages pass', () => {
  marbleTest(({ cold, expectObservable }) => {
    const values = { v, a, x: vs, y: as, d };
    expectObservable(cold('vaxyd|', values).pipe(selectMediaTypes([{ property: 'mediaType', operator: 'is', value: 'video' }]))).toBe('v-x-d|', values);
    expectObservable(cold('vaxyd|', values).pipe(selectMediaTypes([{ property: 'mediaType', operator: 'isNot', value: 'video' }]))).toBe('-a-yd|', values);
    expectObservable(cold('vaxyd|', values).pipe(selectMediaTypes([{ property: 'mediaType', operator: 'isNot', value: 'application' }]))).toBe(
      'vaxyd|',
      values,
    );
  });
});

test('compile: one source feeding two sinks runs once and both see every message from the start', () => {
  marbleTest(({ cold, expectObservable, expectSubscriptions, scheduler }) => {
    const source$ = cold('-1-2-3|', signals);
    const seen: Record<string, string[]> = { s1: [], s2: [] };
    const src = defineNode({
      type: '#T.Src',
      role: 'source',
      description: '',
      configSchema: {},
      inputs: {},
      output: { kind: 'signal' },
      create: () => () => source$,
    });
    const sink = defineNode({
      type: '#T.Sink',
      role: 'sink',
      description: '',
      configSchema: {},
      inputs: { signals: { kind: 'signal' } },
      output: null,
      create: (c) => (i) => i.signals.pipe(map((x) => void seen[c.name]!.push(String(x.wallClockMs)))),
    });
    const node = (name: string, definition: NodeDefinition, inputs: string[] = []): PlannedNode => ({
      name,
      definition,
      spec: { '@type': definition.type, name, inputs: inputs.map((nodeName) => ({ nodeName })) },
      origin: { name, pointer: '', section: 'sinks' },
    });
    const plan = { nodes: [node('src', src), node('s1', sink, ['src']), node('s2', sink, ['src'])] };
    const { run$ } = compileGraph(plan, () => createTestContext({ scheduler }));
    expectObservable(run$).toBe('------|');
    expectSubscriptions(source$.subscriptions).toBe('^-----!');
    scheduler.flush();
    if (seen.s1!.join() !== '1,2,3' || seen.s2!.join() !== '1,2,3') throw new Error(`sinks saw ${JSON.stringify(seen)}`);
  });
});

test('compile: a node error names the node and tears everything down', () => {
  marbleTest(({ cold, expectObservable, expectSubscriptions, scheduler }) => {
    const source$ = cold('-1-2-3|', signals);
    const src = defineNode({
      type: '#T.Src',
      role: 'source',
      description: '',
      configSchema: {},
      inputs: {},
      output: { kind: 'signal' },
      create: () => () => source$,
    });
    const bad = defineNode({
      type: '#T.Bad',
      role: 'sink',
      description: '',
      configSchema: {},
      inputs: { signals: { kind: 'signal' } },
      output: null,
      create: () => (i) =>
        i.signals.pipe(
          map((x) => {
            if (x.wallClockMs === 2) throw new Error('boom');
            return x;
          }),
        ),
    });
    const node = (name: string, definition: NodeDefinition, inputs: string[] = []): PlannedNode => ({
      name,
      definition,
      spec: { '@type': definition.type, name, inputs: inputs.map((nodeName) => ({ nodeName })) },
      origin: { name, pointer: '', section: 'sinks' },
    });
    const { run$ } = compileGraph({ nodes: [node('src', src), node('bad', bad, ['src'])] }, () => createTestContext({ scheduler }));
    expectObservable(run$.pipe(catchError((e: Error) => of(`${e.name}: ${e.message}`)))).toBe('---(m|)', { m: 'NodeFailure: node "bad" failed: boom' });
    expectSubscriptions(source$.subscriptions).toBe('^--!');
  });
});

test('compile: inputs reach their ports by kind; several on one port arrive merged, an optional port with none is empty', () => {
  marbleTest(({ cold, expectObservable, scheduler }) => {
    const a$ = cold('-1---3|', signals);
    const b$ = cold('---2--|', signals);
    const m$ = cold('--v---|', { v });
    const got: string[] = [];
    const sigSrc = (type: string, s$: typeof a$) =>
      defineNode({ type, role: 'source', description: '', configSchema: {}, inputs: {}, output: { kind: 'signal' }, create: () => () => s$ });
    const mediaSrc = defineNode({
      type: '#T.Media',
      role: 'source',
      description: '',
      configSchema: {},
      inputs: {},
      output: { kind: 'media' },
      create: () => () => m$,
    });
    const sink = defineNode({
      type: '#T.Ports',
      role: 'sink',
      description: '',
      configSchema: {},
      inputs: { video: { kind: 'media' }, triggers: { kind: 'signal', max: Infinity }, extra: { kind: 'segment', min: 0 } },
      output: null,
      create: () => (i) =>
        merge(
          i.video.pipe(map((m) => void got.push(`video:${m.kind}`))),
          i.triggers.pipe(map((s) => void got.push(`trigger:${s.wallClockMs}`))),
          i.extra.pipe(map(() => void got.push('extra'))),
        ),
    });
    const node = (name: string, definition: NodeDefinition, inputs: string[] = []): PlannedNode => ({
      name,
      definition,
      spec: { '@type': definition.type, name, inputs: inputs.map((nodeName) => ({ nodeName })) },
      origin: { name, pointer: '', section: 'sinks' },
    });
    // the media source is listed between the two signal sources: routing is by kind, not position
    const plan = { nodes: [node('a', sigSrc('#T.A', a$)), node('m', mediaSrc), node('b', sigSrc('#T.B', b$)), node('sink', sink, ['a', 'm', 'b'])] };
    expectObservable(compileGraph(plan, () => createTestContext({ scheduler })).run$).toBe('------|');
    scheduler.flush();
    if (got.join() !== 'trigger:1,video:track,trigger:2,trigger:3') throw new Error(`the sink saw ${got.join()}`);
  });
});

test('compile: inputs that fit no port fail the activation with the node named', () => {
  marbleTest(({ cold, scheduler }) => {
    const src = defineNode({
      type: '#T.Src',
      role: 'source',
      description: '',
      configSchema: {},
      inputs: {},
      output: { kind: 'signal' },
      create: () => () => cold('-1|', signals),
    });
    const one = defineNode({
      type: '#T.One',
      role: 'sink',
      description: '',
      configSchema: {},
      inputs: { signals: { kind: 'signal' } },
      output: null,
      create: () => (i) => i.signals,
    });
    const node = (name: string, definition: NodeDefinition, inputs: string[] = []): PlannedNode => ({
      name,
      definition,
      spec: { '@type': definition.type, name, inputs: inputs.map((nodeName) => ({ nodeName })) },
      origin: { name, pointer: '', section: 'sinks' },
    });
    assert.throws(
      () => compileGraph({ nodes: [node('s1', src), node('s2', src), node('one', one, ['s1', 's2'])] }, () => createTestContext({ scheduler })),
      (e: unknown) =>
        e instanceof MediaGraphError &&
        e.code === 'ActivationFailed' &&
        /node "one" \(#T\.One\) could not start: its inputs do not fit its ports/.test(e.message),
    );
  });
});
