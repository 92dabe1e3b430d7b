// `mediagraph delete --asset <name> [--from <time>] [--to <time>] [--yes]
//   [--blob-file <file> | --blob <conn> | --store file:<dir>] [--data <dir>]`
// Deletes a whole asset, or the recordings of a window (docs/storage-format.md, Deletion). On
// a terminal it says what it will delete and asks; elsewhere (a script) it needs --yes.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { openPlaybackSource } from '../../http/playback/store-source.ts';
import { AssetNotFoundError } from '../../http/playback/source.ts';
import { resolveBlobTarget } from '../../blob-target.ts';
import type { CliIo } from '../io.ts';
import { blobFlag } from '../secret-inputs.ts';
import { DEFAULT_DATA } from '../data-folder.ts';

const USAGE =
  'usage: mediagraph delete --asset <name> [--from <ISO time>] [--to <ISO time>] [--yes] [--blob-file <file> | --blob <conn> | --store file:<dir>] [--data <dir>]';

/** Asks on the terminal; undefined when there is no terminal to ask on. */
export type Confirm = (question: string) => Promise<boolean | undefined>;

export const terminalConfirm: Confirm = async (question) => {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
};

export async function deleteCommand(argv: readonly string[], io: CliIo, confirm: Confirm = terminalConfirm): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        asset: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        blob: { type: 'string' },
        'blob-file': { type: 'string' },
        store: { type: 'string' },
        data: { type: 'string' },
      },
    }));
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const from = values.from !== undefined ? Date.parse(values.from) : undefined;
  const to = values.to !== undefined ? Date.parse(values.to) : undefined;
  const problems: string[] = [];
  if (!values.asset) problems.push('--asset is required');
  if (from !== undefined && Number.isNaN(from)) problems.push(`--from: "${values.from}" is not a date-time`);
  if (to !== undefined && Number.isNaN(to)) problems.push(`--to: "${values.to}" is not a date-time`);
  if (from !== undefined && to === undefined) problems.push('--from needs --to (without both, the whole asset is deleted)');
  if (from !== undefined && to !== undefined && to <= from) problems.push('--to must be after --from');
  if (problems.length) {
    for (const p of problems) io.err(p);
    io.err(USAGE);
    return 2;
  }
  const asset = values.asset!;
  let target;
  try {
    const blob = await blobFlag(values, io.err);
    target = await resolveBlobTarget(blob, resolve(values.data ?? DEFAULT_DATA), process.env, values.store);
  } catch (e) {
    io.err(`delete: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  try {
    const source = await openPlaybackSource(target.connection);
    const whole = to === undefined;
    const fromMs = from ?? 0;
    let what: string;
    try {
      if (whole) {
        if (!(await source.listAssets()).includes(asset.toLowerCase())) throw new AssetNotFoundError(asset);
        what = `the whole asset "${asset}"`;
      } else {
        const segs = await source.listSegments(asset, fromMs, to);
        const doomed = segs.filter((s) => s.startMs >= fromMs && s.endMs <= to);
        if (!doomed.length) {
          io.out(
            `nothing to delete: no segment of "${asset}" lies wholly between ${from !== undefined ? new Date(fromMs).toISOString() : 'its start'} and ${new Date(to).toISOString()}`,
          );
          return 0;
        }
        what = `${doomed.length} segment(s) of "${asset}" from ${new Date(doomed[0]!.startMs).toISOString()} to ${new Date(Math.max(...doomed.slice(-50).map((s) => s.endMs))).toISOString()}`;
      }
    } catch (e) {
      if (!(e instanceof AssetNotFoundError)) throw e;
      io.err(`asset "${asset}" does not exist in ${target.description}`);
      return 1;
    }
    if (!values.yes) {
      const ok = await confirm(`delete ${what} in ${target.description}?`);
      if (ok === undefined) {
        io.err(`not on a terminal: add --yes to delete ${what}`);
        return 2;
      }
      if (!ok) {
        io.err('nothing deleted');
        return 1;
      }
    }
    if (whole) {
      await source.deleteAsset(asset);
      io.out(`deleted asset "${asset}"`);
    } else {
      const d = await source.deleteMedia(asset, fromMs, to);
      const span = d.range ? ` from ${new Date(d.range.startMs).toISOString()} to ${new Date(d.range.endMs).toISOString()}` : '';
      io.out(`deleted ${d.segments} segment(s), ${(d.bytes / 1048576).toFixed(1)} MiB, of "${asset}"${span}`);
    }
    return 0;
  } catch (e) {
    io.err(`delete failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    await target.close();
  }
}
