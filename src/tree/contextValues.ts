// State-encoded contextValues. Menus in package.json select on them with regex when-clauses, so
// what a menu offers follows the item's status and the connection's capabilities.
//   cfwfConnection:<local|cloud>:<rw|ro>
//   cfwfWorkflow:<local|cloud>:<rw|ro>[:filtered]
//   cfwfGroup:<status>
//   cfwfInstance:<status>:<rw|ro>:<local|cloud>[+del]
import type { InstanceStatus } from '../model/types';

export type Access = 'rw' | 'ro';

export function connectionContext(kind: 'local' | 'cloud', access: Access): string {
  return `cfwfConnection:${kind}:${access}`;
}

export function workflowContext(kind: 'local' | 'cloud', access: Access, filtered: boolean): string {
  return `cfwfWorkflow:${kind}:${access}${filtered ? ':filtered' : ''}`;
}

export function groupContext(status: InstanceStatus): string {
  return `cfwfGroup:${status}`;
}

export function instanceContext(status: InstanceStatus, access: Access, kind: 'local' | 'cloud', canDelete: boolean): string {
  return `cfwfInstance:${status}:${access}:${kind}${canDelete ? '+del' : ''}`;
}
