// The live events of SPEC §3 (and `file.committed`), as the SPA receives them from either transport
// (graphql-ws subscriptions or the SSE fallback): a name, a cursor, a payload.
import type { AddinJobStatus, AlertSeverity, RoutingStatus, ScanStatus } from '@/gql/graphql';

export interface AddinJobCreatedPayload {
  jobId: string;
  routingId: string;
  createdAt: string;
}

export interface AddinJobUpdatedPayload {
  jobId: string;
  routingId: string;
  status: AddinJobStatus;
  message?: string | null;
  updatedAt: string;
}

export interface RoutingApprovalChangedPayload {
  routingId: string;
  status: RoutingStatus;
  approvedBy?: string | null;
  timestamp: string;
}

export interface FileCommittedPayload {
  fileId: string;
  routingId: string;
  logicalName: string;
  revision: number;
  size: number;
  sha256: string;
  scanStatus: ScanStatus;
}

export interface NotificationAlertPayload {
  type: string;
  title: string;
  message: string;
  severity: AlertSeverity;
}

export interface LivePayloads {
  'addin.job.created': AddinJobCreatedPayload;
  'addin.job.updated': AddinJobUpdatedPayload;
  'routing.approval.changed': RoutingApprovalChangedPayload;
  'file.committed': FileCommittedPayload;
  'notification.alert': NotificationAlertPayload;
}

export type LiveEventName = keyof LivePayloads;

export const LIVE_EVENT_NAMES: readonly LiveEventName[] = [
  'addin.job.created',
  'addin.job.updated',
  'routing.approval.changed',
  'file.committed',
  'notification.alert',
];

/** One event; `id` is the server's event cursor (a decimal string that grows). */
export type LiveEvent = {
  [N in LiveEventName]: { name: N; id: string; payload: LivePayloads[N] };
}[LiveEventName];

export type LiveEventOf<N extends LiveEventName> = Extract<LiveEvent, { name: N }>;

export function isLiveEventName(name: string): name is LiveEventName {
  return (LIVE_EVENT_NAMES as readonly string[]).includes(name);
}

/** The larger of two cursors (they are decimal strings of growing integers). */
export function laterCursor(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return BigInt(a) >= BigInt(b) ? a : b;
}

/** The smaller of two cursors; undefined when either is unknown. */
export function earlierCursor(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return undefined;
  return BigInt(a) <= BigInt(b) ? a : b;
}
