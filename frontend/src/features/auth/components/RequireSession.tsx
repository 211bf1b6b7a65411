import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useI18n } from '@/i18n';
import { useSession } from './SessionProvider';

/** Renders `children` for a signed-in user; otherwise sends the browser to the sign-in page. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { state, reload } = useSession();
  const { t } = useI18n();
  const location = useLocation();

  switch (state.status) {
    case 'loading':
      return (
        <p className="page-status" role="status">
          {t('app.loading')}
        </p>
      );
    case 'error':
      return (
        <div className="page-status" role="alert">
          <p>{t('app.error.network')}</p>
          <button type="button" className="button" onClick={reload}>
            {t('app.retry')}
          </button>
        </div>
      );
    case 'anonymous':
      return (
        <Navigate
          to="/sign-in"
          replace
          state={{ from: location.pathname + location.search, expired: state.expired }}
        />
      );
    case 'signedIn':
      return <>{children}</>;
  }
}
