import type { CombinedError } from 'urql';
import { useI18n } from '@/i18n';
import { serverMessage } from '@/lib/graphql-client';

/** A query's failure, in words, with a retry button. */
export function QueryError({ error, onRetry }: { error: CombinedError; onRetry?: () => void }) {
  const { t } = useI18n();
  const message = error.networkError
    ? t('app.error.network')
    : t('app.error.generic', { message: serverMessage(error) });
  return (
    <div className="notice notice--error" role="alert">
      <p>{message}</p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}
