import { Link } from 'react-router';
import { StatusBadge } from '@/components/StatusBadge';
import type { WorkspaceRoutingFieldsFragment } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { GenerationBadge } from './GenerationBadge';
import type { Rejection } from './useRoutingHistory';

export interface WorkspaceHeaderProps {
  routing: WorkspaceRoutingFieldsFragment;
  userId: string;
  /** The latest rejection, shown while the routing is REJECTED. */
  rejection: Rejection | null;
  /** Whether the user can act on a rejection (edit and resubmit). */
  canEdit: boolean;
}

/** Breadcrumb, code and title, approval and generation badges, facts; and a rejection's reason. */
export function WorkspaceHeader({ routing, userId, rejection, canEdit }: WorkspaceHeaderProps) {
  const { t, locale } = useI18n();
  const item = routing.revision.item;
  const owner =
    routing.owner.id === userId
      ? t('routing.ownerYou', { name: routing.owner.displayName })
      : routing.owner.displayName;

  return (
    <header className="workspace__header">
      <nav aria-label={t('routing.breadcrumb')} className="breadcrumb">
        <ol className="breadcrumb__list">
          <li>
            <Link to="/">{t('routing.breadcrumbExplorer')}</Link>
          </li>
          <li>
            <Link to={`/?q=${encodeURIComponent(item.itemCode)}`}>
              {t('routing.breadcrumbItem', { itemCode: item.itemCode, name: item.name })}
            </Link>
          </li>
          <li>{t('routing.breadcrumbRevision', { code: routing.revision.code })}</li>
          <li aria-current="page">{routing.code}</li>
        </ol>
      </nav>
      <div className="routing__header">
        <h1 id="routing-title">
          <span className="routing__code">{routing.code}</span> {routing.title}
        </h1>
        <StatusBadge status={routing.status} />
        <GenerationBadge status={routing.generationStatus} />
      </div>
      <dl className="workspace__facts">
        <div>
          <dt>{t('routing.version')}</dt>
          <dd>{routing.version}</dd>
        </div>
        <div>
          <dt>{t('routing.camRevision')}</dt>
          <dd>{routing.camRevision}</dd>
        </div>
        <div>
          <dt>{t('routing.owner')}</dt>
          <dd title={routing.owner.username}>{owner}</dd>
        </div>
        <div>
          <dt>{t('routing.updatedAt')}</dt>
          <dd>
            <time dateTime={routing.updatedAt}>{formatDateTime(routing.updatedAt, locale)}</time>
          </dd>
        </div>
        {routing.lastGeneratedAt && (
          <div>
            <dt>{t('routing.lastGeneratedAt')}</dt>
            <dd>
              <time dateTime={routing.lastGeneratedAt}>{formatDateTime(routing.lastGeneratedAt, locale)}</time>
            </dd>
          </div>
        )}
        {routing.approvedBy && (
          <div>
            <dt>{t('routing.approvedBy')}</dt>
            <dd>{routing.approvedBy.displayName}</dd>
          </div>
        )}
      </dl>
      {routing.status === 'REJECTED' && rejection && (
        <div className="notice notice--error rejection" data-testid="rejection-notice">
          <p>
            <strong>
              {t('routing.rejectedNotice', { actor: rejection.actor, at: formatDateTime(rejection.at, locale) })}
            </strong>
          </p>
          <p className="prewrap">
            <strong>{t('routing.rejectedReason')}</strong> {rejection.reason}
          </p>
          {rejection.comment && (
            <p className="prewrap">
              <strong>{t('routing.rejectedComment')}</strong> {rejection.comment}
            </p>
          )}
          {canEdit && <p>{t('routing.rejectedFix')}</p>}
        </div>
      )}
    </header>
  );
}
