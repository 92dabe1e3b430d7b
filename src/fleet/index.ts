// Fleet mode (docs/fleet.md): several `serve --fleet` hosts share definitions in Blob Storage
// and divide the desired-active instances among themselves with blob leases.
import type { Logger } from '../types/logger.ts';
import type { MediaGraphHost } from '../runtime/host.ts';
import { FleetContainer } from './fleet-container.ts';
import { SharedDefinitionStore } from './shared-definition-store.ts';
import { FleetCoordinator } from './fleet-coordinator.ts';
import { HandoverGapWriter } from './handover-gap.ts';
import type { FleetSettings } from './fleet-settings.ts';

export { fleetSettings, defaultHostId, CAMERAS_PER_CORE, type FleetSettings, type FleetFlags } from './fleet-settings.ts';
export type { FleetView, HostHeartbeat } from './fleet-view.ts';
export { FleetCoordinator } from './fleet-coordinator.ts';

export interface OpenedFleet {
  readonly container: FleetContainer;
  readonly definitions: SharedDefinitionStore;
}

export async function openFleet(connection: string, settings: FleetSettings): Promise<OpenedFleet> {
  const container = await FleetContainer.open(connection, settings.container);
  return { container, definitions: new SharedDefinitionStore(container) };
}

/** Starts taking leases for `host` (opened over `fleet.definitions`). */
export async function startFleetCoordinator(
  host: MediaGraphHost,
  fleet: OpenedFleet,
  connection: string,
  settings: FleetSettings,
  logger: Logger,
): Promise<FleetCoordinator> {
  const coordinator = new FleetCoordinator(host, fleet.container, fleet.definitions, new HandoverGapWriter(host, connection, logger), logger, settings);
  await coordinator.start();
  return coordinator;
}
