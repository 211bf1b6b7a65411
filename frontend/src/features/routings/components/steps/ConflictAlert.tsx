import { useI18n } from '@/i18n';
import type { Change } from '../../draft';
import { describeChange } from './stepsText';

interface ConflictAlertProps {
  /** The version the draft was started from. */
  mine: number;
  /** The server's version, when it is newer than `mine` (null until the reload arrives). */
  theirs: number | null;
  savedBy: string | null;
  changes: readonly Change[];
  saving: boolean;
  onDiscard(): void;
  onOverwrite(): void;
}

/** Someone saved the routing while this user was editing: what changed, and the two ways out. */
export function ConflictAlert({ mine, theirs, savedBy, changes, saving, onDiscard, onOverwrite }: ConflictAlertProps) {
  const { t } = useI18n();
  return (
    <div className="notice notice--error conflict" role="alert">
      <p>
        <strong>{t('steps.conflict.title')}</strong>
      </p>
      {theirs !== null && (
        <p>
          {t('steps.conflict.versions', {
            mine,
            theirs,
            by: savedBy ? t('steps.conflict.by', { actor: savedBy }) : '',
          })}
        </p>
      )}
      <p>{t('steps.conflict.kept')}</p>
      {changes.length > 0 && (
        <>
          <p>{t('steps.conflict.changesHeading')}</p>
          <ul className="conflict__changes">
            {changes.map((change, i) => (
              <li key={i}>{describeChange(change, t)}</li>
            ))}
          </ul>
        </>
      )}
      <div className="conflict__actions">
        <button type="button" className="button" onClick={onDiscard} disabled={saving}>
          {t('steps.conflict.reload')}
        </button>
        <span className="hint">{t('steps.conflict.reloadHint')}</span>
        {/* Overwriting is only offered once their version is loaded, so the user knows what they replace. */}
        {theirs !== null && (
          <button type="button" className="button" onClick={onOverwrite} disabled={saving}>
            {t('steps.conflict.overwrite')}
          </button>
        )}
      </div>
    </div>
  );
}
