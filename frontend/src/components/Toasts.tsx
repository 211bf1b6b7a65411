// Toasts: short-lived messages in one corner, announced to screen readers.
// Any feature may push one (`useToasts().push`), with an optional action such as
// "Retry"; errors stay until dismissed, others fade after a while.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '@/i18n';

export type ToastSeverity = 'INFO' | 'WARNING' | 'ERROR' | 'SUCCESS';

export interface ToastAction {
  label: string;
  onClick(): void;
}

export interface ToastInput {
  title: string;
  message?: string;
  severity: ToastSeverity;
  action?: ToastAction;
  /** Milliseconds before it goes by itself; `null` keeps it (the default for errors). */
  timeoutMs?: number | null;
}

export interface Toast extends ToastInput {
  id: number;
}

interface ToastApi {
  push(toast: ToastInput): number;
  dismiss(id: number): void;
}

const ToastContext = createContext<ToastApi | null>(null);
const DEFAULT_TIMEOUT_MS = 6000;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => {
    setToasts((current) => current.filter((toast) => toast.id !== id));
  }, []);

  const push = useCallback(
    (input: ToastInput) => {
      const id = nextId.current++;
      setToasts((current) => [...current.slice(-4), { ...input, id }]);
      const timeout = input.timeoutMs === undefined ? (input.severity === 'ERROR' ? null : DEFAULT_TIMEOUT_MS) : input.timeoutMs;
      if (timeout !== null) setTimeout(() => dismiss(id), timeout);
      return id;
    },
    [dismiss],
  );

  const api = useMemo(() => ({ push, dismiss }), [push, dismiss]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <ToastList toasts={toasts} onDismiss={dismiss} />
    </ToastContext.Provider>
  );
}

function ToastList({ toasts, onDismiss }: { toasts: Toast[]; onDismiss(id: number): void }) {
  const { t } = useI18n();
  return (
    <section className="toasts" aria-label={t('toast.region')}>
      {/* Always in the page, so screen readers hear what is added to it. */}
      <ol className="toasts__list" aria-live="polite" aria-relevant="additions">
        {toasts.map((toast) => (
          <li key={toast.id} className={`toast toast--${toast.severity.toLowerCase()}`} data-severity={toast.severity}>
            <div className="toast__body">
              <p className="toast__title">{toast.title}</p>
              {toast.message && <p className="toast__message">{toast.message}</p>}
            </div>
            <div className="toast__actions">
              {toast.action && (
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => {
                    onDismiss(toast.id);
                    toast.action?.onClick();
                  }}
                >
                  {toast.action.label}
                </button>
              )}
              <button type="button" className="button button--small button--quiet" onClick={() => onDismiss(toast.id)}>
                {t('toast.dismiss')}
                <span className="visually-hidden">: {toast.title}</span>
              </button>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function useToasts(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error('useToasts() needs a <ToastProvider> above it.');
  return api;
}
