// Holds a host to a site file: every listed instance stored and Active, a changed one replaced
// and restarted (the host's desired-state apply), one that left the file stopped and deleted.
// Only what changed is touched: the other cameras keep recording through a reload. What the
// site manages is kept in `<data>/site-managed.json`, so a camera removed while the service
// was down is stopped at the next start instead of resumed, and instances set through the API
// are left alone.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaGraphHost } from '../runtime/host.ts';
import { Redactor } from '../runtime/redact.ts';
import type { SitePlan } from './load-site.ts';

export interface SiteApplyReport {
  readonly added: string[];
  readonly changed: string[];
  readonly unchanged: string[];
  readonly removed: string[];
  readonly disabled: string[];
  readonly failed: { readonly name: string; readonly message: string }[];
}

interface ManagedState {
  readonly instances: string[];
  readonly topologies: string[];
}

const STATE_FILE = 'site-managed.json';

export class SiteApplier {
  readonly #host: MediaGraphHost;
  readonly #log: (line: string) => void;
  readonly #stateFile: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(host: MediaGraphHost, log: (line: string) => void) {
    this.#host = host;
    this.#log = log;
    this.#stateFile = join(host.dataDirectory, STATE_FILE);
  }

  /** Applies plans one after another: a reload during an apply waits for it. */
  apply(plan: SitePlan): Promise<SiteApplyReport> {
    const next = this.#queue.then(() => this.#apply(plan));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Activates the stored instances that should record and that the site does not manage (set
   * through the API before): the host was opened without resuming, so that a camera the file
   * no longer lists is not started only to be stopped.
   */
  async resumeOthers(plan: SitePlan): Promise<void> {
    const managed = new Set([...(await this.#readState()).instances, ...plan.graphs.map((g) => g.name), ...plan.disabled].map((n) => n.toLowerCase()));
    for (const i of this.#host.instanceList()) {
      if (managed.has(i.name.toLowerCase()) || !this.#host.instanceStatus(i.name).shouldRecord) continue;
      await this.#host
        .instanceActivate(i.name)
        .catch((e: unknown) => this.#log(`site: instance ${i.name} (not in the site file) did not resume: ${message(e)}`));
    }
  }

  async #apply(plan: SitePlan): Promise<SiteApplyReport> {
    const redactor = new Redactor();
    for (const s of plan.secrets) redactor.add(s);
    const report: SiteApplyReport = { added: [], changed: [], unchanged: [], removed: [], disabled: [], failed: [] };
    const previous = await this.#readState();
    const wanted = new Set([...plan.graphs.map((g) => g.name), ...plan.disabled].map((n) => n.toLowerCase()));
    const known = new Set(this.#host.instanceList().map((i) => i.name.toLowerCase()));
    // removed first and together: each drains its cache, which must not hold up the others
    const gone = previous.instances.filter((n) => !wanted.has(n.toLowerCase()) && known.has(n.toLowerCase()));
    await Promise.all(
      gone.map(async (name) => {
        try {
          await this.#host.instanceDeactivate(name);
          await this.#host.instanceDelete(name);
          report.removed.push(name);
          this.#log(`site: camera ${name} removed from the file: stopped`);
        } catch (e) {
          report.failed.push({ name, message: redactor.text(message(e)) });
          this.#log(`site: camera ${name} could not be removed: ${redactor.text(message(e))}`);
        }
      }),
    );
    for (const name of plan.disabled) {
      if (!known.has(name.toLowerCase()) || this.#host.instanceStatus(name).state === 'Inactive') continue;
      await this.#host.instanceDeactivate(name).catch(() => undefined);
      report.disabled.push(name);
      this.#log(`site: camera ${name} disabled in the file: stopped`);
    }
    for (const g of plan.graphs) {
      try {
        const wasActive = known.has(g.name.toLowerCase()) && this.#host.instanceStatus(g.name).state === 'Active';
        const applied = await this.#host.apply(g.topology, g.instance);
        if (this.#host.instanceStatus(g.name).state !== 'Active') await this.#host.instanceActivate(g.name);
        if (applied.instance === 'created') {
          report.added.push(g.name);
          this.#log(`site: camera ${g.name} added: recording`);
        } else if (applied.instance === 'updated' || applied.topology === 'updated') {
          report.changed.push(g.name);
          this.#log(`site: camera ${g.name} changed: restarted`);
        } else {
          report.unchanged.push(g.name);
          if (!wasActive) this.#log(`site: camera ${g.name}: recording`);
        }
      } catch (e) {
        report.failed.push({ name: g.name, message: redactor.text(message(e)) });
        this.#log(`site: camera ${g.name} (${g.pointer}) failed: ${redactor.text(message(e))}`);
      }
    }
    const topologyOf = (g: SitePlan['graphs'][number]) => String((g.topology as { name?: unknown }).name);
    const topologies = plan.graphs.map(topologyOf);
    // topologies the file no longer uses, once no instance uses them
    for (const t of previous.topologies.filter((t) => !topologies.some((x) => x.toLowerCase() === t.toLowerCase()))) {
      await this.#host.topologyDelete(t).catch(() => undefined);
    }
    await this.#writeState({
      instances: [...plan.graphs.map((g) => g.name), ...plan.disabled, ...report.failed.filter((f) => gone.includes(f.name)).map((f) => f.name)],
      topologies: [
        ...new Set([...topologies, ...previous.topologies.filter((t) => this.#host.topologyList().some((x) => x.name.toLowerCase() === t.toLowerCase()))]),
      ],
    });
    return report;
  }

  async #readState(): Promise<ManagedState> {
    try {
      const s = JSON.parse(await readFile(this.#stateFile, 'utf8')) as Partial<ManagedState>;
      return { instances: Array.isArray(s.instances) ? s.instances.map(String) : [], topologies: Array.isArray(s.topologies) ? s.topologies.map(String) : [] };
    } catch {
      return { instances: [], topologies: [] };
    }
  }

  async #writeState(state: ManagedState): Promise<void> {
    const tmp = `${this.#stateFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.#stateFile);
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
