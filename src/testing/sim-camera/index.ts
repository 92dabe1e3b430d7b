export { startSimulatedCamera } from './sim-camera.ts';
export type { SimulatedCamera, SimulatedCameraOptions, SimulatedCameraQuirks, SimulatedCameraStats } from './sim-camera.ts';
