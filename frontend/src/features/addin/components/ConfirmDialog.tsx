import { useId, type ReactNode } from 'react';
import { Dialog } from '@/components/Dialog';

export interface ConfirmDialogProps {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  dismissLabel: string;
  busy?: boolean;
  /** An error to show inside the dialog (e.g. the server refused). */
  error?: string | null;
  onConfirm(): void;
  onDismiss(): void;
}

/** A modal question (native `<dialog>`: focus kept inside, Escape dismisses), rendered while open. */
export function ConfirmDialog({ title, children, confirmLabel, dismissLabel, busy, error, onConfirm, onDismiss }: ConfirmDialogProps) {
  const titleId = useId();
  const bodyId = useId();

  return (
    <Dialog
      className="addin-dialog"
      aria-labelledby={titleId}
      aria-describedby={children ? bodyId : undefined}
      busy={busy}
      onDismiss={onDismiss}
    >
      <h2 id={titleId} className="addin-dialog__title">
        {title}
      </h2>
      {children && (
        <div id={bodyId} className="addin-dialog__body">
          {children}
        </div>
      )}
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      <div className="addin-dialog__actions">
        <button type="button" className="button button--primary" onClick={onConfirm} disabled={busy}>
          {confirmLabel}
        </button>
        <button type="button" className="button" onClick={onDismiss} disabled={busy} autoFocus>
          {dismissLabel}
        </button>
      </div>
    </Dialog>
  );
}
