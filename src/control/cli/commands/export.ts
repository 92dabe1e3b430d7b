// `mediagraph export --asset <name> --from <time> --to <time> --out <dir | file.mp4>
//   [--blob <connection>] [--data <dir>]`
// Writes a recorded range to disk as plain files any player opens. To a .mp4: the init
// segment and the fragments of each continuous run, one file per run (a gap, a reconnect or a
// codec change starts `name-2.mp4`, …) so no file holds a timestamp jump. To a folder: the
// init segments and the segments as stored.
import { parseArgs } from 'node:util';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve, dirname, basename, extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openPlaybackSource } from '../../http/playback/store-source.ts';
import { AssetNotFoundError, type PlaybackSegment } from '../../http/playback/source.ts';
import { resolveBlobTarget } from '../../blob-target.ts';
import type { CliIo } from '../io.ts';
import { blobFlag } from '../secret-inputs.ts';
import { DEFAULT_DATA, hintOldDataFolders } from '../data-folder.ts';

/** A run of segments that can be concatenated behind one init segment. */
export function continuousRuns(segments: readonly PlaybackSegment[], toleranceMs = 1000): PlaybackSegment[][] {
  const runs: PlaybackSegment[][] = [];
  for (const s of segments) {
    const run = runs[runs.length - 1];
    const prev = run?.[run.length - 1];
    if (run && prev && prev.initId === s.initId && s.startMs - prev.endMs <= toleranceMs && s.startMs >= prev.startMs) run.push(s);
    else runs.push([s]);
  }
  return runs;
}

export async function exportCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      asset: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      blob: { type: 'string' },
      'blob-file': { type: 'string' },
      store: { type: 'string' },
      data: { type: 'string' },
    },
  });
  const from = values.from ? Date.parse(values.from) : NaN;
  const to = values.to ? Date.parse(values.to) : NaN;
  if (!values.asset || !values.out || Number.isNaN(from) || Number.isNaN(to) || to <= from) {
    io.err('usage: mediagraph export --asset <name> --from <ISO time> --to <ISO time> --out <dir|file.mp4> [--blob <connection>] [--data <dir>]');
    if (values.from && Number.isNaN(from)) io.err(`--from: "${values.from}" is not a date-time`);
    if (values.to && Number.isNaN(to)) io.err(`--to: "${values.to}" is not a date-time`);
    if (!Number.isNaN(from) && !Number.isNaN(to) && to <= from) io.err('--to must be after --from');
    return 2;
  }
  let target;
  try {
    const blob = await blobFlag(values, io.err);
    if (values.data === undefined && !blob && !process.env['AZURE_STORAGE_CONNECTION_STRING']) await hintOldDataFolders(resolve(DEFAULT_DATA), io.err);
    target = await resolveBlobTarget(blob, resolve(values.data ?? DEFAULT_DATA), process.env, values.store);
  } catch (e) {
    io.err(`export: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  try {
    const source = await openPlaybackSource(target.connection);
    let segments: PlaybackSegment[];
    try {
      segments = await source.listSegments(values.asset, from, to);
    } catch (e) {
      if (!(e instanceof AssetNotFoundError)) throw e;
      const known = await source.listAssets().catch(() => undefined);
      const list = known === undefined ? '' : known.length ? `; assets there: ${known.join(', ')}` : '; it holds no assets';
      io.err(`asset "${values.asset}" does not exist in ${target.description}${list}`);
      return 1;
    }
    if (segments.length === 0) {
      io.err(`no media in ${values.asset} between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`);
      return 1;
    }
    const out = resolve(values.out);
    const toFile = extname(out).toLowerCase() === '.mp4';
    const written: string[] = [];
    let bytes = 0;
    let done = 0;
    const copy = async (name: string, path: string, append: boolean) => {
      const blob = name.startsWith('init/') ? await source.initSegment(values.asset!, name.slice(5, -4)) : await source.readBlob(values.asset!, name);
      if (!blob) throw new Error(`${name} disappeared from the asset while exporting`);
      await pipeline(blob.body, createWriteStream(path, { flags: append ? 'a' : 'w' }));
      bytes += blob.contentLength;
    };
    if (toFile) {
      await mkdir(dirname(out), { recursive: true });
      const runs = continuousRuns(segments);
      for (const [i, run] of runs.entries()) {
        const path = runs.length === 1 ? out : join(dirname(out), `${basename(out, '.mp4')}-${i + 1}.mp4`);
        await copy(`init/${run[0]!.initId}.mp4`, path, false);
        for (const s of run) {
          await copy(`segments/${s.name}`, path, true);
          io.err(`exported ${++done}/${segments.length} ${s.name}`);
        }
        written.push(path);
      }
      if (runs.length > 1) io.err(`the range holds ${runs.length - 1} gap(s) or codec change(s): one file per continuous run`);
    } else {
      await mkdir(out, { recursive: true });
      for (const id of new Set(segments.map((s) => s.initId))) await copy(`init/${id}.mp4`, join(out, `init-${id}.mp4`), false);
      for (const s of segments) {
        await copy(`segments/${s.name}`, join(out, s.name), false);
        io.err(`exported ${++done}/${segments.length} ${s.name}`);
      }
      written.push(out);
    }
    const span = `${new Date(segments[0]!.startMs).toISOString()} – ${new Date(segments[segments.length - 1]!.endMs).toISOString()}`;
    io.out(`${written.join('\n')}`);
    io.err(`${segments.length} segment(s), ${(bytes / 1048576).toFixed(1)} MiB, ${span}`);
    return 0;
  } catch (e) {
    io.err(`export failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    await target.close();
  }
}
