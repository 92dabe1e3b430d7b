// The cutting stage as an RxJS operator: MediaMessages in, cutter actions out, synchronously,
// so marble tests can run it in virtual time. Completion of the input counts as End.
import { Observable, type OperatorFunction } from 'rxjs';
import type { MediaMessage } from '../../types/media.ts';
import { SegmentCutter, type SegmentCutterOptions } from '../../media/segmenter/cutter.ts';
import type { CutterAction } from '../../media/segmenter/actions.ts';

export function cutSegments(options: SegmentCutterOptions): OperatorFunction<MediaMessage, CutterAction> {
  return (source) =>
    new Observable<CutterAction>((subscriber) => {
      const cutter = new SegmentCutter(options);
      const push = (m: MediaMessage): boolean => {
        let actions: CutterAction[];
        try {
          actions = cutter.push(m);
        } catch (e) {
          subscriber.error(e);
          return false;
        }
        for (const a of actions) subscriber.next(a);
        return true;
      };
      return source.subscribe({
        next: (m) => void push(m),
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          if (push({ kind: 'end' })) subscriber.complete();
        },
      });
    });
}
