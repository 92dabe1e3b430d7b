// `mediagraph <command>`: each command is one file under commands/, an adapter over the host.
import { createBuiltinRegistry } from '../../runtime/builtin-registry.ts';
import { processIo, type CliIo } from './io.ts';
import { validateCommand } from './commands/validate.ts';
import { probeCommand } from './commands/probe-command.ts';
import { recordCommand } from './commands/record.ts';
import { runCommand } from './commands/run.ts';
import { invokeCommand } from './commands/invoke.ts';
import { serveCommand } from './commands/serve.ts';
import { demoCommand } from './commands/demo.ts';
import { exportCommand } from './commands/export.ts';

const USAGE = `usage: mediagraph <command> [options]

commands:
  demo [--port 7070] [--speed 1] [--for <s>]
                      simulated camera + embedded Azurite + LVA's CVR example + viewer (npm start)
  run <topology.json> [--instance <instance.json>] [--param name=value ...] [--blob <conn>] [--for <s>] [--data <dir>]
                      run one instance in the foreground with a live status line
  serve [--host 127.0.0.1] [--port 7070] [--data <dir>] [--token <t>] [--blob <conn>]
                      the host as a service: LVA direct methods, REST, events, /metrics, playback, viewer
  validate <topology.json> [--instance <instance.json>] [--json]
                      check a topology (and an instance) against LVA's rules
  probe <rtsp-url> [--for <seconds>] [--json] [--transport tcp|udp|http]
                      tracks, frame counts and lost packets of a camera
  record <rtsp-url> --out <dir> [--segment-length PT10S] [--for <seconds>]
                      record fMP4 segments to a folder, no host, no cloud
  export --asset <name> --from <time> --to <time> --out <dir|file.mp4> [--blob <conn>] [--data <dir>]
                      write a recorded range to plain files
  invoke <MethodName> [payload.json] [--host http://127.0.0.1:7070] [--token <t>]
                      call an LVA direct method on a running host

blob storage: --blob <connection string | SAS URL | account URL>, else AZURE_STORAGE_CONNECTION_STRING,
else an embedded Azurite under the data folder.
`;

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  const registry = createBuiltinRegistry();
  switch (command) {
    case 'validate':
      return validateCommand(rest, io, registry);
    case 'run':
      return runCommand(rest, io, registry);
    case 'serve':
      return serveCommand(rest, io, registry);
    case 'demo':
      return demoCommand(rest, io, registry);
    case 'export':
      return exportCommand(rest, io);
    case 'invoke':
      return invokeCommand(rest, io);
    case 'probe':
      return probeCommand(rest, io);
    case 'record':
      return recordCommand(rest, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.err(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

const invokedDirectly = process.argv[1] !== undefined && /[\\/]cli[\\/]main\.ts$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`mediagraph: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
