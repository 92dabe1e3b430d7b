// `mediagraph <command>`: each command is one file under commands/, an adapter over the host.
import { createBuiltinRegistry } from '../../runtime/builtin-registry.ts';
import type { NodeRegistry } from '../../runtime/registry.ts';
import { processIo, type CliIo } from './io.ts';
import { Redactor } from '../../runtime/redact.ts';
import { validateCommand } from './commands/validate.ts';
import { probeCommand } from './commands/probe-command.ts';
import { recordCommand } from './commands/record.ts';
import { runCommand } from './commands/run.ts';
import { invokeCommand } from './commands/invoke.ts';
import { serveCommand } from './commands/serve.ts';
import { demoCommand } from './commands/demo.ts';
import { exportCommand } from './commands/export.ts';
import { deleteCommand } from './commands/delete.ts';
import { simCameraCommand } from './commands/sim-camera.ts';
import { SECRETS_NOTE, SecretInputError } from './secret-inputs.ts';
import { schemaCommand } from './commands/schema.ts';
import { loadPlugins, PLUGIN_COMMANDS, PLUGIN_NOTE, PluginError, takePluginArgs } from './plugins.ts';

/** Each command's synopsis and what it does, in the order `mediagraph help` lists them. */
const COMMANDS: readonly (readonly [name: string, synopsis: string, what: string])[] = [
  [
    'demo',
    'demo [--port 7070] [--speed 1] [--for <s>] [--data <dir>] [--file <clip.mp4>] [--segment-length PT30S]',
    "simulated camera + embedded Azurite + LVA's CVR example + viewer (npm start)",
  ],
  [
    'run',
    'run <topology.json> [--instance <instance.json>] [--name <instance>] [--param-file <file>] [--param name=value ...] [--blob-file <file> | --blob <conn> | --store file:<dir>] [--for <s>] [--data <dir>] [--cache-quota-mib <n>] [--cache-min-free-mib <n>]',
    'run one instance in the foreground with a live status line (--name: the instance, default from the camera URL)',
  ],
  [
    'serve',
    'serve [--config mediagraph.json [--watch]] [--host 127.0.0.1] [--port 7070] [--data <dir>] [--token-file <file> | --token <t>] [--blob-file <file> | --blob <conn> | --store file:<dir>] [--for <s>] [--cache-quota-mib <n>] [--cache-min-free-mib <n>] [--fleet [--fleet-container <name>] [--fleet-capacity <n>] [--fleet-lease-seconds <15..60>] [--fleet-host-id <id>]]',
    'the host as a service: LVA direct methods, REST, events, /metrics, playback, viewer; --config records the cameras of a site file (SIGHUP or --watch applies changes); --fleet shares cameras with other hosts on the same store (docs/fleet.md)',
  ],
  [
    'validate',
    'validate <topology.json> [--instance <instance.json>] [--json] | validate --config mediagraph.json',
    "check a topology (and an instance), or a site file, against LVA's rules",
  ],
  [
    'probe',
    'probe <rtsp-url> [--for <seconds>] [--json] [--transport tcp|udp|http] [--username <u> (--password-file <file> | --password <p>)]',
    'tracks, frame counts and lost packets of a camera',
  ],
  [
    'record',
    'record <rtsp-url> --out <dir> [--segment-length PT10S] [--for <seconds>] [--transport tcp|udp|http] [--username <u> (--password-file <file> | --password <p>)]',
    'record fMP4 segments to a folder, no host, no cloud',
  ],
  [
    'export',
    'export --asset <name> --from <time> --to <time> --out <dir|file.mp4> [--force] [--json] [--segments] [--blob-file <file> | --blob <conn> | --store file:<dir>] [--data <dir>]',
    'write a recorded range to plain files',
  ],
  [
    'delete',
    'delete --asset <name> [--from <time> --to <time> | --to <time>] [--yes] [--blob-file <file> | --blob <conn> | --store file:<dir>] [--data <dir>]',
    'delete an asset, or the recordings lying wholly in a window (asks on a terminal; --yes in scripts)',
  ],
  [
    'sim-camera',
    'sim-camera [--port 8554] [--path /camera] [--file <clip.mp4>] [--speed 1] [--username <u> (--password-file <file> | --password <p>)] [--for <s>]',
    'a simulated RTSP camera on 127.0.0.1 looping a clip (the tour records rtsp://127.0.0.1:8554/camera)',
  ],
  ['schema', 'schema [--out <file>]', "the topology JSON Schema with every node type (built-in and --plugin), for editors' completion"],
  [
    'invoke',
    'invoke <MethodName> [payload.json] [--host http://127.0.0.1:7070] [--token-file <file> | --token <t>]',
    'call an LVA direct method on a running host',
  ],
];

