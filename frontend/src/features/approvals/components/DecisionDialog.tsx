import { useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { Dialog } from '@/components/Dialog';
import { useToasts } from '@/components/Toasts';
import { graphql } from '@/gql';
import { useI18n, type Translate } from '@/i18n';
import { errorCode, serverMessage } from '@/lib/graphql-client';

export const ApprovalsApproveMutation = graphql(`
  mutation ApprovalsApprove($id: ID!, $comment: String) {
    approveRouting(id: $id, comment: $comment) {
      id
      status
      version
    }
  }
`);

export const ApprovalsRejectMutation = graphql(`
  mutation ApprovalsReject($id: ID!, $reason: String!, $comment: String) {
    rejectRouting(id: $id, reason: $reason, comment: $comment) {
      id
      status
      version
    }
  }
`);

export type Decision = 'approve' | 'reject';

export interface DecisionDialogProps {
  decision: Decision;
  routing: { id: string; code: string; title: string };
  /** Called once the dialog should go (decided, already decided elsewhere, or dismissed). */
  onDone(changed: boolean): void;
}

function explain(error: CombinedError, code: string, t: Translate): string {
  if (error.networkError) return t('app.error.network');
  switch (errorCode(error)) {
    case 'FORBIDDEN':
      return t('approvals.error.forbidden', { code, message: serverMessage(error) });
    case 'INVALID_ARGUMENT':
      return t('approvals.error.invalid', { message: serverMessage(error) });
    default:
      return t('app.error.generic', { message: serverMessage(error) });
  }
}

/** Approve (optional comment) or reject (required reason) one routing, in a modal dialog. */
export function DecisionDialog({ decision, routing, onDone }: DecisionDialogProps) {
  const { t } = useI18n();
  const toasts = useToasts();
  const titleId = useId();
  const reasonId = useId();
  const reasonErrorId = useId();
  const commentId = useId();
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const [reasonMissing, setReasonMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [approveState, approve] = useMutation(ApprovalsApproveMutation);
  const [rejectState, reject] = useMutation(ApprovalsRejectMutation);
  const busy = approveState.fetching || rejectState.fetching;
  const reasonRef = useRef<HTMLTextAreaElement>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const note = comment.trim() || null;
    if (decision === 'reject' && !reason.trim()) {
      setReasonMissing(true);
      reasonRef.current?.focus();
      return;
    }
    const result =
      decision === 'approve'
        ? await approve({ id: routing.id, comment: note })
        : await reject({ id: routing.id, reason: reason.trim(), comment: note });
    if (result.data) {
      toasts.push({
        title: t(decision === 'approve' ? 'approvals.done.approved' : 'approvals.done.rejected', { code: routing.code }),
        severity: 'SUCCESS',
      });
      onDone(true);
      return;
    }
    if (!result.error) return;
    if (errorCode(result.error) === 'CONFLICT') {
      // Someone decided first (or it was withdrawn): nothing left to decide here.
      toasts.push({
        title: t('approvals.error.conflict', { code: routing.code }),
        message: serverMessage(result.error),
        severity: 'WARNING',
      });
      onDone(true);
      return;
    }
    setError(explain(result.error, routing.code, t));
  }

  const approving = decision === 'approve';
  return (
    <Dialog className="approvals-dialog" aria-labelledby={titleId} busy={busy} onDismiss={() => onDone(false)}>
      <form onSubmit={onSubmit} noValidate>
        <h2 id={titleId} className="approvals-dialog__title">
          {t(approving ? 'approvals.dialog.approveTitle' : 'approvals.dialog.rejectTitle', { code: routing.code })}
        </h2>
        <p className="approvals-dialog__routing">{routing.title}</p>
        <p className="hint">{t(approving ? 'approvals.dialog.approveHint' : 'approvals.dialog.rejectHint')}</p>
        {!approving && (
          <div className="field">
            <label className="field__label" htmlFor={reasonId}>
              {t('approvals.dialog.reason')}
            </label>
            <textarea
              id={reasonId}
              ref={reasonRef}
              className="field__input"
              rows={3}
              required
              aria-required="true"
              aria-invalid={reasonMissing}
              aria-describedby={reasonMissing ? reasonErrorId : undefined}
              value={reason}
              autoFocus
              onChange={(event) => {
                setReason(event.target.value);
                if (event.target.value.trim()) setReasonMissing(false);
              }}
            />
            {reasonMissing && (
              <p id={reasonErrorId} className="approvals-dialog__field-error" role="alert">
                {t('approvals.dialog.reasonRequired')}
              </p>
            )}
          </div>
        )}
        <div className="field">
          <label className="field__label" htmlFor={commentId}>
            {t('approvals.dialog.comment')}
          </label>
          <textarea
            id={commentId}
            className="field__input"
            rows={2}
            value={comment}
            autoFocus={approving}
            onChange={(event) => setComment(event.target.value)}
          />
        </div>
        {error && (
          <p className="notice notice--error" role="alert">
            {error}
          </p>
        )}
        <div className="approvals-dialog__actions">
          <button type="submit" className="button button--primary" disabled={busy}>
            {t(approving ? 'approvals.dialog.confirmApprove' : 'approvals.dialog.confirmReject')}
          </button>
          <button type="button" className="button" onClick={() => onDone(false)} disabled={busy}>
            {t('approvals.dialog.back')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
