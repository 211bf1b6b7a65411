import { useEffect, useId, useMemo, useRef, useState, type DragEvent, type FormEvent, type ReactNode } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { useToasts } from '@/components/Toasts';
import { graphql } from '@/gql';
import type { UpdateRoutingInput, WorkspaceRoutingFieldsFragment } from '@/gql/graphql';
import { useI18n, type MessageKey, type Translate } from '@/i18n';
import { errorCode } from '@/lib/graphql-client';
import {
  diffRoutings,
  draftFromRouting,
  isDirty,
  LIMITS,
  moveItem,
  newParameter,
  newStep,
  SEQUENCE_STEP,
  toUpdateInput,
  validateDraft,
  type Change,
  type Draft,
  type DraftParameter,
  type DraftStep,
  type Problem,
} from '../draft';
import { StepsTable } from './StepsTable';
import { dataText, type HistoryEntryNode } from './useRoutingHistory';

export const WorkspaceSaveRoutingMutation = graphql(`
  mutation WorkspaceSaveRouting($id: ID!, $input: UpdateRoutingInput!, $expectedVersion: Int!) {
    updateRouting(id: $id, input: $input, expectedVersion: $expectedVersion) {
      ...WorkspaceRoutingFields
    }
  }
`);

type Routing = WorkspaceRoutingFieldsFragment;

type SaveError = { kind: 'conflict' | 'forbidden' | 'invalid' | 'network' | 'generic'; message: string };

function classify(error: CombinedError): SaveError {
  const message = error.graphQLErrors[0]?.message ?? error.message;
  switch (errorCode(error)) {
    case 'CONFLICT':
      return { kind: 'conflict', message };
    case 'FORBIDDEN':
      return { kind: 'forbidden', message };
    case 'INVALID_ARGUMENT':
      return { kind: 'invalid', message };
  }
  if (error.networkError) return { kind: 'network', message };
  return { kind: 'generic', message };
}

type StepTextField = 'name' | 'workCenter' | 'machine' | 'setupMinutes' | 'cycleMinutes' | 'description' | 'toolingNotes';

const FIELD_LABEL: Record<StepTextField, MessageKey> = {
  name: 'steps.field.name',
  workCenter: 'steps.field.workCenter',
  machine: 'steps.field.machine',
  setupMinutes: 'steps.field.setupMinutes',
  cycleMinutes: 'steps.field.cycleMinutes',
  description: 'steps.field.description',
  toolingNotes: 'steps.field.toolingNotes',
};

const PROBLEM_TEXT: Record<Problem['kind'], MessageKey> = {
  titleRequired: 'steps.error.titleRequired',
  nameRequired: 'steps.error.nameRequired',
  minutes: 'steps.error.minutes',
  parameterName: 'steps.error.parameterName',
  parameterDuplicate: 'steps.error.parameterDuplicate',
  tooManySteps: 'steps.error.tooManySteps',
};

function problemKey(step: number | undefined, field: string | undefined, parameter?: number): string {
  return `${step ?? ''}:${field ?? ''}:${parameter ?? ''}`;
}

function describeChange(change: Change, t: Translate): string {
  switch (change.kind) {
    case 'title':
      return t('steps.conflict.change.title', { title: change.title });
    case 'description':
      return t('steps.conflict.change.description');
    case 'status':
      return t('steps.conflict.change.status', { status: t(`status.${change.status as Routing['status']}`) });
    case 'stepAdded':
      return t('steps.conflict.change.stepAdded', { name: change.name });
    case 'stepRemoved':
      return t('steps.conflict.change.stepRemoved', { name: change.name });
    case 'stepChanged': {
      const labels = change.fields.map((field) =>
        field === 'parameters' ? t('steps.parameters') : t(FIELD_LABEL[field as StepTextField]),
      );
      return t('steps.conflict.change.stepChanged', { name: change.name, fields: labels.join(', ') });
    }
    case 'reordered':
      return t('steps.conflict.change.reordered');
  }
}

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

