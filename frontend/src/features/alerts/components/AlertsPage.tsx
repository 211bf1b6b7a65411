import { Link } from 'react-router';
import { useQuery } from 'urql';
import { QueryError } from '@/components/QueryError';
import { graphql } from '@/gql';
import { useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { useLiveRefresh } from '@/lib/live/LiveProvider';

export const AlertsPageQuery = graphql(`
  query AlertsPage {
    alerts(first: 100) {
      eventId
      type
      title
      message
      severity
      routingId
      createdAt
    }
  }
`);

/** `/alerts`: the alerts addressed to you or your role, newest first, kept live. */
export function AlertsPage() {
  const { t, locale } = useI18n();
  const [{ data, error, fetching }, reexecute] = useQuery({ query: AlertsPageQuery });
  useLiveRefresh(['notification.alert'], () => reexecute({ requestPolicy: 'network-only' }));
  const alerts = data?.alerts ?? [];

  return (
    <section className="page" aria-labelledby="alerts-title">
      <title>{`${t('alerts.title')} · ${t('app.name')}`}</title>
      <h1 id="alerts-title">{t('alerts.title')}</h1>
      {error && !data && <QueryError error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />}
      {!data && fetching && <p role="status">{t('app.loading')}</p>}
      {data && alerts.length === 0 && <p className="hint">{t('alerts.empty')}</p>}
      {alerts.length > 0 && (
        <ol className="alert-list">
          {alerts.map((alert) => (
            <li key={alert.eventId} className={`alert-item alert-item--${alert.severity.toLowerCase()}`}>
              <p className="alert-item__head">
                <span className={`badge badge--${alert.severity === 'ERROR' ? 'danger' : alert.severity === 'WARNING' ? 'pending' : 'neutral'}`}>
                  {t(`alerts.severity.${alert.severity}`)}
                </span>{' '}
                <strong>{alert.title}</strong>{' '}
                <time className="muted" dateTime={alert.createdAt}>
                  {formatDateTime(alert.createdAt, locale)}
                </time>
              </p>
              <p className="prewrap">{alert.message}</p>
              {alert.routingId && <Link to={`/routings/${alert.routingId}`}>{t('alerts.openRouting')}</Link>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
