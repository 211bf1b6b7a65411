import { useEffect, useRef } from 'react';
import { useToasts } from '@/components/Toasts';
import { useI18n } from '@/i18n';
import { useLiveEvent, useLiveHealth } from '@/lib/live/LiveProvider';

/** How many failed reconnection attempts in a row raise an alert (SPEC §4). */
export const FAILURES_BEFORE_ALERT = 5;

/**
 * Turns live alerts into toasts, and raises one when the live connection has
 * failed five times in a row (and says so again once it is back).
 */
export function AlertsWatcher() {
  const { t } = useI18n();
  const toasts = useToasts();
  const health = useLiveHealth();
  const alerted = useRef(false);

  useLiveEvent('notification.alert', (event) => {
    toasts.push({ title: event.payload.title, message: event.payload.message, severity: event.payload.severity });
  });

  useEffect(() => {
    if (health.failures >= FAILURES_BEFORE_ALERT && !alerted.current) {
      alerted.current = true;
      toasts.push({ title: t('live.alert.title'), message: t('live.alert.message'), severity: 'ERROR' });
    } else if (health.state === 'live' && alerted.current) {
      alerted.current = false;
      toasts.push({ title: t('live.restored'), severity: 'SUCCESS' });
    }
  }, [health.failures, health.state, t, toasts]);

  return null;
}
