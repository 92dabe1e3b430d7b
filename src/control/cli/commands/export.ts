// `mediagraph export --asset <name> --from <time> --to <time> --out <dir | file.mp4>
//   [--force] [--json] [--segments] [--blob <connection>] [--data <dir>]`
// Writes a recorded range as progressive .mp4 files any player opens, cut to the frame: each
// file starts at the keyframe at or before --from, its edit list starts playback at --from,
// and it ends at --to. One file per continuous run (a gap, a reconnect or a codec change
// starts the next), named `<asset>_<start>.mp4`; the gaps are listed on stderr and in
// `<asset>_<from>.export.json` (or `<file>.export.json`). `--segments` copies the stored init
// and segments into a folder as they are.
import { parseArgs } from 'node:util';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openPlaybackSource } from '../../http/playback/store-source.ts';
import { AssetNotFoundError, type PlaybackSegment } from '../../http/playback/source.ts';
import { resolveBlobTarget } from '../../blob-target.ts';
import type { CliIo } from '../io.ts';
import { blobFlag } from '../secret-inputs.ts';
import { DEFAULT_DATA, hintOldDataFolders } from '../data-folder.ts';
import { exportRange, OutputExistsError } from '../../export/export-range.ts';

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
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      segments: { type: 'boolean' },
    },
  });
  const from = values.from ? Date.parse(values.from) : NaN;
  const to = values.to ? Date.parse(values.to) : NaN;
  if (!values.asset || !values.out || Number.isNaN(from) || Number.isNaN(to) || to <= from) {
    io.err(
      'usage: mediagraph export --asset <name> --from <ISO time> --to <ISO time> --out <dir|file.mp4> [--force] [--json] [--segments] [--blob <connection>] [--data <dir>]',
    );
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
    if (!values.segments) {
      const summary = await exportRange({ source, asset: values.asset, fromMs: from, toMs: to, out, force: values.force === true, log: io.err });
      if (!summary) {
        io.err(`no media in ${values.asset} between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`);
        return 1;
      }
      io.out(values.json ? JSON.stringify(summary, null, 2) : summary.files.map((f) => f.path).join('\n'));
      io.err(`${summary.files.length} file(s), ${summary.gaps.length} gap(s)`);
      return 0;
    }
    // --segments: the stored init and segments as they are, whole segments.
    const written: string[] = [];
    let bytes = 0;
    let done = 0;
    const copy = async (name: string, path: string) => {
      if (!values.force && existsSync(path)) throw new OutputExistsError(path);
      const blob = name.startsWith('init/') ? await source.initSegment(values.asset!, name.slice(5, -4)) : await source.readBlob(values.asset!, name);
      if (!blob) throw new Error(`${name} disappeared from the asset while exporting`);
      await pipeline(blob.body, createWriteStream(path));
      bytes += blob.contentLength;
    };
    await mkdir(out, { recursive: true });
    for (const id of new Set(segments.map((s) => s.initId))) await copy(`init/${id}.mp4`, join(out, `init-${id}.mp4`));
    for (const s of segments) {
      await copy(`segments/${s.name}`, join(out, s.name));
      io.err(`exported ${++done}/${segments.length} ${s.name}`);
    }
    written.push(out);
    const span = `${new Date(segments[0]!.startMs).toISOString()} – ${new Date(segments[segments.length - 1]!.endMs).toISOString()}`;
    io.out(`${written.join('\n')}`);
    io.err(`${segments.length} segment(s), ${(bytes / 1048576).toFixed(1)} MiB, ${span}`);
    return 0;
  } catch (e) {
    if (e instanceof OutputExistsError) {
      io.err(`export: ${e.message}`);
      return 1;
    }
    io.err(`export failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    await target.close();
  }
}
