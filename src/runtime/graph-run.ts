// One activation of an instance: the compiled pipeline subscribed, a stop signal for a
// graceful drain, and a promise that settles when the pipeline ends for any reason.
import { Subject, type SchedulerLike, asyncScheduler } from 'rxjs';
import type { NodeContext, NodeServices } from '../types/node.ts';
import type { Logger } from '../types/logger.ts';
import { compileGraph } from '../graph/compile.ts';
import type { Plan, PlannedNode } from '../graph/plan.ts';
import type { EventHub } from './event-hub.ts';
import { subjectFor } from './event-hub.ts';
import type { Redactor } from './redact.ts';
import type { MetricStore } from './metric-store.ts';

export interface GraphRunOptions {
  readonly plan: Plan;
  readonly instanceName: string;
  readonly topologyName: string;
  readonly hub: EventHub;
  readonly redactor: Redactor;
  readonly logger: Logger;
  readonly services: NodeServices;
  readonly scheduler?: SchedulerLike;
  readonly metrics: MetricStore;
}

export interface GraphRunOutcome {
  /** Undefined when the graph ended cleanly (drained or its sources ended). */
  readonly error?: unknown;
  readonly stoppedByTimeout: boolean;
}

export class GraphRun {
  readonly done: Promise<GraphRunOutcome>;
  readonly #stop$ = new Subject<void>();
  #forceStop: () => void = () => {};
  #timedOut = false;

  constructor(options: GraphRunOptions) {
    const contextFor = (node: PlannedNode): NodeContext => ({
      instanceName: options.instanceName,
      topologyName: options.topologyName,
      nodeName: node.name,
      logger: options.logger.child({ node: node.name }),
      metrics: options.metrics.bind({ instance: options.instanceName, node: node.name }),
      events: options.hub.busFor(subjectFor(options.instanceName, node.origin.section, node.origin.name), options.redactor),
      scheduler: options.scheduler ?? asyncScheduler,
      stop$: this.#stop$.asObservable(),
      services: options.services,
    });
    const compiled = compileGraph(options.plan, contextFor);
    this.done = new Promise<GraphRunOutcome>((resolve) => {
      const subscription = compiled.run$.subscribe({
        error: (error: unknown) => resolve({ error, stoppedByTimeout: false }),
        complete: () => resolve({ stoppedByTimeout: this.#timedOut }),
      });
      this.#forceStop = () => {
        this.#timedOut = true;
        subscription.unsubscribe();
        resolve({ stoppedByTimeout: true });
      };
    });
  }

  /** Tears everything down now, without waiting for the drain (what was not uploaded stays cached). */
  forceStop(): void {
    this.#forceStop();
  }

  /** Asks sources to end and sinks to drain; after `timeoutMs` everything is torn down. */
  async stop(timeoutMs: number): Promise<GraphRunOutcome> {
    this.#stop$.next();
    this.#stop$.complete();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      this.done,
      new Promise<GraphRunOutcome>((resolve) => {
        timer = setTimeout(() => {
          this.#forceStop();
          resolve({ stoppedByTimeout: true });
        }, timeoutMs);
        timer.unref?.();
      }),
    ]);
    clearTimeout(timer);
    return outcome;
  }
}
