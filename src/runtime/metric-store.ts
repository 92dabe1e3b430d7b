// The host's metric values: nodes write through a NodeMetrics bound to their labels; the
// HTTP /metrics route and the CLI status line read snapshots.
import type { MetricSample, NodeMetrics } from '../types/metrics.ts';

export class MetricStore {
  readonly #values = new Map<string, { name: string; kind: 'gauge' | 'counter'; labels: Record<string, string>; value: number }>();

  bind(labels: Record<string, string>): NodeMetrics {
    const suffix = JSON.stringify(labels);
    const key = (name: string) => name + suffix;
    return {
      set: (name, value) => {
        this.#values.set(key(name), { name, kind: 'gauge', labels, value });
      },
      add: (name, delta = 1) => {
        const k = key(name);
        const cur = this.#values.get(k);
        this.#values.set(k, { name, kind: 'counter', labels, value: (cur?.value ?? 0) + delta });
      },
    };
  }

  /** Drops an instance's gauges when it stops (counters keep counting across activations). */
  clearGauges(instance: string): void {
    for (const [k, v] of this.#values) if (v.kind === 'gauge' && v.labels['instance'] === instance) this.#values.delete(k);
  }

  snapshot(): MetricSample[] {
    return [...this.#values.values()].map((v) => ({ ...v, labels: { ...v.labels } }));
  }
}

/** Sum of a metric over samples whose labels include `match`. */
export function metricTotal(samples: readonly MetricSample[], name: string, match: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}
