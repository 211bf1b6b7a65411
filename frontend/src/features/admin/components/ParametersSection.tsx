import { useId, useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { graphql } from '@/gql';
import type { AddinParameterScope } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { ParameterSetPanel } from './ParameterSetPanel';
import { RequestError } from './RequestError';

const SCOPES = ['ITEM', 'REVISION', 'ROUTING'] as const satisfies readonly AddinParameterScope[];
const ITEMS_SHOWN = 50;

export const AdminParameterTargetsQuery = graphql(`
  query AdminParameterTargets($search: String, $first: Int!) {
    items(search: $search, first: $first) {
      totalCount
      edges {
        node {
          id
          itemCode
          name
          revisions(first: 200) {
            edges {
              node {
                id
                code
                routings(first: 200) {
                  edges {
                    node {
                      id
                      code
                      title
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`);

/** Add-in parameter sets: pick a scope and a target (item, then revision, then routing), then edit its set. */
export function ParametersSection() {
  const { t } = useI18n();
  const id = useId();
  const [scope, setScope] = useState<AddinParameterScope>('ITEM');
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState<string | null>(null);
  const [itemId, setItemId] = useState('');
  const [revisionId, setRevisionId] = useState('');
  const [routingId, setRoutingId] = useState('');
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: AdminParameterTargetsQuery,
    variables: { search, first: ITEMS_SHOWN },
  });

  const items = data?.items.edges.map((edge) => edge.node) ?? [];
  const item = items.find((candidate) => candidate.id === itemId);
  const revisions = item?.revisions.edges.map((edge) => edge.node) ?? [];
  const revision = revisions.find((candidate) => candidate.id === revisionId);
  const routings = revision?.routings.edges.map((edge) => edge.node) ?? [];
  const routing = routings.find((candidate) => candidate.id === routingId);

  let target: { id: string; label: string } | null = null;
  if (scope === 'ITEM' && item) target = { id: item.id, label: t('admin.params.targetItem', { code: item.itemCode }) };
  if (scope === 'REVISION' && item && revision)
    target = { id: revision.id, label: t('admin.params.targetRevision', { code: revision.code, item: item.itemCode }) };
  if (scope === 'ROUTING' && item && revision && routing)
    target = {
      id: routing.id,
      label: t('admin.params.targetRouting', { code: routing.code, item: item.itemCode, revision: revision.code }),
    };

  function onSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSearch(searchText.trim() || null);
    setItemId('');
    setRevisionId('');
    setRoutingId('');
  }

  return (
    <section className="admin-section" aria-labelledby="admin-params-title">
      <h2 id="admin-params-title">{t('admin.params.title')}</h2>
      <p className="hint">{t('admin.params.intro')}</p>

      <div className="panel admin-target" role="group" aria-labelledby={`${id}-target`}>
        <h3 id={`${id}-target`}>{t('admin.params.target')}</h3>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-scope`}>
            {t('admin.params.scope')}
          </label>
          <select
            id={`${id}-scope`}
            className="field__input"
            value={scope}
            onChange={(event) => setScope(event.target.value as AddinParameterScope)}
          >
            {SCOPES.map((value) => (
              <option key={value} value={value}>
                {t(`admin.params.scope.${value}`)}
              </option>
            ))}
          </select>
        </div>
        <form className="field admin-search" role="search" onSubmit={onSearch} aria-label={t('admin.params.searchForm')}>
          <label className="field__label" htmlFor={`${id}-search`}>
            {t('admin.params.search')}
          </label>
          <div className="admin-search__row">
            <input
              id={`${id}-search`}
              className="field__input"
              type="search"
              value={searchText}
              onChange={(event) => setSearchText(event.target.value)}
              aria-describedby={`${id}-search-hint`}
            />
            <button type="submit" className="button">
              {t('admin.params.searchSubmit')}
            </button>
          </div>
          <span id={`${id}-search-hint`} className="hint admin-hint">
            {t('admin.params.searchHint')}
          </span>
        </form>
        {error && !data && <RequestError error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />}
        {!data && fetching && <p role="status">{t('app.loading')}</p>}
        {data && items.length === 0 && (
          <p className="hint" role="status">
            {t('admin.params.noItems')}
          </p>
        )}
        {data && data.items.totalCount > items.length && (
          <p className="hint">{t('admin.params.moreItems', { shown: items.length, total: data.items.totalCount })}</p>
        )}
        {items.length > 0 && (
          <div className="admin-cascade">
            <div className="field">
              <label className="field__label" htmlFor={`${id}-item`}>
                {t('admin.params.item')}
              </label>
              <select
                id={`${id}-item`}
                className="field__input"
                value={item ? itemId : ''}
                onChange={(event) => {
                  setItemId(event.target.value);
                  setRevisionId('');
                  setRoutingId('');
                }}
              >
                <option value="">{t('admin.params.choose')}</option>
                {items.map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {t('admin.params.itemLabel', { code: candidate.itemCode, name: candidate.name })}
                  </option>
                ))}
              </select>
            </div>
            {scope !== 'ITEM' && item && revisions.length === 0 && <p className="hint">{t('admin.params.noRevisions')}</p>}
            {scope !== 'ITEM' && item && revisions.length > 0 && (
              <div className="field">
                <label className="field__label" htmlFor={`${id}-revision`}>
                  {t('admin.params.revision')}
                </label>
                <select
                  id={`${id}-revision`}
                  className="field__input"
                  value={revision ? revisionId : ''}
                  onChange={(event) => {
                    setRevisionId(event.target.value);
                    setRoutingId('');
                  }}
                >
                  <option value="">{t('admin.params.choose')}</option>
                  {revisions.map((candidate) => (
                    <option key={candidate.id} value={candidate.id}>
                      {t('admin.params.revisionLabel', { code: candidate.code })}
                    </option>
                  ))}
                </select>
              </div>
            )}
            {scope === 'ROUTING' && revision && routings.length === 0 && (
              <p className="hint">{t('admin.params.noRoutings')}</p>
            )}
            {scope === 'ROUTING' && revision && routings.length > 0 && (
              <div className="field">
                <label className="field__label" htmlFor={`${id}-routing`}>
                  {t('admin.params.routing')}
                </label>
                <select
                  id={`${id}-routing`}
                  className="field__input"
                  value={routing ? routingId : ''}
                  onChange={(event) => setRoutingId(event.target.value)}
                >
                  <option value="">{t('admin.params.choose')}</option>
                  {routings.map((candidate) => (
                    <option key={candidate.id} value={candidate.id}>
                      {t('admin.params.routingLabel', { code: candidate.code, title: candidate.title })}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </div>
        )}
      </div>

      {target ? (
        <ParameterSetPanel
          key={`${scope}:${target.id}`}
          scope={scope}
          targetId={target.id}
          targetLabel={target.label}
          routingCode={scope === 'ROUTING' ? routing?.code : undefined}
        />
      ) : (
        <p className="hint">{t('admin.params.pickTarget')}</p>
      )}
    </section>
  );
}