interface EditFormProps {
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

type FocusRequest = { key: string; target: 'name' | 'up' | 'down' | 'add' } | null;

function EditForm({ routing, history, base, draft, dirty, setDraft, rebase, headingId, reload, onSaved }: EditFormProps) {
  const { t } = useI18n();
  const toasts = useToasts();
  const formId = useId();
  const [, updateRouting] = useMutation(WorkspaceSaveRoutingMutation);
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<SaveError | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [dragging, setDragging] = useState<number | null>(null);
  const [dropTarget, setDropTarget] = useState<{ index: number; after: boolean } | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const focusRequest = useRef<FocusRequest>(null);
  const addButton = useRef<HTMLButtonElement>(null);

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

  useEffect(() => {
    const request = focusRequest.current;
    if (!request) return;
    focusRequest.current = null;
    if (request.target === 'add') {
      addButton.current?.focus();
      return;
    }
    const id = `${formId}-${request.key}`;
    const wanted = document.getElementById(`${id}-${request.target}`);
    const other = document.getElementById(`${id}-${request.target === 'up' ? 'down' : 'up'}`);
    const target =
      wanted instanceof HTMLButtonElement && wanted.disabled ? other : wanted;
    target?.focus();
  });

  function fieldId(step: DraftStep, field: string): string {
    return `${formId}-${step.key}-${field}`;
  }

  function updateStep(index: number, change: Partial<DraftStep>) {
    setDraft((current) => ({
      ...current,
      steps: current.steps.map((step, i) => (i === index ? { ...step, ...change } : step)),
    }));
  }

  function updateParameter(index: number, p: number, change: Partial<DraftParameter>) {
    setDraft((current) => ({
      ...current,
      steps: current.steps.map((step, i) =>
        i === index
          ? { ...step, parameters: step.parameters.map((param, j) => (j === p ? { ...param, ...change } : param)) }
          : step,
      ),
    }));
  }

  function stepName(step: DraftStep): string {
    return step.name.trim() || t('steps.unnamed');
  }

  function move(from: number, to: number, focus: 'up' | 'down' | null) {
    const step = draft.steps[from];
    if (!step || to < 0 || to >= draft.steps.length || to === from) return;
    setDraft((current) => ({ ...current, steps: moveItem(current.steps, from, to) }));
    if (focus) focusRequest.current = { key: step.key, target: focus };
    setAnnouncement(
      t('steps.announce.moved', { name: stepName(step), position: to + 1, count: draft.steps.length }),
    );
  }

  function add() {
    const step = newStep();
    setDraft((current) => ({ ...current, steps: [...current.steps, step] }));
    focusRequest.current = { key: step.key, target: 'name' };
    setAnnouncement(t('steps.announce.added', { n: draft.steps.length + 1 }));
  }

  function remove(index: number) {
    const step = draft.steps[index];
    if (!step) return;
    const neighbour = draft.steps[index + 1] ?? draft.steps[index - 1];
    setDraft((current) => ({ ...current, steps: current.steps.filter((_, i) => i !== index) }));
    focusRequest.current = neighbour ? { key: neighbour.key, target: 'name' } : { key: '', target: 'add' };
    setAnnouncement(t('steps.announce.removed', { n: index + 1, name: stepName(step) }));
  }

  function discard() {
    rebase(routing);
    setSubmitted(false);
    setSaveError(null);
    setAnnouncement(t('steps.discarded'));
    document.getElementById(headingId)?.focus();
  }

  async function save(expectedVersion: number, input: UpdateRoutingInput) {
    setSaving(true);
    setSaveError(null);
    const result = await updateRouting({ id: routing.id, input, expectedVersion });
    setSaving(false);
    const saved = result.data?.updateRouting;
    if (result.error || !saved) {
      if (result.error) {
        const error = classify(result.error);
        setSaveError(error);
        // Fetch their version, to show what changed.
        if (error.kind === 'conflict') reload();
      }
      return;
    }
    rebase(saved);
    setSubmitted(false);
    setAnnouncement(t('steps.saved', { version: saved.version }));
    toasts.push({ title: t('steps.savedTitle'), message: t('steps.saved', { version: saved.version }), severity: 'SUCCESS' });
    onSaved();
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (saving) return;
    setSubmitted(true);
    if (validateDraft(draft).length > 0) {
      // The summary renders with this state change; focus it afterwards.
      setTimeout(() => summaryRef.current?.focus(), 0);
      return;
    }
    void save(base.version, toUpdateInput(draft, base));
  }

  function overwrite() {
    if (validateDraft(draft).length > 0) {
      setSubmitted(true);
      setTimeout(() => summaryRef.current?.focus(), 0);
      return;
    }
    const keep = new Set(routing.steps.map((step) => step.id));
    void save(routing.version, toUpdateInput(draft, base, keep));
  }

  // --- drag and drop (the Move up / Move down buttons do the same by keyboard)

  function onDragStart(event: DragEvent<HTMLElement>, index: number) {
    setDragging(index);
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', String(index));
      const card = event.currentTarget.closest('li');
      if (card) event.dataTransfer.setDragImage(card, 16, 16);
    }
  }

