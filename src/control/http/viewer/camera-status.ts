// What each camera is doing now, for the viewer: recording, connecting, auth failed, camera
// lost, restarting or inactive, since when and why. Built from the host's events as they pass
// (the event stream itself keeps no history), and completed from the host's own instance
// status for instances whose events came before the board started watching.
import type { Subscription } from 'rxjs';
import type { MediaGraphHost } from '../../../runtime/host.ts';
import type { GraphEvent } from '../../../types/events.ts';

export type CameraPhase = 'recording' | 'connecting' | 'auth-failed' | 'camera-lost' | 'restarting' | 'inactive';

export interface CameraStatus {
  readonly instance: string;
  /** The instance's state (Inactive, Activating, Active, Deactivating). */
  readonly state: string;
  readonly phase: CameraPhase;
  /** True only while media arrives from the camera. */
  readonly online: boolean;
  /** ISO time the phase began, when known. */
  readonly since?: string;
  /** The last error of this phase (already redacted by the event hub). */
  readonly message?: string;
  /** The asset the instance records into, once its sink has said so. */
  readonly asset?: string;
  /** ISO time of the last segment uploaded. */
  readonly lastSegmentAt?: string;
}

interface Tracked {
  phase: CameraPhase;
  since: string;
  message?: string;
  asset?: string;
  lastSegmentAt?: string;
  /** Set once a media session was established since the last activation. */
  everConnected: boolean;
  /** An auth error arrived and no session since: the next StreamDisconnected is an auth failure. */
  authFailing: boolean;
}

function instanceOf(subject: string): string | undefined {
  return subject.split('/')[2]?.toLowerCase();
}

export class CameraStatusBoard {
  readonly #tracked = new Map<string, Tracked>();
  readonly #subscription: Subscription;

  constructor(private readonly host: MediaGraphHost) {
    this.#subscription = host.events$.subscribe((e) => this.#apply(e));
  }

  close(): void {
    this.#subscription.unsubscribe();
  }

  /** Every instance of the host with its camera's status, sorted by name. */
  snapshot(): CameraStatus[] {
    return this.host.instanceList().map((i) => this.#statusOf(i.name));
  }

  #statusOf(name: string): CameraStatus {
    const s = this.host.instanceStatus(name);
    const t = this.#tracked.get(name.toLowerCase());
    const common = { instance: name, state: s.state, ...(t?.asset ? { asset: t.asset } : {}), ...(t?.lastSegmentAt ? { lastSegmentAt: t.lastSegmentAt } : {}) };
    if (s.state !== 'Active') {
      const phase: CameraPhase = s.state === 'Activating' ? 'connecting' : 'inactive';
      return { ...common, phase, online: false, ...(s.lastError ? { message: s.lastError.message } : {}) };
    }
    // The host knows restarts best; the board knows the camera's side.
    if (s.notRecordingReason === 'restarting') {
      return {
        ...common,
        phase: 'restarting',
        online: false,
        ...(s.notRecordingSince ? { since: s.notRecordingSince } : {}),
        ...(s.lastError ? { message: s.lastError.message } : {}),
      };
    }
    if (t) return { ...common, phase: t.phase, online: t.phase === 'recording', since: t.since, ...(t.message ? { message: t.message } : {}) };
    // Activated before the board watched: the host's view (camera connected or lost).
    if (s.notRecordingReason === 'camera-lost')
      return { ...common, phase: 'camera-lost', online: false, ...(s.notRecordingSince ? { since: s.notRecordingSince } : {}) };
    return { ...common, phase: 'recording', online: true, ...(s.activatedAt ? { since: s.activatedAt } : {}) };
  }

  #apply(e: GraphEvent): void {
    const key = instanceOf(e.subject);
    if (!key) return;
    const t = this.#tracked.get(key);
    /** Moves the camera to `phase` (its `since` kept while it stays there); the tracked entry. */
    const enter = (phase: CameraPhase, message?: string): Tracked => {
      const entry = t ?? { phase, since: e.eventTime, everConnected: false, authFailing: false };
      if (entry.phase !== phase) entry.since = e.eventTime;
      entry.phase = phase;
      entry.message = message;
      this.#tracked.set(key, entry);
      return entry;
    };
    switch (e.type) {
      case 'GraphInstanceStateChanged': {
        const state = (e as GraphEvent<'GraphInstanceStateChanged'>).body.state;
        if ((state === 'Activating' || state === 'Active') && (!t || t.phase === 'inactive')) {
          const entry = enter('connecting');
          entry.everConnected = false;
          entry.authFailing = false;
        } else if (state === 'Inactive') enter('inactive');
        return;
      }
      case 'MediaSessionEstablished':
      case 'StreamReconnected': {
        const entry = enter('recording');
        entry.everConnected = true;
        entry.authFailing = false;
        return;
      }
      case 'InstanceRestarted':
        // a new pipeline: its source connects afresh
        enter('connecting');
        return;
      case 'AuthenticationError':
      case 'AuthorizationError':
        // StreamDisconnected follows for the same attempt: it keeps this phase
        enter('auth-failed', (e as GraphEvent<'AuthenticationError'>).body.message).authFailing = true;
        return;
      case 'NetworkError':
      case 'ProtocolError':
        // the reason for the StreamDisconnected that follows
        if (t) {
          t.authFailing = false;
          t.message = (e as GraphEvent<'NetworkError'>).body.message;
        }
        return;
      case 'StreamDisconnected':
        if (t?.authFailing) return;
        enter(t?.everConnected ? 'camera-lost' : 'connecting', t?.message ?? (e as GraphEvent<'StreamDisconnected'>).body.reason);
        return;
      case 'InstanceRestarting':
        enter('restarting', (e as GraphEvent<'InstanceRestarting'>).body.error.message);
        return;
      case 'RecordingStarted':
      case 'RecordingAvailable': {
        const body = (e as GraphEvent<'RecordingStarted'>).body;
        if (body.outputType === 'assetName') (t ?? enter('connecting')).asset = body.outputLocation;
        return;
      }
      case 'SegmentUploaded':
        if (t) t.lastSegmentAt = e.eventTime;
        return;
      default:
        return;
    }
  }
}

const boards = new WeakMap<MediaGraphHost, CameraStatusBoard>();

/** The one board of a host, watching from the first call (the server calls it when it starts). */
export function cameraBoardFor(host: MediaGraphHost): CameraStatusBoard {
  let board = boards.get(host);
  if (!board) {
    board = new CameraStatusBoard(host);
    boards.set(host, board);
  }
  return board;
}
