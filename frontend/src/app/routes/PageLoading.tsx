import { useI18n } from '@/i18n';

export function PageLoading() {
  const { t } = useI18n();
  return (
    <p className="page-status" role="status">
      {t('app.loading')}
    </p>
  );
}
