// The assets under one local folder, one sub-folder each (`--store file:/path`).
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { AssetStoreProvider } from '../../types/asset-store.ts';
import { containerNameForAsset } from '../blob/naming.ts';
import { FileAssetStore } from './file-asset-store.ts';

export class FileStoreProvider implements AssetStoreProvider {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  describe(): string {
    return `local folder ${this.root}`;
  }

  async open(assetName: string): Promise<FileAssetStore> {
    return new FileAssetStore(this.root, assetName);
  }

  async listAssets(): Promise<string[]> {
    try {
      return (await readdir(this.root, { withFileTypes: true }))
        .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
        .map((d) => d.name)
        .sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  async assetExists(assetName: string): Promise<boolean> {
    try {
      return (await stat(join(this.root, containerNameForAsset(assetName)))).isDirectory();
    } catch {
      return false;
    }
  }

  /**
   * Renames the asset's folder to a hidden name first (one atomic step: readers and listings
   * no longer see it), then removes it; a crash between the two leaves only a hidden folder.
   */
  async deleteAsset(assetName: string): Promise<boolean> {
    const folder = join(this.root, containerNameForAsset(assetName));
    const doomed = join(this.root, `.deleted-${containerNameForAsset(assetName)}-${randomBytes(4).toString('hex')}`);
    try {
      await rename(folder, doomed);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    await rm(doomed, { recursive: true, force: true });
    return true;
  }
}
