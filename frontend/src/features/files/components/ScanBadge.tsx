import type { ScanStatus } from '@/gql/graphql';
import { useI18n } from '@/i18n';

const TONE: Record<ScanStatus, string> = {
  PENDING: 'pending',
  CLEAN: 'success',
  QUARANTINED: 'danger',
  SCAN_FAILED: 'pending',
  SKIPPED: 'neutral',
};

/** A file's virus-scan verdict as a coloured, translated badge (the words carry it, not the colour). */
export function ScanBadge({ status }: { status: ScanStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge--${TONE[status] ?? 'neutral'} files__scan files__scan--${status.toLowerCase()}`} data-scan-status={status}>
      <span className="visually-hidden">{t('files.scan.prefix')} </span>
      {status === 'QUARANTINED' && <span aria-hidden="true">⚠ </span>}
      {t(`files.scan.${status}`)}
    </span>
  );
}
