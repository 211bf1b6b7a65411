import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { admin, failure, fakeGraphQL, meAnswer, renderAt, someUsers, usersAnswer } from '../test-utils';

afterEach(() => vi.unstubAllGlobals());

function token(id: string, name: string, owner: { id: string; username: string; displayName: string }, extra: object = {}) {
  return {
    __typename: 'ApiToken',
    id,
    name,
    prefix: `mcms_${id}abcdef`.slice(0, 12),
    createdAt: '2025-04-01T09:00:00+00:00',
    lastUsedAt: null,
    revokedAt: null,
    user: { __typename: 'User', ...owner },
    ...extra,
  };
}

const adminOwner = { id: '1', username: 'admin', displayName: 'Ada Admin' };
const engineerOwner = { id: '2', username: 'engineer', displayName: 'Erin Engineer' };

describe('admin console: API tokens', () => {
  it('lists your own tokens first, and another user’s when picked', async () => {
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminUserChoices: usersAnswer(someUsers),
      AdminApiTokens: (variables) => ({
        data: {
          apiTokens:
            variables.userId === '2'
              ? [token('11', 'MES bridge', engineerOwner, { lastUsedAt: '2025-04-02T10:00:00+00:00' })]
              : [token('10', 'backup script', adminOwner, { revokedAt: '2025-04-03T10:00:00+00:00' })],
        },
      }),
    });
    renderAt('/admin/tokens');
    await screen.findByRole('option', { name: 'Erin Engineer (engineer)' });
    let table = await screen.findByRole('table', { name: 'API tokens of Ada Admin (admin)' });
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual([
      'Name',
      'Prefix',
      'Owner',
      'Created',
      'Last used',
      'Revoked',
      'Actions',
    ]);
    const revokedRow = within(table).getAllByRole('row')[1]!;
    expect(revokedRow.textContent).toContain('backup script');
    expect(revokedRow.textContent).toContain('Never');
    expect(within(revokedRow).queryByRole('button')).toBeNull();
    expect(server.variablesOf('AdminApiTokens')[0]).toEqual({ userId: '1' });

    fireEvent.change(screen.getByLabelText('Tokens of'), { target: { value: '2' } });
    table = await screen.findByRole('table', { name: 'API tokens of Erin Engineer (engineer)' });
    expect(within(table).getByRole('rowheader', { name: 'MES bridge' })).toBeTruthy();
    expect(within(table).getByRole('button', { name: 'Revoke MES bridge' })).toBeTruthy();
    expect(server.variablesOf('AdminApiTokens').at(-1)).toEqual({ userId: '2' });
  });

  it('creates a token for the chosen user and shows its secret once, with a copy button and a warning', async () => {
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminUserChoices: usersAnswer(someUsers),
      AdminApiTokens: { data: { apiTokens: [] } },
      AdminCreateApiToken: {
        data: {
          createApiToken: { __typename: 'CreatedApiToken', secret: 'mcms_SECRET-VALUE-123', token: token('12', 'cell 4', engineerOwner) },
        },
      },
    });
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    renderAt('/admin/tokens');
    await screen.findByRole('option', { name: 'Erin Engineer (engineer)' });
    fireEvent.change(screen.getByLabelText('Tokens of'), { target: { value: '2' } });
    expect(await screen.findByText('Erin Engineer (engineer) has no API tokens.')).toBeTruthy();
    const form = screen.getByRole('form', { name: 'Create a token for Erin Engineer (engineer)' });
    fireEvent.change(within(form).getByLabelText('Token name'), { target: { value: 'cell 4' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));

    const secret = (await screen.findByLabelText('New token secret')) as HTMLInputElement;
    expect(secret.value).toBe('mcms_SECRET-VALUE-123');
    expect(secret.readOnly).toBe(true);
    await waitFor(() => expect(document.activeElement).toBe(secret));
    expect(screen.getByText(/Store it now: this secret is shown only once/)).toBeTruthy();
    expect(server.variablesOf('AdminCreateApiToken')).toEqual([{ input: { name: 'cell 4', userId: '2' } }]);

    fireEvent.click(screen.getByRole('button', { name: 'Copy the token secret' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('mcms_SECRET-VALUE-123'));
    expect(await screen.findByText('Copied to the clipboard.')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByLabelText('New token secret')).toBeNull();
    expect(screen.queryByText('mcms_SECRET-VALUE-123')).toBeNull();
    expect(document.activeElement).toBe(within(form).getByLabelText('Token name'));
  });

  it('shows the server’s refusal to create a token for a deactivated user', async () => {
    fakeGraphQL({
      Me: meAnswer(admin),
      AdminUserChoices: usersAnswer(someUsers),
      AdminApiTokens: { data: { apiTokens: [] } },
      AdminCreateApiToken: failure('CONFLICT', "User 'old-timer' is deactivated."),
    });
    renderAt('/admin/tokens');
    const form = await screen.findByRole('form', { name: /Create a token for/ });
    fireEvent.change(within(form).getByLabelText('Token name'), { target: { value: 'x' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));
    expect((await within(form).findByRole('alert')).textContent).toContain("User 'old-timer' is deactivated.");
    expect(screen.queryByLabelText('New token secret')).toBeNull();
  });

  it('revokes a token after a confirmation', async () => {
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminUserChoices: usersAnswer(someUsers),
      AdminApiTokens: { data: { apiTokens: [token('10', 'backup script', adminOwner)] } },
      AdminRevokeApiToken: {
        data: { revokeApiToken: { __typename: 'ApiToken', id: '10', name: 'backup script', revokedAt: '2025-05-01T00:00:00+00:00' } },
      },
    });
    renderAt('/admin/tokens');
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke backup script' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke the token “backup script”?' });
    expect(dialog.textContent).toContain('refused from its next request');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke token' }));
    expect(await screen.findByText('Token “backup script” revoked.')).toBeTruthy();
    expect(server.variablesOf('AdminRevokeApiToken')).toEqual([{ id: '10' }]);
  });
});

