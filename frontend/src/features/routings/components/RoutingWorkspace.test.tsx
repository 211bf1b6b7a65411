import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWorkspace, routingFixture, step, users, type HistoryFixtureEntry } from './test-utils';

afterEach(() => vi.unstubAllGlobals());

async function workspace() {
  return screen.findByRole('heading', { level: 1, name: /R-1/ });
}

function input(name: string): HTMLInputElement | HTMLTextAreaElement {
  return screen.getByRole('textbox', { name }) as HTMLInputElement | HTMLTextAreaElement;
}

describe('routing workspace: header', () => {
  it('shows code, title, breadcrumb, version, CAM revision, owner and both badges', async () => {
    fakeServer(users.engineer, { routing: routingFixture({ camRevision: 2, generationStatus: 'QUEUED' }) });
    renderWorkspace('/routings/9');
    const heading = await workspace();
    expect(heading.textContent).toBe('R-1 Mill and drill');
    const breadcrumb = screen.getByRole('navigation', { name: 'Breadcrumb' });
    expect(within(breadcrumb).getByRole('link', { name: 'Explorer' }).getAttribute('href')).toBe('/');
    expect(within(breadcrumb).getByRole('link', { name: 'BRK-100 Bracket' }).getAttribute('href')).toBe('/?q=BRK-100');
    expect(breadcrumb.textContent).toContain('Revision A');
    expect(document.querySelector('[data-status]')?.textContent).toBe('Status: Draft');
    const badge = screen.getByText('Generation: Queued');
    expect(badge.getAttribute('data-generation-status')).toBe('QUEUED');
    expect(badge.getAttribute('role')).toBe('status');
    const facts = document.querySelector('.workspace__facts');
    expect(facts?.textContent).toContain('Version3');
    expect(facts?.textContent).toContain('CAM revision2');
    expect(facts?.textContent).toContain('Erin Engineer (you)');
    expect(document.title === '' || document.querySelector('title')?.textContent?.includes('R-1')).toBeTruthy();
  });

  it('turns the generation badge to Succeeded as soon as the add-in reports, and ignores other routings', async () => {
    const server = fakeServer(users.engineer, {
      routing: routingFixture({ status: 'APPROVED', generationStatus: 'RUNNING' }),
    });
    const { emit } = renderWorkspace('/routings/9');
    expect((await screen.findByText('Generation: Running')).getAttribute('data-generation-status')).toBe('RUNNING');
    const before = server.callsOf('RoutingWorkspace').length;

    emit({
      name: 'addin.job.updated',
      payload: { jobId: '5', routingId: '10', status: 'COMPLETED', message: null, updatedAt: '2026-01-05T12:00:00Z' },
    });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(server.callsOf('RoutingWorkspace').length).toBe(before);

    server.routing = routingFixture({ status: 'APPROVED', generationStatus: 'SUCCEEDED', camRevision: 1 });
    emit({
      name: 'addin.job.updated',
      payload: { jobId: '4', routingId: '9', status: 'COMPLETED', message: null, updatedAt: '2026-01-05T12:00:00Z' },
    });
    const badge = await screen.findByText('Generation: Succeeded', {}, { timeout: 1000 });
    expect(badge.getAttribute('data-generation-status')).toBe('SUCCEEDED');
    expect(server.callsOf('RoutingWorkspace').length).toBe(before + 1);
    expect(server.callsOf('WorkspaceHistory').length).toBeGreaterThan(1);
  });
});

