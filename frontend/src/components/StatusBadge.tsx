import type { RoutingStatus } from '@/gql/graphql';
import { useI18n } from '@/i18n';

const TONE: Record<RoutingStatus, string> = {
  DRAFT: 'neutral',
  PENDING_APPROVAL: 'pending',
  APPROVED: 'success',
  REJECTED: 'danger',
};

/** A routing's approval status as a coloured, translated badge (colour is never the only cue). */
export function StatusBadge({ status }: { status: RoutingStatus }) {
  const { t } = useI18n();
  const label = t(`status.${status}`);
  return (
    <span className={`badge badge--${TONE[status] ?? 'neutral'}`} data-status={status}>
      <span className="visually-hidden">{t('status.prefix')} </span>
      {label}
    </span>
  );
}
