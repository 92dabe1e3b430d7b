// The assets under one local folder, one sub-folder each (`--store file:/path`).
import { readdir, stat } from 'node:fs/promises';
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
      return (await readdir(this.root, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  async assetExists(assetName: string): Promise<boolean> {
    try { return (await stat(join(this.root, containerNameForAsset(assetName)))).isDirectory(); } catch { return false; }
  }
}
