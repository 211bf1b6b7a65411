import { useEffect, useId, useMemo, useState } from 'react';
import type { WorkspaceRoutingFieldsFragment } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { draftFromRouting, isDirty, type Draft } from '../draft';
import { EditForm } from './steps/EditForm';
import { StepsTable } from './StepsTable';
import type { HistoryEntryNode } from './useRoutingHistory';

// Re-exported so the document keeps being importable from where it always was.
export { WorkspaceSaveRoutingMutation } from './steps/useSaveRouting';

type Routing = WorkspaceRoutingFieldsFragment;

export interface StepsEditorProps {
  routing: Routing;
  history: readonly HistoryEntryNode[];
  /** Why the user may not edit (null when they may). */
  readOnlyReason: string | null;
  onDirtyChange(dirty: boolean): void;
  /** Reload the routing from the server (after a conflict). */
  reload(): void;
  /** After a successful save (the history has a new entry). */
  onSaved(): void;
}

/** The Steps tab: the routing's title, description and steps, editable by who may. */
export function StepsEditor({ routing, history, readOnlyReason, onDirtyChange, reload, onSaved }: StepsEditorProps) {
  const { t } = useI18n();
  const headingId = useId();
  // The draft lives here, not in EditForm, so it survives losing edit rights (and can warn it is lost).
  const [base, setBase] = useState<Routing>(routing);
  const [draft, setDraft] = useState<Draft>(() => draftFromRouting(routing));
  const dirty = useMemo(() => isDirty(draft, base), [draft, base]);
  const canEdit = readOnlyReason === null;

  // Follow the server while the user has nothing unsaved.
  if (routing.version !== base.version && !dirty) {
    setBase(routing);
    setDraft(draftFromRouting(routing));
  }

  useEffect(() => onDirtyChange(canEdit && dirty), [canEdit, dirty, onDirtyChange]);

  return (
    <section aria-labelledby={headingId} className="panel steps">
      <h2 id={headingId} tabIndex={-1}>
        {t('steps.title')}
      </h2>
      {canEdit ? (
        <EditForm
          routing={routing}
          history={history}
          base={base}
          draft={draft}
          dirty={dirty}
          setDraft={setDraft}
          rebase={(next) => {
            setBase(next);
            setDraft(draftFromRouting(next));
          }}
          headingId={headingId}
          reload={reload}
          onSaved={onSaved}
        />
      ) : (
        <>
          <p className="hint">{readOnlyReason}</p>
          {dirty && (
            <p className="notice notice--error" role="alert">
              {t('steps.readOnly.lostDraft')}
            </p>
          )}
          <StepsTable steps={routing.steps} />
        </>
      )}
    </section>
  );
}
