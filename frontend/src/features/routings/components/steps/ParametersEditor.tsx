import { useI18n } from '@/i18n';
import { LIMITS, newParameter, type DraftParameter, type DraftStep, type Problem } from '../../draft';
import { PROBLEM_TEXT, problemKey, stepFieldId } from './stepsText';

interface ParametersEditorProps {
  formId: string;
  step: DraftStep;
  index: number;
  problemAt: ReadonlyMap<string, Problem>;
  /** Takes an updater so that edits apply to the latest draft, not the one this render saw. */
  onChange(update: (parameters: DraftParameter[]) => DraftParameter[]): void;
}

/** The name/value parameters of one step. */
export function ParametersEditor({ formId, step, index, problemAt, onChange }: ParametersEditorProps) {
  const { t } = useI18n();
  const n = index + 1;

  function update(p: number, change: Partial<DraftParameter>) {
    onChange((parameters) => parameters.map((param, j) => (j === p ? { ...param, ...change } : param)));
  }

  return (
    <fieldset className="step-card__parameters">
      <legend>
        {t('steps.parameters')}
        <span className="visually-hidden">{t('steps.ofStep', { n })}</span>
      </legend>
      {step.parameters.length === 0 && <p className="hint">{t('steps.noParameters')}</p>}
      {step.parameters.map((parameter, p) => {
        const where = t('steps.ofParameter', { n, p: p + 1 });
        const nameId = stepFieldId(formId, step.key, `param-${p}-name`);
        const valueId = stepFieldId(formId, step.key, `param-${p}-value`);
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
                onChange={(e) => update(p, { name: e.target.value })}
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
                onChange={(e) => update(p, { value: e.target.value })}
              />
            </div>
            <button
              type="button"
              className="button button--small"
              onClick={() => onChange(() => step.parameters.filter((_, j) => j !== p))}
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
          onClick={() => onChange(() => [...step.parameters, newParameter()])}
        >
          {t('steps.addParameter')}
          <span className="visually-hidden">{t('steps.ofStep', { n })}</span>
        </button>
      )}
    </fieldset>
  );
}
