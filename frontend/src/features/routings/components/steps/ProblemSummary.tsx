import type { Ref } from 'react';
import { useI18n } from '@/i18n';
import type { Problem } from '../../draft';
import { problemText } from './stepsText';

interface ProblemSummaryProps {
  problems: readonly Problem[];
  /** Focused after a refused submit, so keyboard and screen-reader users land on the list. */
  summaryRef: Ref<HTMLDivElement>;
  onSelect(problem: Problem): void;
}

/** The validation errors of the whole form, each a button that jumps to its field. */
export function ProblemSummary({ problems, summaryRef, onSelect }: ProblemSummaryProps) {
  const { t } = useI18n();
  return (
    <div className="notice notice--error" role="alert" tabIndex={-1} ref={summaryRef}>
      <p>{t('steps.error.summary')}</p>
      <ul className="problem-list">
        {problems.map((problem, i) => (
          <li key={i}>
            <button type="button" className="link-button" onClick={() => onSelect(problem)}>
              {problemText(problem, t)}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
