// Reads and checks `mediagraph.json`: the schema, the rules between entries (unique names, one
// password source, instances naming listed topologies), and every camera and instance against
// LVA's topology rules, each problem as `<json-pointer>: <message>`. Then resolves secrets
// (environment, files) and returns the documents the host is to hold. Secrets never appear in
// a problem's message.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseJsonWithPosition, JsonParseError } from '../graph/json-document.ts';
import { schemaIssues } from '../graph/schema-check.ts';
import { validateTopology } from '../graph/validate.ts';
import type { NodeTypeLookup } from '../runtime/registry.ts';
import { siteConfigSchema, type SiteCamera, type SiteConfig } from './site-config.ts';
import { expandCamera } from './expand-camera.ts';

export interface SiteProblem {
  readonly pointer: string;
  readonly message: string;
  readonly code: string;
  /** A warning does not stop the site (an inline secret, a secret not set where validated). */
  readonly warning?: boolean;
}

/** One instance the site wants Active, with its topology. */
export interface SiteGraph {
  readonly name: string;
  readonly topology: unknown;
  readonly instance: unknown;
  /** Where it comes from in the file (`/cameras/2`, `/instances/0`). */
  readonly pointer: string;
}

export interface SitePlan {
  readonly file: string;
  /** Absolute; from the file's `data`, else the caller's default. */
  readonly dataDirectory: string;
  /** The connection from the file, if it gives one (else the caller decides: env, embedded). */
  readonly storageConnection?: string;
  readonly graphs: readonly SiteGraph[];
  /** Cameras listed with `enabled: false`: not recording. */
  readonly disabled: readonly string[];
  readonly secrets: readonly string[];
  /** The file's host cache quota (`cache.quotaMiB`, `cache.minimumFreeMiB`), read at start only. */
  readonly cacheQuota?: { readonly maximumSizeMiB?: number; readonly minimumFreeMiB?: number };
}

export type SiteLoad =
  | { readonly ok: true; readonly plan: SitePlan; readonly problems: readonly SiteProblem[] }
  | { readonly ok: false; readonly problems: readonly SiteProblem[]; readonly secrets: readonly string[] };

export interface LoadSiteOptions {
  /** The data folder when the file names none (already absolute). */
  readonly defaultDataDirectory: string;
  /** The command line's --data wins over the file's `data`. */
  readonly dataOverride?: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * `validate` checks a file where its secrets may not be set (a CI job): a missing
   * environment variable or file is a warning there, an error for `serve`.
   */
  readonly missingSecretsAreWarnings?: boolean;
}

