// `mediagraph.json`: a whole site in one file. Cameras in a short form (expanded to LVA's CVR
// topology, one topology per camera), or LVA topologies and instances as they are, plus the
// site-wide storage, cache and data folder. `serve --config` holds the host to it.
import type { JsonSchema } from '../types/node.ts';

/** A camera recorded continuously into its own asset. */
export interface SiteCamera {
  /** Instance name and asset name: 3–63 letters, digits and single hyphens. */
  readonly name: string;
  readonly rtspUrl: string;
  readonly username?: string;
  /** The camera password: from an environment variable, a file (mode 0600), or, discouraged, inline. */
  readonly passwordEnv?: string;
  readonly passwordFile?: string;
  readonly password?: string;
  /** ISO 8601 duration, PT30S..PT5M in steps of 30 s (LVA's rule). */
  readonly segmentLength?: string;
  readonly transport?: 'tcp' | 'udp' | 'http';
  /** Record the camera's audio too (default true); false records video only. */
  readonly audio?: boolean;
  /** false keeps the camera in the file but not recording. */
  readonly enabled?: boolean;
  readonly description?: string;
  /** How much of this camera's recordings to keep; each key overrides the site's default. */
  readonly retention?: SiteRetention;
}

/** Retention of a camera's asset (docs/site.md, Retention): absent keys keep forever. */
export interface SiteRetention {
  /** ISO-8601 duration: P30D, PT12H, PT10M. */
  readonly period?: string;
  readonly maximumSizeMiB?: number;
}

export interface SiteStorage {
  /** Each is one way to give the Blob Storage connection; none: AZURE_STORAGE_CONNECTION_STRING, else the embedded store. */
  readonly connectionStringEnv?: string;
  readonly connectionStringFile?: string;
  readonly connectionString?: string;
}

export interface SiteConfig {
  readonly $schema?: string;
  /** Data folder (definitions, embedded store, cache), relative to this file's folder. */
  readonly data?: string;
  readonly storage?: SiteStorage;
  readonly cache?: { readonly maximumSizeMiB?: number; readonly path?: string; readonly quotaMiB?: number; readonly minimumFreeMiB?: number };
  readonly defaults?: Pick<SiteCamera, 'segmentLength' | 'transport' | 'audio' | 'retention'>;
  readonly cameras?: readonly SiteCamera[];
  /** LVA topologies and the instances that run them (every listed instance is activated). */
  readonly topologies?: readonly unknown[];
  readonly instances?: readonly unknown[];
}

/** Container-name rule, so the camera's asset (named after it) is a valid one. */
export const CAMERA_NAME_PATTERN = '^(?=.{3,63}$)[A-Za-z0-9](?:[A-Za-z0-9]|-(?!-))*[A-Za-z0-9]$';

const cameraOptions = {
  segmentLength: { type: 'string', description: 'ISO 8601 duration, PT30S..PT5M in steps of 30 s', examples: ['PT30S', 'PT1M'] },
  transport: { enum: ['tcp', 'udp', 'http'], description: 'tcp: RTP on the RTSP connection (default); udp: RTP over UDP; http: RTSP tunnelled in HTTP' },
  audio: { type: 'boolean', description: 'record the audio track too (default true)' },
  retention: {
    type: 'object',
    additionalProperties: false,
    description: "how much of the camera's recordings to keep, oldest deleted first; absent: keep forever",
    properties: {
      period: {
        type: 'string',
        pattern: '^[Pp](\\d+[Dd])?([Tt](\\d+[Hh])?(\\d+[Mm])?(\\d+[Ss])?)?$',
        description: 'delete recordings older than this ISO-8601 duration (at least one minute)',
        examples: ['P30D', 'PT12H', 'PT10M'],
      },
      maximumSizeMiB: { type: 'integer', minimum: 1, description: "delete the oldest recordings while the camera's asset holds more than this" },
    },
  },
} as const;

const envName = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } as const;

/** For the checker; `npm run generate` writes it with `$schema` and `$id` to schemas/site.schema.json. */
export const siteConfigSchema: JsonSchema = {
  title: 'mediagraph site (mediagraph.json): cameras, storage, cache and data folder',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    data: { type: 'string', minLength: 1, description: "data folder, relative to this file's folder (default: the --data option, else .data)" },
    storage: {
      type: 'object',
      additionalProperties: false,
      description: 'Blob Storage for every camera; none given: AZURE_STORAGE_CONNECTION_STRING, else the embedded store',
      properties: {
        connectionStringEnv: { ...envName, description: 'environment variable holding the connection string or SAS URL' },
        connectionStringFile: { type: 'string', minLength: 1, description: "file holding the connection string (mode 0600), relative to this file's folder" },
        connectionString: { type: 'string', minLength: 1, description: 'the connection string itself (discouraged: prefer a file or the environment)' },
      },
    },
    cache: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maximumSizeMiB: { type: 'integer', minimum: 1, description: 'upload cache bound per camera (default 2048)' },
        path: { type: 'string', minLength: 1, description: 'cache folder (default <data>/cache)' },
        quotaMiB: { type: 'integer', minimum: 1, description: "host cache quota: one bound over all cameras' caches (oldest evicted first)" },
        minimumFreeMiB: { type: 'integer', minimum: 1, description: "host cache quota: free space kept on each cache folder's disk (oldest evicted first)" },
      },
    },
    defaults: { type: 'object', additionalProperties: false, properties: cameraOptions },
    cameras: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'rtspUrl'],
        properties: {
          name: { type: 'string', pattern: CAMERA_NAME_PATTERN, description: 'instance and asset name: 3–63 letters, digits, single hyphens' },
          rtspUrl: { type: 'string', pattern: '^[Rr][Tt][Ss][Pp][Ss]?://', description: 'rtsp:// or rtsps:// URL of the stream' },
          username: { type: 'string' },
          passwordEnv: { ...envName, description: 'environment variable holding the camera password' },
          passwordFile: { type: 'string', minLength: 1, description: "file holding the camera password, relative to this file's folder" },
          password: { type: 'string', description: 'the password itself (discouraged: prefer passwordEnv or passwordFile)' },
          enabled: { type: 'boolean', description: 'false: listed but not recording' },
          description: { type: 'string' },
          ...cameraOptions,
        },
      },
    },
    topologies: { type: 'array', items: { type: 'object' }, description: 'LVA graph topologies, as GraphTopologySet takes them' },
    instances: { type: 'array', items: { type: 'object' }, description: 'LVA graph instances, as GraphInstanceSet takes them; each is activated' },
  },
};