const BLOB_NOTE = `blob storage: --blob-file <file> or --blob <connection string | SAS URL | account URL>, else
AZURE_STORAGE_CONNECTION_STRING, else an embedded Azurite under the data folder (its own key, loopback only);
--store file:<folder> records into a local folder instead (same layout, one sub-folder per asset).
data folder: --data <dir> (default .data), the same for demo, run, serve and export: definitions, the
embedded store and the cache (unless the topology's localMediaCachePath names another folder).`;

const USAGE = `usage: mediagraph <command> [options]      (mediagraph <command> --help for one command)

commands:
${COMMANDS.map(([, synopsis, what]) => `  ${synopsis}\n                      ${what}`).join('\n')}

${BLOB_NOTE}

${PLUGIN_NOTE}

${SECRETS_NOTE}
`;

function commandUsage(name: string): string {
  const c = COMMANDS.find(([n]) => n === name);
  return c ? `usage: mediagraph ${c[1]}\n  ${c[2]}\n` : USAGE;
}

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

function commandFor(name: string, registry: NodeRegistry): Command | undefined {
  const commands: Record<string, Command> = {
    validate: (a, io) => validateCommand(a, io, registry),
    run: (a, io) => runCommand(a, io, registry),
    serve: (a, io) => serveCommand(a, io, registry),
    demo: (a, io) => demoCommand(a, io, registry),
    schema: (a, io) => schemaCommand(a, io, registry),
    export: (a, io) => exportCommand(a, io),
    delete: (a, io) => deleteCommand(a, io),
    invoke: (a, io) => invokeCommand(a, io),
    probe: (a, io) => probeCommand(a, io),
    record: (a, io) => recordCommand(a, io),
    'sim-camera': (a, io) => simCameraCommand(a, io),
  };
  return Object.hasOwn(commands, name) ? commands[name] : undefined;
}

/** Runs a command; returns the exit code (0 done, 1 failed, 2 bad usage). Never throws. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    const topic = command === 'help' ? rest[0] : undefined;
    io.out(topic ? commandUsage(topic) : USAGE);
    return command === undefined ? 2 : 0;
  }
  const registry = createBuiltinRegistry();
  const run = commandFor(command, registry);
  if (!run) {
    io.err(`unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  // Only before a `--` separator: after it, "--help" may be a value.
  const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (options.includes('--help') || options.includes('-h')) {
    io.out(
      commandUsage(command) +
        (['run', 'serve', 'export', 'delete'].includes(command) ? `\n${BLOB_NOTE}\n` : '') +
        (PLUGIN_COMMANDS.has(command) ? `\n${PLUGIN_NOTE}\n` : '') +
        (['run', 'serve', 'export', 'invoke', 'probe', 'record'].includes(command) ? `\n${SECRETS_NOTE}\n` : ''),
    );
    return 0;
  }
  try {
    if (!PLUGIN_COMMANDS.has(command)) return await run(rest, io);
    const { plugins, rest: commandArgs } = takePluginArgs(rest);
    await loadPlugins(plugins, registry);
    return await run(commandArgs, io);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    // Node's parseArgs: unknown option, missing value, unexpected argument.
    if (e instanceof SecretInputError || e instanceof PluginError) {
      io.err(`mediagraph ${command}: ${e.message}`);
      return 2;
    }
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`mediagraph ${command}: ${firstLine(e)}\n${commandUsage(command)}`);
      return 2;
    }
    io.err(`mediagraph ${command}: ${new Redactor().text(firstLine(e))}`);
    return 1;
  }
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  // parseArgs appends advice about `--` that does not apply to our commands.
  return (message.split('\n')[0] ?? message).replace(/\. To specify a positional argument starting with a '-'.*$/, '');
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
