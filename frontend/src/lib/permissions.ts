// What each role may do, mirroring the server's Permission table
// (backend/mcms/core/auth.py). The UI hides what a role may not do; the server
// still checks every request.
import type { Role, RoutingStatus } from '@/gql/graphql';

export type Capability =
  | 'createItem'
  | 'createRouting'
  | 'editRouting'
  | 'submitRouting'
  | 'approveRouting'
  | 'editAnyRouting'
  | 'manageUsers'
  | 'manageOwnTokens'
  | 'manageAddinJobs'
  | 'manageAddinParameters'
  | 'manageAddinKeys';

const ENGINEER: Capability[] = ['manageOwnTokens', 'createItem', 'createRouting', 'editRouting', 'submitRouting'];
const APPROVER: Capability[] = ['manageOwnTokens', 'approveRouting', 'manageAddinJobs'];
const ADMIN: Capability[] = [
  'createItem',
  'createRouting',
  'editRouting',
  'submitRouting',
  'approveRouting',
  'editAnyRouting',
  'manageUsers',
  'manageOwnTokens',
  'manageAddinJobs',
  'manageAddinParameters',
  'manageAddinKeys',
];

const CAPABILITIES: Record<Role, ReadonlySet<Capability>> = {
  ENGINEER: new Set(ENGINEER),
  APPROVER: new Set(APPROVER),
  ADMIN: new Set(ADMIN),
  AUDITOR: new Set(),
  AGENT: new Set(),
};

export interface Actor {
  id: string;
  role: Role;
}

export interface RoutingAccess {
  status: RoutingStatus;
  owner: { id: string };
}

export function can(actor: Actor, capability: Capability): boolean {
  return CAPABILITIES[actor.role]?.has(capability) ?? false;
}

const EDITABLE: ReadonlySet<RoutingStatus> = new Set(['DRAFT', 'REJECTED']);

/** Edit steps and fields, upload files: the owner (or an administrator) while DRAFT or REJECTED. */
export function canEditRouting(actor: Actor, routing: RoutingAccess): boolean {
  if (!EDITABLE.has(routing.status)) return false;
  if (can(actor, 'editAnyRouting')) return true;
  return can(actor, 'editRouting') && routing.owner.id === actor.id;
}

/** Request approval: the owner (or an administrator) while DRAFT or REJECTED. */
export function canSubmitRouting(actor: Actor, routing: RoutingAccess): boolean {
  if (!EDITABLE.has(routing.status)) return false;
  if (can(actor, 'editAnyRouting')) return true;
  return can(actor, 'submitRouting') && routing.owner.id === actor.id;
}

/** Approve or reject: an approver who does not own it, while PENDING_APPROVAL (four-eyes rule). */
export function canDecideRouting(actor: Actor, routing: RoutingAccess): boolean {
  return routing.status === 'PENDING_APPROVAL' && can(actor, 'approveRouting') && routing.owner.id !== actor.id;
}

/** Retry or cancel a routing's add-in jobs: approvers and administrators, or the routing's owner. */
export function canManageJobsOf(actor: Actor, routingOwnerId: string): boolean {
  return can(actor, 'manageAddinJobs') || (can(actor, 'editRouting') && actor.id === routingOwnerId);
}
