import { useI18n } from '@/i18n';
import { formatMinutes } from '@/lib/format';
import type { ServerStep } from '../draft';

export interface TableStep extends ServerStep {
  sequence: number;
}

/** The routing's operations, in order, read-only. */
export function StepsTable({ steps }: { steps: readonly TableStep[] }) {
  const { t, locale } = useI18n();
  if (steps.length === 0) return <p className="empty">{t('steps.empty')}</p>;

  const totalSetup = steps.reduce((sum, step) => sum + step.setupMinutes, 0);
  const totalCycle = steps.reduce((sum, step) => sum + step.cycleMinutes, 0);

  return (
    <div className="table-wrap">
      <table className="table steps-table">
        <caption className="visually-hidden">{t('steps.caption')}</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              {t('steps.sequence')}
            </th>
            <th scope="col">{t('steps.name')}</th>
            <th scope="col">{t('steps.workCenter')}</th>
            <th scope="col">{t('steps.machine')}</th>
            <th scope="col" className="num">
              {t('steps.setup')}
            </th>
            <th scope="col" className="num">
              {t('steps.cycle')}
            </th>
            <th scope="col">{t('steps.toolingNotes')}</th>
            <th scope="col">{t('steps.parameters')}</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((step) => (
            <tr key={step.id}>
              <td className="num">{step.sequence}</td>
              <th scope="row">
                {step.name}
                {step.description && <span className="steps-table__description prewrap">{step.description}</span>}
              </th>
              <td>{step.workCenter}</td>
              <td>{step.machine}</td>
              <td className="num">{formatMinutes(step.setupMinutes, locale)}</td>
              <td className="num">{formatMinutes(step.cycleMinutes, locale)}</td>
              <td className="prewrap">{step.toolingNotes}</td>
              <td>
                {step.parameters.length > 0 && (
                  <ul className="steps-table__parameters">
                    {step.parameters.map((parameter) => (
                      <li key={parameter.key}>
                        <code>{parameter.key}</code> = {parameter.value}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={4}>
              {t('steps.total')}
            </th>
            <td className="num">{formatMinutes(totalSetup, locale)}</td>
            <td className="num">{formatMinutes(totalCycle, locale)}</td>
            <td colSpan={2} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
