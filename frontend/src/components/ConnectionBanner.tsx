import { useEffect, useState } from 'react';
import { useI18n } from '@/i18n';
import { useLiveConnection, useLiveHealth } from '@/lib/live/LiveProvider';

/** Shown while the live connection is down: what is happening, when the next attempt is, and a button to try now. */
export function ConnectionBanner() {
  const { t } = useI18n();
  const live = useLiveConnection();
  const health = useLiveHealth();
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (health.state !== 'reconnecting') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [health.state]);

  const down = health.state === 'reconnecting' || (health.state === 'connecting' && health.everLive);
  if (!down) {
    return health.state === 'live' && health.transport === 'sse' ? (
      <p className="live-fallback" data-testid="live-fallback">
        {t('live.fallback')}
      </p>
    ) : null;
  }
  const seconds = health.nextAttemptAt ? Math.max(0, Math.ceil((health.nextAttemptAt - now) / 1000)) : 0;
  return (
    <div className="connection-banner" role="alert" data-testid="connection-banner">
      <p>
        <strong>{t('live.lost')}</strong>{' '}
        {health.state === 'reconnecting' && seconds > 0
          ? t('live.retryIn', { seconds, attempt: health.failures })
          : t('live.reconnecting')}
      </p>
      <button type="button" className="button button--small" onClick={() => live.retryNow()}>
        {t('live.retryNow')}
      </button>
    </div>
  );
}
