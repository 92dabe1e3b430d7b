// The host's metric values: nodes write through a NodeMetrics bound to their labels; the
// HTTP /metrics route and the CLI status line read snapshots.
import type { MetricSample, NodeMetrics } from '../types/metrics.ts';

interface Entry {
  readonly name: string;
  kind: 'gauge' | 'counter';
  readonly labels: Record<string, string>;
  value: number;
}

export class MetricStore {
  readonly #values = new Map<string, Entry>();

  bind(labels: Record<string, string>): NodeMetrics {
    const suffix = JSON.stringify(labels);
    // one entry per metric name, found again without building a key: nodes call this per sample
    const mine = new Map<string, Entry>();
    const entry = (name: string, kind: Entry['kind']): Entry => {
      let e = mine.get(name);
      if (!e) {
        // a second binding with the same labels (a re-activation) continues the same series
        e = this.#values.get(name + suffix) ?? { name, kind, labels, value: 0 };
        e.kind = kind;
        this.#values.set(name + suffix, e);
        mine.set(name, e);
      }
      return e;
    };
    return {
      set: (name, value) => {
        entry(name, 'gauge').value = value;
      },
      add: (name, delta = 1) => {
        entry(name, 'counter').value += delta;
      },
    };
  }

  snapshot(): MetricSample[] {
    return [...this.#values.values()].map((v) => ({ ...v, labels: { ...v.labels } }));
  }
}

/** Sum of a metric over samples whose labels include `match`. */
export function metricTotal(samples: readonly MetricSample[], name: string, match: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}
