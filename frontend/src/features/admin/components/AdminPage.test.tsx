import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  admin,
  engineer,
  failure,
  fakeGraphQL,
  forbidden,
  meAnswer,
  renderAt,
  someUsers,
  userNode,
  usersAnswer,
} from '../test-utils';

afterEach(() => vi.unstubAllGlobals());

describe('admin console: access and navigation', () => {
  it('tells a non-administrator who types the URL that the console is for administrators, without asking the server', async () => {
    const server = fakeGraphQL({ Me: meAnswer(engineer) });
    renderAt('/admin/users');
    expect(await screen.findByRole('heading', { level: 1, name: 'Administration' })).toBeTruthy();
    const notice = screen.getByRole('alert');
    expect(notice.textContent).toContain('Administrators only');
    expect(notice.textContent).toContain('Your role (Engineer)');
    expect(screen.queryByRole('navigation', { name: 'Administration sections' })).toBeNull();
    // The shell offers no Administration link to an engineer.
    expect(screen.queryByRole('link', { name: 'Administration' })).toBeNull();
    expect(server.calls.map((c) => c.operationName)).not.toContain('AdminUsers');
  });

  it('shows the section links, marks the current one and opens the users section by default', async () => {
    fakeGraphQL({ Me: meAnswer(admin), AdminUsers: usersAnswer(someUsers) });
    const router = renderAt('/admin');
    const nav = await screen.findByRole('navigation', { name: 'Administration sections' });
    const links = within(nav).getAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual(['Users and roles', 'API tokens', 'Add-in keys', 'Parameter sets']);
    expect(within(nav).getByRole('link', { name: 'Users and roles' }).getAttribute('aria-current')).toBe('page');
    expect(within(nav).getByRole('link', { name: 'Add-in keys' }).getAttribute('href')).toBe('/admin/addin-keys');
    expect(await screen.findByRole('table', { name: 'Users' })).toBeTruthy();

    fireEvent.click(within(nav).getByRole('link', { name: 'API tokens' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/admin/tokens'));
    expect(await screen.findByRole('heading', { level: 2, name: 'API tokens' })).toBeTruthy();
    expect(within(nav).getByRole('link', { name: 'API tokens' }).getAttribute('aria-current')).toBe('page');
    expect(within(nav).getByRole('link', { name: 'Users and roles' }).getAttribute('aria-current')).toBeNull();
  });

  it('says so for an unknown section', async () => {
    fakeGraphQL({ Me: meAnswer(admin) });
    renderAt('/admin/nothing-here');
    expect((await screen.findByText(/no administration section called “nothing-here”/)).getAttribute('role')).toBe('status');
  });

  it('shows the server’s FORBIDDEN plainly', async () => {
    fakeGraphQL({ Me: meAnswer(admin), AdminUsers: forbidden('Only administrators and auditors may list users.') });
    renderAt('/admin/users');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Only administrators may do this.');
    expect(alert.textContent).toContain('Only administrators and auditors may list users.');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});

describe('admin console: users and roles', () => {
  it('lists the users with display name, role, status and creation date', async () => {
    fakeGraphQL({ Me: meAnswer(admin), AdminUsers: usersAnswer(someUsers) });
    renderAt('/admin/users');
    const table = await screen.findByRole('table', { name: 'Users' });
    const headers = within(table).getAllByRole('columnheader').map((th) => th.textContent);
    expect(headers).toEqual(['Username', 'Display name', 'Role', 'Status', 'Created', 'Actions']);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(5);
    const engineerRow = rows[1]!;
    expect(within(engineerRow).getByRole('rowheader').textContent).toBe('engineer');
    expect(engineerRow.textContent).toContain('Erin Engineer');
    expect(engineerRow.textContent).toContain('Engineer');
    expect(engineerRow.textContent).toContain('Active');
    expect(engineerRow.textContent).toContain('2025');
    expect(rows[0]!.textContent).toContain('(you)');
    const oldRow = rows[4]!;
    expect(oldRow.textContent).toContain('Deactivated');
    expect(within(oldRow).queryByRole('button', { name: /^Deactivate/ })).toBeNull();
    expect(screen.getByText('1–5 of 5 users')).toBeTruthy();
  });

  it('pages through the users with the server’s cursor', async () => {
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminUsers: (variables) =>
        variables.after ? usersAnswer([userNode('9', 'zed', 'Zed', 'AUDITOR')]) : usersAnswer(someUsers, true),
    });
    renderAt('/admin/users');
    await screen.findByRole('table', { name: 'Users' });
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByRole('rowheader', { name: 'zed' })).toBeTruthy();
    expect(server.variablesOf('AdminUsers').at(-1)).toEqual({ first: 50, after: 'cursor-1' });
    fireEvent.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByRole('rowheader', { name: 'engineer' })).toBeTruthy();
  });

  it('creates a user with the given username, display name, role and password', async () => {
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminUsers: usersAnswer(someUsers),
      AdminCreateUser: { data: { createUser: userNode('6', 'newbie', 'New Bie', 'APPROVER') } },
    });
    renderAt('/admin/users');
    const form = await screen.findByRole('form', { name: 'Create a user' });
    fireEvent.change(within(form).getByLabelText('Username'), { target: { value: ' newbie ' } });
    fireEvent.change(within(form).getByLabelText('Display name'), { target: { value: 'New Bie' } });
    fireEvent.change(within(form).getByLabelText('Role'), { target: { value: 'APPROVER' } });
    fireEvent.change(within(form).getByLabelText('Initial password'), { target: { value: 'long-enough-pw' } });
    const before = server.variablesOf('AdminUsers').length;
    fireEvent.click(within(form).getByRole('button', { name: 'Create user' }));

    expect((await within(form).findByRole('status')).textContent).toBe('User newbie created with the role Approver.');
    expect(server.variablesOf('AdminCreateUser')).toEqual([
      { input: { username: 'newbie', role: 'APPROVER', displayName: 'New Bie', password: 'long-enough-pw' } },
    ]);
    await waitFor(() => expect(server.variablesOf('AdminUsers').length).toBeGreaterThan(before));
    expect((within(form).getByLabelText('Username') as HTMLInputElement).value).toBe('');
  });

  it('sends no password and no display name for a token-only account left blank', async () => {
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminUsers: usersAnswer(someUsers),
      AdminCreateUser: { data: { createUser: userNode('7', 'cell-3', 'cell-3', 'AGENT') } },
    });
    renderAt('/admin/users');
    const form = await screen.findByRole('form', { name: 'Create a user' });
    fireEvent.change(within(form).getByLabelText('Username'), { target: { value: 'cell-3' } });
    fireEvent.change(within(form).getByLabelText('Role'), { target: { value: 'AGENT' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create user' }));
    await within(form).findByRole('status');
    expect(server.variablesOf('AdminCreateUser')).toEqual([
      { input: { username: 'cell-3', role: 'AGENT', displayName: null, password: null } },
    ]);
  });

  it('shows the server’s rule when it refuses the new user', async () => {
    fakeGraphQL({
      Me: meAnswer(admin),
      AdminUsers: usersAnswer(someUsers),
      AdminCreateUser: failure('INVALID_ARGUMENT', 'username may hold letters, digits and . _ - @ only.'),
    });
    renderAt('/admin/users');
    const form = await screen.findByRole('form', { name: 'Create a user' });
    fireEvent.change(within(form).getByLabelText('Username'), { target: { value: 'bad name!' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create user' }));
    expect((await within(form).findByRole('alert')).textContent).toBe(
      'The server refused: username may hold letters, digits and . _ - @ only.',
    );
  });

  it('refuses a short initial password before asking the server', async () => {
    const server = fakeGraphQL({ Me: meAnswer(admin), AdminUsers: usersAnswer(someUsers) });
    renderAt('/admin/users');
    const form = await screen.findByRole('form', { name: 'Create a user' });
    fireEvent.change(within(form).getByLabelText('Username'), { target: { value: 'shorty' } });
    fireEvent.change(within(form).getByLabelText('Initial password'), { target: { value: 'abc' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create user' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('at least 8 characters');
    expect(server.variablesOf('AdminCreateUser')).toEqual([]);
  });

  it('changes a role after a confirmation, and returns focus when cancelled', async () => {
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminUsers: usersAnswer(someUsers),
      AdminChangeUserRole: { data: { changeUserRole: { __typename: 'User', id: '2', username: 'engineer', role: 'APPROVER' } } },
    });
    renderAt('/admin/users');
    await screen.findByRole('table', { name: 'Users' });
    const change = screen.getByRole('button', { name: 'Change role of engineer' }) as HTMLButtonElement;
    expect(change.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('New role for engineer'), { target: { value: 'APPROVER' } });
    expect(change.disabled).toBe(false);

    change.focus();
    fireEvent.click(change);
    let dialog = await screen.findByRole('dialog', { name: 'Change the role of engineer?' });
    expect(dialog.textContent).toContain('engineer goes from Engineer to Approver.');
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' })));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(change));
    expect(server.variablesOf('AdminChangeUserRole')).toEqual([]);

    fireEvent.click(change);
    dialog = await screen.findByRole('dialog', { name: 'Change the role of engineer?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Change role' }));
    expect((await screen.findByText('engineer is now Approver.')).getAttribute('role')).toBe('status');
    expect(server.variablesOf('AdminChangeUserRole')).toEqual([{ id: '2', role: 'APPROVER' }]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows the server’s refusal when administrators demote themselves', async () => {
    fakeGraphQL({
      Me: meAnswer(admin),
      AdminUsers: usersAnswer(someUsers),
      AdminChangeUserRole: forbidden('Administrators cannot take their own ADMIN role away.'),
    });
    renderAt('/admin/users');
    await screen.findByRole('table', { name: 'Users' });
    fireEvent.change(screen.getByLabelText('New role for admin'), { target: { value: 'ENGINEER' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change role of admin' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Change role' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Administrators cannot take their own ADMIN role away.');
    await waitFor(() => expect(document.activeElement).toBe(alert));
  });

  it('deactivates a user after a confirmation that says what it does', async () => {
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminUsers: (_variables, call) =>
        usersAnswer(call === 1 ? someUsers : someUsers.map((u) => (u.id === '3' ? { ...u, isActive: false } : u))),
      AdminDeactivateUser: { data: { deactivateUser: { __typename: 'User', id: '3', username: 'approver', isActive: false } } },
    });
    renderAt('/admin/users');
    await screen.findByRole('table', { name: 'Users' });
    fireEvent.click(screen.getByRole('button', { name: 'Deactivate approver' }));
    const dialog = await screen.findByRole('dialog', { name: 'Deactivate approver?' });
    expect(dialog.textContent).toContain('signed out everywhere');
    expect(dialog.textContent).toContain('API tokens and add-in keys are refused');
    expect(dialog.textContent).toContain('history');
    expect(dialog.textContent).toContain('is kept');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Deactivate user' }));
    const done = await screen.findByText(/approver is deactivated: signed out everywhere/);
    expect(done.getAttribute('role')).toBe('status');
    await waitFor(() => expect(document.activeElement).toBe(done));
    expect(server.variablesOf('AdminDeactivateUser')).toEqual([{ id: '3' }]);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Deactivate approver' })).toBeNull());
  });

  it('closes a confirmation with Escape', async () => {
    fakeGraphQL({ Me: meAnswer(admin), AdminUsers: usersAnswer(someUsers) });
    renderAt('/admin/users');
    await screen.findByRole('table', { name: 'Users' });
    fireEvent.click(screen.getByRole('button', { name: 'Deactivate engineer' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent(dialog, new Event('cancel', { cancelable: true }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});
