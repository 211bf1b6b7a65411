import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeLive } from '@/testing/fakeLive';
import { fakeServer, graphQLError, type Answer } from '@/testing/fakeServer';
import { users, type TestUser } from '@/testing/fixtures';
import { renderPage } from '@/testing/render';
import { ApprovalsInboxPage } from './ApprovalsInboxPage';

afterEach(() => vi.unstubAllGlobals());

function routing(id: string, code: string, ownerId = '1', ownerName = 'Erin Engineer') {
  return {
    __typename: 'Routing',
    id,
    code,
    title: `Plan ${code}`,
    status: 'PENDING_APPROVAL',
    version: 3,
    submittedAt: '2030-01-01T10:00:00Z',
    updatedAt: '2030-01-01T10:00:00Z',
    owner: { __typename: 'User', id: ownerId, username: ownerName.toLowerCase(), displayName: ownerName },
    revision: {
      __typename: 'Revision',
      id: `rev-${id}`,
      code: 'B',
      item: { __typename: 'Item', id: `item-${id}`, itemCode: 'BRK-100', name: 'Bracket' },
    },
  };
}

function page(nodes: unknown[], options: { hasNextPage?: boolean; endCursor?: string; totalCount?: number } = {}) {
  return {
    data: {
      routings: {
        __typename: 'RoutingConnection',
        totalCount: options.totalCount ?? nodes.length,
        pageInfo: { __typename: 'PageInfo', hasNextPage: options.hasNextPage ?? false, endCursor: options.endCursor ?? null },
        edges: nodes.map((node, index) => ({ __typename: 'RoutingEdge', cursor: String(index), node })),
      },
    },
  };
}

function setup(user: TestUser, inbox: Answer, extra: Record<string, Answer> = {}) {
  const server = fakeServer(user, { ApprovalsInbox: inbox, ...extra });
  const live = fakeLive({ openAtOnce: true });
  const view = renderPage(<ApprovalsInboxPage />, live, '/approvals');
  return { server, live, ...view };
}

function row(code: string): HTMLElement {
  const link = screen.getByRole('link', { name: `Review ${code}` });
  const tr = link.closest('tr');
  if (!tr) throw new Error(`No row for ${code}`);
  return tr;
}

