import { useI18n } from '@/i18n';
import type { DraftStep, Problem } from '../../draft';
import { FIELD_LABEL, PROBLEM_TEXT, stepFieldId, type StepTextField } from './stepsText';

interface StepFieldProps {
  formId: string;
  step: DraftStep;
  index: number;
  name: StepTextField;
  problem: Problem | undefined;
  onChange(value: string): void;
  maxLength: number;
  multiline?: boolean;
  numeric?: boolean;
  required?: boolean;
  wide?: boolean;
}

/** A labelled input or textarea of one step, with its error message. */
export function StepField({ formId, step, index, name, problem, onChange, maxLength, multiline, numeric, required, wide }: StepFieldProps) {
  const { t } = useI18n();
  const id = stepFieldId(formId, step.key, name);
  const errorId = `${id}-error`;
  const common = {
    id,
    className: 'field__input',
    value: step[name],
    maxLength,
    'aria-invalid': problem ? true : undefined,
    'aria-describedby': problem ? errorId : undefined,
    'aria-required': required || undefined,
  };
  return (
    <div className={`field${wide ? ' step-card__wide' : ''}`}>
      <label className="field__label" htmlFor={id}>
        {t(FIELD_LABEL[name])}
        {/* Every step has the same labels: the hidden step number tells them apart for screen readers. */}
        <span className="visually-hidden">{t('steps.ofStep', { n: index + 1 })}</span>
        {required && (
          <span className="required-mark" aria-hidden="true">
            {' *'}
          </span>
        )}
      </label>
      {multiline ? (
        <textarea {...common} rows={2} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type="text"
          // Text, not number: the draft keeps what was typed so validation can explain a bad value.
          inputMode={numeric ? 'decimal' : undefined}
          autoComplete="off"
          onChange={(e) => onChange(e.target.value)}
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
