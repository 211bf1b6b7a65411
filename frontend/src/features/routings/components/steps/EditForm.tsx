import { useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useToasts } from '@/components/Toasts';
import type { WorkspaceRoutingFieldsFragment } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import {
  diffRoutings,
  LIMITS,
  newStep,
  toUpdateInput,
  validateDraft,
  type Draft,
  type DraftParameter,
  type DraftStep,
  type Problem,
} from '../../draft';
import { dataText, type HistoryEntryNode } from '../useRoutingHistory';
import { ConflictAlert } from './ConflictAlert';
import { ProblemSummary } from './ProblemSummary';
import { RoutingFields } from './RoutingFields';
import { SaveBar } from './SaveBar';
import { SaveErrorNotice } from './SaveErrorNotice';
import { StepCard } from './StepCard';
import { problemKey, stepFieldId, stepName } from './stepsText';
import { useSaveRouting } from './useSaveRouting';
import { useStepFocus } from './useStepFocus';
import { useStepReorder } from './useStepReorder';

type Routing = WorkspaceRoutingFieldsFragment;

export interface EditFormProps {
  routing: Routing;
  history: readonly HistoryEntryNode[];
  base: Routing;
  draft: Draft;
  dirty: boolean;
  setDraft(update: (draft: Draft) => Draft): void;
  rebase(routing: Routing): void;
  headingId: string;
  reload(): void;
  onSaved(): void;
}