describe('ApprovalsInboxPage', () => {
  it('lists the routings waiting, with links to their approval tab', async () => {
    const { server } = setup(users.approver, () => page([routing('9', 'R-100'), routing('8', 'R-090')]));
    expect(await screen.findByRole('heading', { level: 1, name: 'Approvals inbox' })).toBeTruthy();
    expect(document.title).toBe('Approvals inbox · MCMS');
    expect(await screen.findByText('2 routings waiting for approval')).toBeTruthy();
    const link = screen.getByRole('link', { name: 'Review R-100' });
    expect(link.getAttribute('href')).toBe('/routings/9/approval');
    const first = row('R-100');
    expect(within(first).getByText('Plan R-100')).toBeTruthy();
    expect(within(first).getByText('BRK-100 rev. B')).toBeTruthy();
    expect(within(first).getByText('Erin Engineer')).toBeTruthy();
    expect(within(first).getByRole('button', { name: 'Approve R-100' })).toBeTruthy();
    expect(within(first).getByRole('button', { name: 'Reject R-100' })).toBeTruthy();
    expect(screen.getByRole('table', { name: 'Routings pending approval, newest first' })).toBeTruthy();
    expect(server.callsOf('ApprovalsInbox')[0]?.variables).toEqual({ first: 25, after: null });
  });

  it("marks the viewer's own routings: another approver must decide", async () => {
    setup(users.admin, () => page([routing('9', 'R-100', users.admin.id, 'Alex Admin'), routing('8', 'R-090')]));
    await screen.findByRole('link', { name: 'Review R-100' });
    const own = row('R-100');
    expect(own.getAttribute('data-own')).toBe('true');
    expect(within(own).getByText('Yours — another approver must decide')).toBeTruthy();
    expect(within(own).queryByRole('button')).toBeNull();
    const other = row('R-090');
    expect(other.getAttribute('data-own')).toBeNull();
    expect(within(other).getByRole('button', { name: 'Approve R-090' })).toBeTruthy();
  });

  it('shows a newly submitted routing without a reload, and drops a decided one', async () => {
    let nodes = [routing('8', 'R-090')];
    const { live } = setup(users.approver, () => page(nodes));
    await screen.findByRole('link', { name: 'Review R-090' });

    nodes = [routing('9', 'R-100'), ...nodes];
    live.emit('routing.approval.changed', { routingId: '9', status: 'PENDING_APPROVAL', timestamp: '2030-01-01T10:01:00Z' });
    expect(await screen.findByRole('link', { name: 'Review R-100' })).toBeTruthy();
    expect(screen.getByText('2 routings waiting for approval')).toBeTruthy();

    nodes = [routing('9', 'R-100')];
    live.emit('routing.approval.changed', { routingId: '8', status: 'APPROVED', approvedBy: 'approver2', timestamp: '2030-01-01T10:02:00Z' });
    await waitFor(() => expect(screen.queryByRole('link', { name: 'Review R-090' })).toBeNull());
    expect(screen.getByText('1 routing waiting for approval')).toBeTruthy();
  });

  it('loads more with the cursor, without repeating a routing', async () => {
    const { server } = setup(users.approver, (variables) =>
      variables.after === '24'
        ? page([routing('7', 'R-070'), routing('6', 'R-060')], { totalCount: 27 })
        : page([routing('9', 'R-100'), routing('7', 'R-070')], { hasNextPage: true, endCursor: '24', totalCount: 27 }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Load more' }));
    expect(await screen.findByRole('link', { name: 'Review R-060' })).toBeTruthy();
    expect(server.callsOf('ApprovalsInbox').at(-1)?.variables).toEqual({ first: 25, after: '24' });
    expect(screen.getAllByRole('link', { name: 'Review R-070' })).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('rejects only with a reason, and sends it', async () => {
    const { server } = setup(users.approver, () => page([routing('9', 'R-100')]), {
      ApprovalsReject: () => ({ data: { rejectRouting: { __typename: 'Routing', id: '9', status: 'REJECTED', version: 4 } } }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Reject R-100' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reject R-100?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm rejection' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Give a reason: the owner needs it to fix the routing.');
    const reason = within(dialog).getByLabelText('Reason for the rejection (required)');
    expect(reason.getAttribute('aria-invalid')).toBe('true');
    expect(server.callsOf('ApprovalsReject')).toHaveLength(0);

    fireEvent.change(reason, { target: { value: '  Feed rate too high on op 20  ' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm rejection' }));
    await waitFor(() => expect(server.callsOf('ApprovalsReject')).toHaveLength(1));
    expect(server.callsOf('ApprovalsReject')[0]?.variables).toEqual({ id: '9', reason: 'Feed rate too high on op 20', comment: null });
    expect(await screen.findByText('R-100 rejected')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('approves with an optional comment; a conflict says someone decided first', async () => {
    let approve: unknown = { data: { approveRouting: { __typename: 'Routing', id: '9', status: 'APPROVED', version: 4 } } };
    const { server } = setup(users.approver, () => page([routing('9', 'R-100'), routing('8', 'R-090')]), {
      ApprovalsApprove: () => approve,
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Approve R-100' }));
    const dialog = await screen.findByRole('dialog', { name: 'Approve R-100?' });
    fireEvent.change(within(dialog).getByLabelText('Comment (optional)'), { target: { value: 'Looks good' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm approval' }));
    await waitFor(() => expect(server.callsOf('ApprovalsApprove')).toHaveLength(1));
    expect(server.callsOf('ApprovalsApprove')[0]?.variables).toEqual({ id: '9', comment: 'Looks good' });
    expect(await screen.findByText('R-100 approved')).toBeTruthy();

    approve = graphQLError('CONFLICT', 'Routing 8 is APPROVED, not PENDING_APPROVAL.');
    fireEvent.click(screen.getByRole('button', { name: 'Approve R-090' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Confirm approval' }));
    expect(await screen.findByText('R-090 was already decided or withdrawn; the inbox is up to date now.')).toBeTruthy();
    expect(server.callsOf('ApprovalsApprove')[1]?.variables).toEqual({ id: '8', comment: null });
  });

  it.each([
    ['an engineer', users.engineer, 'Engineer'],
    ['an auditor', users.auditor, 'Auditor'],
  ])('tells %s the inbox is not for their role', async (_who, user, role) => {
    const { server } = setup(user, () => page([]));
    expect(await screen.findByRole('heading', { level: 1, name: 'Approvals inbox' })).toBeTruthy();
    expect(
      screen.getByText(`The approvals inbox is for approvers and administrators; you are signed in as ${role}.`),
    ).toBeTruthy();
    expect(server.callsOf('ApprovalsInbox')).toHaveLength(0);
  });
});