describe('routing workspace: tabs', () => {
  it('is an ARIA tablist whose tabs change the URL, with arrow keys, Home and End', async () => {
    fakeServer(users.engineer);
    const { router } = renderWorkspace('/routings/9');
    await workspace();
    const tablist = screen.getByRole('tablist', { name: 'Routing workspace' });
    const tabs = within(tablist).getAllByRole('tab');
    expect(tabs.map((tab) => tab.textContent)).toEqual(['Steps', 'Files', 'Approval', 'Add-in']);
    const stepsTab = screen.getByRole('tab', { name: 'Steps' });
    expect(stepsTab.getAttribute('aria-selected')).toBe('true');
    expect(stepsTab.getAttribute('tabindex')).toBe('0');
    expect(screen.getByRole('tab', { name: 'Files' }).getAttribute('tabindex')).toBe('-1');
    const panel = document.getElementById(stepsTab.getAttribute('aria-controls') ?? '');
    expect(panel?.getAttribute('role')).toBe('tabpanel');
    expect(panel?.getAttribute('aria-labelledby')).toBe(stepsTab.id);
    expect(panel?.hidden).toBe(false);

    fireEvent.click(screen.getByRole('tab', { name: 'Files' }));
    expect(await screen.findByText('Files of 9, owner 1, can edit: true')).toBeTruthy();
    expect(router.state.location.pathname).toBe('/routings/9/files');
    expect(screen.getByRole('tab', { name: 'Files' }).getAttribute('aria-selected')).toBe('true');
    expect(stepsTab.getAttribute('aria-selected')).toBe('false');
    expect(panel?.hidden).toBe(true);

    fireEvent.keyDown(screen.getByRole('tab', { name: 'Files' }), { key: 'ArrowRight' });
    await waitFor(() => expect(router.state.location.pathname).toBe('/routings/9/approval'));
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Approval' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Approval' })).toBeTruthy();

    fireEvent.keyDown(document.activeElement as Element, { key: 'End' });
    await waitFor(() => expect(router.state.location.pathname).toBe('/routings/9/addin'));
    expect(screen.getByText('Jobs of 9')).toBeTruthy();
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowRight' });
    await waitFor(() => expect(router.state.location.pathname).toBe('/routings/9/steps'));
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowLeft' });
    await waitFor(() => expect(router.state.location.pathname).toBe('/routings/9/addin'));
    fireEvent.keyDown(document.activeElement as Element, { key: 'Home' });
    await waitFor(() => expect(router.state.location.pathname).toBe('/routings/9/steps'));
    expect(screen.getByRole('tab', { name: 'Steps' }).getAttribute('aria-selected')).toBe('true');
  });

  it('opens the tab named in the URL, and sends an unknown tab to the default', async () => {
    fakeServer(users.engineer);
    renderWorkspace('/routings/9/approval');
    await workspace();
    expect(screen.getByRole('tab', { name: 'Approval' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('button', { name: 'Request approval' })).toBeTruthy();
  });

  it('redirects an unknown tab to the Steps tab', async () => {
    fakeServer(users.engineer);
    const { router } = renderWorkspace('/routings/9/nonsense');
    await workspace();
    expect(router.state.location.pathname).toBe('/routings/9');
    expect(screen.getByRole('tab', { name: 'Steps' }).getAttribute('aria-selected')).toBe('true');
  });
});

