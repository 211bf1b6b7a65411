import { useId, useState } from 'react';
import { Link } from 'react-router';
import { StatusBadge } from '@/components/StatusBadge';
import { graphql } from '@/gql';
import type { ExplorerItemFragment } from '@/gql/graphql';
import { useI18n } from '@/i18n';

// `$status` is the page query's variable: the server filters each revision's routings.
export const ExplorerItemFragmentDoc = graphql(`
  fragment ExplorerItem on Item {
    id
    itemCode
    name
    revisions(first: 200) {
      totalCount
      edges {
        node {
          id
          code
          routings(status: $status, first: 200) {
            totalCount
            edges {
              node {
                id
                code
                title
                status
                version
              }
            }
          }
        }
      }
    }
  }
`);

type Revision = ExplorerItemFragment['revisions']['edges'][number]['node'];

/** With a status filter, revisions without a matching routing (and items left empty) are hidden. */
export function visibleRevisions(item: ExplorerItemFragment, filtered: boolean): Revision[] {
  const revisions = item.revisions.edges.map((edge) => edge.node);
  return filtered ? revisions.filter((revision) => revision.routings.totalCount > 0) : revisions;
}

export function ExplorerItemNode({ item, filtered }: { item: ExplorerItemFragment; filtered: boolean }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(true);
  const groupId = useId();
  const revisions = visibleRevisions(item, filtered);
  const label = `${item.itemCode} ${item.name}`;

  return (
    <li className="tree__item">
      <button
        type="button"
        className="tree__toggle"
        aria-expanded={open}
        aria-controls={groupId}
        onClick={() => setOpen((value) => !value)}
        title={open ? t('explorer.collapse', { item: label }) : t('explorer.expand', { item: label })}
      >
        <span className="tree__chevron" aria-hidden="true" />
        <span className="tree__code">{item.itemCode}</span>
        <span className="tree__name">{item.name}</span>
      </button>
      <ul className="tree__group" id={groupId} hidden={!open}>
        {revisions.length === 0 ? (
          <li className="tree__empty">{t('explorer.noRevisions')}</li>
        ) : (
          revisions.map((revision) => (
            <li key={revision.id} className="tree__revision">
              <span className="tree__revision-label">{t('explorer.revision', { code: revision.code })}</span>
              {revision.routings.edges.length === 0 ? (
                <p className="tree__empty">{t('explorer.noRoutings')}</p>
              ) : (
                <ul className="tree__routings">
                  {revision.routings.edges.map(({ node: routing }) => (
                    <li key={routing.id} className="tree__routing">
                      <Link to={`/routings/${encodeURIComponent(routing.id)}`} className="tree__link">
                        <span className="tree__code">{routing.code}</span>
                        <span className="tree__name">{routing.title}</span>
                      </Link>
                      <StatusBadge status={routing.status} />
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))
        )}
      </ul>
    </li>
  );
}
