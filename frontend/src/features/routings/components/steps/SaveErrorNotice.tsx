import { useI18n } from '@/i18n';
import type { SaveError } from './useSaveRouting';

/** A refused save other than a conflict (that one has its own alert). */
export function SaveErrorNotice({ error }: { error: SaveError }) {
  const { t } = useI18n();
  return (
    <p className="notice notice--error" role="alert">
      {error.kind === 'forbidden'
        ? t('steps.error.forbidden', { message: error.message })
        : error.kind === 'invalid'
          ? t('steps.error.invalid', { message: error.message })
          : error.kind === 'network'
            ? t('steps.error.network')
            : t('steps.error.generic', { message: error.message })}
    </p>
  );
}
