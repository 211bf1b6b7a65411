import { useState } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { useToasts } from '@/components/Toasts';
import { useSignedInUser } from '@/features/auth/components/SessionProvider';
import type { AddinJobStatus } from '@/gql/graphql';
import { useI18n, type Translate } from '@/i18n';
import { errorCode, serverMessage } from '@/lib/graphql-client';
import { canManageJobsOf } from '@/lib/permissions';
import { ConfirmDialog } from './ConfirmDialog';
import { AddinCancelJobMutation, AddinRetryJobMutation } from './jobDocuments';

export interface ActionableJob {
  id: string;
  status: AddinJobStatus;
  routing: { code: string; owner: { id: string } };
}

const RETRYABLE: ReadonlySet<AddinJobStatus> = new Set(['FAILED', 'CANCELLED']);
const CANCELLABLE: ReadonlySet<AddinJobStatus> = new Set(['QUEUED', 'RUNNING']);

function explain(error: CombinedError, t: Translate): string {
  if (error.networkError) return t('app.error.network');
  switch (errorCode(error)) {
    case 'CONFLICT':
      return t('addin.error.conflict', { message: serverMessage(error) });
    case 'FORBIDDEN':
      return t('addin.error.forbidden');
    case 'NOT_FOUND':
      return t('addin.error.notFound');
    default:
      return t('app.error.generic', { message: serverMessage(error) });
  }
}

/** Retry (FAILED, CANCELLED) and Cancel (QUEUED, RUNNING, after a confirmation), for those who may. */
export function JobActions({ job, onChanged }: { job: ActionableJob; onChanged?(): void }) {
  const { t } = useI18n();
  const user = useSignedInUser();
  const toasts = useToasts();
  const [retryState, retry] = useMutation(AddinRetryJobMutation);
  const [cancelState, cancel] = useMutation(AddinCancelJobMutation);
  const [confirming, setConfirming] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);

  if (!canManageJobsOf(user, job.routing.owner.id)) return null;
  const ref = t('addin.jobRef', { id: job.id, code: job.routing.code });
  const canRetry = RETRYABLE.has(job.status);
  const canCancel = CANCELLABLE.has(job.status);
  if (!canRetry && !canCancel) return null;

  async function onRetry() {
    const result = await retry({ id: job.id });
    if (result.data) {
      toasts.push({
        title: t('addin.retried', { id: job.id, newId: result.data.retryAddinJob.id, code: job.routing.code }),
        severity: 'SUCCESS',
      });
    } else if (result.error) {
      toasts.push({ title: t('addin.retryFailed', { id: job.id }), message: explain(result.error, t), severity: 'ERROR' });
    }
    onChanged?.();
  }

  async function onConfirmCancel() {
    setCancelError(null);
    const result = await cancel({ id: job.id });
    if (result.data) {
      setConfirming(false);
      toasts.push({ title: t('addin.cancelled', { id: job.id, code: job.routing.code }), severity: 'SUCCESS' });
      onChanged?.();
    } else if (result.error) {
      setCancelError(explain(result.error, t));
      if (errorCode(result.error) === 'CONFLICT') onChanged?.();
    }
  }

  return (
    <div className="job-actions">
      {canRetry && (
        <button type="button" className="button job-actions__button" onClick={onRetry} disabled={retryState.fetching}>
          {t('addin.retry')}
          <span className="visually-hidden"> {ref}</span>
        </button>
      )}
      {canCancel && (
        <button
          type="button"
          className="button job-actions__button"
          onClick={() => {
            setCancelError(null);
            setConfirming(true);
          }}
        >
          {t('addin.cancel')}
          <span className="visually-hidden"> {ref}</span>
        </button>
      )}
      {confirming && (
        <ConfirmDialog
          title={t('addin.cancelDialog.title', { id: job.id, code: job.routing.code })}
          confirmLabel={t('addin.cancelDialog.confirm')}
          dismissLabel={t('addin.cancelDialog.keep')}
          busy={cancelState.fetching}
          error={cancelError}
          onConfirm={onConfirmCancel}
          onDismiss={() => setConfirming(false)}
        >
          <p>{t(job.status === 'RUNNING' ? 'addin.cancelDialog.running' : 'addin.cancelDialog.queued')}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
