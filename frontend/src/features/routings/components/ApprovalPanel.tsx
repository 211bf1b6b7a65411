import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { StatusBadge } from '@/components/StatusBadge';
import { useToasts } from '@/components/Toasts';
import { useSignedInUser } from '@/features/auth/components/SessionProvider';
import { graphql } from '@/gql';
import type { WorkspaceRoutingFieldsFragment } from '@/gql/graphql';
import { useI18n, type Translate } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { errorCode } from '@/lib/graphql-client';
import { can, canDecideRouting, canSubmitRouting } from '@/lib/permissions';
import { HistoryTimeline } from './HistoryTimeline';
import type { RoutingHistory } from './useRoutingHistory';

export const WorkspaceSubmitRoutingMutation = graphql(`
  mutation WorkspaceSubmitRouting($id: ID!) {
    submitRouting(id: $id) {
      ...WorkspaceRoutingFields
    }
  }
`);

export const WorkspaceApproveRoutingMutation = graphql(`
  mutation WorkspaceApproveRouting($id: ID!, $comment: String) {
    approveRouting(id: $id, comment: $comment) {
      ...WorkspaceRoutingFields
    }
  }
`);

export const WorkspaceRejectRoutingMutation = graphql(`
  mutation WorkspaceRejectRouting($id: ID!, $reason: String!, $comment: String) {
    rejectRouting(id: $id, reason: $reason, comment: $comment) {
      ...WorkspaceRoutingFields
    }
  }
`);

/** Comments and reasons: the server's limit. */
const COMMENT_MAX = 4000;

function describeError(error: CombinedError, t: Translate): string {
  const message = error.graphQLErrors[0]?.message ?? error.message;
  switch (errorCode(error)) {
    case 'FORBIDDEN':
      return t('routing.approval.error.forbidden', { message });
    case 'CONFLICT':
      return t('routing.approval.error.conflict', { message });
    case 'INVALID_ARGUMENT':
      return t('routing.approval.error.invalid', { message });
  }
  if (error.networkError) return t('routing.approval.error.network');
  return t('routing.approval.error.generic', { message });
}

export interface ApprovalPanelProps {
  routing: WorkspaceRoutingFieldsFragment;
  history: RoutingHistory;
  /** The Steps tab holds unsaved changes (approval would be requested for the saved version). */
  stepsDirty: boolean;
  /** After a change: reload the routing and its history. */
  onChanged(): void;
}

type Mode = 'idle' | 'approve' | 'reject';

