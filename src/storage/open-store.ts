// A store location as the CLI and the sink take it: `file:<path>` is a local folder; anything
// else is a Blob Storage connection (connection string, SAS URL or account URL).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AssetStore, AssetStoreProvider } from '../types/asset-store.ts';
import { BlobAssetStore, type BlobStoreOptions } from './blob/blob-asset-store.ts';
import { BlobStoreProvider } from './blob/blob-store-provider.ts';
import { FileAssetStore } from './file/file-asset-store.ts';
import { FileStoreProvider } from './file/file-store-provider.ts';

/** The folder of a `file:` location (`file:/abs`, `file:rel`, `file:///abs`), else undefined. */
export function localStoreRoot(location: string): string | undefined {
  if (!location.startsWith('file:')) return undefined;
  const path = location.startsWith('file://') ? fileURLToPath(location) : location.slice('file:'.length);
  if (!path) throw new Error('--store file: needs a folder, e.g. file:/var/lib/mediagraph/assets');
  return resolve(path);
}

export async function openAssetStore(location: string, assetName: string, blobOptions: BlobStoreOptions = {}): Promise<AssetStore> {
  const root = localStoreRoot(location);
  return root ? new FileAssetStore(root, assetName) : BlobAssetStore.create(location, assetName, blobOptions);
}

export async function openStoreProvider(location: string, blobOptions: BlobStoreOptions = {}): Promise<AssetStoreProvider> {
  const root = localStoreRoot(location);
  return root ? new FileStoreProvider(root) : BlobStoreProvider.create(location, blobOptions);
}
