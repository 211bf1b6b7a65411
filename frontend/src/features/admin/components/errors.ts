import type { CombinedError } from 'urql';
import type { Translate } from '@/i18n';
import { errorCode, serverMessage } from '@/lib/graphql-client';

/** A failed request in words: a FORBIDDEN says administrators only; other refusals quote the server. */
export function describeError(t: Translate, error: CombinedError): string {
  if (error.networkError) return t('app.error.network');
  const message = serverMessage(error);
  if (errorCode(error) === 'FORBIDDEN') return t('admin.error.forbidden', { message });
  return t('admin.error.server', { message });
}
