// The toasts an upload raises. They outlive the Files tab, so a Retry action must call the
// store (which outlives it too), never a component.
import type { ToastInput } from '@/components/Toasts';
import type { Translate } from '@/i18n';

export function alreadyUploadingToast(t: Translate, name: string): ToastInput {
  return { severity: 'INFO', title: t('files.upload.already', { name }) };
}

export function cancelFailedToast(t: Translate, name: string, error: unknown): ToastInput {
  return {
    severity: 'ERROR',
    title: t('files.toast.cancelFailed', { name }),
    message: error instanceof Error ? error.message : String(error),
  };
}

export function committedToast(t: Translate, name: string): ToastInput {
  return { severity: 'SUCCESS', title: t('files.toast.committed', { name }) };
}

/** A failure, with a Retry action when starting over can help (not after the session ended). */
export function failureToast(t: Translate, title: string, message: string, retry: (() => void) | null): ToastInput {
  return {
    severity: 'ERROR',
    title,
    message,
    ...(retry ? { action: { label: t('files.upload.retry'), onClick: retry } } : {}),
  };
}
