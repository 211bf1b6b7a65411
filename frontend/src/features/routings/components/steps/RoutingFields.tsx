import { useI18n } from '@/i18n';
import { LIMITS, type Problem } from '../../draft';
import { PROBLEM_TEXT } from './stepsText';

interface RoutingFieldsProps {
  formId: string;
  title: string;
  description: string;
  titleProblem: Problem | undefined;
  saving: boolean;
  onTitleChange(title: string): void;
  onDescriptionChange(description: string): void;
}

/** The routing's own title and description, above its steps. */
export function RoutingFields({ formId, title, description, titleProblem, saving, onTitleChange, onDescriptionChange }: RoutingFieldsProps) {
  const { t } = useI18n();
  return (
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
          value={title}
          maxLength={LIMITS.title}
          autoComplete="off"
          aria-required
          aria-invalid={titleProblem ? true : undefined}
          aria-describedby={titleProblem ? `${formId}-title-error` : undefined}
          onChange={(e) => onTitleChange(e.target.value)}
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
          value={description}
          maxLength={LIMITS.description}
          onChange={(e) => onDescriptionChange(e.target.value)}
        />
      </div>
    </fieldset>
  );
}
