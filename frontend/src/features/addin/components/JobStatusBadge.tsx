import type { AddinJobStatus } from '@/gql/graphql';
import { useI18n } from '@/i18n';

const TONE: Record<AddinJobStatus, string> = {
  QUEUED: 'neutral',
  RUNNING: 'pending',
  COMPLETED: 'success',
  FAILED: 'danger',
  CANCELLED: 'neutral',
};

/** An add-in job's state as a coloured badge with words ("Job status: Completed"). */
export function JobStatusBadge({ status }: { status: AddinJobStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge--${TONE[status] ?? 'neutral'} job-badge job-badge--${status.toLowerCase()}`} data-job-status={status}>
      <span className="visually-hidden">{t('addin.status.prefix')} </span>
      {t(`addin.status.${status}`)}
    </span>
  );
}
