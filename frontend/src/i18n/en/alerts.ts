// English strings: alerts. Keys are '<area>.<name>'; see ../en.ts.
export const alerts = {
  'alerts.title': 'Alerts',
  'alerts.empty': 'No alerts for you.',
  'alerts.openRouting': 'Open the routing',
  'alerts.severity.INFO': 'Info',
  'alerts.severity.WARNING': 'Warning',
  'alerts.severity.ERROR': 'Error',
} as const;
