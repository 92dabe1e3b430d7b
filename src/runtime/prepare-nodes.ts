// Before an instance becomes Active, each node may check what it needs outside the process
// (NodeDefinition.prepare): a resource another live process holds fails the activation with
// LVA's ResourceValidationError instead of an Active instance that fails a moment later.
import type { NodeServices } from '../types/node.ts';
import type { Plan } from '../graph/plan.ts';
import { MediaGraphError } from './errors.ts';

export async function prepareNodes(plan: Plan, instanceName: string, services: NodeServices): Promise<void> {
  for (const node of plan.nodes) {
    if (!node.definition.prepare) continue;
    try {
      await node.definition.prepare(node.spec, { instanceName, nodeName: node.name, services });
    } catch (e) {
      const message = `node "${node.name}": ${e instanceof Error ? e.message : String(e)}`;
      throw new MediaGraphError('ResourceValidationError', message, [{ code: 'ResourceValidationError', target: node.origin.pointer, message }]);
    }
  }
}
