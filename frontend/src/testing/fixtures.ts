// Data that many tests share: a signed-in user of each role.
import type { Role } from '@/gql/graphql';

export interface TestUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
}

export const users = {
  engineer: { id: '1', username: 'engineer', displayName: 'Erin Engineer', role: 'ENGINEER' },
  engineer2: { id: '2', username: 'engineer2', displayName: 'Eli Engineer', role: 'ENGINEER' },
  approver: { id: '3', username: 'approver', displayName: 'Ada Approver', role: 'APPROVER' },
  admin: { id: '4', username: 'admin', displayName: 'Alex Admin', role: 'ADMIN' },
  auditor: { id: '5', username: 'auditor', displayName: 'Aud Auditor', role: 'AUDITOR' },
} satisfies Record<string, TestUser>;

