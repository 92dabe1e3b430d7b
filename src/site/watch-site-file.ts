// `serve --watch`: a change to the site file triggers the same reload as SIGHUP. The folder is
// watched, not the file: editors save by writing a new file and renaming it over the old one.
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Calls `onChange` once per burst of writes (editors write in steps); returns the stop function. */
export function watchSiteFile(file: string, onChange: () => void, settleMs = 300): () => void {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(file), (_event, name) => {
    if (name !== null && name.toString() !== basename(file)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, settleMs);
  });
  watcher.on('error', () => undefined);
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}
