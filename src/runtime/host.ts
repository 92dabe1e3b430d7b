// The runtime host: LVA's topology and instance methods, the instance state machine,
// persistence, and one supervised GraphRun per active instance. Control planes (CLI, HTTP)
// call this and nothing else (docs/architecture.md, Control plane).
import { join } from 'node:path';
import type { Observable, SchedulerLike } from 'rxjs';
import type { GraphEvent } from '../types/events.ts';
import type { Logger, LogLevel } from '../types/logger.ts';
import type { NodeServices } from '../types/node.ts';
import type { Instance, InstanceState, Topology, ValidationIssue } from '../graph/model.ts';
import { validateTopology, normalizeInstance } from '../graph/validate.ts';
import { planGraph } from '../graph/plan.ts';
import { NodeRegistry } from './registry.ts';
import { MediaGraphError, wrongState, type ErrorDetail } from './errors.ts';
import { EventHub, subjectFor } from './event-hub.ts';
import { drainOrphanCaches, HOST_STORE, type OrphanCacheDrain, type OrphanCacheDrainOptions } from './orphan-cache-drain.ts';
import { openAssetStore } from '../storage/open-store.ts';
import { Redactor, REDACTION_MASK } from './redact.ts';
import { createLogger } from './logger.ts';
import { keepMaskedTopologySecrets, presentTopology } from './topology-view.ts';
import { DefinitionStore, type DefinitionPersistence } from './definition-store.ts';
import { SupervisedRun } from './supervisor.ts';
import { MetricStore } from './metric-store.ts';
import { createDiskSpaceBroker } from './disk-space-broker.ts';
import { CacheQuota, cacheQuotaFromMiB, type CacheQuotaTotals, type FreeSpaceProbe } from '../storage/cache/cache-quota.ts';
import { sameDefinition } from './same-definition.ts';
import { prepareNodes } from './prepare-nodes.ts';
import type { MetricSample } from '../types/metrics.ts';
import { RetentionSweeper, type RetentionTotals, type SweepResult } from './retention-sweeper.ts';

export interface HostOptions {
  /** Where definitions persist and nodes keep state (caches default below it). */
  readonly dataDirectory: string;
  readonly registry?: NodeRegistry;
  readonly services?: Partial<NodeServices>;
  readonly logLevel?: LogLevel | 'silent';
  readonly logWrite?: (line: string) => void;
  readonly quotas?: { readonly topologies?: number; readonly instances?: number };
  /** Upper bound for a deactivation's drain before the pipeline is torn down. */
  readonly deactivateTimeoutMs?: number;
  readonly scheduler?: SchedulerLike;
  readonly now?: () => Date;
  /**
   * Re-activate the stored instances that were active when the last host stopped (default
   * true). `mediagraph run` passes false: it runs the one instance it was given, not every
   * instance another run left in the same data folder.
   */
  readonly resumeActiveInstances?: boolean;
  /**
   * Receives every event from the start, those of the stored instances that `open()`
   * re-activates included, which a subscriber to `events$` (available once `open()` resolves)
   * would miss. Called until the host closes.
   */
  readonly onEvent?: (event: GraphEvent) => void;
  /** The retention sweep (docs/site.md, Retention): its period and, for tests, its own clock. */
  readonly retention?: { readonly sweepIntervalMs?: number; readonly now?: () => number };
  /**
   * One bound over the local caches of all instances (docs/reliability.md, Host cache quota):
   * total MiB and/or a free-space floor on each cache folder's file system.
   */
  readonly cacheQuota?: { readonly maximumSizeMiB?: number; readonly minimumFreeMiB?: number; readonly freeBytes?: FreeSpaceProbe };
  /**
   * Caches of instances this host does not run (a fleet moved them, they were deleted) are
   * uploaded and removed after start-up (runtime/orphan-cache-drain.ts). `runsHere` says which
   * instances are this host's (default: those defined here); `false` turns the drain off.
   */
  readonly orphanCaches?: false | Partial<Pick<OrphanCacheDrainOptions, 'runsHere' | 'drainTimeoutMs' | 'indexIntervalMs' | 'backoffBaseMs' | 'backoffCapMs'>>;
  /**
   * Fleet mode (docs/fleet.md): definitions live in the shared store, and which desired-active
   * instances run on this host follows its leases (src/fleet), not `instanceActivate`.
   */
  readonly fleet?: { readonly definitions: DefinitionPersistence };
}

export interface ApplyResult {
  readonly topology: 'created' | 'updated' | 'unchanged';
  readonly instance: 'created' | 'updated' | 'unchanged';
}