  /** Whether a drop on card `index` goes after it (the pointer is in its lower half). */
  function dropsAfter(event: DragEvent<HTMLLIElement>, index: number): boolean {
    const rect = event.currentTarget.getBoundingClientRect();
    if (Number.isFinite(event.clientY) && rect.height > 0) return event.clientY >= rect.top + rect.height / 2;
    // No geometry: the dragged step takes the target's place.
    return dragging !== null && dragging < index;
  }

  function onDragOver(event: DragEvent<HTMLLIElement>, index: number) {
    if (dragging === null) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
    const after = dropsAfter(event, index);
    if (dropTarget?.index !== index || dropTarget.after !== after) setDropTarget({ index, after });
  }

  function onDrop(event: DragEvent<HTMLLIElement>, index: number) {
    event.preventDefault();
    const from = dragging;
    const after = dropsAfter(event, index);
    setDragging(null);
    setDropTarget(null);
    if (from === null) return;
    let to = after ? index + 1 : index;
    if (from < to) to -= 1;
    move(from, to, null);
  }

  function onDragEnd() {
    setDragging(null);
    setDropTarget(null);
  }

  function focusField(problem: Problem) {
    const step = problem.step === undefined ? undefined : draft.steps[problem.step];
    let id: string;
    if (problem.field === 'title' || !step) id = `${formId}-title`;
    else if (problem.field === 'parameter') id = fieldId(step, `param-${problem.parameter ?? 0}-name`);
    else id = fieldId(step, problem.field ?? 'name');
    document.getElementById(id)?.focus();
  }

  function problemText(problem: Problem): string {
    const message = t(PROBLEM_TEXT[problem.kind]);
    if (problem.field === 'title') return t('steps.error.whereTitle', { message });
    if (problem.step === undefined) return message;
    const field =
      problem.field === 'parameter'
        ? t('steps.field.parameterName')
        : t(FIELD_LABEL[(problem.field ?? 'name') as StepTextField]);
    return t('steps.error.where', { n: problem.step + 1, field, message });
  }

  /** A labelled input or textarea with its error message. */
  function field(
    step: DraftStep,
    index: number,
    name: StepTextField,
    options: { multiline?: boolean; maxLength: number; numeric?: boolean; required?: boolean; wide?: boolean },
  ): ReactNode {
    const id = fieldId(step, name);
    const problem = problemAt.get(problemKey(index, name));
    const errorId = `${id}-error`;
    const common = {
      id,
      className: 'field__input',
      value: step[name],
      maxLength: options.maxLength,
      'aria-invalid': problem ? true : undefined,
      'aria-describedby': problem ? errorId : undefined,
      'aria-required': options.required || undefined,
    };
    return (
      <div className={`field${options.wide ? ' step-card__wide' : ''}`}>
        <label className="field__label" htmlFor={id}>
          {t(FIELD_LABEL[name])}
          <span className="visually-hidden">{t('steps.ofStep', { n: index + 1 })}</span>
          {options.required && (
            <span className="required-mark" aria-hidden="true">
              {' *'}
            </span>
          )}
        </label>
        {options.multiline ? (
          <textarea {...common} rows={2} onChange={(e) => updateStep(index, { [name]: e.target.value })} />
        ) : (
          <input
            {...common}
            type="text"
            inputMode={options.numeric ? 'decimal' : undefined}
            autoComplete="off"
            onChange={(e) => updateStep(index, { [name]: e.target.value })}
          />
        )}
        {problem && (
          <p className="field-error" id={errorId}>
            {t(PROBLEM_TEXT[problem.kind])}
          </p>
        )}
      </div>
    );
  }

  const titleProblem = problemAt.get(problemKey(undefined, 'title'));

