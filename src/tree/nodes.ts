// The tree's node types. Each is plain data; provider.ts turns them into TreeItems.
import type { Connection } from '../connections/types';
import type { WaitingEntry } from '../model/eventInbox';
import type { InstanceSummary, KnownStatus, StatusCounts, WorkflowSummary } from '../model/types';

export interface WorkflowFilter {
  statuses?: KnownStatus[];
  /** ISO dates (cloud only). */
  dateStart?: string;
  dateEnd?: string;
}

export interface ConnectionNode {
  kind: 'connection';
  id: string;
  connection: Connection;
  /** Workflow name filter from "Search Workflows…". */
  search?: string;
  workflows?: WorkflowNode[];
  error?: unknown;
}

export interface WorkflowNode {
  kind: 'workflow';
  id: string;
  parent: ConnectionNode;
  name: string;
  counts?: StatusCounts;
  /** What the workflows list said about it (class, script, dates, schedules on cloud). */
  summary?: WorkflowSummary;
  error?: unknown;
  filter: WorkflowFilter;
  groups: Map<KnownStatus, GroupNode>;
}

export interface GroupNode {
  kind: 'group';
  id: string;
  parent: WorkflowNode;
  status: KnownStatus;
  count: number;
  instances?: InstanceNode[];
  next?: string;
  /** New instances seen by auto-refresh but not yet shown (no reshuffling under the user). */
  newCount: number;
  error?: unknown;
  loading?: Promise<void>;
}

export interface InstanceNode {
  kind: 'instance';
  id: string;
  parent: GroupNode;
  instance: InstanceSummary;
}

export interface LoadMoreNode {
  kind: 'loadMore';
  id: string;
  parent: GroupNode;
}

export interface NewArrivalsNode {
  kind: 'newArrivals';
  id: string;
  parent: GroupNode;
}

export interface MessageNode {
  kind: 'message';
  id: string;
  parent?: ConnectionNode | WorkflowNode | GroupNode | InboxNode;
  text: string;
  detail?: string;
  severity: 'error' | 'info';
  /** The command that fixes it (Update Token, Start Local Dev Session…). */
  action?: { command: string; title: string; args?: unknown[] };
}

/** "Waiting for events": under a workflow, or under a connection (all its workflows). */
export interface InboxNode {
  kind: 'inbox';
  id: string;
  parent: ConnectionNode | WorkflowNode;
  /** Set once scanned: how many wait, and how many unfinished instances are not checked yet. */
  total?: number;
  unchecked?: number;
  types?: EventTypeNode[];
  error?: unknown;
}

/** One event type under an inbox ("unknown type" when `type` is undefined). */
export interface EventTypeNode {
  kind: 'eventType';
  id: string;
  parent: InboxNode;
  type?: string;
  oldestMs?: number;
  instances: WaitingInstanceNode[];
}

/** An instance waiting for an event of its parent's type. */
export interface WaitingInstanceNode {
  kind: 'waitingInstance';
  id: string;
  parent: EventTypeNode;
  connectionId: string;
  entry: WaitingEntry;
}

export type TreeNode = ConnectionNode | WorkflowNode | GroupNode | InstanceNode | LoadMoreNode | NewArrivalsNode | MessageNode | InboxNode | EventTypeNode | WaitingInstanceNode;

/** Where an instance lives: enough to fetch it again from any layer. */
export interface InstanceRef {
  connectionId: string;
  workflow: string;
  id: string;
}

export function instanceRef(node: InstanceNode): InstanceRef {
  return { connectionId: node.parent.parent.parent.connection.id, workflow: node.parent.parent.name, id: node.instance.id };
}
