// The host's event stream. Nodes publish through a narrow EventBus bound to their subject;
// the hub stamps LVA's envelope fields and redacts bodies before anyone sees them.
import { Subject, type Observable } from 'rxjs';
import { EVENT_CLASSES, type EventBodies, type EventBus, type EventType, type GraphEvent } from '../types/events.ts';
import type { Redactor } from './redact.ts';

export class EventHub {
  readonly #subject = new Subject<GraphEvent>();
  readonly events$: Observable<GraphEvent> = this.#subject.asObservable();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  busFor(subject: string, redactor: Redactor): EventBus {
    return {
      emit: <K extends EventType>(type: K, body: EventBodies[K]) => this.publish(type, subject, redactor.value(body)),
    };
  }

  publish<K extends EventType>(type: K, subject: string, body: EventBodies[K]): void {
    this.#subject.next({
      eventType: `Microsoft.Media.Graph.${EVENT_CLASSES[type]}.${type}`,
      type,
      subject,
      eventTime: this.#now().toISOString(),
      body,
    });
  }

  complete(): void {
    this.#subject.complete();
  }
}

export function subjectFor(instance: string, section?: 'sources' | 'processors' | 'sinks', node?: string): string {
  return section && node ? `/graphInstances/${instance}/${section}/${node}` : `/graphInstances/${instance}`;
}
