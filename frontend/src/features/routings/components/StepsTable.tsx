import { graphql } from '@/gql';
import type { RoutingStepsFragment } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { formatMinutes } from '@/lib/format';

export const RoutingStepsFragmentDoc = graphql(`
  fragment RoutingSteps on Routing {
    steps {
      id
      sequence
      name
      workCenter
      machine
      setupMinutes
      cycleMinutes
    }
  }
`);

/** The routing's operations, in order (read-only in this slice). */
export function StepsTable({ routing }: { routing: RoutingStepsFragment }) {
  const { t, locale } = useI18n();
  const steps = routing.steps;
  if (steps.length === 0) return <p className="empty">{t('steps.empty')}</p>;

  const totalSetup = steps.reduce((sum, step) => sum + step.setupMinutes, 0);
  const totalCycle = steps.reduce((sum, step) => sum + step.cycleMinutes, 0);

  return (
    <div className="table-wrap">
      <table className="table">
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
          </tr>
        </thead>
        <tbody>
          {steps.map((step) => (
            <tr key={step.id}>
              <td className="num">{step.sequence}</td>
              <th scope="row">{step.name}</th>
              <td>{step.workCenter}</td>
              <td>{step.machine}</td>
              <td className="num">{formatMinutes(step.setupMinutes, locale)}</td>
              <td className="num">{formatMinutes(step.cycleMinutes, locale)}</td>
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
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