function key(id: string, prefix: string, extra: object = {}) {
  return {
    __typename: 'AddinKey',
    id,
    agent: 'addin',
    prefix,
    createdAt: '2025-04-01T09:00:00+00:00',
    expiresAt: null,
    lastUsedAt: null,
    ...extra,
  };
}

describe('admin console: add-in keys', () => {
  it('lists the current and overlapping keys of the agent account', async () => {
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminUserChoices: usersAnswer(someUsers),
      AdminAddinKeys: {
        data: {
          addinKeys: [
            key('21', 'mcms_newkey1', { lastUsedAt: '2025-04-02T08:00:00+00:00' }),
            key('20', 'mcms_oldkey1', { expiresAt: '2025-04-03T09:00:00+00:00' }),
          ],
        },
      },
    });
    renderAt('/admin/addin-keys');
    const table = await screen.findByRole('table', { name: 'Working keys of addin' });
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual([
      'Prefix',
      'State',
      'Created',
      'Expires',
      'Last used',
    ]);
    const [current, previous] = within(table).getAllByRole('row').slice(1);
    expect(current!.textContent).toContain('mcms_newkey1');
    expect(current!.textContent).toContain('Current');
    expect(current!.textContent).toContain('Does not expire');
    expect(previous!.textContent).toContain('Previous, still working');
    expect(previous!.textContent).toContain('Never');
    expect(server.variablesOf('AdminAddinKeys')).toEqual([{ agent: 'addin' }]);
  });

  it('renews the key after a confirmation and shows the new secret once, saying the old keys keep working', async () => {
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminUserChoices: usersAnswer(someUsers),
      AdminAddinKeys: { data: { addinKeys: [key('20', 'mcms_oldkey1')] } },
      AdminRenewAddinKey: {
        data: {
          renewAddinKey: {
            __typename: 'RenewedAddinKey',
            secret: 'mcms_NEW-ADDIN-SECRET',
            key: key('21', 'mcms_NEW-ADD'),
            previous: [{ __typename: 'AddinKey', id: '20', prefix: 'mcms_oldkey1', expiresAt: '2025-04-03T09:00:00+00:00' }],
          },
        },
      },
    });
    renderAt('/admin/addin-keys');
    expect((await screen.findByText(/the previous keys keep working until their expiry/)).tagName).toBe('P');
    fireEvent.click(await screen.findByRole('button', { name: 'Renew key' }));
    const dialog = await screen.findByRole('dialog', { name: 'Renew the add-in key of addin?' });
    expect(dialog.textContent).toContain('keep working until their expiry');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Issue new key' }));

    const secret = (await screen.findByLabelText('New add-in key')) as HTMLInputElement;
    expect(secret.value).toBe('mcms_NEW-ADDIN-SECRET');
    expect(secret.readOnly).toBe(true);
    expect(screen.getByRole('button', { name: 'Copy the add-in key' })).toBeTruthy();
    expect(screen.getByText(/Store it now/)).toBeTruthy();
    expect(screen.getByText(/The previous key mcms_oldkey1… keeps working until/)).toBeTruthy();
    expect(server.variablesOf('AdminRenewAddinKey')).toEqual([{ agent: 'addin' }]);
    await waitFor(() => expect(server.variablesOf('AdminAddinKeys').length).toBeGreaterThan(1));
  });

  it('says when no key has been issued yet, and renews for another agent account', async () => {
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminUserChoices: usersAnswer([...someUsers, { ...someUsers[3]!, id: '8', username: 'cell-7', displayName: 'cell-7' }]),
      AdminAddinKeys: { data: { addinKeys: [] } },
      AdminRenewAddinKey: failure('FORBIDDEN', 'Not allowed.'),
    });
    renderAt('/admin/addin-keys');
    await screen.findByRole('option', { name: 'cell-7' });
    fireEvent.change(screen.getByLabelText('Agent account'), { target: { value: 'cell-7' } });
    expect(await screen.findByText(/No add-in key has been issued for cell-7 yet/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Renew key' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Issue new key' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Only administrators may do this.');
    expect(server.variablesOf('AdminRenewAddinKey')).toEqual([{ agent: 'cell-7' }]);
    expect(screen.queryByLabelText('New add-in key')).toBeNull();
  });

  it('copies by selection when the clipboard API is missing (plain-http intranet)', async () => {
    fakeGraphQL({
      Me: meAnswer(admin),
      AdminUserChoices: usersAnswer(someUsers),
      AdminAddinKeys: { data: { addinKeys: [] } },
      AdminRenewAddinKey: {
        data: {
          renewAddinKey: { __typename: 'RenewedAddinKey', secret: 'mcms_FIRST', key: key('30', 'mcms_FIRST'), previous: [] },
        },
      },
    });
    vi.stubGlobal('navigator', { ...navigator, clipboard: undefined });
    const execCommand = vi.fn(() => true);
    Object.defineProperty(document, 'execCommand', { value: execCommand, configurable: true });
    renderAt('/admin/addin-keys');
    fireEvent.click(await screen.findByRole('button', { name: 'Renew key' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Issue new key' }));
    expect(await screen.findByText('There was no previous key: this is the first key of addin.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Copy the add-in key' }));
    expect(await screen.findByText('Copied to the clipboard.')).toBeTruthy();
    expect(execCommand).toHaveBeenCalledWith('copy');
    delete (document as { execCommand?: unknown }).execCommand;
  });
});
