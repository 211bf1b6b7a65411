import { useEffect, useId, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '@/gql';
import { useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { ConfirmDialog } from './ConfirmDialog';
import { describeError } from './errors';
import { RequestError } from './RequestError';
import { SecretField } from './SecretField';
import { AdminUserChoicesQuery } from './TokensSection';

/** The agent account the server uses when none is named (created on the first renewal). */
const DEFAULT_AGENT = 'addin';

export const AdminAddinKeysQuery = graphql(`
  query AdminAddinKeys($agent: String!) {
    addinKeys(agent: $agent) {
      id
      agent
      prefix
      createdAt
      expiresAt
      lastUsedAt
    }
  }
`);

const RenewAddinKeyMutation = graphql(`
  mutation AdminRenewAddinKey($agent: String!) {
    renewAddinKey(agent: $agent) {
      secret
      key {
        id
        agent
        prefix
        createdAt
        expiresAt
        lastUsedAt
      }
      previous {
        id
        prefix
        expiresAt
      }
    }
  }
`);

interface Renewed {
  agent: string;
  secret: string;
  previous: { id: string; prefix: string; expiresAt?: string | null }[];
}

/** The keys of an AGENT account that work now (current first) and Renew (the new secret shown once). */
export function AddinKeysSection() {
  const { t, locale } = useI18n();
  const id = useId();
  const [agent, setAgent] = useState(DEFAULT_AGENT);
  const [choices] = useQuery({ query: AdminUserChoicesQuery });
  const [{ data, error, fetching }, reexecute] = useQuery({ query: AdminAddinKeysQuery, variables: { agent } });
  const [, renewAddinKey] = useMutation(RenewAddinKeyMutation);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [renewed, setRenewed] = useState<Renewed | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [focusFailure, setFocusFailure] = useState(0);
  const failureRef = useRef<HTMLParagraphElement>(null);
  const renewRef = useRef<HTMLButtonElement>(null);
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  useEffect(() => {
    if (focusFailure) failureRef.current?.focus();
  }, [focusFailure]);

  const agents = (choices.data?.users.edges ?? []).map((edge) => edge.node).filter((user) => user.role === 'AGENT');
  const agentNames = agents.map((user) => user.username);
  if (!agentNames.includes(DEFAULT_AGENT)) agentNames.unshift(DEFAULT_AGENT);
  const keys = data?.addinKeys ?? [];

  async function onRenew() {
    setBusy(true);
    setFailure(null);
    const result = await renewAddinKey({ agent });
    setBusy(false);
    setConfirming(false);
    if (result.error || !result.data) {
      setFailure(result.error ? describeError(t, result.error) : t('app.error.network'));
      setFocusFailure((n) => n + 1);
      return;
    }
    const { secret, previous } = result.data.renewAddinKey;
    setRenewed({ agent, secret, previous });
    refresh();
  }

  return (
    <section className="admin-section" aria-labelledby="admin-keys-title">
      <h2 id="admin-keys-title">{t('admin.keys.title')}</h2>
      <p className="hint">{t('admin.keys.intro')}</p>
      <div className="toolbar">
        <div className="field field--inline">
          <label className="field__label" htmlFor={`${id}-agent`}>
            {t('admin.keys.agent')}
          </label>
          <select
            id={`${id}-agent`}
            className="field__input"
            value={agent}
            onChange={(event) => {
              setAgent(event.target.value);
              setRenewed(null);
              setFailure(null);
            }}
          >
            {agentNames.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button button--primary" ref={renewRef} onClick={() => setConfirming(true)}>
          {t('admin.keys.renew')}
        </button>
      </div>
      {choices.error && !choices.data && <RequestError error={choices.error} />}

      {failure && (
        <p ref={failureRef} tabIndex={-1} className="notice notice--error" role="alert">
          {failure}
        </p>
      )}
      {renewed && (
        <SecretField
          label={t('admin.keys.secretLabel')}
          copyLabel={t('admin.keys.copySecret')}
          secret={renewed.secret}
          onDone={() => {
            setRenewed(null);
            renewRef.current?.focus();
          }}
        >
          <p>{t('admin.keys.renewed', { agent: renewed.agent })}</p>
          {renewed.previous.length === 0 ? (
            <p>{t('admin.keys.noPrevious', { agent: renewed.agent })}</p>
          ) : (
            <ul>
              {renewed.previous.map((key) => (
                <li key={key.id}>
                  {t('admin.keys.previousUntil', {
                    prefix: `${key.prefix}…`,
                    expires: key.expiresAt ? formatDateTime(key.expiresAt, locale) : t('admin.keys.noExpiry'),
                  })}
                </li>
              ))}
            </ul>
          )}
        </SecretField>
      )}

      {error && !data && <RequestError error={error} onRetry={refresh} />}
      {!data && fetching && <p role="status">{t('app.loading')}</p>}
      {data && keys.length === 0 && <p className="hint">{t('admin.keys.empty', { agent })}</p>}
      {keys.length > 0 && (
        <div className="table-wrap">
          <table className="table admin-table">
            <caption className="admin-caption">{t('admin.keys.caption', { agent })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.keys.col.prefix')}</th>
                <th scope="col">{t('admin.keys.col.state')}</th>
                <th scope="col">{t('admin.keys.col.created')}</th>
                <th scope="col">{t('admin.keys.col.expires')}</th>
                <th scope="col">{t('admin.keys.col.lastUsed')}</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key, index) => (
                <tr key={key.id}>
                  <th scope="row" className="admin-mono">
                    {key.prefix}…
                  </th>
                  <td>
                    <span className={`badge ${index === 0 ? 'badge--success' : 'badge--pending'}`}>
                      {index === 0 ? t('admin.keys.current') : t('admin.keys.overlapping')}
                    </span>
                  </td>
                  <td>
                    <time dateTime={key.createdAt}>{formatDateTime(key.createdAt, locale)}</time>
                  </td>
                  <td>
                    {key.expiresAt ? (
                      <time dateTime={key.expiresAt}>{formatDateTime(key.expiresAt, locale)}</time>
                    ) : (
                      t('admin.keys.noExpiry')
                    )}
                  </td>
                  <td>
                    {key.lastUsedAt ? (
                      <time dateTime={key.lastUsedAt}>{formatDateTime(key.lastUsedAt, locale)}</time>
                    ) : (
                      t('admin.never')
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {confirming && (
        <ConfirmDialog
          title={t('admin.keys.renewDialog.title', { agent })}
          confirmLabel={t('admin.keys.renewDialog.confirm')}
          busy={busy}
          onConfirm={onRenew}
          onCancel={() => setConfirming(false)}
        >
          <p>{t('admin.keys.renewDialog.body')}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
