import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '@/i18n';

export interface SecretFieldProps {
  /** The field's label, e.g. "New token secret". */
  label: string;
  secret: string;
  /** The Copy button's full name, e.g. "Copy the token secret" (its visible text is "Copy"). */
  copyLabel: string;
  /** More to say under the warning (what the secret is for). */
  children?: ReactNode;
  onDone(): void;
}

/**
 * A secret shown once: a read-only field with a Copy button and a clear
 * "store it now" warning. It takes focus when it appears so it is not missed.
 */
export function SecretField({ label, secret, copyLabel, children, onDone }: SecretFieldProps) {
  const { t } = useI18n();
  const inputId = useId();
  const warningId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, [secret]);

  async function onCopy() {
    const input = inputRef.current;
    input?.focus();
    input?.select();
    // The clipboard API exists only on secure origins (https or localhost); an
    // intranet server on plain http falls back to copying the selection.
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard API');
      await navigator.clipboard.writeText(secret);
      setCopy('copied');
      return;
    } catch {
      // fall through to the selection
    }
    let copied = false;
    try {
      input?.select();
      copied = typeof document.execCommand === 'function' && document.execCommand('copy');
    } catch {
      copied = false;
    }
    setCopy(copied ? 'copied' : 'failed');
  }

  return (
    <div className="admin-secret panel">
      <p className="admin-secret__warning" id={warningId}>
        <strong>{t('admin.secret.warning')}</strong>
      </p>
      {children}
      <label className="field__label" htmlFor={inputId}>
        {label}
      </label>
      <div className="admin-secret__row">
        <input
          ref={inputRef}
          id={inputId}
          className="field__input admin-secret__input"
          type="text"
          readOnly
          value={secret}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={warningId}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" className="button button--primary" onClick={onCopy} aria-label={copyLabel}>
          {t('admin.secret.copy')}
        </button>
        <button type="button" className="button" onClick={onDone}>
          {t('admin.secret.done')}
        </button>
      </div>
      <p role="status" className="admin-secret__copy muted">
        {copy === 'copied' ? t('admin.secret.copied') : copy === 'failed' ? t('admin.secret.copyFailed') : ''}
      </p>
    </div>
  );
}
