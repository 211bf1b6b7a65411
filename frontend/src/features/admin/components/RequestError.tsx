import type { CombinedError } from 'urql';
import { useI18n } from '@/i18n';
import { describeError } from './errors';

/** A query's failure (FORBIDDEN said plainly), with a retry button. */
export function RequestError({ error, onRetry }: { error: CombinedError; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="notice notice--error" role="alert">
      <p>{describeError(t, error)}</p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}
