// English strings: live. Keys are '<area>.<name>'; see ../en.ts.
export const live = {
  'live.lost': 'Live updates are interrupted.',
  'live.reconnecting': 'Reconnecting…',
  'live.retryIn': 'Next attempt in {seconds} s (attempt {attempt} failed).',
  'live.retryNow': 'Reconnect now',
  'live.fallback': 'Live updates through the fallback channel (WebSocket is blocked).',
  'live.alert.title': 'Live updates unavailable',
  'live.alert.message': 'Five attempts to reconnect have failed. What you see may be out of date; MCMS keeps trying.',
  'live.restored': 'Live updates restored.',
} as const;
