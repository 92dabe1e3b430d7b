// writeAll must finish a writev the kernel only partly took (a fault injected with a handle
// that accepts a few bytes per call).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FileHandle } from 'node:fs/promises';
import { writeAll } from '../../src/nodes/fmp4-segmenter/segment-files.ts';

function stingyHandle(maxPerCall: number) {
  const written: number[] = [];
  let calls = 0;
  const handle = {
    writev: async (buffers: Uint8Array[]) => {
      calls++;
      let n = 0;
      for (const b of buffers) {
        for (const byte of b) {
          if (n === maxPerCall) return { bytesWritten: n, buffers };
          written.push(byte);
          n++;
        }
      }
      return { bytesWritten: n, buffers };
    },
  } as unknown as FileHandle;
  return { handle, written, calls: () => calls };
}

test('writeAll: partial writev results are resumed at the right byte', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 8 }), fc.integer({ min: 1, max: 7 }), async (chunks, max) => {
      const h = stingyHandle(max);
      await writeAll(h.handle, chunks);
      assert.deepEqual(
        h.written,
        chunks.flatMap((c) => [...c]),
      );
    }),
    { numRuns: 200 },
  );
});

test('writeAll: one call when the kernel takes everything', async () => {
  const h = stingyHandle(1 << 30);
  await writeAll(h.handle, [new Uint8Array(10), new Uint8Array(0), new Uint8Array(3)]);
  assert.equal(h.calls(), 1);
  assert.equal(h.written.length, 13);
});