export interface InstanceStatus {
  readonly state: InstanceState;
  readonly activatedAt?: string;
  readonly lastError?: { readonly code: string; readonly message: string; readonly at: string };
  /** Whether the instance is set to record (activated, not deactivated), whatever its state now. */
  readonly shouldRecord: boolean;
  /** Active, its pipeline running (not waiting to restart) and its camera connected. */
  readonly recording: boolean;
  /** ISO time since when an instance that should record is not recording. */
  readonly notRecordingSince?: string;
  /** Why not: `restarting` after a node failure, `camera-lost`, or the instance's state. */
  readonly notRecordingReason?: string;
  /** Pipeline restarts after node failures since the last activation. */
  readonly restarts: number;
}

interface InstanceEntry {
  document: Instance;
  raw: unknown;
  state: InstanceState;
  desiredActive: boolean;
  run?: SupervisedRun;
  /** Fleet mode: this host holds the instance's lease, so it should record it. */
  ownedHere?: boolean;
  /** Fleet mode: services for the nodes of the current ownership (the lease's fence). */
  ownedServices?: Partial<NodeServices>;
  /** The run being drained while Deactivating. */
  stopping?: SupervisedRun;
  transition?: Promise<void>;
  activatedAt?: string;
  lastError?: InstanceStatus['lastError'];
  redactor: Redactor;
}

interface TopologyEntry {
  document: Topology;
  raw: unknown;
}

export type SetResult<T> = { readonly created: boolean; readonly value: T };

const DEFAULT_QUOTAS = { topologies: 50, instances: 1000 };

function issuesToError(code: MediaGraphError['code'], what: string, issues: readonly ValidationIssue[]): MediaGraphError {
  const details: ErrorDetail[] = issues.map((i) => ({
    code: i.code,
    target: i.pointer,
    message: i.document === 'instance' ? `instance: ${i.message}` : i.message,
  }));
  return new MediaGraphError(
    code,
    `${what} is invalid: ${issues.length} problem(s): ${details.map((d) => `${d.target || '/'}: ${d.message}`).join('; ')}`,
    details,
  );
}

function codeFor(issues: readonly ValidationIssue[]): MediaGraphError['code'] {
  return issues.some((i) => i.code === 'GraphValidationError') ? 'GraphValidationError' : 'ModuleValidationError';
}

export class MediaGraphHost {
  readonly registry: NodeRegistry;
  readonly logger: Logger;
  readonly #options: HostOptions;
  readonly #hub: EventHub;
  readonly #redactor = new Redactor();
  readonly #metrics = new MetricStore();
  readonly #store: DefinitionPersistence;
  readonly #topologies = new Map<string, TopologyEntry>();
  readonly #instances = new Map<string, InstanceEntry>();
  #mutations: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #retention: RetentionSweeper;
  readonly #cacheQuota: CacheQuota | undefined;
  #orphanCaches: OrphanCacheDrain | undefined;

