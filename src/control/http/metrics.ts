// Prometheus metrics for the HTTP control plane, in a Registry of our own (never prom-client's
// global one, so two servers in one process do not collide). Instance gauges are computed at
// scrape time from the host; event counters follow host.events$.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Registry, Gauge, Counter } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { MediaGraphHost } from '../../runtime/host.ts';
import { METRIC_HELP, type MetricSample } from '../../types/metrics.ts';
import { storageRequests } from '../../storage/request-counter.ts';

/**
 * The event-loop probe's period. The probe is a repeating libuv timer, and its wake-ups are a
 * fixed cost per process: at 10 ms, 6.6–10 ms of CPU per second (0.4–0.6 CPU-s per minute, half
 * of what ffmpeg spends recording one camera); at 40 ms a quarter of that. A stall delays one
 * tick whatever the period, so a longer period loses no stall ≥ 40 ms and makes the p99
 * stricter, not looser: the same stalls are a larger share of fewer ticks.
 */
const LOOP_DELAY_RESOLUTION_MS = 40;
const STATES = ['Inactive', 'Activating', 'Active', 'Deactivating'] as const;

/** Adds metrics to the registry; called once, at registration. */
export type MetricsContributor = (registry: Registry) => void;

export class HttpMetrics {
  readonly registry = new Registry();
  readonly #subscription: Subscription;
  readonly #loopDelay: IntervalHistogram;
  /** Node metrics of the scrape under way, by name. */
  #byName: Map<string, MetricSample[]> | undefined;
  #rendering = false;

  constructor(host: MediaGraphHost) {
    // a stall here delays every camera's packets: measured since the previous scrape. The
    // histogram holds the time between two probe ticks; the delay is what exceeds the period.
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    const beyondTick = (ns: number) => (loopDelay.count === 0 ? 0 : Math.max(0, ns / 1e9 - LOOP_DELAY_RESOLUTION_MS / 1000));
    loopDelay.enable();
    this.#loopDelay = loopDelay;
    new Gauge({
      name: 'mediagraph_event_loop_delay_seconds',
      help: 'Event-loop delay since the previous scrape (a 40 ms probe): quantiles 0.5, 0.99 and 1 (the longest stall).',
      labelNames: ['quantile'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const q of [0.5, 0.99, 1]) this.set({ quantile: String(q) }, beyondTick(q === 1 ? loopDelay.max : loopDelay.percentile(q * 100)));
        loopDelay.reset();
      },
    });
    new Gauge({
      name: 'mediagraph_active_graph_instances',
      help: 'Graph instances in state Active, per topology (LVA: lva_active_graph_instances).',
      labelNames: ['graph_topology'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const t of host.topologyList()) this.set({ graph_topology: t.name }, 0);
        for (const i of host.instanceList()) {
          if (i.properties.state === 'Active') this.inc({ graph_topology: i.properties.topologyName });
        }
      },
    });
    new Gauge({
      name: 'mediagraph_graph_instance_state',
      help: 'Lifecycle state of each graph instance: 1 for the current state, 0 for the others.',
      labelNames: ['graph_instance', 'graph_topology', 'state'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const i of host.instanceList()) {
          for (const s of STATES) this.set({ graph_instance: i.name, graph_topology: i.properties.topologyName, state: s }, i.properties.state === s ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'mediagraph_instance_recording',
      help: 'Instances set to record: 1 while recording, 0 while not (restarting after a node failure, camera lost, not Active).',
      labelNames: ['graph_instance'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const i of host.instanceList()) {
          const st = host.instanceStatus(i.name);
          if (st.shouldRecord) this.set({ graph_instance: i.name }, st.recording ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'mediagraph_instance_not_recording_since_seconds',
      help: 'Unix time since which an instance set to record is not recording (absent while it records).',
      labelNames: ['graph_instance', 'reason'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const i of host.instanceList()) {
          const st = host.instanceStatus(i.name);
          if (st.shouldRecord && !st.recording && st.notRecordingSince)
            this.set({ graph_instance: i.name, reason: st.notRecordingReason ?? '' }, Date.parse(st.notRecordingSince) / 1000);
        }
      },
    });
    new Counter({
      name: 'mediagraph_instance_restarts_total',
      help: 'Pipeline restarts after node failures, per instance, since its last activation.',
      labelNames: ['graph_instance'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const i of host.instanceList()) this.inc({ graph_instance: i.name }, host.instanceStatus(i.name).restarts);
      },
    });
    const events = new Counter({
      name: 'mediagraph_events_total',
      help: 'Events published by the host, by event type.',
      labelNames: ['event_type'],
      registers: [this.registry],
    });
    this.#subscription = host.events$.subscribe((e) => events.inc({ event_type: e.type }));
    new Counter({
      name: 'mediagraph_storage_requests_total',
      help: 'Requests sent to asset storage by this process (uploads, indexes, listings, playback reads), by operation: the transaction bill.',
      labelNames: ['op'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [op, n] of storageRequests.snapshot()) this.inc({ op }, n);
      },
    });
    new Counter({
      name: 'mediagraph_retention_deleted_segments_total',
      help: 'Segments deleted from assets by retention (age or size) since the host started.',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(host.retentionTotals().deletedSegments);
      },
    });
    new Counter({
      name: 'mediagraph_retention_deleted_bytes_total',
      help: 'Bytes of segments deleted from assets by retention since the host started.',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(host.retentionTotals().deletedBytes);
      },
    });
    new Counter({
      name: 'mediagraph_cache_quota_evictions_total',
      help: 'Segments the host cache quota evicted from local caches, by reason (host-quota or free-space-floor).',
      labelNames: ['reason'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(host.cacheQuotaTotals().evictions)) this.inc({ reason }, n);
      },
    });
    // what nodes report through their NodeMetrics (cache fill, uploads, reconnects, …): one
    // snapshot per scrape, grouped by name (a snapshot per metric name costs a 100-camera host
    // tens of ms of blocked event loop per scrape)
    const read = (name: string): readonly MetricSample[] => {
      if (!this.#rendering) return host.metrics().filter((m) => m.name === name);
      if (!this.#byName) {
        this.#byName = new Map();
        for (const m of host.metrics()) {
          const list = this.#byName.get(m.name);
          if (list) list.push(m);
          else this.#byName.set(m.name, [m]);
        }
      }
      return this.#byName.get(name) ?? [];
    };
    for (const [name, help] of Object.entries(METRIC_HELP)) {
      const labelNames = ['graph_instance', 'graph_node'];
      const labels = (m: MetricSample) => ({ graph_instance: m.labels['instance'] ?? '', graph_node: m.labels['node'] ?? '' });
      if (name.endsWith('_total')) {
        new Counter({
          name,
          help,
          labelNames,
          registers: [this.registry],
          collect() {
            this.reset();
            for (const m of read(name)) this.inc(labels(m), m.value);
          },
        });
      } else {
        new Gauge({
          name,
          help,
          labelNames,
          registers: [this.registry],
          collect() {
            this.reset();
            for (const m of read(name)) this.set(labels(m), m.value);
          },
        });
      }
    }
  }

  /** Lets nodes and other layers add their own gauges and counters to this registry. */
  registerMetrics(fn: MetricsContributor): void {
    fn(this.registry);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    this.#byName = undefined;
    this.#rendering = true;
    try {
      return { contentType: this.registry.contentType, body: await this.registry.metrics() };
    } finally {
      this.#rendering = false;
      this.#byName = undefined;
    }
  }

  close(): void {
    this.#loopDelay.disable();
    this.#subscription.unsubscribe();
  }
}
