// The module `--plugin` loads: its `nodes` export (or default export) lists the node types to
// register beside the built-ins, e.g. once compiled to JavaScript:
//   npx mediagraph run examples/custom-node/topology.json --plugin ./nodes.js --param rtspUrl=… --param outputFolder=…
import { keyframeSamplerNode } from './keyframe-sampler.ts';

export const nodes = [keyframeSamplerNode];