  private constructor(options: HostOptions) {
    this.#options = options;
    this.registry = options.registry ?? new NodeRegistry();
    this.#hub = new EventHub(options.now);
    this.#store = options.fleet?.definitions ?? new DefinitionStore(join(options.dataDirectory, 'definitions'));
    this.logger = createLogger({ level: options.logLevel ?? 'info', write: options.logWrite, redactor: this.#redactor });
    if (options.services?.blobConnection) this.#redactor.add(String(options.services.blobConnection));
    this.#retention = new RetentionSweeper(this.logger, {
      ...(options.retention?.sweepIntervalMs !== undefined ? { intervalMs: options.retention.sweepIntervalMs } : {}),
      ...(options.retention?.now ? { now: options.retention.now } : {}),
    });
    const q = options.cacheQuota;
    if (q && (q.maximumSizeMiB !== undefined || q.minimumFreeMiB !== undefined)) {
      this.#cacheQuota = new CacheQuota({
        ...cacheQuotaFromMiB(q.maximumSizeMiB, q.minimumFreeMiB),
        ...(q.freeBytes ? { freeBytes: q.freeBytes } : {}),
        // a warning: what goes was recorded and never uploaded
        log: (message, fields) => this.logger.warn(message, fields),
      });
    }
  }

  /** Uploads (and then removes) the caches of instances that do not run here; in the background. */
  #drainOrphanCaches(o: NonNullable<Exclude<HostOptions['orphanCaches'], false>>): OrphanCacheDrain {
    const drain = drainOrphanCaches({
      ...o,
      dataDirectory: this.#options.dataDirectory,
      // in a fleet every host knows every instance: a cache is this host's while it holds the lease
      runsHere:
        o.runsHere ??
        (this.#options.fleet ? (name) => this.#instances.get(name.toLowerCase())?.ownedHere === true : (name) => this.#instances.has(name.toLowerCase())),
      openStore: (record) => {
        const location = record.store === HOST_STORE ? this.#options.services?.blobConnection : record.store;
        if (!location)
          throw new Error(`no Blob connection to upload the cache of instance "${record.instance}" with (--blob or AZURE_STORAGE_CONNECTION_STRING)`);
        return openAssetStore(location, record.assetName);
      },
      logger: this.logger.child({ part: 'orphan-caches' }),
      events: (instance) => this.#hub.busFor(subjectFor(instance), this.#redactor),
    });
    drain.done.catch(() => undefined);
    return drain;
  }

  /**
   * Uploads now what the caches of instances that no longer run here hold, then removes those
   * caches (`orphanCaches`); e.g. after a fleet took an instance away. Settles when done.
   */
  async drainLeftCaches(): Promise<number> {
    const results = (await this.#orphanCaches?.rescan()) ?? [];
    return results.reduce((n, r) => n + r.uploaded, 0);
  }

  /** What the host cache quota has evicted since the host started (for `/metrics`). */
  cacheQuotaTotals(): CacheQuotaTotals {
    return this.#cacheQuota?.totals() ?? { evictions: { 'host-quota': 0, 'free-space-floor': 0 } };
  }

  /** What retention has deleted since the host started (for `/metrics`). */
  retentionTotals(): RetentionTotals {
    return this.#retention.totals();
  }

  /** Runs a retention sweep now over the assets recorded with a retention policy. */
  sweepRetention(): Promise<SweepResult> {
    return this.#retention.sweepNow();
  }

  /** Opens a host over its data directory and re-activates what was active before. */
  static async open(options: HostOptions): Promise<MediaGraphHost> {
    const host = new MediaGraphHost(options);
    if (options.onEvent) host.events$.subscribe(options.onEvent);
    await host.#store.init();
    for (const doc of await host.#store.loadTopologies()) {
      const v = validateTopology(doc, host.registry);
      if (v.topology && typeof v.topology.name === 'string') host.#topologies.set(v.topology.name.toLowerCase(), { document: v.topology, raw: doc });
      else host.logger.warn('skipping an unreadable stored topology', { issues: v.issues.length });
    }
    const reactivate: string[] = [];
    for (const stored of await host.#store.loadInstances()) {
      const n = normalizeInstance(stored.document);
      if (!n.instance || typeof n.instance.name !== 'string') continue;
      const entry = host.#newInstanceEntry(n.instance, stored.document);
      entry.desiredActive = stored.desiredActive;
      host.#instances.set(n.instance.name.toLowerCase(), entry);
      // in a fleet, leases decide where an instance runs
      if (stored.desiredActive && options.resumeActiveInstances !== false && !options.fleet) reactivate.push(n.instance.name);
    }
    for (const name of reactivate) {
      try {
        await host.instanceActivate(name);
      } catch (e) {
        host.logger.error('re-activation after restart failed', { instance: name, error: e instanceof Error ? e.message : String(e) });
      }
    }
    if (options.orphanCaches !== false) host.#orphanCaches = host.#drainOrphanCaches(options.orphanCaches ?? {});
    return host;
  }

  get events$(): Observable<GraphEvent> {
    return this.#hub.events$;
  }

  /** Current gauges and counters of every instance's nodes (labels: instance, node). */
  metrics(): MetricSample[] {
    return this.#metrics.snapshot();
  }

  get dataDirectory(): string {
    return this.#options.dataDirectory;
  }

  /** Serialises definition changes so concurrent callers see a consistent store. */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#mutations.then(work, work);
    this.#mutations = next.catch(() => undefined);
    return next;
  }

  // ---- topologies ---------------------------------------------------------------------

  /** An identical document is a no-op (200), whatever the state of the instances using it. */
  topologySet(given: unknown): Promise<SetResult<Topology>> {
    return this.#setTopology(given);
  }

  /** `replacing`: an instance about to be replaced too (apply), not checked against the new topology. */
  #setTopology(given: unknown, replacing?: string): Promise<SetResult<Topology>> {
    return this.#serial(async () => {
      const raw = keepMaskedTopologySecrets(given, (n) => this.#topologies.get(n.toLowerCase())?.raw);
      const v = validateTopology(raw, this.registry);
      if (!v.ok || !v.topology) throw issuesToError(codeFor(v.issues), 'topology', v.issues);
      const name = v.topology.name;
      const key = name.toLowerCase();
      const existing = this.#topologies.get(key);
      if (existing && this.#sameTopology(existing, v.topology)) return { created: false, value: existing.document };
      if (!existing && this.#topologies.size >= (this.#options.quotas?.topologies ?? DEFAULT_QUOTAS.topologies)) {
        throw new MediaGraphError('QuotaExceeded', `the host already holds ${this.#topologies.size} topologies (the maximum)`);
      }
      if (existing) {
        const users = this.#instancesOf(key).filter((u) => u.document.name.toLowerCase() !== replacing?.toLowerCase());
        const active = users.filter((u) => u.state !== 'Inactive' || (this.#options.fleet && u.desiredActive));
        if (active.length) {
          throw new MediaGraphError(
            'TopologyChangeNotAllowed',
            `topology "${name}" is used by instance(s) that are not Inactive: ${active.map((u) => `${u.document.name} (${u.state})`).join(', ')}; deactivate them first`,
          );
        }
        const broken = this.#breakage(raw, name, users);
        if (broken) throw broken;
      }
      const now = this.#now().toISOString();
      const document = withSystemData(v.topology, existing?.document.systemData?.createdAt ?? now, now);
      const stored = withSystemData(raw as Topology, document.systemData!.createdAt, now);
      await this.#store.saveTopology(name, stored);
      this.#topologies.set(key, { document, raw: stored });
      return { created: !existing, value: presentTopology(stored) };
    });
  }

  /** Both sides normalised the same way, whatever form the entry keeps for callers. */
  #sameTopology(stored: TopologyEntry, incoming: Topology): boolean {
    return sameDefinition(validateTopology(stored.raw, this.registry).topology, incoming);
  }

  /** The error for a topology change that stored instances could no longer use, if it is one. */
  #breakage(raw: unknown, name: string, users: readonly InstanceEntry[]): MediaGraphError | undefined {
    const problems: ErrorDetail[] = [];
    for (const u of users) {
      const check = validateTopology(raw, this.registry, { instance: u.raw });
      for (const i of check.issues.filter((x) => x.document === 'instance' || x.code.startsWith('Parameter'))) {
        problems.push({ code: i.code, target: i.pointer, message: `instance "${u.document.name}": ${i.message}` });
      }
    }
    if (!problems.length) return undefined;
    return new MediaGraphError(
      'TopologyChangeNotAllowed',
      `the change would break instance(s) of topology "${name}": ${problems.map((p) => p.message).join('; ')}`,
      problems,
    );
  }

  topologyGet(name: string): Topology {
    const t = this.#topologies.get(String(name).toLowerCase());
    if (!t) throw new MediaGraphError('NotFound', `topology "${name}" does not exist`);
    return presentTopology(t.raw);
  }

  topologyList(): Topology[] {
    return [...this.#topologies.values()].map((t) => presentTopology(t.raw)).sort((a, b) => String(a.name).localeCompare(String(b.name)));
  }

  /** Returns false when there was nothing to delete (LVA answers 204). */
  topologyDelete(name: string): Promise<boolean> {
    return this.#serial(async () => {
      const key = String(name).toLowerCase();
      if (!this.#topologies.has(key)) return false;
      const users = this.#instancesOf(key);
      if (users.length) {
        throw new MediaGraphError(
          'GraphTopologyInUse',
          `topology "${name}" is used by instance(s) ${users.map((u) => `"${u.document.name}"`).join(', ')}; delete them first`,
        );
      }
      await this.#store.deleteTopology(name);
      this.#topologies.delete(key);
      return true;
    });
  }

  // ---- instances ----------------------------------------------------------------------

  instanceSet(raw: unknown): Promise<SetResult<Instance>> {
    return this.#serial(async () => {
      const n = normalizeInstance(raw);
      if (!n.instance || n.issues.length) throw issuesToError('ModuleValidationError', 'instance', n.issues);
      const key = n.instance.name.toLowerCase();
      const existing = this.#instances.get(key);
      if (existing && sameInstance(existing, raw)) {
        return { created: false, value: this.#present(existing) };
      }
      if (existing && existing.state !== 'Inactive') {
        throw wrongState(`instance "${n.instance.name}"`, 'change', existing.state, ['Inactive']);
      }
      // in a fleet, another host may be running it
      if (existing && this.#options.fleet && existing.desiredActive) throw wrongState(`instance "${n.instance.name}"`, 'change', 'Active', ['Inactive']);
      if (!existing && this.#instances.size >= (this.#options.quotas?.instances ?? DEFAULT_QUOTAS.instances)) {
        throw new MediaGraphError('QuotaExceeded', `the host already holds ${this.#instances.size} instances (the maximum)`);
      }
      const topology = this.#topologies.get(n.instance.properties.topologyName.toLowerCase());
      if (!topology)
        throw new MediaGraphError(
          'TopologyNotFound',
          `instance "${n.instance.name}" names topology "${n.instance.properties.topologyName}", which does not exist`,
          [{ code: 'TopologyNotFound', target: '/properties/topologyName', message: 'no such topology' }],
        );
      const rawWithSecrets = existing ? keepMaskedSecrets(raw, existing.raw, existing.redactor) : raw;
      const v = validateTopology(topology.raw, this.registry, { instance: rawWithSecrets });
      if (!v.ok) throw issuesToError(codeFor(v.issues), 'instance', v.issues);
      const now = this.#now().toISOString();
      const document = withSystemData(normalizeInstance(rawWithSecrets).instance!, existing?.document.systemData?.createdAt ?? now, now);
      await this.#store.saveInstance(document.name, { document, desiredActive: false });
      const entry = this.#newInstanceEntry(document, document);
      for (const s of v.secrets) entry.redactor.add(s);
      this.#instances.set(key, entry);
      return { created: !existing, value: this.#present(entry) };
    });
  }

  instanceGet(name: string): Instance {
    return this.#present(this.#instance(name));
  }

  instanceStatus(name: string): InstanceStatus {
    const e = this.#instance(name);
    // in a fleet, an instance another host owns is not this host's to record
    const shouldRecord = e.desiredActive && (!this.#options.fleet || e.ownedHere === true);
    const base = { state: e.state, activatedAt: e.activatedAt, lastError: e.lastError, shouldRecord };
    const r = e.state === 'Active' ? e.run?.recordingState() : undefined;
    if (r) {
      const failure = r.lastFailure
        ? { lastError: { code: 'NodeFailed', message: r.lastFailure.message, at: new Date(r.lastFailure.atMs).toISOString() } }
        : {};
      return r.recording
        ? { ...base, ...failure, recording: true, restarts: r.restarts }
        : {
            ...base,
            ...failure,
            recording: false,
            notRecordingSince: new Date(r.notRecordingSinceMs ?? Date.now()).toISOString(),
            notRecordingReason: r.reason,
            restarts: r.restarts,
          };
    }
    return {
      ...base,
      recording: false,
      restarts: 0,
      ...(shouldRecord ? { notRecordingSince: e.lastError?.at ?? e.activatedAt, notRecordingReason: e.state } : {}),
    };
  }

  instanceList(): Instance[] {
    return [...this.#instances.values()].map((e) => this.#present(e)).sort((a, b) => a.name.localeCompare(b.name));
  }

  instanceDelete(name: string): Promise<boolean> {
    return this.#serial(async () => {
      const key = String(name).toLowerCase();
      const e = this.#instances.get(key);
      if (!e) return false;
      if (e.state !== 'Inactive') throw wrongState(`instance "${e.document.name}"`, 'delete', e.state, ['Inactive']);
      if (this.#options.fleet && e.desiredActive) throw wrongState(`instance "${e.document.name}"`, 'delete', 'Active', ['Inactive']);
      await this.#store.deleteInstance(e.document.name);
      this.#instances.delete(key);
      return true;
    });
  }

  /**
   * Makes the host hold exactly these documents, as a control plane whose files are the desired
   * state wants (`mediagraph run`): identical documents change nothing; a changed topology or
   * instance deactivates the instances it affects (their drain keeps what was not uploaded
   * cached), replaces the documents and re-activates those that were running. Unlike
   * topologySet, a change is not refused because an instance using it is active (LVA's rule
   * for its API); it is still refused when it would break another stored instance.
   */
  async apply(topologyRaw: unknown, instanceRaw: unknown): Promise<ApplyResult> {
    const v = validateTopology(topologyRaw, this.registry);
    if (!v.ok || !v.topology) throw issuesToError(codeFor(v.issues), 'topology', v.issues);
    const n = normalizeInstance(instanceRaw);
    if (!n.instance || n.issues.length) throw issuesToError('ModuleValidationError', 'instance', n.issues);
    const topologyKey = v.topology.name.toLowerCase();
    const instanceKey = n.instance.name.toLowerCase();
    const storedTopology = this.#topologies.get(topologyKey);
    const storedInstance = this.#instances.get(instanceKey);
    const topologyChanged = !storedTopology || !this.#sameTopology(storedTopology, v.topology);
    const instanceChanged = !storedInstance || !sameInstance(storedInstance, instanceRaw);
    // checked before anything changes, so a refused pair leaves the stored one as it was
    const together = validateTopology(topologyRaw, this.registry, { instance: instanceRaw });
    if (!together.ok) throw issuesToError(codeFor(together.issues), 'instance', together.issues);
    const users = topologyChanged ? this.#instancesOf(topologyKey) : [];
    const broken = this.#breakage(
      topologyRaw,
      v.topology.name,
      users.filter((u) => u !== storedInstance),
    );
    if (broken) throw broken;
    const affected = new Set<InstanceEntry>(users);
    if (instanceChanged && storedInstance) affected.add(storedInstance);
    const wereRunning: string[] = [];
    let topology: SetResult<Topology> | undefined;
    let instance: SetResult<Instance> | undefined;
    try {
      for (const e of affected) {
        if (e.transition) await e.transition.catch(() => undefined);
        if (e.state === 'Active') {
          wereRunning.push(e.document.name);
          await this.#deactivate(e, false);
        }
      }
      if (topologyChanged) topology = await this.#setTopology(topologyRaw, instanceKey);
      if (instanceChanged) instance = await this.instanceSet(instanceRaw);
    } finally {
      // by name: a replaced instance is a new entry
      for (const name of wereRunning) {
        await this.instanceActivate(name).catch((err: unknown) =>
          this.logger.error('re-activation after a change failed', { instance: name, error: err instanceof Error ? err.message : String(err) }),
        );
      }
    }
    const outcome = (changed: boolean, r: SetResult<unknown> | undefined): ApplyResult['topology'] =>
      !changed || !r ? 'unchanged' : r.created ? 'created' : 'updated';
    return { topology: outcome(topologyChanged, topology), instance: outcome(instanceChanged, instance) };
  }

  /** Blocks until Active (LVA). Activating twice waits for the same result; Active returns at once. */
  async instanceActivate(name: string): Promise<void> {
    const e = this.#instance(name);
    // fleet: the desired state is stored; the host that takes its lease activates it
    if (this.#options.fleet) return this.#serial(async () => (e.desiredActive ? undefined : this.#setDesired(e, true)));
    if (e.state === 'Active') return;
    if (e.state === 'Activating' && e.transition) return e.transition;
    if (e.state === 'Deactivating') throw wrongState(`instance "${e.document.name}"`, 'activate', e.state, ['Inactive', 'Activating', 'Active']);
    e.transition = this.#activate(e).finally(() => (e.transition = undefined));
    return e.transition;
  }

  /** Blocks until the cache has drained and the instance is Inactive (bounded by the drain timeout). */
  async instanceDeactivate(name: string): Promise<void> {
    const e = this.#instance(name);
    if (this.#options.fleet && e.desiredActive) await this.#serial(() => this.#setDesired(e, false));
    if (e.state === 'Inactive') {
      if (e.desiredActive) await this.#setDesired(e, false);
      return;
    }
    if (e.state === 'Deactivating' && e.transition) return e.transition;
    if (e.state === 'Activating') throw wrongState(`instance "${e.document.name}"`, 'deactivate', e.state, ['Active', 'Deactivating', 'Inactive']);
    e.transition = this.#deactivate(e, true).finally(() => (e.transition = undefined));
    return e.transition;
  }

  /**
   * Cuts a deactivation's drain short: the graph is torn down now and what was not uploaded
   * stays in the cache for the next activation. True if a drain was running.
   */
  stopDrainNow(name: string): boolean {
    const e = this.#instance(name);
    if (e.state !== 'Deactivating' || !e.stopping) return false;
    this.logger.warn('drain cut short; what was not uploaded stays cached', { instance: e.document.name });
    e.stopping.forceStop();
    return true;
  }

  /** Stops every instance (they stay marked active, so the next host re-activates them). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      [...this.#instances.values()].map(async (e) => {
        if (e.transition) await e.transition.catch(() => undefined);
        if (e.state === 'Active') await this.#deactivate(e, false).catch(() => undefined);
      }),
    );
    await this.#orphanCaches?.stop();
    await this.#retention.close();
    this.#hub.complete();
  }

  // ---- fleet hooks (src/fleet drives these; docs/fleet.md) ---------------------------------

  /** Names of the instances set to record, wherever they run. */
  desiredActiveInstances(): string[] {
    return [...this.#instances.values()].filter((e) => e.desiredActive).map((e) => e.document.name);
  }

  /** Fleet: this host took the instance's lease; it records it (as an activation does). */
  async startOwned(name: string, services: Partial<NodeServices> = {}): Promise<void> {
    const e = this.#instance(name);
    e.ownedHere = true;
    e.ownedServices = services;
    if (e.transition) await e.transition.catch(() => undefined);
    if (e.state !== 'Inactive' || !e.ownedHere || this.#closed) return;
    e.transition = this.#activate(e).finally(() => (e.transition = undefined));
    return e.transition;
  }

  /**
   * Fleet: this host gave up or lost the instance's lease. Recording stops at once (the sources
   * end when the deactivation begins); the promise resolves once the cache drained.
   */
  async stopOwned(name: string): Promise<void> {
    const e = this.#instances.get(String(name).toLowerCase());
    if (!e) return;
    e.ownedHere = false;
    if (e.transition) await e.transition.catch(() => undefined);
    if (e.ownedHere || e.state !== 'Active') return;
    e.transition = this.#deactivate(e, false).finally(() => (e.transition = undefined));
    await e.transition;
    // what the deactivation could not upload (storage unreachable) drains in the background, and
    // the emptied cache goes: a host that takes the instance back later starts a fresh one
    void this.drainLeftCaches().catch(() => undefined);
  }

  /** Fleet: takes in the definitions other hosts changed in the shared store. */
  refreshDefinitions(): Promise<void> {
    return this.#serial(async () => {
      const topologies = await this.#store.loadTopologies();
      const instances = await this.#store.loadInstances();
      const seenTopologies = new Set<string>();
      for (const doc of topologies) {
        const v = validateTopology(doc, this.registry);
        if (!v.topology || typeof v.topology.name !== 'string') continue;
        const key = v.topology.name.toLowerCase();
        seenTopologies.add(key);
        const existing = this.#topologies.get(key);
        if (!existing || JSON.stringify(existing.raw) !== JSON.stringify(doc)) this.#topologies.set(key, { document: v.topology, raw: doc });
      }
      const seenInstances = new Set<string>();
      for (const stored of instances) {
        const n = normalizeInstance(stored.document);
        if (!n.instance || typeof n.instance.name !== 'string') continue;
        const key = n.instance.name.toLowerCase();
        seenInstances.add(key);
        let e = this.#instances.get(key);
        // a changed document replaces an entry not running here (one running here is stopped first: its desired state changed)
        if (!e || (e.state === 'Inactive' && !e.transition && JSON.stringify(e.raw) !== JSON.stringify(stored.document))) {
          const owned = e?.ownedHere;
          e = this.#newInstanceEntry(n.instance, stored.document);
          if (owned) e.ownedHere = owned;
          this.#instances.set(key, e);
        }
        e.desiredActive = stored.desiredActive;
      }
      for (const [key, e] of this.#instances) {
        if (seenInstances.has(key)) continue;
        if (e.state === 'Inactive' && !e.transition) this.#instances.delete(key);
        else e.desiredActive = false; // deleted elsewhere while running here: the coordinator stops it
      }
      for (const key of [...this.#topologies.keys()]) {
        if (!seenTopologies.has(key) && this.#instancesOf(key).length === 0) this.#topologies.delete(key);
      }
    });
  }

  // ---- internals ----------------------------------------------------------------------

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }

  #instance(name: string): InstanceEntry {
    const e = this.#instances.get(String(name).toLowerCase());
    if (!e) throw new MediaGraphError('NotFound', `instance "${name}" does not exist`);
    return e;
  }

  #instancesOf(topologyKey: string): InstanceEntry[] {
    return [...this.#instances.values()].filter((e) => e.document.properties.topologyName.toLowerCase() === topologyKey);
  }

  #newInstanceEntry(document: Instance, raw: unknown): InstanceEntry {
    const redactor = this.#redactor.child();
    const topology = this.#topologies.get(document.properties.topologyName.toLowerCase());
    for (const p of document.properties.parameters ?? []) {
      const decl = topology?.document.properties.parameters?.find((d) => d.name.toLowerCase() === p.name.toLowerCase());
      if (decl?.type === 'SecretString') redactor.add(String(p.value));
    }
    return { document, raw, state: 'Inactive', desiredActive: false, redactor };
  }

  /** What callers see: state filled in, SecretString values masked (LVA never echoed them). */
  #present(e: InstanceEntry): Instance {
    const topology = this.#topologies.get(e.document.properties.topologyName.toLowerCase());
    const secret = new Set((topology?.document.properties.parameters ?? []).filter((d) => d.type === 'SecretString').map((d) => d.name.toLowerCase()));
    return {
      ...e.document,
      properties: {
        ...e.document.properties,
        // SecretStrings masked whole; anything else shaped like a secret (a password in an
        // rtsp:// URL's userinfo) masked in place
        parameters: e.document.properties.parameters?.map((p) =>
          secret.has(p.name.toLowerCase()) ? { name: p.name, value: REDACTION_MASK } : { name: p.name, value: e.redactor.text(String(p.value)) },
        ),
        state: e.state,
      },
    };
  }

  #setState(e: InstanceEntry, state: InstanceState, error?: { code: string; message: string }): void {
    const previous = e.state;
    e.state = state;
    this.#hub.publish(
      'GraphInstanceStateChanged',
      subjectFor(e.document.name),
      e.redactor.value({ state, previousState: previous, ...(error ? { error } : {}) }),
    );
  }

  async #setDesired(e: InstanceEntry, desiredActive: boolean): Promise<void> {
    e.desiredActive = desiredActive;
    await this.#store.saveInstance(e.document.name, { document: e.document, desiredActive });
  }

  async #activate(e: InstanceEntry): Promise<void> {
    this.#setState(e, 'Activating');
    const name = e.document.name;
    const topology = this.#topologies.get(e.document.properties.topologyName.toLowerCase());
    try {
      if (!topology) throw new MediaGraphError('TopologyNotFound', `topology "${e.document.properties.topologyName}" does not exist`);
      const now = this.#now();
      const v = validateTopology(topology.raw, this.registry, { instance: e.raw, system: { instanceName: name, now } });
      if (!v.ok) throw issuesToError(codeFor(v.issues), 'instance', v.issues);
      for (const s of v.secrets) e.redactor.add(s);
      const plan = planGraph(v.nodes, this.registry);
      const services: NodeServices = {
        dataDirectory: join(this.#options.dataDirectory, 'instances', name.toLowerCase()),
        diskSpace: createDiskSpaceBroker(),
        retention: this.#retention,
        ...(this.#cacheQuota ? { cacheQuota: this.#cacheQuota } : {}),
        ...this.#options.services,
        ...e.ownedServices,
      };
      await this.#orphanCaches?.release(name); // its cache is its own again
      await prepareNodes(plan, name, services);
      const run = new SupervisedRun({
        plan,
        instanceName: name,
        topologyName: topology.document.name,
        hub: this.#hub,
        redactor: e.redactor,
        logger: createLogger({ level: this.#options.logLevel ?? 'info', write: this.#options.logWrite, redactor: e.redactor, bindings: { instance: name } }),
        services,
        scheduler: this.#options.scheduler,
        metrics: this.#metrics,
      });
      e.run = run;
      e.activatedAt = now.toISOString();
      e.lastError = undefined;
      if (!this.#options.fleet || !e.desiredActive) await this.#setDesired(e, true);
      this.#setState(e, 'Active');
      void run.done.then((outcome) => this.#onRunEnded(e, run, outcome.error));
    } catch (err) {
      const error = err instanceof MediaGraphError ? err : new MediaGraphError('ActivationFailed', err instanceof Error ? err.message : String(err));
      const redacted = new MediaGraphError(
        error.code,
        e.redactor.text(error.message),
        error.details.map((d) => ({ ...d, message: e.redactor.text(d.message) })),
      );
      e.lastError = { code: redacted.code, message: redacted.message, at: this.#now().toISOString() };
      this.#setState(e, 'Inactive', { code: redacted.code, message: redacted.message });
      throw redacted;
    }
  }

  /** The pipeline ended while nobody was deactivating it: a node failed or the sources ended. */
  #onRunEnded(e: InstanceEntry, run: SupervisedRun, error: unknown): void {
    if (e.run !== run || e.state !== 'Active') return;
    e.run = undefined;
    if (error !== undefined) {
      const message = e.redactor.text(error instanceof Error ? error.message : String(error));
      e.lastError = { code: 'NodeFailed', message, at: this.#now().toISOString() };
      // the message names the failing node (NodeFailure); the subject is the instance it stopped
      this.#hub.publish('RuntimeError', subjectFor(e.document.name), { code: 'NodeFailed', message });
      this.logger.error('instance stopped: a node failed', { instance: e.document.name, error: message });
      this.#setState(e, 'Inactive', { code: 'NodeFailed', message });
    } else {
      this.#setState(e, 'Inactive');
    }
  }

  async #deactivate(e: InstanceEntry, byUser: boolean): Promise<void> {
    this.#setState(e, 'Deactivating');
    const run = e.run;
    e.run = undefined;
    if (run) {
      e.stopping = run;
      const outcome = await run.stop(this.#options.deactivateTimeoutMs ?? 120_000).finally(() => {
        e.stopping = undefined;
      });
      if (outcome.stoppedByTimeout) this.logger.warn('deactivation timed out; what was not uploaded stays cached', { instance: e.document.name });
      if (outcome.error !== undefined) {
        const message = e.redactor.text(outcome.error instanceof Error ? outcome.error.message : String(outcome.error));
        e.lastError = { code: 'NodeFailed', message, at: this.#now().toISOString() };
      }
    }
    if (byUser) await this.#setDesired(e, false);
    this.#setState(e, 'Inactive');
  }
}

/** A client that read the instance (secrets masked) and sends it back sends the same instance. */
function sameInstance(stored: InstanceEntry, raw: unknown): boolean {
  return sameDefinition(normalizeInstance(stored.raw).instance, normalizeInstance(keepMaskedSecrets(raw, stored.raw, stored.redactor)).instance);
}

function withSystemData<T extends { systemData?: unknown }>(doc: T, createdAt: string, lastModifiedAt: string): T {
  return { ...doc, systemData: { createdAt, lastModifiedAt } };
}

/** A client that read an instance (secrets masked) and sends it back keeps the stored secret. */
function keepMaskedSecrets(raw: unknown, previous: unknown, redactor: Redactor): unknown {
  const params = (raw as Instance | undefined)?.properties?.parameters;
  const old = (previous as Instance | undefined)?.properties?.parameters;
  if (!Array.isArray(params) || !Array.isArray(old)) return raw;
  const r = raw as Instance;
  return {
    ...r,
    properties: {
      ...r.properties,
      parameters: params.map((p) => {
        // raw documents: a malformed entry is the validator's to report, not a TypeError here
        const name: unknown = (p as { name?: unknown } | null)?.name;
        const stored = typeof name === 'string' ? old.find((o) => typeof o?.name === 'string' && o.name.toLowerCase() === name.toLowerCase()) : undefined;
        if (!stored || typeof p.value !== 'string' || !p.value.includes(REDACTION_MASK)) return p;
        // unchanged since it was read: the masked form of the stored value
        return p.value === REDACTION_MASK || p.value === redactor.text(String(stored.value)) ? stored : p;
      }),
    },
  };
}
