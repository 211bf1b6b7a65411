import type { DragEvent } from 'react';
import { useI18n } from '@/i18n';
import { LIMITS, SEQUENCE_STEP, type DraftParameter, type DraftStep, type Problem } from '../../draft';
import { ParametersEditor } from './ParametersEditor';
import { StepField } from './StepField';
import { problemKey, stepFieldId, type StepTextField } from './stepsText';
import type { DropTarget } from './useStepReorder';

interface StepCardProps {
  formId: string;
  step: DraftStep;
  index: number;
  count: number;
  saving: boolean;
  problemAt: ReadonlyMap<string, Problem>;
  dragging: boolean;
  /** Where a drop would land relative to this card, if the pointer is over it. */
  dropTarget: DropTarget | null;
  onMove(to: number, focus: 'up' | 'down'): void;
  onRemove(): void;
  onChange(change: Partial<DraftStep>): void;
  onChangeParameters(update: (parameters: DraftParameter[]) => DraftParameter[]): void;
  onDragStart(event: DragEvent<HTMLElement>): void;
  onDragOver(event: DragEvent<HTMLLIElement>): void;
  onDrop(event: DragEvent<HTMLLIElement>): void;
  onDragEnd(): void;
}

/** One step of the list being edited: its heading, move/remove buttons, fields and parameters. */
export function StepCard(props: StepCardProps) {
  const { formId, step, index, count, saving, problemAt, dragging, dropTarget, onMove, onRemove, onChange } = props;
  const { t } = useI18n();
  const n = index + 1;
  const classes = ['step-card'];
  if (dragging) classes.push('step-card--dragging');
  if (dropTarget) classes.push(dropTarget.after ? 'step-card--drop-after' : 'step-card--drop-before');

  const field = (name: StepTextField, options: { maxLength: number; multiline?: boolean; numeric?: boolean; required?: boolean; wide?: boolean }) => (
    <StepField
      formId={formId}
      step={step}
      index={index}
      name={name}
      problem={problemAt.get(problemKey(index, name))}
      onChange={(value) => onChange({ [name]: value })}
      {...options}
    />
  );

  return (
    <li className={classes.join(' ')} data-step-key={step.key} onDragOver={props.onDragOver} onDrop={props.onDrop}>
      <div className="step-card__head">
        {/* Hidden from assistive technology: the Move up / Move down buttons are its accessible equivalent. */}
        <span
          className="step-card__handle"
          draggable={!saving}
          onDragStart={props.onDragStart}
          onDragEnd={props.onDragEnd}
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
            id={stepFieldId(formId, step.key, 'up')}
            className="button button--small"
            disabled={index === 0}
            onClick={() => onMove(index - 1, 'up')}
          >
            {t('steps.moveUp')}
            <span className="visually-hidden">{t('steps.ofStep', { n })}</span>
          </button>
          <button
            type="button"
            id={stepFieldId(formId, step.key, 'down')}
            className="button button--small"
            disabled={index === count - 1}
            onClick={() => onMove(index + 1, 'down')}
          >
            {t('steps.moveDown')}
            <span className="visually-hidden">{t('steps.ofStep', { n })}</span>
          </button>
          <button type="button" className="button button--small step-card__remove" onClick={onRemove}>
            {t('steps.remove')}
            <span className="visually-hidden">{t('steps.ofStep', { n })}</span>
          </button>
        </div>
      </div>
      <div className="step-card__grid">
        {field('name', { maxLength: LIMITS.stepName, required: true, wide: true })}
        {field('workCenter', { maxLength: LIMITS.stepPlace })}
        {field('machine', { maxLength: LIMITS.stepPlace })}
        {field('setupMinutes', { maxLength: 12, numeric: true })}
        {field('cycleMinutes', { maxLength: 12, numeric: true })}
        {field('description', { maxLength: LIMITS.stepText, multiline: true, wide: true })}
        {field('toolingNotes', { maxLength: LIMITS.stepText, multiline: true, wide: true })}
      </div>
      <ParametersEditor formId={formId} step={step} index={index} problemAt={problemAt} onChange={props.onChangeParameters} />
    </li>
  );
}
