import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '@/gql';
import type { AdminUserFragment, Role } from '@/gql/graphql';
import { useSignedInUser } from '@/features/auth/components/SessionProvider';
import { useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { ConfirmDialog } from './ConfirmDialog';
import { describeError } from './errors';
import { RequestError } from './RequestError';

export const ROLES = ['ENGINEER', 'APPROVER', 'ADMIN', 'AUDITOR', 'AGENT'] as const satisfies readonly Role[];
const PAGE_SIZE = 50;

/** What the users table shows of a user (the list and a newly created one). */
export const AdminUserFragmentDoc = graphql(`
  fragment AdminUser on User {
    id
    username
    displayName
    role
    isActive
    createdAt
  }
`);

export const AdminUsersQuery = graphql(`
  query AdminUsers($first: Int!, $after: String) {
    users(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...AdminUser
        }
      }
    }
  }
`);

const CreateUserMutation = graphql(`
  mutation AdminCreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      ...AdminUser
    }
  }
`);

const ChangeUserRoleMutation = graphql(`
  mutation AdminChangeUserRole($id: ID!, $role: Role!) {
    changeUserRole(id: $id, role: $role) {
      id
      username
      role
    }
  }
`);

const DeactivateUserMutation = graphql(`
  mutation AdminDeactivateUser($id: ID!) {
    deactivateUser(id: $id) {
      id
      username
      isActive
    }
  }
`);

type UserRow = AdminUserFragment;

type Pending = { kind: 'role'; user: UserRow; role: Role } | { kind: 'deactivate'; user: UserRow };
interface Outcome {
  ok: boolean;
  text: string;
}

/** Users and roles: the list (paged), role changes and deactivation (confirmed), and a create form. */
export function UsersSection() {
  const { t, locale } = useI18n();
  const me = useSignedInUser();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: AdminUsersQuery,
    variables: { first: PAGE_SIZE, after },
  });
  const [, changeUserRole] = useMutation(ChangeUserRoleMutation);
  const [, deactivateUser] = useMutation(DeactivateUserMutation);
  const [draftRoles, setDraftRoles] = useState<Record<string, Role>>({});
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [focusOutcome, setFocusOutcome] = useState(0);
  const outcomeRef = useRef<HTMLParagraphElement>(null);
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  useEffect(() => {
    if (focusOutcome) outcomeRef.current?.focus();
  }, [focusOutcome]);

  const connection = data?.users;
  const users: UserRow[] = connection?.edges.map((edge) => edge.node) ?? [];
  const offset = (cursors.length - 1) * PAGE_SIZE;

  async function onConfirm() {
    if (!pending) return;
    setBusy(true);
    const { user } = pending;
    let next: Outcome;
    if (pending.kind === 'role') {
      const result = await changeUserRole({ id: user.id, role: pending.role });
      next = result.error
        ? { ok: false, text: describeError(t, result.error) }
        : { ok: true, text: t('admin.users.roleChanged', { username: user.username, role: t(`role.${pending.role}`) }) };
      if (!result.error)
        setDraftRoles(({ [user.id]: _done, ...rest }) => rest);
    } else {
      const result = await deactivateUser({ id: user.id });
      next = result.error
        ? { ok: false, text: describeError(t, result.error) }
        : { ok: true, text: t('admin.users.deactivated', { username: user.username }) };
    }
    setBusy(false);
    setPending(null);
    setOutcome(next);
    setFocusOutcome((n) => n + 1);
    refresh();
  }

  return (
    <section className="admin-section" aria-labelledby="admin-users-title">
      <h2 id="admin-users-title">{t('admin.users.title')}</h2>
      {outcome && (
        <p
          ref={outcomeRef}
          tabIndex={-1}
          className={outcome.ok ? 'notice' : 'notice notice--error'}
          role={outcome.ok ? 'status' : 'alert'}
        >
          {outcome.text}
        </p>
      )}
      {error && !data && <RequestError error={error} onRetry={refresh} />}
      {!data && fetching && <p role="status">{t('app.loading')}</p>}
      {connection && users.length === 0 && <p className="hint">{t('admin.users.empty')}</p>}
      {users.length > 0 && (
        <p className="muted admin-count">
          {t('admin.users.count', {
            from: offset + 1,
            to: offset + users.length,
            total: connection?.totalCount ?? users.length,
          })}
        </p>
      )}
      {users.length > 0 && (
        <div className="table-wrap">
          <table className="table admin-table">
            <caption className="admin-caption">{t('admin.users.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.users.col.username')}</th>
                <th scope="col">{t('admin.users.col.displayName')}</th>
                <th scope="col">{t('admin.users.col.role')}</th>
                <th scope="col">{t('admin.users.col.status')}</th>
                <th scope="col">{t('admin.users.col.created')}</th>
                <th scope="col">{t('admin.users.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => {
                const draft = draftRoles[user.id] ?? user.role;
                const selectId = `admin-role-${user.id}`;
                return (
                  <tr key={user.id}>
                    <th scope="row" className="admin-mono">
                      {user.username}
                      {user.id === me.id && <span className="muted"> {t('admin.you')}</span>}
                    </th>
                    <td>{user.displayName}</td>
                    <td>{t(`role.${user.role}`)}</td>
                    <td>
                      <span className={`badge ${user.isActive ? 'badge--success' : 'badge--neutral'}`}>
                        {user.isActive ? t('admin.users.active') : t('admin.users.inactive')}
                      </span>
                    </td>
                    <td>
                      <time dateTime={user.createdAt}>{formatDateTime(user.createdAt, locale)}</time>
                    </td>
                    <td>
                      <div className="admin-actions">
                        <label className="visually-hidden" htmlFor={selectId}>
                          {t('admin.users.roleOf', { username: user.username })}
                        </label>
                        <select
                          id={selectId}
                          className="field__input admin-select"
                          value={draft}
                          onChange={(event) =>
                            setDraftRoles((current) => ({ ...current, [user.id]: event.target.value as Role }))
                          }
                        >
                          {ROLES.map((role) => (
                            <option key={role} value={role}>
                              {t(`role.${role}`)}
                            </option>
                          ))}
                        </select>
                        <button
                          type="button"
                          className="button button--small"
                          disabled={draft === user.role}
                          onClick={() => setPending({ kind: 'role', user, role: draft })}
                        >
                          {t('admin.users.changeRole')}
                          <span className="visually-hidden"> {t('admin.users.changeRoleOf', { username: user.username })}</span>
                        </button>
                        {user.isActive && (
                          <button
                            type="button"
                            className="button button--small button--danger"
                            onClick={() => setPending({ kind: 'deactivate', user })}
                          >
                            {t('admin.users.deactivate')}
                            <span className="visually-hidden"> {user.username}</span>
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {(cursors.length > 1 || connection?.pageInfo.hasNextPage) && (
        <nav className="admin-paging" aria-label={t('admin.users.paging')}>
          <button
            type="button"
            className="button button--small"
            disabled={cursors.length <= 1}
            onClick={() => setCursors((current) => current.slice(0, -1))}
          >
            {t('admin.users.previous')}
          </button>
          <button
            type="button"
            className="button button--small"
            disabled={!connection?.pageInfo.hasNextPage || !connection.pageInfo.endCursor}
            onClick={() => {
              const end = connection?.pageInfo.endCursor;
              if (end) setCursors((current) => [...current, end]);
            }}
          >
            {t('admin.users.next')}
          </button>
        </nav>
      )}

      <CreateUserForm onCreated={refresh} />

      {pending?.kind === 'role' && (
        <ConfirmDialog
          title={t('admin.users.roleDialog.title', { username: pending.user.username })}
          confirmLabel={t('admin.users.roleDialog.confirm')}
          busy={busy}
          onConfirm={onConfirm}
          onCancel={() => setPending(null)}
        >
          <p>
            {t('admin.users.roleDialog.body', {
              username: pending.user.username,
              from: t(`role.${pending.user.role}`),
              to: t(`role.${pending.role}`),
            })}
          </p>
        </ConfirmDialog>
      )}
      {pending?.kind === 'deactivate' && (
        <ConfirmDialog
          title={t('admin.users.deactivateDialog.title', { username: pending.user.username })}
          confirmLabel={t('admin.users.deactivateDialog.confirm')}
          danger
          busy={busy}
          onConfirm={onConfirm}
          onCancel={() => setPending(null)}
        >
          <p>{t('admin.users.deactivateDialog.body', { username: pending.user.username })}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** A new account: username, display name, role, optional initial password. */
function CreateUserForm({ onCreated }: { onCreated(): void }) {
  const { t } = useI18n();
  const [, createUser] = useMutation(CreateUserMutation);
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('ENGINEER');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const id = useId();
  const ids = {
    username: `${id}-username`,
    usernameHint: `${id}-username-hint`,
    displayName: `${id}-display`,
    displayNameHint: `${id}-display-hint`,
    role: `${id}-role`,
    password: `${id}-password`,
    passwordHint: `${id}-password-hint`,
    outcome: `${id}-outcome`,
  };

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!username.trim()) {
      setOutcome({ ok: false, text: t('admin.users.create.missingUsername') });
      return;
    }
    if (password && password.length < 8) {
      setOutcome({ ok: false, text: t('admin.users.create.shortPassword') });
      return;
    }
    setSubmitting(true);
    setOutcome(null);
    const result = await createUser({
      input: {
        username: username.trim(),
        role,
        displayName: displayName.trim() || null,
        password: password || null,
      },
    });
    setSubmitting(false);
    if (result.error || !result.data) {
      setPassword('');
      setOutcome({ ok: false, text: result.error ? describeError(t, result.error) : t('app.error.network') });
      return;
    }
    const created = result.data.createUser;
    setOutcome({ ok: true, text: t('admin.users.create.done', { username: created.username, role: t(`role.${created.role}`) }) });
    setUsername('');
    setDisplayName('');
    setPassword('');
    setRole('ENGINEER');
    onCreated();
  }

  const failed = outcome && !outcome.ok;
  return (
    <form
      className="panel admin-form"
      onSubmit={onSubmit}
      noValidate
      aria-labelledby={`${id}-title`}
      aria-describedby={failed ? ids.outcome : undefined}
    >
      <h3 id={`${id}-title`}>{t('admin.users.create.title')}</h3>
      {outcome && (
        <p id={ids.outcome} className={outcome.ok ? 'notice' : 'notice notice--error'} role={outcome.ok ? 'status' : 'alert'}>
          {outcome.text}
        </p>
      )}
      <div className="admin-form__grid">
        <div className="field">
          <label className="field__label" htmlFor={ids.username}>
            {t('admin.users.create.username')}
          </label>
          <input
            id={ids.username}
            className="field__input"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            maxLength={64}
            required
            aria-describedby={ids.usernameHint}
          />
          <span id={ids.usernameHint} className="hint admin-hint">
            {t('admin.users.create.usernameHint')}
          </span>
        </div>
        <div className="field">
          <label className="field__label" htmlFor={ids.displayName}>
            {t('admin.users.create.displayName')}
          </label>
          <input
            id={ids.displayName}
            className="field__input"
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
            autoComplete="off"
            maxLength={200}
            aria-describedby={ids.displayNameHint}
          />
          <span id={ids.displayNameHint} className="hint admin-hint">
            {t('admin.users.create.displayNameHint')}
          </span>
        </div>
        <div className="field">
          <label className="field__label" htmlFor={ids.role}>
            {t('admin.users.create.role')}
          </label>
          <select id={ids.role} className="field__input" value={role} onChange={(event) => setRole(event.target.value as Role)}>
            {ROLES.map((value) => (
              <option key={value} value={value}>
                {t(`role.${value}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor={ids.password}>
            {t('admin.users.create.password')}
          </label>
          <input
            id={ids.password}
            className="field__input"
            type="password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            autoComplete="new-password"
            aria-describedby={ids.passwordHint}
          />
          <span id={ids.passwordHint} className="hint admin-hint">
            {t('admin.users.create.passwordHint')}
          </span>
        </div>
      </div>
      <button type="submit" className="button button--primary" disabled={submitting}>
        {t('admin.users.create.submit')}
      </button>
    </form>
  );
}
