// Fleet mode's definitions (docs/fleet.md): `topologies/<name>.json` and `instances/<name>.json`
// in the fleet container, so LVA's methods sent to any host change the whole fleet. Writes are
// conditional on the version this host last read (If-Match), creations on there being none
// (If-None-Match: *): two hosts changing the same document at once cannot both win silently.
import { MediaGraphError } from '../runtime/errors.ts';
import type { DefinitionPersistence, StoredInstance } from '../runtime/definition-store.ts';
import { ConditionFailedError, type FleetContainer } from './fleet-container.ts';

const TOPOLOGIES = 'topologies/';
const INSTANCES = 'instances/';

export class SharedDefinitionStore implements DefinitionPersistence {
  readonly #fleet: FleetContainer;
  /** Blob name → the version last read or written here, with its content. */
  readonly #known = new Map<string, { etag: string; value: unknown }>();
  #lastListing = '';

  constructor(fleet: FleetContainer) {
    this.#fleet = fleet;
  }

  async init(): Promise<void> {}

  async loadTopologies(): Promise<unknown[]> {
    return this.#loadAll(TOPOLOGIES);
  }

  async loadInstances(): Promise<StoredInstance[]> {
    return (await this.#loadAll(INSTANCES)) as StoredInstance[];
  }

  /** True when some definition changed (or appeared, or went) since the last call. One listing. */
  async changed(): Promise<boolean> {
    const listing = (await this.#fleet.list(TOPOLOGIES))
      .concat(await this.#fleet.list(INSTANCES))
      .map((b) => `${b.name}@${b.etag}`)
      .sort()
      .join('\n');
    if (listing === this.#lastListing) return false;
    this.#lastListing = listing;
    return true;
  }

  saveTopology(name: string, document: unknown): Promise<void> {
    return this.#save(blobName(TOPOLOGIES, name), document);
  }

  saveInstance(name: string, stored: StoredInstance): Promise<void> {
    return this.#save(blobName(INSTANCES, name), stored);
  }

  deleteTopology(name: string): Promise<void> {
    return this.#delete(blobName(TOPOLOGIES, name));
  }

  deleteInstance(name: string): Promise<void> {
    return this.#delete(blobName(INSTANCES, name));
  }

  async #save(blob: string, value: unknown): Promise<void> {
    const known = this.#known.get(blob);
    try {
      const etag = await this.#fleet.writeJson(blob, value, known ? { etag: known.etag } : 'create');
      this.#known.set(blob, { etag, value });
    } catch (e) {
      throw conflict(e, blob);
    }
  }

  async #delete(blob: string): Promise<void> {
    const known = this.#known.get(blob);
    try {
      await this.#fleet.delete(blob, known?.etag);
      this.#known.delete(blob);
    } catch (e) {
      throw conflict(e, blob);
    }
  }

  /** Downloads only what changed since it was last read. */
  async #loadAll(prefix: string): Promise<unknown[]> {
    const listed = (await this.#fleet.list(prefix)).filter((b) => b.name.endsWith('.json')).sort((a, b) => a.name.localeCompare(b.name));
    for (const name of [...this.#known.keys()]) if (name.startsWith(prefix) && !listed.some((b) => b.name === name)) this.#known.delete(name);
    const out: unknown[] = [];
    for (const b of listed) {
      let known = this.#known.get(b.name);
      if (known?.etag !== b.etag) {
        try {
          const read = await this.#fleet.readJson<unknown>(b.name);
          if (!read) continue; // deleted since the listing
          known = { etag: read.etag, value: read.value };
          this.#known.set(b.name, known);
        } catch (e) {
          if (e instanceof SyntaxError) {
            out.push({ unreadable: b.name });
            continue;
          }
          throw e;
        }
      }
      out.push(known.value);
    }
    return out;
  }
}

/** Names are case-insensitive (LVA): one blob per lower-case name. */
function blobName(prefix: string, name: string): string {
  return `${prefix}${encodeURIComponent(name.toLowerCase())}.json`;
}

function conflict(e: unknown, blob: string): unknown {
  if (!(e instanceof ConditionFailedError)) return e;
  const what = blob.startsWith(TOPOLOGIES) ? 'topology' : 'instance';
  const name = decodeURIComponent(blob.slice(blob.indexOf('/') + 1, -'.json'.length));
  return new MediaGraphError(
    'ConcurrentModification',
    `${what} "${name}" was changed by another host of the fleet since this host read it; read it again and retry`,
  );
}
