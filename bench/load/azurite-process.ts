// Azurite in its own process (forked with IPC), so a benchmark's client CPU is measured apart
// from the server's, as it would be against a remote store. In memory by default: a fresh
// process per run holds only that run's bytes.
// Child → parent: { type: 'ready', connectionString }. Parent → child: disconnect ends it.
import { startAzurite } from '../../src/testing/azurite.ts';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface AzuriteProcess {
  readonly connectionString: string;
  readonly pid: number;
  close(): Promise<void>;
}

/** Forks this file as an Azurite server and waits (at most 30 s) until it listens. */
export function startAzuriteProcess(): Promise<AzuriteProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('Azurite process did not start within 30 s'));
    }, 30_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`Azurite process exited with ${code}`)));
    child.once('message', (m: { type?: string; connectionString?: string }) => {
      clearTimeout(timer);
      if (m.type !== 'ready' || !m.connectionString) {
        reject(new Error('unexpected message from the Azurite process'));
        return;
      }
      child.removeAllListeners('exit');
      resolve({
        connectionString: m.connectionString,
        pid: child.pid ?? -1,
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) {
              done();
              return;
            }
            const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.disconnect();
          }),
      });
    });
  });
}

if (process.argv.includes('--serve')) {
  const server = await startAzurite();
  process.send?.({ type: 'ready', connectionString: server.connectionString });
  process.on('disconnect', () => void server.close().finally(() => process.exit(0)));
}
