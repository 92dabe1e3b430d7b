// How a segmenter finds the workspace of the durable cache it feeds. Both nodes belong to one
// activation, whose NodeServices object they share: the cache offers a slot under its input
// node's name when it is created (before anything runs), and fills it once the cache is open;
// the segmenter looks its own name up when it starts. No slot: no cache downstream, the
// segmenter writes to its own folder.
import type { NodeServices } from '../../types/node.ts';
import type { SegmentWorkspace } from '../../types/cache.ts';

interface Slot {
  readonly workspace: Promise<SegmentWorkspace | undefined>;
  readonly settle: (w: SegmentWorkspace | undefined) => void;
}

const slots = new WeakMap<NodeServices, Map<string, Slot>>();

/** Called by the cache node at creation; `settle` with the workspace once open (undefined if it failed). */
export function offerWorkspace(services: NodeServices, segmenterName: string): (w: SegmentWorkspace | undefined) => void {
  let settle!: (w: SegmentWorkspace | undefined) => void;
  const workspace = new Promise<SegmentWorkspace | undefined>((r) => {
    settle = r;
  });
  let byName = slots.get(services);
  if (!byName) {
    byName = new Map();
    slots.set(services, byName);
  }
  byName.set(segmenterName, { workspace, settle });
  return settle;
}

/** The workspace offered to `segmenterName` in this activation, or undefined when none was. */
export function workspaceFor(services: NodeServices, segmenterName: string): Promise<SegmentWorkspace | undefined> | undefined {
  return slots.get(services)?.get(segmenterName)?.workspace;
}
