import { useEffect, useRef, type DialogHTMLAttributes, type ReactNode } from 'react';

export interface DialogProps extends Omit<DialogHTMLAttributes<HTMLDialogElement>, 'onCancel' | 'open'> {
  children: ReactNode;
  /** Escape was pressed (the native `cancel`): close through React state, i.e. unmount the dialog. */
  onDismiss(): void;
  /** While true, Escape does nothing. */
  busy?: boolean | undefined;
  /** Moves focus in once the dialog is open (default: the browser's, e.g. an `autoFocus` control). */
  initialFocus?: ((dialog: HTMLDialogElement) => void) | undefined;
  /**
   * On close, give focus back to the element that had it at opening only when focus is lost
   * (on the body or in the dialog), so a page that moved it on keeps it (default: always).
   */
  keepMovedFocus?: boolean | undefined;
}

/**
 * A modal native `<dialog>`, open while mounted: `showModal()` on mount (so focus stays
 * inside and the page behind is inert), Escape calls `onDismiss`, and on unmount it
 * closes and focus returns to the element that opened it. Styled by `.dialog` (app.css);
 * `className` adds the feature's own (size, padding).
 */
export function Dialog({ children, className, onDismiss, busy, initialFocus, keepMovedFocus, ...attributes }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const options = useRef({ initialFocus, keepMovedFocus });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
    options.current.initialFocus?.(dialog);
    return () => {
      if (dialog.open) {
        if (typeof dialog.close === 'function') dialog.close();
        else dialog.removeAttribute('open');
      }
      const focus = document.activeElement;
      const lost = focus === null || focus === document.body || dialog.contains(focus);
      if ((lost || !options.current.keepMovedFocus) && opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      {...attributes}
      className={className ? `dialog ${className}` : 'dialog'}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onDismiss();
      }}
    >
      {children}
    </dialog>
  );
}
