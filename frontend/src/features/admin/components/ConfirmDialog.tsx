import { useId, useRef, type ReactNode } from 'react';
import { Dialog } from '@/components/Dialog';
import { useI18n } from '@/i18n';

export interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Styles the confirm button as dangerous (deactivate, revoke). */
  danger?: boolean;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

/**
 * A modal confirmation: a native `<dialog>` opened with `showModal()` while
 * mounted. Focus goes to Cancel (the safe choice) and returns to the element
 * that opened it when it closes; Escape cancels.
 */
export function ConfirmDialog({ title, children, confirmLabel, danger, busy, onConfirm, onCancel }: ConfirmDialogProps) {
  const { t } = useI18n();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();

  return (
    <Dialog
      className="admin-dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      busy={busy}
      onDismiss={onCancel}
      initialFocus={() => cancelRef.current?.focus()}
    >
      <h2 id={titleId} className="admin-dialog__title">
        {title}
      </h2>
      <div id={bodyId} className="admin-dialog__body">
        {children}
      </div>
      <p className="admin-dialog__status muted" role="status">
        {busy ? t('admin.working') : ''}
      </p>
      <div className="admin-dialog__actions">
        <button
          type="button"
          className={`button ${danger ? 'button--danger' : 'button--primary'}`}
          onClick={onConfirm}
          disabled={busy}
        >
          {confirmLabel}
        </button>
        <button type="button" className="button" ref={cancelRef} onClick={onCancel} disabled={busy}>
          {t('admin.cancel')}
        </button>
      </div>
    </Dialog>
  );
}
