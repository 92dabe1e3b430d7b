// deploy/: the Dockerfile copies what exists and runs what the CLI accepts, as a non-root user
// with the data in a volume and a health check on /healthz; the systemd unit restarts always,
// reloads with SIGHUP and is hardened. (`systemd-analyze verify` is run too where it exists.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/control/cli/main.ts';

test('Dockerfile: non-root, /data volume, /healthz check, serve --config; every COPY source exists', async () => {
  const text = readFileSync('deploy/Dockerfile', 'utf8');
  // (COPY --from=<stage> copies what an earlier stage built, not a file of the repository)
  for (const m of text.matchAll(/^COPY (?!--from=)(.+) \S+$/gm))
    for (const src of m[1]!.split(/\s+/)) assert.ok(existsSync(src), `COPY ${src}: not in the repository`);
  assert.match(text, /^RUN npm run build$/m, 'the image runs the compiled CLI: a build stage makes dist/');
  assert.match(text, /^COPY --from=build \/app\/dist \.\/dist$/m);
  const users = [...text.matchAll(/^USER (\S+)/gm)].map((m) => m[1]!);
  assert.ok(users.length > 0 && !/^(root|0)(:|$)/.test(users.at(-1)!), 'runs as a user of its own');
  assert.match(text, /^VOLUME \["\/data"\]/m);
  assert.match(text, /^HEALTHCHECK .*\n?.*\/healthz/m);
  const entry = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(text)![1]!) as string[];
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(text)![1]!) as string[];
  assert.ok(existsSync(entry.at(-1)!.replace(/^\/app\//, '')), 'the entry point is the CLI (the repository is copied to /app)');
  assert.match(text, /^WORKDIR \/app$/m);
  assert.deepEqual(cmd.slice(0, 3), ['serve', '--config', '/config/mediagraph.json']);
  // every option of the CMD is one serve takes
  const help: string[] = [];
  await main(['serve', '--help'], { out: (l) => void help.push(l), err: () => {} });
  for (const option of cmd.filter((a) => a.startsWith('--'))) assert.match(help.join('\n'), new RegExp(`${option}(?![\\w-])`), option);
});

test('systemd unit: Restart=always, reload by SIGHUP, hardening, serve --config', (t) => {
  const text = readFileSync('deploy/mediagraph.service', 'utf8');
  for (const line of [
    'Restart=always',
    'ExecReload=/bin/kill -HUP $MAINPID',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'CapabilityBoundingSet=',
    'StateDirectory=mediagraph',
    'User=mediagraph',
  ]) {
    assert.ok(text.split('\n').includes(line), `missing: ${line}`);
  }
  assert.match(text, /^ExecStart=\S*mediagraph serve --config \S+ --data %S\/mediagraph/m);
  const verify = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (verify.status !== 0) return; // not a systemd machine
  const dir = mkdtempSync(join(tmpdir(), 'mg-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // verify wants the program to exist: the installed CLI is not here
  writeFileSync(join(dir, 'mediagraph.service'), text.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
  const r = spawnSync('systemd-analyze', ['verify', join(dir, 'mediagraph.service')], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(
    r.stderr
      .split('\n')
      .filter((l) => l.includes('mediagraph.service'))
      .join('\n'),
    '',
    'systemd-analyze verify is silent about the unit',
  );
});