/** The Approval tab: request approval, approve or reject (four-eyes), and the history. */
export function ApprovalPanel({ routing, history, stepsDirty, onChanged }: ApprovalPanelProps) {
  const { t, locale } = useI18n();
  const user = useSignedInUser();
  const toasts = useToasts();
  const headingId = useId();
  const formId = useId();
  const [mode, setMode] = useState<Mode>('idle');
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [reasonMissing, setReasonMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [submitState, submit] = useMutation(WorkspaceSubmitRoutingMutation);
  const [approveState, approve] = useMutation(WorkspaceApproveRoutingMutation);
  const [rejectState, reject] = useMutation(WorkspaceRejectRoutingMutation);
  const busy = submitState.fetching || approveState.fetching || rejectState.fetching;
  const firstField = useRef<HTMLTextAreaElement>(null);
  const approveButton = useRef<HTMLButtonElement>(null);
  const rejectButton = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const returnFocus = useRef<'approve' | 'reject' | 'heading' | null>(null);

  const mayRequest = canSubmitRouting(user, routing);
  const mayDecide = canDecideRouting(user, routing);
  const pending = routing.status === 'PENDING_APPROVAL';

  useEffect(() => {
    if (mode !== 'idle') {
      firstField.current?.focus();
      return;
    }
    const target = returnFocus.current;
    returnFocus.current = null;
    if (target === 'approve') approveButton.current?.focus();
    else if (target === 'reject') rejectButton.current?.focus();
    else if (target === 'heading') heading.current?.focus();
  }, [mode, mayDecide, mayRequest]);

  function open(next: Mode) {
    setMode(next);
    setError(null);
    setDone(null);
    setReasonMissing(false);
  }

  function cancel() {
    returnFocus.current = mode === 'approve' ? 'approve' : 'reject';
    setMode('idle');
    setReasonMissing(false);
  }

  function succeeded(message: string) {
    setDone(message);
    setError(null);
    setComment('');
    setReason('');
    returnFocus.current = 'heading';
    setMode('idle');
    toasts.push({ title: message, severity: 'SUCCESS' });
    onChanged();
  }

  function failed(failure: CombinedError) {
    setError(describeError(failure, t));
    // The routing may have moved on (someone else decided first): show where it is now.
    if (errorCode(failure) === 'CONFLICT') onChanged();
  }

  async function requestApproval() {
    setError(null);
    setDone(null);
    const result = await submit({ id: routing.id });
    if (result.error) failed(result.error);
    else succeeded(t('routing.approval.requested'));
  }

  async function onApprove(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const result = await approve({ id: routing.id, comment: comment.trim() || null });
    if (result.error) failed(result.error);
    else succeeded(t('routing.approval.approved'));
  }

  async function onReject(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!reason.trim()) {
      setReasonMissing(true);
      firstField.current?.focus();
      return;
    }
    setReasonMissing(false);
    const result = await reject({ id: routing.id, reason: reason.trim(), comment: comment.trim() || null });
    if (result.error) failed(result.error);
    else succeeded(t('routing.approval.rejected'));
  }

  const ownPending = pending && can(user, 'approveRouting') && routing.owner.id === user.id;

  return (
    <>
      <section className="panel approval" aria-labelledby={headingId}>
        <h2 id={headingId} ref={heading} tabIndex={-1}>
          {t('routing.approval.title')}
        </h2>
        <dl className="details">
          <div>
            <dt>{t('routing.approval.status')}</dt>
            <dd>
              <StatusBadge status={routing.status} />
            </dd>
          </div>
          {routing.submittedAt && (
            <div>
              <dt>{t('routing.approval.submittedAt')}</dt>
              <dd>
                <time dateTime={routing.submittedAt}>{formatDateTime(routing.submittedAt, locale)}</time>
              </dd>
            </div>
          )}
          {routing.approvedBy && (
            <div>
              <dt>{t('routing.approvedBy')}</dt>
              <dd>{routing.approvedBy.displayName}</dd>
            </div>
          )}
          {routing.approvedAt && (
            <div>
              <dt>{t('routing.approval.approvedAt')}</dt>
              <dd>
                <time dateTime={routing.approvedAt}>{formatDateTime(routing.approvedAt, locale)}</time>
              </dd>
            </div>
          )}
        </dl>

        <div role="status" className="approval__done">
          {done && <p className="notice">{done}</p>}
        </div>
        {error && (
          <p className="notice notice--error" role="alert">
            {error}
          </p>
        )}

        {mayRequest && (
          <div className="approval__actions">
            <button
              type="button"
              className="button button--primary"
              onClick={requestApproval}
              disabled={busy || stepsDirty}
              aria-describedby={`${formId}-request-hint`}
            >
              {t('routing.approval.request')}
            </button>
            <p className="hint" id={`${formId}-request-hint`}>
              {stepsDirty ? t('routing.approval.requestDirty') : t('routing.approval.requestHint')}
            </p>
          </div>
        )}

        {mayDecide && mode === 'idle' && (
          <div className="approval__actions">
            <button
              type="button"
              className="button button--primary"
              ref={approveButton}
              onClick={() => open('approve')}
              disabled={busy}
            >
              {t('routing.approval.approve')}
            </button>
            <button
              type="button"
              className="button button--danger"
              ref={rejectButton}
              onClick={() => open('reject')}
              disabled={busy}
            >
              {t('routing.approval.reject')}
            </button>
          </div>
        )}

        {mayDecide && mode === 'approve' && (
          <form className="approval__form" noValidate onSubmit={onApprove} aria-labelledby={`${formId}-approve`}>
            <h3 id={`${formId}-approve`}>{t('routing.approval.approveHeading')}</h3>
            <div className="field">
              <label className="field__label" htmlFor={`${formId}-approve-comment`}>
                {t('routing.approval.comment')}
              </label>
              <textarea
                id={`${formId}-approve-comment`}
                ref={firstField}
                className="field__input"
                rows={3}
                maxLength={COMMENT_MAX}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
              />
            </div>
            <p className="hint">{t('routing.approval.approveHint')}</p>
            <div className="approval__actions">
              <button type="submit" className="button button--primary" disabled={busy}>
                {busy ? t('routing.approval.working') : t('routing.approval.confirmApprove')}
              </button>
              <button type="button" className="button" onClick={cancel} disabled={busy}>
                {t('routing.approval.cancel')}
              </button>
            </div>
          </form>
        )}

        {mayDecide && mode === 'reject' && (
          <form className="approval__form" noValidate onSubmit={onReject} aria-labelledby={`${formId}-reject`}>
            <h3 id={`${formId}-reject`}>{t('routing.approval.rejectHeading')}</h3>
            <div className="field">
              <label className="field__label" htmlFor={`${formId}-reason`}>
                {t('routing.approval.reason')}
              </label>
              <textarea
                id={`${formId}-reason`}
                ref={firstField}
                className="field__input"
                rows={3}
                maxLength={COMMENT_MAX}
                required
                aria-required
                aria-invalid={reasonMissing || undefined}
                aria-describedby={reasonMissing ? `${formId}-reason-error` : undefined}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
              />
              {reasonMissing && (
                <p className="field-error" id={`${formId}-reason-error`} role="alert">
                  {t('routing.approval.reasonRequired')}
                </p>
              )}
            </div>
            <div className="field">
              <label className="field__label" htmlFor={`${formId}-reject-comment`}>
                {t('routing.approval.comment')}
              </label>
              <textarea
                id={`${formId}-reject-comment`}
                className="field__input"
                rows={3}
                maxLength={COMMENT_MAX}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
              />
            </div>
            <div className="approval__actions">
              <button type="submit" className="button button--danger" disabled={busy}>
                {busy ? t('routing.approval.working') : t('routing.approval.confirmReject')}
              </button>
              <button type="button" className="button" onClick={cancel} disabled={busy}>
                {t('routing.approval.cancel')}
              </button>
            </div>
          </form>
        )}

        {ownPending && <p className="hint">{t('routing.approval.ownRouting')}</p>}
        {pending && !mayDecide && !ownPending && <p className="hint">{t('routing.approval.waiting')}</p>}
        {!pending && !mayRequest && !mayDecide && routing.status !== 'APPROVED' && (
          <p className="hint">{t('routing.approval.noActions')}</p>
        )}
      </section>
      <HistoryTimeline history={history} />
    </>
  );
}
