// The fleet's container in the shared store (docs/fleet.md): JSON documents with ETags, lease
// blobs, listings. Every call has its own deadline, so a hung store never stalls a timer tick
// past the point where fencing must act. Errors never carry the connection string.
import type { BlobLeaseClient, ContainerClient } from '@azure/storage-blob';
import { createClient, parseBlobConnection } from '../storage/blob/connection.ts';

export const DEFAULT_FLEET_CONTAINER = 'mediagraph-fleet';
/** Upper bound of one storage call; a lease renew gets less when less time is left. */
export const STORAGE_CALL_TIMEOUT_MS = 5000;

export interface JsonDocument<T> {
  readonly value: T;
  readonly etag: string;
}

export interface ListedBlob {
  readonly name: string;
  readonly etag: string;
  readonly lastModified: Date;
  /** `leased` while some host holds its lease. */
  readonly leased: boolean;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A conditional write lost: someone else changed (or created) the blob first. */
export class ConditionFailedError extends Error {
  override readonly name = 'ConditionFailedError';
}

export class FleetContainer {
  readonly #container: ContainerClient;

  private constructor(container: ContainerClient) {
    this.#container = container;
  }

  static async open(connection: string, name = DEFAULT_FLEET_CONTAINER): Promise<FleetContainer> {
    const client = await createClient(parseBlobConnection(connection));
    const container = client.container ?? client.service.getContainerClient(name);
    const fleet = new FleetContainer(container);
    if (!client.container) await fleet.call((abortSignal) => container.createIfNotExists({ abortSignal }));
    return fleet;
  }

  async readJson<T>(name: string): Promise<JsonDocument<T> | undefined> {
    try {
      // one response gives the body and the ETag of that very version
      const { body, etag } = await this.call(async (abortSignal) => {
        const r = await this.#container.getBlockBlobClient(name).download(0, undefined, { abortSignal });
        const chunks: Buffer[] = [];
        for await (const c of r.readableStreamBody ?? []) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
        return { body: Buffer.concat(chunks), etag: r.etag ?? '' };
      });
      return { value: JSON.parse(body.toString('utf8')) as T, etag };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  /** `etag`: update only that version; `'create'`: only if absent; undefined: unconditional. Returns the new ETag. */
  async writeJson(name: string, value: unknown, condition?: { readonly etag: string } | 'create'): Promise<string> {
    const body = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
    const conditions = condition === 'create' ? { ifNoneMatch: '*' } : condition ? { ifMatch: condition.etag } : undefined;
    try {
      const r = await this.call((abortSignal) =>
        this.#container.getBlockBlobClient(name).upload(body, body.length, {
          abortSignal,
          blobHTTPHeaders: { blobContentType: 'application/json' },
          ...(conditions ? { conditions } : {}),
        }),
      );
      return r.etag ?? '';
    } catch (e) {
      const s = statusOf(e);
      if (s === 412 || (s === 409 && condition === 'create')) throw new ConditionFailedError(`${name} was changed by another host`);
      throw e;
    }
  }

  async delete(name: string, etag?: string): Promise<void> {
    try {
      await this.call((abortSignal) => this.#container.getBlockBlobClient(name).delete({ abortSignal, ...(etag ? { conditions: { ifMatch: etag } } : {}) }));
    } catch (e) {
      const s = statusOf(e);
      if (s === 404) return;
      if (s === 412) throw new ConditionFailedError(`${name} was changed by another host`);
      throw e;
    }
  }

  async list(prefix: string): Promise<ListedBlob[]> {
    const out: ListedBlob[] = [];
    await this.call(async (abortSignal) => {
      for await (const b of this.#container.listBlobsFlat({ prefix, includeMetadata: true, abortSignal })) {
        out.push({
          name: b.name,
          etag: b.properties.etag ?? '',
          lastModified: b.properties.lastModified,
          leased: b.properties.leaseState === 'leased',
          metadata: b.metadata ?? {},
        });
      }
    });
    return out;
  }

  /** Creates an empty blob if there is none (lease blobs must exist before they can be leased). */
  async ensureBlob(name: string): Promise<void> {
    try {
      await this.call((abortSignal) => this.#container.getBlockBlobClient(name).upload(Buffer.alloc(0), 0, { abortSignal, conditions: { ifNoneMatch: '*' } }));
    } catch (e) {
      const s = statusOf(e);
      if (s !== 409 && s !== 412) throw e;
    }
  }

  leaseClient(name: string, leaseId?: string): BlobLeaseClient {
    return this.#container.getBlockBlobClient(name).getBlobLeaseClient(leaseId);
  }

  async setMetadata(name: string, metadata: Record<string, string>, leaseId: string): Promise<void> {
    await this.call((abortSignal) => this.#container.getBlockBlobClient(name).setMetadata(metadata, { abortSignal, conditions: { leaseId } }));
  }

  /** Runs one storage call under its own deadline (and the caller's, if shorter). */
  async call<T>(fn: (signal: AbortSignal) => Promise<T>, timeoutMs = STORAGE_CALL_TIMEOUT_MS): Promise<T> {
    try {
      return await fn(AbortSignal.timeout(Math.max(1, Math.floor(timeoutMs))));
    } catch (e) {
      throw cleanError(e);
    }
  }
}

export function statusOf(e: unknown): number | undefined {
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** SDK errors can echo request URLs (a SAS holds its signature there): keep status and code only. */
function cleanError(e: unknown): Error {
  if (e instanceof ConditionFailedError) return e;
  const status = statusOf(e);
  const code = (e as { code?: unknown } | null)?.code;
  const name = (e as { name?: unknown } | null)?.name;
  if (name === 'AbortError' || name === 'TimeoutError') return Object.assign(new Error('fleet store call timed out'), { statusCode: undefined });
  const what =
    status !== undefined
      ? `HTTP ${status}${typeof code === 'string' ? ` ${code}` : ''}`
      : typeof code === 'string'
        ? code
        : typeof name === 'string'
          ? name
          : 'error';
  const err = new Error(`fleet store call failed (${what})`);
  return Object.assign(err, { statusCode: status, code });
}
