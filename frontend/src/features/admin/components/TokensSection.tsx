import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '@/gql';
import { useSignedInUser } from '@/features/auth/components/SessionProvider';
import { useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { ConfirmDialog } from './ConfirmDialog';
import { describeError } from './errors';
import { RequestError } from './RequestError';
import { SecretField } from './SecretField';

/** Everyone who may own a token or key (the first 200 accounts, by username). */
export const AdminUserChoicesQuery = graphql(`
  query AdminUserChoices {
    users(first: 200) {
      edges {
        node {
          id
          username
          displayName
          role
          isActive
        }
      }
    }
  }
`);

export const AdminApiTokensQuery = graphql(`
  query AdminApiTokens($userId: ID) {
    apiTokens(userId: $userId) {
      id
      name
      prefix
      createdAt
      lastUsedAt
      revokedAt
      user {
        id
        username
        displayName
      }
    }
  }
`);

const CreateApiTokenMutation = graphql(`
  mutation AdminCreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      secret
      token {
        id
        name
        prefix
        createdAt
        lastUsedAt
        revokedAt
        user {
          id
          username
          displayName
        }
      }
    }
  }
`);

const RevokeApiTokenMutation = graphql(`
  mutation AdminRevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      id
      name
      revokedAt
    }
  }
`);

interface Outcome {
  ok: boolean;
  text: string;
}

interface Created {
  secret: string;
  name: string;
  owner: string;
}

/** API tokens of one user (yourself by default): list, create (secret shown once), revoke (confirmed). */
export function TokensSection() {
  const { t, locale } = useI18n();
  const me = useSignedInUser();
  const [ownerId, setOwnerId] = useState(me.id);
  const [choices] = useQuery({ query: AdminUserChoicesQuery });
  const [{ data, error, fetching }, reexecute] = useQuery({ query: AdminApiTokensQuery, variables: { userId: ownerId } });
  const [, createApiToken] = useMutation(CreateApiTokenMutation);
  const [, revokeApiToken] = useMutation(RevokeApiTokenMutation);
  const [name, setName] = useState('');
  const [creating, setCreating] = useState(false);
  const [createOutcome, setCreateOutcome] = useState<Outcome | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const [pending, setPending] = useState<{ id: string; name: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [focusOutcome, setFocusOutcome] = useState(0);
  const outcomeRef = useRef<HTMLParagraphElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const id = useId();
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  useEffect(() => {
    if (focusOutcome) outcomeRef.current?.focus();
  }, [focusOutcome]);

  const users = choices.data?.users.edges.map((edge) => edge.node) ?? [];
  if (!users.some((user) => user.id === me.id)) {
    users.unshift({ id: me.id, username: me.username, displayName: me.displayName, role: me.role, isActive: true });
  }
  const owner = users.find((user) => user.id === ownerId);
  const ownerLabel = owner ? `${owner.displayName} (${owner.username})` : ownerId;
  const tokens = data?.apiTokens ?? [];

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!name.trim()) {
      setCreateOutcome({ ok: false, text: t('admin.tokens.create.missingName') });
      return;
    }
    setCreating(true);
    setCreateOutcome(null);
    setCreated(null);
    const result = await createApiToken({ input: { name: name.trim(), userId: ownerId } });
    setCreating(false);
    if (result.error || !result.data) {
      setCreateOutcome({ ok: false, text: result.error ? describeError(t, result.error) : t('app.error.network') });
      return;
    }
    const { secret, token } = result.data.createApiToken;
    setCreated({ secret, name: token.name, owner: token.user.username });
    setName('');
    refresh();
  }

  async function onRevoke() {
    if (!pending) return;
    setBusy(true);
    const result = await revokeApiToken({ id: pending.id });
    setBusy(false);
    setOutcome(
      result.error
        ? { ok: false, text: describeError(t, result.error) }
        : { ok: true, text: t('admin.tokens.revoked', { name: pending.name }) },
    );
    setPending(null);
    setFocusOutcome((n) => n + 1);
    refresh();
  }

  return (
    <section className="admin-section" aria-labelledby="admin-tokens-title">
      <h2 id="admin-tokens-title">{t('admin.tokens.title')}</h2>
      <p className="hint">{t('admin.tokens.intro')}</p>
      <div className="field admin-owner">
        <label className="field__label" htmlFor={`${id}-owner`}>
          {t('admin.tokens.owner')}
        </label>
        <select
          id={`${id}-owner`}
          className="field__input"
          value={ownerId}
          onChange={(event) => {
            setOwnerId(event.target.value);
            setOutcome(null);
            setCreateOutcome(null);
            setCreated(null);
          }}
        >
          {users.map((user) => (
            <option key={user.id} value={user.id}>
              {`${user.displayName} (${user.username})${user.id === me.id ? ` ${t('admin.you')}` : ''}${user.isActive ? '' : ` — ${t('admin.users.inactive')}`}`}
            </option>
          ))}
        </select>
      </div>
      {choices.error && !choices.data && <RequestError error={choices.error} />}

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
      {data && tokens.length === 0 && <p className="hint">{t('admin.tokens.empty', { user: ownerLabel })}</p>}
      {tokens.length > 0 && (
        <div className="table-wrap">
          <table className="table admin-table">
            <caption className="admin-caption">{t('admin.tokens.caption', { user: ownerLabel })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.tokens.col.name')}</th>
                <th scope="col">{t('admin.tokens.col.prefix')}</th>
                <th scope="col">{t('admin.tokens.col.owner')}</th>
                <th scope="col">{t('admin.tokens.col.created')}</th>
                <th scope="col">{t('admin.tokens.col.lastUsed')}</th>
                <th scope="col">{t('admin.tokens.col.revoked')}</th>
                <th scope="col">{t('admin.tokens.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => (
                <tr key={token.id}>
                  <th scope="row">{token.name}</th>
                  <td className="admin-mono">{token.prefix}…</td>
                  <td>{token.user.username}</td>
                  <td>
                    <time dateTime={token.createdAt}>{formatDateTime(token.createdAt, locale)}</time>
                  </td>
                  <td>
                    {token.lastUsedAt ? (
                      <time dateTime={token.lastUsedAt}>{formatDateTime(token.lastUsedAt, locale)}</time>
                    ) : (
                      t('admin.never')
                    )}
                  </td>
                  <td>
                    {token.revokedAt ? (
                      <span className="badge badge--danger">
                        <time dateTime={token.revokedAt}>{formatDateTime(token.revokedAt, locale)}</time>
                      </span>
                    ) : (
                      t('admin.tokens.notRevoked')
                    )}
                  </td>
                  <td>
                    {!token.revokedAt && (
                      <button
                        type="button"
                        className="button button--small button--danger"
                        onClick={() => setPending({ id: token.id, name: token.name })}
                      >
                        {t('admin.tokens.revoke')}
                        <span className="visually-hidden"> {token.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <form
        className="panel admin-form"
        onSubmit={onCreate}
        noValidate
        aria-labelledby={`${id}-create-title`}
        aria-describedby={createOutcome && !createOutcome.ok ? `${id}-create-outcome` : undefined}
      >
        <h3 id={`${id}-create-title`}>{t('admin.tokens.create.title', { user: ownerLabel })}</h3>
        {createOutcome && (
          <p
            id={`${id}-create-outcome`}
            className={createOutcome.ok ? 'notice' : 'notice notice--error'}
            role={createOutcome.ok ? 'status' : 'alert'}
          >
            {createOutcome.text}
          </p>
        )}
        <div className="field">
          <label className="field__label" htmlFor={`${id}-name`}>
            {t('admin.tokens.create.name')}
          </label>
          <input
            id={`${id}-name`}
            ref={nameRef}
            className="field__input"
            value={name}
            maxLength={100}
            autoComplete="off"
            onChange={(event) => setName(event.target.value)}
            aria-describedby={`${id}-name-hint`}
          />
          <span id={`${id}-name-hint`} className="hint admin-hint">
            {t('admin.tokens.create.nameHint')}
          </span>
        </div>
        <button type="submit" className="button button--primary" disabled={creating}>
          {t('admin.tokens.create.submit')}
        </button>
      </form>

      {created && (
        <SecretField
          label={t('admin.tokens.secretLabel')}
          copyLabel={t('admin.tokens.copySecret')}
          secret={created.secret}
          onDone={() => {
            setCreated(null);
            nameRef.current?.focus();
          }}
        >
          <p>{t('admin.tokens.created', { name: created.name, user: created.owner })}</p>
        </SecretField>
      )}

      {pending && (
        <ConfirmDialog
          title={t('admin.tokens.revokeDialog.title', { name: pending.name })}
          confirmLabel={t('admin.tokens.revokeDialog.confirm')}
          danger
          busy={busy}
          onConfirm={onRevoke}
          onCancel={() => setPending(null)}
        >
          <p>{t('admin.tokens.revokeDialog.body')}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
