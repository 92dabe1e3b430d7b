// Prometheus metrics for the HTTP control plane, in a Registry of our own (never prom-client's
// global one, so two servers in one process do not collide). Instance gauges are computed at
// scrape time from the host; event counters follow host.events$.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Registry, Gauge, Counter } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { MediaGraphHost } from '../../runtime/host.ts';
import { METRIC_HELP, type MetricSample } from '../../types/metrics.ts';
import { storageRequests } from '../../storage/request-counter.ts';

const STATES = ['Inactive', 'Activating', 'Active', 'Deactivating'] as const;

/** Adds metrics to the registry; called once, at registration. */
export type MetricsContributor = (registry: Registry) => void;

export class HttpMetrics {
  readonly registry = new Registry();
  readonly #subscription: Subscription;
  readonly #loopDelay: IntervalHistogram;

  constructor(host: MediaGraphHost) {
    // A stalled event loop delays every camera's packets at once: its delay is the first thing
    // to read on a host holding many streams. Reset at each scrape, so a figure covers the time
    // since the previous one (as prom-client's own event-loop collector does).
    // The histogram holds the time between two ticks of a 10 ms timer: the delay is what
    // exceeds the 10 ms.
    const resolutionMs = 10;
    const loopDelay = monitorEventLoopDelay({ resolution: resolutionMs });
    loopDelay.enable();
    this.#loopDelay = loopDelay;
    const delaySeconds = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs) / 1000;
    new Gauge({
      name: 'mediagraph_event_loop_delay_seconds',
      help: 'Event-loop delay of the host process since the previous scrape: p50, p99 and max (sampled every 10 ms).',
      labelNames: ['stat'],
      registers: [this.registry],
      collect() {
        this.reset();
        // no sample yet (a scrape right after the previous one): nothing to report
        if (loopDelay.count > 0) {
          this.set({ stat: 'p50' }, delaySeconds(loopDelay.percentile(50)));
          this.set({ stat: 'p99' }, delaySeconds(loopDelay.percentile(99)));
          this.set({ stat: 'max' }, delaySeconds(loopDelay.max));
        }
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
    // what nodes report through their NodeMetrics (cache fill, uploads, reconnects, …)
    for (const [name, help] of Object.entries(METRIC_HELP)) {
      const read = () => host.metrics().filter((m) => m.name === name);
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
            for (const m of read()) this.inc(labels(m), m.value);
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
            for (const m of read()) this.set(labels(m), m.value);
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
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  close(): void {
    this.#loopDelay.disable();
    this.#subscription.unsubscribe();
  }
}