/** The editable Steps tab: validates on submit, saves with the version it started from, resolves conflicts. */
export function EditForm({ routing, history, base, draft, dirty, setDraft, rebase, headingId, reload, onSaved }: EditFormProps) {
  const { t } = useI18n();
  const toasts = useToasts();
  const formId = useId();
  const [submitted, setSubmitted] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const summaryRef = useRef<HTMLDivElement>(null);
  const { addButton, requestFocus } = useStepFocus(formId);
  const reorder = useStepReorder({ draft, setDraft, requestFocus, announce: setAnnouncement });
  const { saving, saveError, clearSaveError, save } = useSaveRouting(routing.id, {
    onSaved(saved) {
      rebase(saved);
      setSubmitted(false);
      setAnnouncement(t('steps.saved', { version: saved.version }));
      toasts.push({ title: t('steps.savedTitle'), message: t('steps.saved', { version: saved.version }), severity: 'SUCCESS' });
      onSaved();
    },
    // Fetch their version, to show what changed.
    onConflict: reload,
  });

  // Errors show only after the first submit, so a half-typed step is not flagged while being typed.
  const problems = useMemo(() => (submitted ? validateDraft(draft) : []), [submitted, draft]);
  const problemAt = useMemo(() => {
    const map = new Map<string, Problem>();
    for (const problem of problems) map.set(problemKey(problem.step, problem.field, problem.parameter), problem);
    return map;
  }, [problems]);

  const newer = routing.version !== base.version;
  const conflict = dirty && (saveError?.kind === 'conflict' || newer);
  const changes = useMemo(() => (newer ? diffRoutings(base, routing) : []), [newer, base, routing]);
  const savedBy = useMemo(() => {
    if (!newer) return null;
    const entry = [...history].reverse().find((e) => dataText(e.data, 'version') === String(routing.version));
    return entry?.actor ?? null;
  }, [newer, history, routing.version]);

  function updateStep(index: number, change: Partial<DraftStep>) {
    setDraft((current) => ({
      ...current,
      steps: current.steps.map((step, i) => (i === index ? { ...step, ...change } : step)),
    }));
  }

  function updateParameters(index: number, update: (parameters: DraftParameter[]) => DraftParameter[]) {
    setDraft((current) => ({
      ...current,
      steps: current.steps.map((step, i) => (i === index ? { ...step, parameters: update(step.parameters) } : step)),
    }));
  }

  function add() {
    const step = newStep();
    setDraft((current) => ({ ...current, steps: [...current.steps, step] }));
    requestFocus({ key: step.key, target: 'name' });
    setAnnouncement(t('steps.announce.added', { n: draft.steps.length + 1 }));
  }

  function remove(index: number) {
    const step = draft.steps[index];
    if (!step) return;
    // Focus must not fall back to the page: it goes to the step that takes this one's place.
    const neighbour = draft.steps[index + 1] ?? draft.steps[index - 1];
    setDraft((current) => ({ ...current, steps: current.steps.filter((_, i) => i !== index) }));
    requestFocus(neighbour ? { key: neighbour.key, target: 'name' } : { key: '', target: 'add' });
    setAnnouncement(t('steps.announce.removed', { n: index + 1, name: stepName(step, t) }));
  }

  function discard() {
    rebase(routing);
    setSubmitted(false);
    clearSaveError();
    setAnnouncement(t('steps.discarded'));
    document.getElementById(headingId)?.focus();
  }

  /** Shows the problems and focuses their summary; false when there are none. */
  function refuseInvalid(): boolean {
    if (validateDraft(draft).length === 0) return false;
    setSubmitted(true);
    // The summary renders with this state change; focus it afterwards.
    setTimeout(() => summaryRef.current?.focus(), 0);
    return true;
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (saving) return;
    setSubmitted(true);
    if (refuseInvalid()) return;
    void save(base.version, toUpdateInput(draft, base));
  }

  function overwrite() {
    if (refuseInvalid()) return;
    // Only ids that still exist in their version may be sent; a step they removed is re-created from the draft.
    const keep = new Set(routing.steps.map((step) => step.id));
    void save(routing.version, toUpdateInput(draft, base, keep));
  }

  function focusField(problem: Problem) {
    const step = problem.step === undefined ? undefined : draft.steps[problem.step];
    let id: string;
    if (problem.field === 'title' || !step) id = `${formId}-title`;
    else if (problem.field === 'parameter') id = stepFieldId(formId, step.key, `param-${problem.parameter ?? 0}-name`);
    else id = stepFieldId(formId, step.key, problem.field ?? 'name');
    document.getElementById(id)?.focus();
  }

  return (
    <form className="steps-form" noValidate onSubmit={onSubmit} aria-labelledby={headingId}>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>

      {conflict && (
        <ConflictAlert
          mine={base.version}
          theirs={newer ? routing.version : null}
          savedBy={savedBy}
          changes={changes}
          saving={saving}
          onDiscard={discard}
          onOverwrite={overwrite}
        />
      )}

      {saveError && saveError.kind !== 'conflict' && <SaveErrorNotice error={saveError} />}

      {problems.length > 0 && <ProblemSummary problems={problems} summaryRef={summaryRef} onSelect={focusField} />}

      <p className="hint">{t('steps.requiredHint')}</p>
      <RoutingFields
        formId={formId}
        title={draft.title}
        description={draft.description}
        titleProblem={problemAt.get(problemKey(undefined, 'title'))}
        saving={saving}
        onTitleChange={(title) => setDraft((current) => ({ ...current, title }))}
        onDescriptionChange={(description) => setDraft((current) => ({ ...current, description }))}
      />

      <fieldset className="steps-form__steps" disabled={saving}>
        <legend className="visually-hidden">{t('steps.listLabel')}</legend>
        {draft.steps.length === 0 ? (
          <p className="empty">{t('steps.empty')}</p>
        ) : (
          <ol className="step-list" aria-label={t('steps.listLabel')}>
            {draft.steps.map((step, index) => (
              <StepCard
                key={step.key}
                formId={formId}
                step={step}
                index={index}
                count={draft.steps.length}
                saving={saving}
                problemAt={problemAt}
                dragging={reorder.dragging === index}
                dropTarget={reorder.dropTarget?.index === index ? reorder.dropTarget : null}
                onMove={(to, focus) => reorder.move(index, to, focus)}
                onRemove={() => remove(index)}
                onChange={(change) => updateStep(index, change)}
                onChangeParameters={(update) => updateParameters(index, update)}
                onDragStart={(e) => reorder.onDragStart(e, index)}
                onDragOver={(e) => reorder.onDragOver(e, index)}
                onDrop={(e) => reorder.onDrop(e, index)}
                onDragEnd={reorder.onDragEnd}
              />
            ))}
          </ol>
        )}
        <button
          type="button"
          className="button"
          ref={addButton}
          onClick={add}
          disabled={draft.steps.length >= LIMITS.steps}
        >
          {t('steps.add')}
        </button>
      </fieldset>

      <SaveBar dirty={dirty} saving={saving} onDiscard={discard} />
    </form>
  );
}