  return (
    <form className="steps-form" noValidate onSubmit={onSubmit} aria-labelledby={headingId}>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>

      {conflict && (
        <div className="notice notice--error conflict" role="alert">
          <p>
            <strong>{t('steps.conflict.title')}</strong>
          </p>
          {newer && (
            <p>
              {t('steps.conflict.versions', {
                mine: base.version,
                theirs: routing.version,
                by: savedBy ? t('steps.conflict.by', { actor: savedBy }) : '',
              })}
            </p>
          )}
          <p>{t('steps.conflict.kept')}</p>
          {changes.length > 0 && (
            <>
              <p>{t('steps.conflict.changesHeading')}</p>
              <ul className="conflict__changes">
                {changes.map((change, i) => (
                  <li key={i}>{describeChange(change, t)}</li>
                ))}
              </ul>
            </>
          )}
          <div className="conflict__actions">
            <button type="button" className="button" onClick={discard} disabled={saving}>
              {t('steps.conflict.reload')}
            </button>
            <span className="hint">{t('steps.conflict.reloadHint')}</span>
            {newer && (
              <button type="button" className="button" onClick={overwrite} disabled={saving}>
                {t('steps.conflict.overwrite')}
              </button>
            )}
          </div>
        </div>
      )}

      {saveError && saveError.kind !== 'conflict' && (
        <p className="notice notice--error" role="alert">
          {saveError.kind === 'forbidden'
            ? t('steps.error.forbidden', { message: saveError.message })
            : saveError.kind === 'invalid'
              ? t('steps.error.invalid', { message: saveError.message })
              : saveError.kind === 'network'
                ? t('steps.error.network')
                : t('steps.error.generic', { message: saveError.message })}
        </p>
      )}

      {problems.length > 0 && (
        <div className="notice notice--error" role="alert" tabIndex={-1} ref={summaryRef}>
          <p>{t('steps.error.summary')}</p>
          <ul className="problem-list">
            {problems.map((problem, i) => (
              <li key={i}>
                <button type="button" className="link-button" onClick={() => focusField(problem)}>
                  {problemText(problem)}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}

      <p className="hint">{t('steps.requiredHint')}</p>
      <fieldset className="steps-form__routing" disabled={saving}>
        <legend>{t('steps.routingFields')}</legend>
        <div className="field">
          <label className="field__label" htmlFor={`${formId}-title`}>
            {t('steps.routingTitle')}
            <span className="required-mark" aria-hidden="true">
              {' *'}
            </span>
          </label>
          <input
            id={`${formId}-title`}
            className="field__input"
            type="text"
            value={draft.title}
            maxLength={LIMITS.title}
            autoComplete="off"
            aria-required
            aria-invalid={titleProblem ? true : undefined}
            aria-describedby={titleProblem ? `${formId}-title-error` : undefined}
            onChange={(e) => setDraft((current) => ({ ...current, title: e.target.value }))}
          />
          {titleProblem && (
            <p className="field-error" id={`${formId}-title-error`}>
              {t(PROBLEM_TEXT[titleProblem.kind])}
            </p>
          )}
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${formId}-description`}>
            {t('steps.routingDescription')}
          </label>
          <textarea
            id={`${formId}-description`}
            className="field__input"
            rows={3}
            value={draft.description}
            maxLength={LIMITS.description}
            onChange={(e) => setDraft((current) => ({ ...current, description: e.target.value }))}
          />
        </div>
      </fieldset>

      <fieldset className="steps-form__steps" disabled={saving}>
        <legend className="visually-hidden">{t('steps.listLabel')}</legend>
        {draft.steps.length === 0 ? (
          <p className="empty">{t('steps.empty')}</p>
        ) : (
          <ol className="step-list" aria-label={t('steps.listLabel')}>
            {draft.steps.map((step, index) => {
              const n = index + 1;
              const classes = ['step-card'];
              if (dragging === index) classes.push('step-card--dragging');
              if (dropTarget?.index === index) classes.push(dropTarget.after ? 'step-card--drop-after' : 'step-card--drop-before');
              return (
                <li
                  key={step.key}
                  className={classes.join(' ')}
                  data-step-key={step.key}
                  onDragOver={(e) => onDragOver(e, index)}
                  onDrop={(e) => onDrop(e, index)}
                >
                  <div className="step-card__head">
                    <span
                      className="step-card__handle"
                      draggable={!saving}
                      onDragStart={(e) => onDragStart(e, index)}
                      onDragEnd={onDragEnd}
                      title={t('steps.dragHandle')}
                      aria-hidden="true"
                    >
                      ⠿
                    </span>
                    <h3 className="step-card__title">
                      {t('steps.stepHeading', { n })}{' '}
                      <span className="muted">{t('steps.opNumber', { sequence: n * SEQUENCE_STEP })}</span>
                      {step.id === null && <span className="badge badge--neutral">{t('steps.newBadge')}</span>}
                    </h3>
                    <div className="step-card__tools">
                      <button
                        type="button"
                        id={`${formId}-${step.key}-up`}
                        className="button button--small"
                        disabled={index === 0}
                        onClick={() => move(index, index - 1, 'up')}
                      >
                        {t('steps.moveUp')}
                        <span className="visually-hidden">{t('steps.ofStep', { n })}</span>
                      </button>
                      <button
                        type="button"
                        id={`${formId}-${step.key}-down`}
                        className="button button--small"
                        disabled={index === draft.steps.length - 1}
                        onClick={() => move(index, index + 1, 'down')}
                      >
                        {t('steps.moveDown')}
                        <span className="visually-hidden">{t('steps.ofStep', { n })}</span>
                      </button>
                      <button type="button" className="button button--small step-card__remove" onClick={() => remove(index)}>
                        {t('steps.remove')}
                        <span className="visually-hidden">{t('steps.ofStep', { n })}</span>
                      </button>
                    </div>
                  </div>
                  <div className="step-card__grid">
                    {field(step, index, 'name', { maxLength: LIMITS.stepName, required: true, wide: true })}
                    {field(step, index, 'workCenter', { maxLength: LIMITS.stepPlace })}
                    {field(step, index, 'machine', { maxLength: LIMITS.stepPlace })}
                    {field(step, index, 'setupMinutes', { maxLength: 12, numeric: true })}
                    {field(step, index, 'cycleMinutes', { maxLength: 12, numeric: true })}
                    {field(step, index, 'description', { maxLength: LIMITS.stepText, multiline: true, wide: true })}
                    {field(step, index, 'toolingNotes', { maxLength: LIMITS.stepText, multiline: true, wide: true })}
                  </div>
                  <fieldset className="step-card__parameters">
                    <legend>
                      {t('steps.parameters')}
                      <span className="visually-hidden">{t('steps.ofStep', { n })}</span>
                    </legend>
                    {step.parameters.length === 0 && <p className="hint">{t('steps.noParameters')}</p>}
                    {step.parameters.map((parameter, p) => {
                      const where = t('steps.ofParameter', { n, p: p + 1 });
                      const nameId = fieldId(step, `param-${p}-name`);
                      const valueId = fieldId(step, `param-${p}-value`);
                      const problem = problemAt.get(problemKey(index, 'parameter', p));
                      return (
                        <div className="parameter-row" key={parameter.key}>
                          <div className="field">
                            <label className="field__label" htmlFor={nameId}>
                              {t('steps.field.parameterName')}
                              <span className="visually-hidden">{where}</span>
                            </label>
                            <input
                              id={nameId}
                              className="field__input"
                              type="text"
                              autoComplete="off"
                              value={parameter.name}
                              maxLength={LIMITS.parameterKey}
                              aria-invalid={problem ? true : undefined}
                              aria-describedby={problem ? `${nameId}-error` : undefined}
                              onChange={(e) => updateParameter(index, p, { name: e.target.value })}
                            />
                            {problem && (
                              <p className="field-error" id={`${nameId}-error`}>
                                {t(PROBLEM_TEXT[problem.kind])}
                              </p>
                            )}
                          </div>
                          <div className="field">
                            <label className="field__label" htmlFor={valueId}>
                              {t('steps.field.parameterValue')}
                              <span className="visually-hidden">{where}</span>
                            </label>
                            <input
                              id={valueId}
                              className="field__input"
                              type="text"
                              autoComplete="off"
                              value={parameter.value}
                              maxLength={LIMITS.parameterValue}
                              onChange={(e) => updateParameter(index, p, { value: e.target.value })}
                            />
                          </div>
                          <button
                            type="button"
                            className="button button--small"
                            onClick={() =>
                              updateStep(index, { parameters: step.parameters.filter((_, j) => j !== p) })
                            }
                          >
                            {t('steps.removeParameter')}
                            <span className="visually-hidden">{where}</span>
                          </button>
                        </div>
                      );
                    })}
                    {step.parameters.length < LIMITS.parameters && (
                      <button
                        type="button"
                        className="button button--small"
                        onClick={() => updateStep(index, { parameters: [...step.parameters, newParameter()] })}
                      >
                        {t('steps.addParameter')}
                        <span className="visually-hidden">{t('steps.ofStep', { n })}</span>
                      </button>
                    )}
                  </fieldset>
                </li>
              );
            })}
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

      <div className="steps-actions">
        <p className={`steps-actions__state${dirty ? ' steps-actions__state--dirty' : ''}`} role="status">
          {saving ? t('steps.saving') : dirty ? t('steps.dirty') : t('steps.clean')}
        </p>
        <button type="button" className="button" onClick={discard} disabled={!dirty || saving}>
          {t('steps.discard')}
        </button>
        <button type="submit" className="button button--primary" disabled={!dirty || saving}>
          {t('steps.save')}
        </button>
      </div>
    </form>
  );
}
