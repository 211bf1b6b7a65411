import { useI18n } from '@/i18n';

interface SaveBarProps {
  dirty: boolean;
  saving: boolean;
  onDiscard(): void;
}

/** Whether there is something unsaved, and the Discard / Save buttons (Save submits the form). */
export function SaveBar({ dirty, saving, onDiscard }: SaveBarProps) {
  const { t } = useI18n();
  return (
    <div className="steps-actions">
      <p className={`steps-actions__state${dirty ? ' steps-actions__state--dirty' : ''}`} role="status">
        {saving ? t('steps.saving') : dirty ? t('steps.dirty') : t('steps.clean')}
      </p>
      <button type="button" className="button" onClick={onDiscard} disabled={!dirty || saving}>
        {t('steps.discard')}
      </button>
      <button type="submit" className="button button--primary" disabled={!dirty || saving}>
        {t('steps.save')}
      </button>
    </div>
  );
}
