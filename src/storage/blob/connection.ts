// Where the asset store lives and how to authenticate, from one string as users give it
// (docs/architecture.md, Asset): a connection string, a SAS URL, or an account URL for DefaultAzureCredential.
// `describe()` is what logs and errors may show: never a key, signature or URL userinfo.
import type { StoragePipelineOptions, BlobServiceClient, ContainerClient } from '@azure/storage-blob';

export type BlobConnectionKind = 'connection-string' | 'sas-url' | 'account-url';

export interface BlobConnection {
  readonly kind: BlobConnectionKind;
  /** Storage account name (for events), or 'unknown'. */
  readonly accountName: string;
  /** Blob endpoint without query string or credentials. */
  readonly endpoint: string;
  /** For a container-scoped SAS URL: the container it grants. */
  readonly sasContainer?: string;
  /** A loggable description with secrets redacted. */
  describe(): string;
  /** The original string (holds secrets; never log it). */
  readonly secret: string;
}

export class BlobConnectionError extends Error {
  override readonly name = 'BlobConnectionError';
}

const IP_OR_LOCAL = /^(localhost|\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\])$/i;

export function parseBlobConnection(s: string): BlobConnection {
  const text = s.trim();
  if (text === '') throw new BlobConnectionError('empty blob connection');
  if (/^https?:\/\//i.test(text)) return parseUrl(text);
  if (/(^|;)\s*(AccountName|BlobEndpoint|UseDevelopmentStorage|SharedAccessSignature)\s*=/i.test(text)) return parseConnectionString(text);
  throw new BlobConnectionError('blob connection is neither a connection string (AccountName=…;AccountKey=…), nor an http(s) URL');
}

function parseConnectionString(text: string): BlobConnection {
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  let endpoint = fields.get('blobendpoint');
  let accountName = fields.get('accountname');
  if (fields.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    accountName ??= 'devstoreaccount1';
    endpoint ??= 'http://127.0.0.1:10000/devstoreaccount1';
  }
  if (!endpoint && accountName) {
    const protocol = fields.get('defaultendpointsprotocol') ?? 'https';
    const suffix = fields.get('endpointsuffix') ?? 'core.windows.net';
    endpoint = `${protocol}://${accountName}.blob.${suffix}`;
  }
  if (!endpoint) throw new BlobConnectionError('connection string has neither BlobEndpoint nor AccountName');
  const cleanEndpoint = stripUrl(endpoint);
  accountName ??= accountFromUrl(new URL(cleanEndpoint));
  const auth = fields.has('accountkey') ? 'account key' : fields.has('sharedaccesssignature') ? 'SAS' : 'no credential';
  return {
    kind: 'connection-string',
    accountName,
    endpoint: cleanEndpoint,
    secret: text,
    describe: () => `connection string (account ${accountName}, endpoint ${cleanEndpoint}, ${auth} redacted)`,
  };
}

function parseUrl(text: string): BlobConnection {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BlobConnectionError('blob URL is not a valid URL');
  }
  const accountName = accountFromUrl(url);
  const pathParts = url.pathname.split('/').filter(Boolean);
  if (IP_OR_LOCAL.test(url.hostname)) pathParts.shift(); // path-style (emulator): /account/container
  const container = pathParts[0];
  const hasSas = url.searchParams.has('sig');
  const endpoint = stripUrl(text);
  if (hasSas) {
    return {
      kind: 'sas-url',
      accountName,
      endpoint,
      ...(container ? { sasContainer: decodeURIComponent(container) } : {}),
      secret: text,
      describe: () => `SAS URL ${endpoint} (signature redacted)`,
    };
  }
  return {
    kind: 'account-url',
    accountName,
    endpoint,
    secret: text,
    describe: () => `account URL ${endpoint} with DefaultAzureCredential`,
  };
}

/** The URL without query, fragment or userinfo. */
function stripUrl(text: string): string {
  const u = new URL(text);
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  return u.toString().replace(/\/$/, '');
}

function accountFromUrl(url: URL): string {
  if (IP_OR_LOCAL.test(url.hostname)) return url.pathname.split('/').filter(Boolean)[0] ?? 'unknown';
  return url.hostname.split('.')[0] ?? 'unknown';
}

/** Our retry loop owns retries (with its own deadlines and logging); the SDK makes one try per call. */
export const PIPELINE_OPTIONS: StoragePipelineOptions = {
  retryOptions: { maxTries: 1 },
  userAgentOptions: { userAgentPrefix: 'mediagraph' },
};

export type ClientFor =
  | { readonly service: BlobServiceClient; readonly container?: undefined }
  | { readonly service?: undefined; readonly container: ContainerClient };

/** Builds the SDK client. `@azure/identity` is imported only when an account URL needs it. */
export async function createClient(conn: BlobConnection): Promise<ClientFor> {
  const blob = await import('@azure/storage-blob');
  loadWebGlobals();
  switch (conn.kind) {
    case 'connection-string':
      return { service: blob.BlobServiceClient.fromConnectionString(conn.secret, PIPELINE_OPTIONS) };
    case 'sas-url':
      return conn.sasContainer
        ? { container: new blob.ContainerClient(conn.secret, undefined, PIPELINE_OPTIONS) }
        : { service: new blob.BlobServiceClient(conn.secret, undefined, PIPELINE_OPTIONS) };
    case 'account-url': {
      const { DefaultAzureCredential } = await import('@azure/identity');
      return { service: new blob.BlobServiceClient(conn.endpoint, new DefaultAzureCredential(), PIPELINE_OPTIONS) };
    }
  }
}

let webGlobalsLoaded = false;
/**
 * Node compiles its fetch implementation (undici) the first time a global such as FormData is
 * read, and the SDK reads it in its first request: a one-time stop of the event loop, ~50 ms
 * here, 1.8 s on a loaded host (issue 17's profile at N = 1), that fell on the first segment's
 * upload while every camera waited. Loaded here, when a store is created, it happens at
 * activation, before recording.
 */
function loadWebGlobals(): void {
  if (webGlobalsLoaded) return;
  webGlobalsLoaded = true;
  void globalThis.FormData;
}
