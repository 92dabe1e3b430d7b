// Topologies and instances persist as one JSON file each, written atomically, so a
// restarted host finds what it had and re-activates what was active, as LVA's edge module did.
import { mkdir, readdir, readFile, rename, rm, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredInstance {
  readonly document: unknown;
  /** Whether the user wants it running: kept across restarts. */
  readonly desiredActive: boolean;
}

/**
 * Where a host keeps its topologies and instances: its own data folder (DefinitionStore), or in
 * fleet mode a container of the shared store (src/fleet/shared-definition-store.ts).
 */
export interface DefinitionPersistence {
  init(): Promise<void>;
  loadTopologies(): Promise<unknown[]>;
  loadInstances(): Promise<StoredInstance[]>;
  saveTopology(name: string, document: unknown): Promise<void>;
  saveInstance(name: string, stored: StoredInstance): Promise<void>;
  deleteTopology(name: string): Promise<void>;
  deleteInstance(name: string): Promise<void>;
}

export class DefinitionStore implements DefinitionPersistence {
  readonly #topologies: string;
  readonly #instances: string;

  constructor(directory: string) {
    this.#topologies = join(directory, 'topologies');
    this.#instances = join(directory, 'instances');
  }

  async init(): Promise<void> {
    await mkdir(this.#topologies, { recursive: true, mode: 0o700 });
    await mkdir(this.#instances, { recursive: true, mode: 0o700 });
  }

  async loadTopologies(): Promise<unknown[]> {
    return (await this.#loadAll(this.#topologies)) as unknown[];
  }

  async loadInstances(): Promise<StoredInstance[]> {
    return (await this.#loadAll(this.#instances)) as StoredInstance[];
  }

  saveTopology(name: string, document: unknown): Promise<void> {
    return writeAtomically(join(this.#topologies, fileName(name)), document);
  }

  saveInstance(name: string, stored: StoredInstance): Promise<void> {
    return writeAtomically(join(this.#instances, fileName(name)), stored);
  }

  async deleteTopology(name: string): Promise<void> {
    await rm(join(this.#topologies, fileName(name)), { force: true });
  }

  async deleteInstance(name: string): Promise<void> {
    await rm(join(this.#instances, fileName(name)), { force: true });
  }

  async #loadAll(dir: string): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const f of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
      try {
        out.push(JSON.parse(await readFile(join(dir, f), 'utf8')));
      } catch {
        // a file another tool broke: skip it rather than refuse to start; the host logs it
        out.push({ unreadable: f });
      }
    }
    return out;
  }
}

/** Names are case-insensitive (LVA), so files are keyed by the lower-case name. */
function fileName(name: string): string {
  return `${name.toLowerCase()}.json`;
}

async function writeAtomically(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  // instance files hold parameter values, secrets included: owner-only
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  const fh = await open(tmp, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