describe('routing workspace: steps', () => {
  it('edits, adds, removes and reorders steps (by keyboard) and saves the whole list in order', async () => {
    const server = fakeServer(users.engineer, {
      handlers: {
        WorkspaceSaveRouting: () => {
          server.routing = routingFixture({
            version: 4,
            title: 'Mill, drill and deburr',
            steps: [step('103', 0, 'Deburr'), step('101', 1, 'Rough mill 2')],
          });
          return { data: { updateRouting: server.routing } };
        },
      },
    });
    renderWorkspace('/routings/9');
    await workspace();
    const save = screen.getByRole('button', { name: 'Save changes' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    expect(screen.getByText('All changes saved')).toBeTruthy();

    fireEvent.change(input('Title'), { target: { value: 'Mill, drill and deburr' } });
    fireEvent.change(input('Operation name (step 1)'), { target: { value: 'Rough mill 2' } });
    fireEvent.change(input('Setup minutes (step 1)'), { target: { value: '12,5' } });
    fireEvent.change(input('Tooling notes (step 1)'), { target: { value: 'Face mill 50' } });
    expect(screen.getByText('Unsaved changes')).toBeTruthy();
    expect(save.disabled).toBe(false);
    expect(screen.getByRole('tab', { name: /Steps/ }).textContent).toContain('(unsaved changes)');

    fireEvent.click(screen.getByRole('button', { name: 'Remove (step 2)' }));
    expect(screen.queryByRole('textbox', { name: 'Operation name (step 2)' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Add step' }));
    const added = input('Operation name (step 2)');
    expect(added.value).toBe('');
    expect(document.activeElement).toBe(added);
    fireEvent.change(added, { target: { value: 'Deburr' } });
    fireEvent.change(input('Cycle minutes (step 2)'), { target: { value: '1.5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add parameter (step 2)' }));
    fireEvent.change(input('Parameter name (step 2, parameter 1)'), { target: { value: 'edge' } });
    fireEvent.change(input('Parameter value (step 2, parameter 1)'), { target: { value: '0.2 mm' } });

    const up = screen.getByRole('button', { name: 'Move up (step 2)' });
    up.focus();
    fireEvent.click(up);
    expect(input('Operation name (step 1)').value).toBe('Deburr');
    expect(input('Operation name (step 2)').value).toBe('Rough mill 2');
    expect(screen.getByText('Moved “Deburr” to position 1 of 2.')).toBeTruthy();
    // The moved step keeps the focus (its Move up is now disabled, so Move down).
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move down (step 1)' }));
    expect((screen.getByRole('button', { name: 'Move up (step 1)' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(save);
    await screen.findByText('All changes saved');
    const calls = server.callsOf('WorkspaceSaveRouting');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.variables).toEqual({
      id: '9',
      expectedVersion: 3,
      input: {
        title: 'Mill, drill and deburr',
        steps: [
          {
            name: 'Deburr',
            workCenter: '',
            machine: '',
            description: '',
            setupMinutes: 0,
            cycleMinutes: 1.5,
            toolingNotes: '',
            parameters: [{ key: 'edge', value: '0.2 mm' }],
          },
          {
            id: '101',
            name: 'Rough mill 2',
            workCenter: 'WC-1',
            machine: 'M-1',
            description: '',
            setupMinutes: 12.5,
            cycleMinutes: 2.5,
            toolingNotes: 'Face mill 50',
            parameters: [],
          },
        ],
      },
    });
    // The editor now shows the saved version.
    expect(document.querySelector('.workspace__facts')?.textContent).toContain('Version4');
    await waitFor(() => expect(screen.getByRole('tab', { name: /Steps/ }).textContent).toBe('Steps'));
  });

  it('reorders by drag and drop too', async () => {
    const server = fakeServer(users.engineer, {
      handlers: { WorkspaceSaveRouting: () => ({ data: { updateRouting: routingFixture({ version: 4 }) } }) },
    });
    renderWorkspace('/routings/9');
    await workspace();
    const cards = document.querySelectorAll('.step-card');
    const handle = cards[0]?.querySelector('[draggable="true"]');
    expect(handle).toBeTruthy();
    fireEvent.dragStart(handle as Element);
    fireEvent.dragOver(cards[1] as Element, { clientY: 10 });
    fireEvent.drop(cards[1] as Element, { clientY: 10 });
    expect(input('Operation name (step 1)').value).toBe('Drill');
    expect(input('Operation name (step 2)').value).toBe('Rough mill');
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(server.callsOf('WorkspaceSaveRouting')).toHaveLength(1));
    const sent = server.callsOf('WorkspaceSaveRouting')[0]?.variables.input as { steps: { id: string }[] };
    expect(sent.steps.map((s) => s.id)).toEqual(['102', '101']);
  });

  it('validates before saving: name required, minutes ≥ 0 and numeric', async () => {
    const server = fakeServer(users.engineer);
    renderWorkspace('/routings/9');
    await workspace();
    fireEvent.change(input('Operation name (step 1)'), { target: { value: '  ' } });
    fireEvent.change(input('Setup minutes (step 1)'), { target: { value: '-1' } });
    fireEvent.change(input('Cycle minutes (step 2)'), { target: { value: 'abc' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    const alert = await screen.findByText('Fix these problems before saving:');
    const summary = alert.closest('[role="alert"]') as HTMLElement;
    expect(summary.textContent).toContain('Step 1, Operation name: Give the operation a name.');
    expect(summary.textContent).toContain('Step 1, Setup minutes: Enter minutes as a number from 0 to 100000.');
    expect(summary.textContent).toContain('Step 2, Cycle minutes: Enter minutes as a number from 0 to 100000.');
    expect(input('Operation name (step 1)').getAttribute('aria-invalid')).toBe('true');
    expect(server.callsOf('WorkspaceSaveRouting')).toHaveLength(0);

    fireEvent.change(input('Operation name (step 1)'), { target: { value: 'Rough mill' } });
    expect(summary.textContent).not.toContain('Give the operation a name.');
  });

  it('on CONFLICT says someone else changed it, keeps the edits, shows what changed, and reloads theirs on request', async () => {
    const server = fakeServer(users.engineer, {
      history: [
        { id: '1', type: 'ROUTING_CREATED', actor: 'engineer', at: '2026-01-05T10:00:00Z', message: 'Created.', data: { version: 1 } },
      ],
      handlers: {
        WorkspaceSaveRouting: () => ({
          data: null,
          errors: [
            {
              message: 'The routing was changed by someone else; reload it and apply your change again.',
              extensions: { code: 'CONFLICT', expectedVersion: 3 },
            },
          ],
        }),
      },
    });
    renderWorkspace('/routings/9');
    await workspace();
    fireEvent.change(input('Operation name (step 1)'), { target: { value: 'My rough mill' } });

    // Meanwhile someone else saved version 4.
    server.routing = routingFixture({
      version: 4,
      title: 'Their title',
      steps: [step('101', 0, 'Rough mill', { machine: 'M-9' }), step('102', 1, 'Drill'), step('104', 2, 'Wash')],
    });
    server.history = [
      ...server.history,
      { id: '2', type: 'ROUTING_UPDATED', actor: 'admin', at: '2026-01-05T12:00:00Z', message: 'Changed steps, title.', data: { version: 4 } },
    ];
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));

    const alert = await screen.findByText('Someone else changed this routing while you were editing it.');
    const box = alert.closest('[role="alert"]') as HTMLElement;
    await waitFor(() => expect(box.textContent).toContain('You started from version 3; it is now at version 4'));
    expect(box.textContent).toContain('Your changes are not saved yet and are still here.');
    expect(box.textContent).toContain('Title changed to “Their title”.');
    expect(box.textContent).toContain('Step “Rough mill” changed: Machine.');
    expect(box.textContent).toContain('Step “Wash” added.');
    // The user's edit is still there.
    expect(input('Operation name (step 1)').value).toBe('My rough mill');
    expect(server.callsOf('WorkspaceSaveRouting')[0]?.variables.expectedVersion).toBe(3);

    fireEvent.click(within(box).getByRole('button', { name: 'Reload their version' }));
    expect(input('Operation name (step 1)').value).toBe('Rough mill');
    expect(input('Machine (step 1)').value).toBe('M-9');
    expect(input('Operation name (step 3)').value).toBe('Wash');
    expect(input('Title').value).toBe('Their title');
    expect(screen.queryByText('Someone else changed this routing while you were editing it.')).toBeNull();
    expect(screen.getByText('All changes saved')).toBeTruthy();
  });

  it('can save over a newer version after a conflict, with the new expectedVersion', async () => {
    const server = fakeServer(users.engineer, {
      handlers: {
        WorkspaceSaveRouting: (variables) =>
          variables.expectedVersion === 3
            ? { data: null, errors: [{ message: 'Changed.', extensions: { code: 'CONFLICT' } }] }
            : { data: { updateRouting: routingFixture({ version: 5 }) } },
      },
    });
    renderWorkspace('/routings/9');
    await workspace();
    fireEvent.change(input('Operation name (step 1)'), { target: { value: 'Mine' } });
    server.routing = routingFixture({ version: 4, steps: [step('101', 0, 'Rough mill')] });
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Save mine over theirs' }));
    await waitFor(() => expect(server.callsOf('WorkspaceSaveRouting')).toHaveLength(2));
    const second = server.callsOf('WorkspaceSaveRouting')[1]?.variables as {
      expectedVersion: number;
      input: { steps: { id?: string; name: string }[] };
    };
    expect(second.expectedVersion).toBe(4);
    // Step 102 was removed by them: it is sent again as a new step.
    expect(second.input.steps.map((s) => [s.id, s.name])).toEqual([
      ['101', 'Mine'],
      [undefined, 'Drill'],
    ]);
  });

  it('shows the server refusing a save, and keeps the edits', async () => {
    fakeServer(users.engineer, {
      handlers: {
        WorkspaceSaveRouting: () => ({
          data: null,
          errors: [{ message: "Only the routing's owner may change it.", extensions: { code: 'FORBIDDEN' } }],
        }),
      },
    });
    renderWorkspace('/routings/9');
    await workspace();
    fireEvent.change(input('Operation name (step 1)'), { target: { value: 'Mine' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(
      (await screen.findByText("You may not change this routing: Only the routing's owner may change it.")).getAttribute('role'),
    ).toBe('alert');
    expect(input('Operation name (step 1)').value).toBe('Mine');
    expect(screen.getByText('Unsaved changes')).toBeTruthy();
  });

  it('is read-only, with the reason, when the user may not edit', async () => {
    fakeServer(users.engineer2);
    renderWorkspace('/routings/9');
    await workspace();
    expect(screen.queryByRole('button', { name: 'Save changes' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Add step' })).toBeNull();
    expect(screen.getByText('Read-only: only the owner (Erin Engineer) or an administrator may edit this routing.')).toBeTruthy();
    expect(screen.getByRole('table', { name: 'Operations in order' })).toBeTruthy();
    expect(screen.getByRole('rowheader', { name: 'Rough mill' })).toBeTruthy();
  });

  it('is read-only for the owner while the routing waits for approval', async () => {
    fakeServer(users.engineer, { routing: routingFixture({ status: 'PENDING_APPROVAL' }) });
    renderWorkspace('/routings/9');
    await workspace();
    expect(screen.queryByRole('button', { name: 'Save changes' })).toBeNull();
    expect(
      screen.getByText('Read-only: a routing can be edited only while it is a draft or rejected (it is Pending approval).'),
    ).toBeTruthy();
  });
});

const pendingHistory: HistoryFixtureEntry[] = [
  { id: '1', type: 'ROUTING_CREATED', actor: 'engineer', at: '2026-01-05T10:00:00Z', message: 'Created routing R-1 with 2 step(s).', data: { version: 1 } },
  { id: '2', type: 'SUBMITTED', actor: 'engineer', at: '2026-01-05T11:00:00Z', message: 'Submitted for approval.', data: { version: 4 } },
];

describe('routing workspace: approval', () => {
  it('lets the owner request approval', async () => {
    const server = fakeServer(users.engineer, {
      handlers: {
        WorkspaceSubmitRouting: () => ({ data: { submitRouting: routingFixture({ status: 'PENDING_APPROVAL', version: 4 }) } }),
      },
    });
    renderWorkspace('/routings/9/approval');
    await workspace();
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Reject' })).toBeNull();
    server.routing = routingFixture({ status: 'PENDING_APPROVAL', version: 4 });
    fireEvent.click(screen.getByRole('button', { name: 'Request approval' }));
    await waitFor(() => expect(server.callsOf('WorkspaceSubmitRouting')).toHaveLength(1));
    expect(server.callsOf('WorkspaceSubmitRouting')[0]?.variables).toEqual({ id: '9' });
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Request approval' })).toBeNull());
    expect(screen.getAllByText('Approval requested.').length).toBeGreaterThan(0);
    expect(screen.getByText('Waiting for an approver to decide.')).toBeTruthy();
  });

  it('does not request approval while steps have unsaved changes', async () => {
    fakeServer(users.engineer);
    renderWorkspace('/routings/9');
    await workspace();
    fireEvent.change(input('Operation name (step 1)'), { target: { value: 'Changed' } });
    fireEvent.click(screen.getByRole('tab', { name: /Approval/ }));
    const request = (await screen.findByRole('button', { name: 'Request approval' })) as HTMLButtonElement;
    expect(request.disabled).toBe(true);
    expect(screen.getByText('Save or discard your unsaved step changes before requesting approval.')).toBeTruthy();
    // The draft survived the visit to another tab.
    fireEvent.click(screen.getByRole('tab', { name: /Steps/ }));
    expect(input('Operation name (step 1)').value).toBe('Changed');
  });

  it('requires a reason to reject, then sends reason and comment', async () => {
    const server = fakeServer(users.approver, {
      routing: routingFixture({ status: 'PENDING_APPROVAL', version: 4 }),
      history: pendingHistory,
      handlers: {
        WorkspaceRejectRouting: () => ({ data: { rejectRouting: routingFixture({ status: 'REJECTED', version: 5 }) } }),
      },
    });
    renderWorkspace('/routings/9/approval');
    await workspace();
    fireEvent.click(screen.getByRole('button', { name: 'Reject' }));
    const reason = screen.getByLabelText('Reason for rejection (required)');
    expect(document.activeElement).toBe(reason);
    fireEvent.click(screen.getByRole('button', { name: 'Confirm rejection' }));
    expect((await screen.findByText('Give a reason for the rejection.')).getAttribute('role')).toBe('alert');
    expect(reason.getAttribute('aria-invalid')).toBe('true');
    expect(server.callsOf('WorkspaceRejectRouting')).toHaveLength(0);

    fireEvent.change(reason, { target: { value: 'Tolerance on bore too loose' } });
    fireEvent.change(screen.getByLabelText('Comment (optional)'), { target: { value: 'See drawing rev B' } });
    server.routing = routingFixture({ status: 'REJECTED', version: 5 });
    server.history = [
      ...pendingHistory,
      {
        id: '3',
        type: 'REJECTED',
        actor: 'approver',
        at: '2026-01-05T12:00:00Z',
        message: 'Tolerance on bore too loose',
        data: { reason: 'Tolerance on bore too loose', comment: 'See drawing rev B', version: 5 },
      },
    ];
    fireEvent.click(screen.getByRole('button', { name: 'Confirm rejection' }));
    await waitFor(() => expect(server.callsOf('WorkspaceRejectRouting')).toHaveLength(1));
    expect(server.callsOf('WorkspaceRejectRouting')[0]?.variables).toEqual({
      id: '9',
      reason: 'Tolerance on bore too loose',
      comment: 'See drawing rev B',
    });
    // The rejection's reason is shown prominently in the header, and in the history.
    const notice = await screen.findByTestId('rejection-notice');
    expect(notice.textContent).toContain('Rejected by approver');
    expect(notice.textContent).toContain('Reason: Tolerance on bore too loose');
    expect(notice.textContent).toContain('Comment: See drawing rev B');
    const list = screen.getByRole('list', { name: 'History, newest first' });
    const first = within(list).getAllByRole('listitem')[0];
    expect(first?.textContent).toContain('Rejected');
    expect(first?.textContent).toContain('Reason: Tolerance on bore too loose');
    expect(screen.queryByRole('button', { name: 'Reject' })).toBeNull();
  });

  it('approves with an optional comment', async () => {
    const server = fakeServer(users.approver, {
      routing: routingFixture({ status: 'PENDING_APPROVAL', version: 4 }),
      handlers: {
        WorkspaceApproveRouting: () => ({
          data: { approveRouting: routingFixture({ status: 'APPROVED', version: 5, generationStatus: 'QUEUED' }) },
        }),
      },
    });
    renderWorkspace('/routings/9/approval');
    await workspace();
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    fireEvent.change(screen.getByLabelText('Comment (optional)'), { target: { value: 'Fine' } });
    server.routing = routingFixture({ status: 'APPROVED', version: 5, generationStatus: 'QUEUED' });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm approval' }));
    await waitFor(() => expect(server.callsOf('WorkspaceApproveRouting')).toHaveLength(1));
    expect(server.callsOf('WorkspaceApproveRouting')[0]?.variables).toEqual({ id: '9', comment: 'Fine' });
    expect(await screen.findByText('Generation: Queued')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('hides approve and reject from an approver who owns the routing (four-eyes) and from engineers', async () => {
    fakeServer(users.approver, {
      routing: routingFixture({
        status: 'PENDING_APPROVAL',
        owner: { __typename: 'User', id: '3', username: 'approver', displayName: 'Avery Approver' },
      }),
    });
    renderWorkspace('/routings/9/approval');
    await workspace();
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Reject' })).toBeNull();
    expect(screen.getByText('You own this routing: another approver must decide it (four-eyes rule).')).toBeTruthy();
  });

  it('hides approve and reject from engineers', async () => {
    fakeServer(users.engineer2, { routing: routingFixture({ status: 'PENDING_APPROVAL' }) });
    renderWorkspace('/routings/9/approval');
    await workspace();
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Reject' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Request approval' })).toBeNull();
  });

  it('shows the server refusing a decision', async () => {
    fakeServer(users.approver, {
      routing: routingFixture({ status: 'PENDING_APPROVAL' }),
      handlers: {
        WorkspaceApproveRouting: () => ({
          data: null,
          errors: [{ message: 'Four-eyes rule: nobody may approve their own routing.', extensions: { code: 'FORBIDDEN' } }],
        }),
      },
    });
    renderWorkspace('/routings/9/approval');
    await workspace();
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm approval' }));
    expect(
      await screen.findByText('You may not do this: Four-eyes rule: nobody may approve their own routing.'),
    ).toBeTruthy();
  });

  it('pages the history, newest first, and follows live changes', async () => {
    const entries: HistoryFixtureEntry[] = Array.from({ length: 25 }, (_, i) => ({
      id: String(i + 1),
      type: i === 0 ? 'ROUTING_CREATED' : 'ROUTING_UPDATED',
      actor: 'engineer',
      at: `2026-01-05T10:${String(i).padStart(2, '0')}:00Z`,
      message: `Change ${i + 1}`,
      data: { version: i + 1 },
    }));
    const server = fakeServer(users.engineer, { history: entries });
    const { emit } = renderWorkspace('/routings/9/approval');
    await workspace();
    const list = await screen.findByRole('list', { name: 'History, newest first' });
    let items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(20);
    expect(items[0]?.textContent).toContain('Change 25');
    expect(items[0]?.textContent).toContain('by engineer');
    expect(items[0]?.textContent).toContain('version 25');
    expect(screen.getByText('20 of 25 entries shown.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Show older entries' }));
    items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(25);
    expect(items[24]?.textContent).toContain('Created');
    expect(document.activeElement).toBe(items[20]);
    expect(screen.queryByRole('button', { name: 'Show older entries' })).toBeNull();

    server.history = [
      ...entries,
      { id: '26', type: 'SUBMITTED', actor: 'engineer', at: '2026-01-05T11:00:00Z', message: 'Submitted for approval.', data: {} },
    ];
    server.routing = routingFixture({ status: 'PENDING_APPROVAL', version: 26 });
    emit({
      name: 'routing.approval.changed',
      payload: { routingId: '9', status: 'PENDING_APPROVAL', approvedBy: null, timestamp: '2026-01-05T11:00:00Z' },
    });
    await waitFor(() =>
      expect(within(list).getAllByRole('listitem')[0]?.textContent).toContain('Submitted for approval'),
    );
  });
});

describe('routing workspace: errors', () => {
  it('says a missing routing is not found', async () => {
    fakeServer(users.engineer, { routing: null });
    renderWorkspace('/routings/404');
    expect(await screen.findByRole('heading', { level: 1, name: 'Routing not found' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('This routing does not exist or you may not see it.');
    expect(screen.getByRole('link', { name: 'Back to the explorer' })).toBeTruthy();
  });

  it('says NOT_FOUND and FORBIDDEN errors in words', async () => {
    fakeServer(users.engineer, {
      handlers: {
        RoutingWorkspace: () => ({ data: null, errors: [{ message: 'No.', extensions: { code: 'FORBIDDEN' } }] }),
      },
    });
    renderWorkspace('/routings/9');
    expect(await screen.findByRole('heading', { level: 1, name: 'Not allowed' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('You may not see this routing.');
  });

  it('offers a retry after a network error', async () => {
    let fail = true;
    fakeServer(users.engineer, {
      handlers: {
        RoutingWorkspace: () => {
          if (fail) throw new TypeError('Failed to fetch');
          return { data: { routing: routingFixture() } };
        },
      },
    });
    renderWorkspace('/routings/9');
    expect(await screen.findByRole('heading', { level: 1, name: 'The routing could not be loaded' })).toBeTruthy();
    expect(screen.getByText('The server cannot be reached. Check your connection and try again.')).toBeTruthy();
    fail = false;
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    });
    expect(await workspace()).toBeTruthy();
  });
});