/** Throws JsonParseError when the file cannot be read or is not JSON (exit 2). */
export async function loadSite(file: string, registry: NodeTypeLookup, options: LoadSiteOptions): Promise<SiteLoad> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new JsonParseError(`${file}: cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 0, 0);
  }
  const raw = parseJsonWithPosition(text, file);
  const base = dirname(resolve(file));
  const problems: SiteProblem[] = [];
  const secrets: string[] = [];
  const fail = (): SiteLoad => ({ ok: false, problems, secrets });
  const schema = schemaIssues(siteConfigSchema, raw, '', 'topology', 'the site file');
  problems.push(...schema.map((i) => ({ pointer: i.pointer, message: i.message, code: i.code })));
  if (problems.length) return fail();
  const site = raw as SiteConfig;
  const env = options.env ?? process.env;
  const fromBase = (p: string) => (isAbsolute(p) ? p : join(base, p));
  const dataDirectory = options.dataOverride ?? (site.data !== undefined ? fromBase(site.data) : options.defaultDataDirectory);
  const cachePath = site.cache?.path !== undefined ? fromBase(site.cache.path) : join(dataDirectory, 'cache');
  const secretProblem = (pointer: string, message: string): void => {
    problems.push({ pointer, message, code: 'SecretNotAvailable', ...(options.missingSecretsAreWarnings ? { warning: true } : {}) });
  };
  const readSecret = async (pointer: string, source: { env?: string; file?: string; inline?: string }): Promise<string | undefined> => {
    if (source.inline !== undefined) {
      problems.push({
        pointer,
        message: 'a secret written in the site file is readable by whoever reads the file; prefer an environment variable or a file (mode 0600)',
        code: 'SecretInline',
        warning: true,
      });
      return source.inline;
    }
    if (source.env !== undefined) {
      const v = env[source.env];
      if (!v) secretProblem(pointer, `environment variable ${source.env} is not set`);
      return v || undefined;
    }
    if (source.file !== undefined) {
      try {
        const v = (await readFile(fromBase(source.file), 'utf8')).replace(/\r?\n$/, '');
        if (v === '') secretProblem(pointer, `${source.file} is empty`);
        return v || undefined;
      } catch (e) {
        secretProblem(pointer, `cannot read ${source.file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    return undefined;
  };

  // storage
  let storageConnection: string | undefined;
  if (site.storage) {
    const s = site.storage;
    const given = [s.connectionStringEnv, s.connectionStringFile, s.connectionString].filter((x) => x !== undefined).length;
    if (given > 1)
      problems.push({ pointer: '/storage', message: 'give one of connectionStringEnv, connectionStringFile, connectionString', code: 'PropertyValueInvalid' });
    const ptr =
      s.connectionStringEnv !== undefined
        ? '/storage/connectionStringEnv'
        : s.connectionStringFile !== undefined
          ? '/storage/connectionStringFile'
          : '/storage/connectionString';
    storageConnection = await readSecret(ptr, { env: s.connectionStringEnv, file: s.connectionStringFile, inline: s.connectionString });
    if (storageConnection) secrets.push(storageConnection);
  }

  // names: instances and assets are one per camera
  const graphs: SiteGraph[] = [];
  const disabled: string[] = [];
  const instanceNames = new Map<string, string>();
  const claim = (map: Map<string, string>, name: string, pointer: string, what: string): boolean => {
    const other = map.get(name.toLowerCase());
    if (other !== undefined) {
      problems.push({ pointer, message: `${what} "${name}" is also used at ${other}; each needs its own`, code: 'PropertyValueInvalid' });
      return false;
    }
    map.set(name.toLowerCase(), pointer);
    return true;
  };

  for (const [i, camera] of (site.cameras ?? []).entries()) {
    const at = `/cameras/${i}`;
    if (!claim(instanceNames, camera.name, `${at}/name`, 'camera name')) continue;
    const before = problems.length;
    const password = await cameraPassword(camera, at, problems, readSecret);
    // a camera switched off may lack its secret where it does not run
    if (camera.enabled === false) for (let k = before; k < problems.length; k++) problems[k] = { ...problems[k]!, warning: true };
    if (password) secrets.push(password);
    if (/^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(camera.rtspUrl)) {
      problems.push({
        pointer: `${at}/rtspUrl`,
        message: 'the URL holds a password; prefer username with passwordEnv or passwordFile',
        code: 'SecretInline',
        warning: true,
      });
    }
    const { topology, instance } = expandCamera(camera, site, cachePath, password);
    const check = validateTopology(topology, registry, { instance });
    secrets.push(...check.secrets);
    for (const issue of check.issues) problems.push({ pointer: cameraPointer(at, issue.pointer), message: issue.message, code: issue.code });
    if (camera.enabled === false) disabled.push(camera.name);
    else graphs.push({ name: camera.name, topology, instance, pointer: at });
  }

  const topologies = new Map<string, { doc: unknown; pointer: string }>();
  for (const [j, topology] of (site.topologies ?? []).entries()) {
    const at = `/topologies/${j}`;
    const check = validateTopology(topology, registry);
    for (const issue of check.issues) problems.push({ pointer: `${at}${issue.pointer}`, message: issue.message, code: issue.code });
    const name = (topology as { name?: unknown }).name;
    if (typeof name === 'string') {
      if (topologies.has(name.toLowerCase()))
        problems.push({ pointer: `${at}/name`, message: `topology "${name}" is listed twice`, code: 'PropertyValueInvalid' });
      topologies.set(name.toLowerCase(), { doc: topology, pointer: at });
    }
  }
  for (const [k, instance] of (site.instances ?? []).entries()) {
    const at = `/instances/${k}`;
    const doc = instance as { name?: unknown; properties?: { topologyName?: unknown } };
    if (typeof doc.name !== 'string') {
      problems.push({ pointer: `${at}/name`, message: 'required property "name" is missing', code: 'PropertyRequired' });
      continue;
    }
    if (!claim(instanceNames, doc.name, `${at}/name`, 'instance name')) continue;
    const topologyName = doc.properties?.topologyName;
    const topology = typeof topologyName === 'string' ? topologies.get(topologyName.toLowerCase()) : undefined;
    if (!topology) {
      problems.push({
        pointer: `${at}/properties/topologyName`,
        message: `names topology ${JSON.stringify(topologyName)}, which is not listed under "topologies"`,
        code: 'TopologyNotFound',
      });
      continue;
    }
    const check = validateTopology(topology.doc, registry, { instance });
    secrets.push(...check.secrets);
    for (const issue of check.issues.filter((x) => x.document === 'instance' || x.code.startsWith('Parameter'))) {
      problems.push({
        pointer: issue.document === 'instance' ? `${at}${issue.pointer}` : `${topology.pointer}${issue.pointer}`,
        message: issue.message,
        code: issue.code,
      });
    }
    graphs.push({ name: doc.name, topology: topology.doc, instance, pointer: at });
  }
  // a secret quoted by a rule's message is masked by the caller, which gets `secrets`
  if (problems.some((p) => !p.warning)) return fail();
  const cacheQuota = {
    ...(site.cache?.quotaMiB !== undefined ? { maximumSizeMiB: site.cache.quotaMiB } : {}),
    ...(site.cache?.minimumFreeMiB !== undefined ? { minimumFreeMiB: site.cache.minimumFreeMiB } : {}),
  };
  return {
    ok: true,
    problems,
    plan: { file: resolve(file), dataDirectory, ...(storageConnection ? { storageConnection } : {}), graphs, disabled, secrets, cacheQuota },
  };
}

async function cameraPassword(
  camera: SiteCamera,
  at: string,
  problems: SiteProblem[],
  readSecret: (pointer: string, source: { env?: string; file?: string; inline?: string }) => Promise<string | undefined>,
): Promise<string | undefined> {
  const sources = (['passwordEnv', 'passwordFile', 'password'] as const).filter((k) => camera[k] !== undefined);
  if (sources.length > 1) {
    problems.push({ pointer: at, message: `give one of ${sources.join(', ')}, not ${sources.length}`, code: 'PropertyValueInvalid' });
    return undefined;
  }
  if (!sources.length) return undefined;
  return readSecret(`${at}/${sources[0]!}`, { env: camera.passwordEnv, file: camera.passwordFile, inline: camera.password });
}

/** A problem in a camera's expanded topology, pointed at the short form's field where there is one. */
function cameraPointer(at: string, pointer: string): string {
  if (/segmentLength$/.test(pointer)) return `${at}/segmentLength`;
  if (/retentionPeriod$/.test(pointer)) return `${at}/retention/period`;
  if (/retentionMaximumSizeMiB$/.test(pointer)) return `${at}/retention/maximumSizeMiB`;
  if (/endpoint\/url$|rtspUrl/.test(pointer)) return `${at}/rtspUrl`;
  if (/transport$/.test(pointer)) return `${at}/transport`;
  return at;
}
