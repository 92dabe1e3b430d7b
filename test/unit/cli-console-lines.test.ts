// stderr shared by the status line and log lines: on a terminal a log line never lands on the
// status line's row (it is cleared first and drawn again below); in a log every status is a line.
// And `invoke` indents its JSON answer for a person at a terminal, one line for a pipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { consoleLines } from '../../src/control/cli/console-lines.ts';
import { main } from '../../src/control/cli/main.ts';

/** What a terminal shows for text with \r, ESC[K and \n: its rows. */
function screen(raw: string): string[] {
  const rows: string[] = [''];
  for (const part of raw.split(/(\r\x1b\[K|\n)/)) {
    if (part === '\r\x1b[K') rows[rows.length - 1] = '';
    else if (part === '\n') rows.push('');
    else rows[rows.length - 1] += part;
  }
  return rows;
}

test('on a terminal, a log line gets a row of its own and the status line is drawn again below it', () => {
  let raw = '';
  const lines = consoleLines(
    (t) => (raw += t),
    () => assert.fail('a terminal gets raw writes'),
  );
  lines.status('Active | recorded 1', false);
  lines.line('{"level":"warn","msg":"upload failed"}');
  lines.status('Active | recorded 2', false);
  lines.line('camera reconnected after 3.1 s: recording again');
  lines.status('Inactive | recorded 2', true);
  assert.deepEqual(screen(raw), ['{"level":"warn","msg":"upload failed"}', 'camera reconnected after 3.1 s: recording again', 'Inactive | recorded 2', '']);
});

test('in a log, each status is a line', () => {
  const written: string[] = [];
  const lines = consoleLines(undefined, (l) => void written.push(l));
  lines.status('Active | recorded 1', false);
  lines.line('note');
  lines.status('Active | recorded 2', true);
  assert.deepEqual(written, ['Active | recorded 1', 'note', 'Active | recorded 2']);
});

test('invoke: indented JSON on a terminal, one line otherwise', async (t) => {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 200, payload: { name: 'cam', properties: { state: 'Active' } } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const terminal of [true, false]) {
    const out: string[] = [];
    const code = await main(['invoke', 'GraphInstanceGet', '{"name":"cam"}', '--host', url], {
      out: (l) => void out.push(l),
      err: () => {},
      outIsTerminal: terminal,
    });
    assert.equal(code, 0);
    assert.equal(out.length, 1);
    if (terminal) assert.equal(out[0], JSON.stringify({ status: 200, payload: { name: 'cam', properties: { state: 'Active' } } }, null, 2));
    else assert.equal(out[0], '{"status":200,"payload":{"name":"cam","properties":{"state":"Active"}}}');
  }
});
